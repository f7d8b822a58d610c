"""The ``analysis`` command: demo data, imports, validation and reports.

Exit status: 0 success; 1 some trainees' reports failed (the others were
written); 2 an input file (or a ``--params`` file) could not be read, or no
valid set is left (every row of the sets table rejected): one message naming
the file; or ``report --pdf`` without Playwright or Chromium; 3 another
report run holds the output folder. ``validate`` exits 0 if every row is
valid, 1 if some rows were rejected, 2 if a file is unreadable or no valid
set is left.
"""

from __future__ import annotations

import argparse
import atexit
import datetime as dt
import gc
import sys
import tomllib
from pathlib import Path

from analysis import __version__
from analysis.errors import DataFileError, PdfUnavailable

# At exit the interpreter runs full garbage collections over every object of
# polars, pandas, scipy, matplotlib and IPython: 0.6 s of a scheduled run
# that took 5. gc.freeze, as the last exit handler, exempts them (they are
# still freed by reference counting; the process ends right after).
atexit.register(gc.freeze)

DEFAULT_DATA = Path("data/demo")
DEFAULT_REPORTS = Path("reports")
# applied after a --params file: an option on the command line wins, then the file, then these
REPORT_DEFAULTS = {"data": DEFAULT_DATA, "out": DEFAULT_REPORTS, "window_weeks": 8, "wait": 0.0}


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="analysis",
        description="Training analytics for strength coaches: workout logs in, progress reports out.",
    )
    parser.add_argument("--version", action="version", version=f"analysis {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser("demo", help="write a synthetic cohort with known ground truth (truth.json)")
    demo.add_argument("--out", type=Path, default=DEFAULT_DATA, help="dataset folder to write (default: %(default)s)")
    demo.add_argument("--trainees", type=_positive, default=12, help="number of trainees (default: %(default)s)")
    demo.add_argument("--seed", type=int, default=7, help="random seed (default: %(default)s)")
    demo.add_argument("--weeks", type=_positive, default=36, help="weeks of training logged (default: %(default)s)")
    demo.add_argument("--end", type=_date, default=dt.date(2026, 9, 27), help="last day of the log (default: %(default)s)")

    imp = sub.add_parser("import", help="read app exports (Strong, Hevy, FitNotes, JEFIT, spreadsheets) into a dataset folder")
    imp.add_argument("files", type=Path, nargs="*", metavar="FILE|DIR",
                     help="export files of one trainee (with --trainee), or one club folder DIR: a subfolder "
                          "per trainee, named by the trainee id, holding that trainee's exports")
    imp.add_argument("--trainee", metavar="ID",
                     help="the trainee these files belong to (required for files, unless --inspect)")
    imp.add_argument("--roster", type=Path, metavar="CSV",
                     help="import a whole club from a CSV trainee_id,file[,unit][,format] (files relative to "
                          "the roster's folder); instead of FILE/DIR")
    imp.add_argument("--out", type=Path, metavar="DIR",
                     help="dataset folder to add to, created if needed (required unless --inspect)")
    imp.add_argument("--format", default="auto", metavar="FMT",
                     help="auto (default), or one of: " + ", ".join(_formats()))
    imp.add_argument("--unit", choices=["kg", "lb"],
                     help="weight unit of exports that do not state one (Strong); a roster's unit column wins")
    imp.add_argument("--aliases", type=Path, metavar="FILE", help="CSV alias,exercise mapping your own exercise names")
    imp.add_argument("--map", type=Path, metavar="FILE", dest="column_map",
                     help="TOML column map: read any CSV by naming its date, exercise, weight, reps, ... columns "
                          "(see --inspect)")
    imp.add_argument("--inspect", action="store_true",
                     help="only show each file's header, first rows, detected format and a suggested --map")
    imp.add_argument("--partitioned", action="store_true",
                     help="make a new dataset folder partitioned by trainee (Parquet, for large clubs; a "
                          "partitioned folder stays partitioned without it)")

    convert = sub.add_parser(
        "convert", help="move a CSV dataset folder to the layout partitioned by trainee (Parquet), in place",
        description="Move a CSV dataset folder to the layout partitioned by trainee, in place: sets and body "
                    "become one Parquet file per trainee under sets/ and body/, committed by dataset.json; "
                    "trainees.csv and goals.csv stay. A table with invalid rows is refused.")
    convert.add_argument("data", type=Path, metavar="DIR", help="the dataset folder")

    validate = sub.add_parser(
        "validate", help="check a dataset folder; list rejected rows",
        description="Check a dataset folder and list its rejected rows.",
        epilog="exit status: 0 every row valid; 1 some rows rejected (the valid rest can be reported on); "
               "2 a file cannot be read, or no valid set is left (every row of sets rejected)")
    validate.add_argument("data", type=Path, nargs="?", default=DEFAULT_DATA, help="dataset folder (default: %(default)s)")
    validate.add_argument("--rejects", type=Path, help="write rejected rows to this CSV")

    report = sub.add_parser(
        "report", help="build each trainee's report (HTML + summary.json) and an index",
        description="Build each trainee's report (HTML + summary.json) and an index.",
        epilog="exit status: 0 every report written; 1 some reports failed (the others were written); "
               "2 a file cannot be read, or no valid set is left (every row of sets rejected: see "
               "OUT/rejects.csv; nothing written), or --pdf without Chromium or Playwright; "
               "3 another run holds the output folder")
    _report_options(report)
    report.add_argument("--params", type=Path, metavar="FILE",
                        help="read options from a TOML file (YAML if it ends in .yaml or .yml) whose keys are "
                             "the long options above, e.g. data = \"data/club\", pdf = true; options given on "
                             "the command line win over the file")
    return parser


def _report_options(parser: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    """Add the options of ``analysis report`` but ``--params`` to ``parser``;
    return them by long name (the keys of a ``--params`` file). Their
    defaults (``REPORT_DEFAULTS``) are applied after the file's values, so an
    option left off the command line can come from the file."""
    add = parser.add_argument
    actions = [
        add("--data", type=Path, help=f"dataset folder (default: {DEFAULT_DATA})"),
        add("--out", type=Path, help=f"output folder (default: {DEFAULT_REPORTS})"),
        add("--trainee", action="append", metavar="ID", help="only this trainee (repeatable)"),
        add("--as-of", type=_date, help="report date for everyone: logs after it are left out, so a back-dated "
            "run reproduces that day's reports (default: each trainee's last logged day)"),
        add("--since", type=_date, help="leave out logs before this date"),
        add("--window-weeks", type=_positive, help=f"trend window in weeks (default: {REPORT_DEFAULTS['window_weeks']})"),
        add("--changed-only", action="store_true",
            help="read, analyse and render only trainees whose data (sets, body, trainees row, goals), the "
                 "notebook, the code or the options changed since the last run; reuse the others' reports"),
        add("--jobs", type=_positive,
            help="parallel local workers (default: number of cores); up to 8 reports use one, started "
                 "while the data is read"),
        add("--dask", metavar="ADDRESS", help="render on a Dask cluster (e.g. tcp://host:8786) instead of local processes"),
        add("--wait", type=float, metavar="SECONDS",
            help="if another run holds the output folder, wait this long for it (default: exit at once)"),
        add("--no-progress", action="store_true", help="log lines instead of a progress bar on a terminal"),
        add("--pdf", action="store_true", help="also print each report to report.pdf beside report.html (A4; "
            "needs Chromium and Playwright, the pdf extra)"),
    ]
    return {action.option_strings[0].removeprefix("--"): action for action in actions}


class _ParamsParser(argparse.ArgumentParser):
    """Reads a ``--params`` file's options: an error names the file."""

    def error(self, message: str):
        raise DataFileError(self.prog, message)


def _read_params(path: Path) -> dict:
    """A ``--params`` file's report options by destination, checked and
    converted as on the command line. TOML, or YAML for ``.yaml``/``.yml``
    (PyYAML comes with dask)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise DataFileError(path, err.strerror or str(err)) from None
    except UnicodeDecodeError:
        raise DataFileError(path, "not UTF-8 text") from None
    if path.suffix in (".yaml", ".yml"):
        import yaml

        try:
            values = yaml.safe_load(text) or {}
        except yaml.YAMLError as err:
            raise DataFileError(path, f"not valid YAML: {err}") from None
    else:
        try:
            values = tomllib.loads(text)
        except tomllib.TOMLDecodeError as err:
            raise DataFileError(path, f"not valid TOML: {err}") from None
    if not isinstance(values, dict):
        raise DataFileError(path, "expected option = value lines")
    parser = _ParamsParser(prog=str(path), add_help=False, allow_abbrev=False)
    options = _report_options(parser)
    tokens = []
    for key, value in values.items():
        action = options.get(key)
        if action is None:
            raise DataFileError(path, f"unknown key {key!r}: the keys are the long options of analysis report "
                                      f"({', '.join(options)})")
        flag = action.nargs == 0  # --pdf, --changed-only, --no-progress
        for item in value if isinstance(value, list) else [value]:
            if flag != isinstance(item, bool) or isinstance(item, (dict, list)):
                raise DataFileError(path, f"{key} = {item!r}: expected " + ("true or false" if flag else "a value"))
            if not flag:
                tokens.append(f"--{key}={item}")
            elif item:
                tokens.append(f"--{key}")
    parsed = parser.parse_args(tokens)
    return {options[key].dest: getattr(parsed, options[key].dest) for key in values}


def _formats() -> list[str]:
    from analysis.io import detect

    return list(detect.FORMATS)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except DataFileError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


def _demo(args: argparse.Namespace) -> int:
    from analysis import synth

    synth.write_cohort(args.out, n_trainees=args.trainees, seed=args.seed, weeks=args.weeks, end=args.end)
    print(f"wrote a synthetic cohort of {args.trainees} trainees to {args.out} (ground truth: {args.out / 'truth.json'})")
    return 0


def _import(args: argparse.Namespace) -> int:
    from analysis.io import club, importer

    if args.inspect:
        from analysis.io import inspection

        if not args.files:
            print("error: --inspect needs the FILE(s) to look at", file=sys.stderr)
            return 2
        print("\n\n".join("\n".join(inspection.inspect_file(f)) for f in args.files))
        return 0
    mode, problem = _import_mode(args)
    if problem is not None:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    options = dict(fmt=args.format, unit=args.unit, aliases_file=args.aliases, column_map=args.column_map,
                   partition=args.partitioned)
    try:
        if mode == "roster":
            summary = club.import_club(args.roster, args.out, roster=True, **options)
        elif mode == "club":
            summary = club.import_club(args.files[0], args.out, **options)
        else:
            summary = importer.import_files(args.files, args.trainee, args.out, **options)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print("\n".join(summary.lines()))
    return 0


def _import_mode(args: argparse.Namespace) -> tuple[str, str | None]:
    """``files`` (one trainee), ``club`` (one DIR) or ``roster``, and what is wrong with the arguments."""
    dirs = [f for f in args.files if f.is_dir()]
    if args.roster is not None:
        mode = "roster"
        if args.files:
            return mode, "--roster lists the files itself: give no FILE or DIR with it"
        if args.trainee is not None:
            return mode, "--trainee does not go with --roster: the roster names each file's trainee"
    elif dirs:
        mode = "club"
        if len(args.files) > 1:
            return mode, f"a club folder is imported on its own: give one DIR, not {len(args.files)} paths"
        if args.trainee is not None:
            return mode, f"--trainee does not go with a club folder ({dirs[0]}): each subfolder of it names its trainee"
    else:
        mode = "files"
        if not args.files:
            return mode, "import needs FILE(s) with --trainee, a club folder DIR, or --roster CSV"
    needed = (("--trainee", args.trainee), ("--out", args.out)) if mode == "files" else (("--out", args.out),)
    missing = [name for name, value in needed if value is None]
    return mode, f"import needs {' and '.join(missing)} (or --inspect)" if missing else None


def _convert(args: argparse.Namespace) -> int:
    from analysis.io import partitioned

    snapshot = partitioned.convert(args.data)
    sets = snapshot.parts["sets"]
    print(f"converted {args.data}: {len(sets)} trainee(s), {sum(p.rows for p in sets.values())} sets, "
          f"{sum(p.rows for p in snapshot.parts['body'].values())} body rows, now partitioned by trainee "
          f"({args.data / partitioned.MANIFEST})")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from analysis.io import native

    dataset = native.DatasetFolder(args.data).check()
    for row in dataset.counts.iter_rows(named=True):
        print(f"{row['file']}: {row['read']} rows read, {row['kept']} kept, {row['rejected']} rejected")
    for note in dataset.notes:
        print(note)
    for row in dataset.rejects.head(20).iter_rows(named=True):
        print(f"  {row['source']}:{row['line']}: {row['column']}: {row['reason']} ({row['value']!r})")
    if dataset.rejects.height > 20:
        print(f"  ... and {dataset.rejects.height - 20} more")
    if args.rejects is not None:
        native.write_csv_atomic(dataset.rejects, args.rejects)
        print(f"rejected rows written to {args.rejects}")
    native.require_valid_sets(dataset, args.data, args.rejects)  # else exit 2 (main)
    return 1 if dataset.rejects.height else 0


def _report(args: argparse.Namespace) -> int:
    from analysis.report import batch
    from analysis.report.lock import RunLocked

    from_file = _read_params(args.params) if args.params else {}
    for dest, value in {**REPORT_DEFAULTS, **from_file}.items():
        if getattr(args, dest) is None or getattr(args, dest) is False:  # not given on the command line
            setattr(args, dest, value)
    try:
        result = batch.run(args.data, args.out, trainees=args.trainee, as_of=args.as_of, since=args.since,
                           window_weeks=args.window_weeks, jobs=args.jobs, changed_only=args.changed_only,
                           dask=args.dask, wait_seconds=args.wait, progress_bar=False if args.no_progress else None,
                           pdf=args.pdf, params_file=args.params)
    except RunLocked as err:
        print(f"error: {err}", file=sys.stderr)
        return 3
    except PdfUnavailable as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    unchanged = f" ({result.unchanged} unchanged)" if result.unchanged else ""
    print(f"{len(result.reports)} reports written to {args.out}{unchanged}; index: {args.out / 'index.html'}")
    if result.failures:
        print(f"{len(result.failures)} failed: {', '.join(sorted(result.failures))}", file=sys.stderr)
        return 1
    return 0


COMMANDS = {"demo": _demo, "import": _import, "convert": _convert, "validate": _validate, "report": _report}

if __name__ == "__main__":
    sys.exit(main())
