"""Errors the command line turns into one clear message and exit status 2."""


class DataFileError(Exception):
    """A file that cannot be read at all: names the file and the problem."""

    def __init__(self, path: object, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class PdfUnavailable(Exception):
    """``--pdf`` without Playwright or Chromium, or Chromium would not start."""
