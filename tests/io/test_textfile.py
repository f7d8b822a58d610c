"""Reading export text: both read paths agree; line numbers, field counts, encodings, sections."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from analysis.errors import DataFileError
from analysis.io import textfile


def test_fast_and_careful_paths_agree(write):
    text = 'a,b,c\n1,"x, y",3\n4,,\n"5","say ""hi""",6\n'
    fast = textfile.read_table(write("f.csv", text)).frame
    careful = textfile.read_table(write("c.csv", text + "\n\n")).frame  # blank lines force the careful path
    assert fast.columns == careful.columns == ["a", "b", "c", "_line", "_fields"]
    clean = [pl.col(c).fill_null("") for c in ("a", "b", "c")]
    assert fast.select(clean).equals(careful.select(clean))
    assert fast["_line"].to_list() == careful["_line"].to_list() == [2, 3, 4]


def test_short_and_long_lines_keep_their_field_count(write):
    frame = textfile.read_table(write("f.csv", "a,b,c\n1,2,3\n\n4,5\n6,7,8,9\n")).frame
    assert frame["_line"].to_list() == [2, 4, 5]
    assert frame["_fields"].to_list() == [3, 2, 4]


def test_short_line_is_caught_on_the_fast_path(write):
    frame = textfile.read_table(write("f.csv", 'a,b,c\n1,"x,y",3\n4,5\n')).frame
    assert frame["_fields"].to_list() == [3, 2]


def test_crlf_and_bom(write):
    frame = textfile.read_table(write("f.csv", "\ufeffa;b\r\n1;2\r\n3;4\r\n".encode())).frame
    assert frame.columns[:2] == ["a", "b"] and frame["b"].to_list() == ["2", "4"]
    assert frame["_line"].to_list() == [2, 3]


def test_windows_1252_falls_back_with_a_warning(write):
    table = textfile.read_table(write("f.csv", "name,x\nKniebeuge – Übung,1\n".encode("cp1252")))
    assert table.frame["name"].to_list() == ["Kniebeuge – Übung"]
    assert "Windows-1252" in table.warnings[0]


def test_quoted_line_breaks_keep_the_starting_line(write):
    frame = textfile.read_table(write("f.csv", 'a,b\n1,"two\nlines"\n3,4\n')).frame
    assert frame["_line"].to_list() == [2, 4]


@pytest.mark.parametrize(
    ("text", "problem"),
    [("a,b\n", "header only"), ("a,,c\n1,2,3\n", "no name"), ("a,a\n1,2\n", "twice")],
)
def test_file_errors(write, text, problem):
    with pytest.raises(DataFileError, match=problem):
        textfile.read_table(write("f.csv", text))


def test_sections_keep_file_line_numbers():
    text = "### ONE ###\n\nx,y\n1,2\n#####\n\n### TWO ####\nz\n3\n"
    parts = textfile.sections(text)
    assert list(parts) == ["ONE", "TWO"]
    assert parts["ONE"].first_line == 2 and parts["TWO"].first_line == 8
    table = textfile.read_table(Path("jefit.csv"), text=parts["ONE"].text, sep=",", first_line_no=parts["ONE"].first_line)
    assert table.frame["_line"].to_list() == [4]
