"""Import throughput: detect + read + validate a 1M-row Strong export.

Writes a synthetic Strong export (classic header, kg) to a temporary folder
and times the import path up to validation (no merge or write), split into
the reader (detect + read) and validation, next to polars' bare
``read_csv`` of the same file as a reference. Best of ``--repeat`` runs;
the machine's load average is printed because the figures move with it.
Target: >= 500k rows/s.

    python benchmarks/import_throughput.py [--rows N] [--repeat K]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

from analysis.io import detect, importer

EXERCISES = ["Squat (Barbell)", "Bench Press (Barbell)", "Deadlift (Barbell)", "Lat Pulldown (Cable)",
             "Overhead Press (Barbell)"]


def strong_export(rows: int, path: Path, seed: int = 1) -> None:
    """A Strong-format file: one workout a day, 5 exercises x 5 sets (W, 1..4), in the past."""
    rng = np.random.default_rng(seed)
    i = np.arange(rows)
    day = pl.Series(i // 25)
    start = dt.datetime.combine(dt.date.today() - dt.timedelta(days=int(day.max()) + 1), dt.time(18))
    sets = pl.Series(i % 5)
    pl.DataFrame(
        {
            "Date": pl.select((pl.lit(start) + pl.duration(days=day)).dt.to_string("%Y-%m-%d %H:%M:%S")).to_series(),
            "Workout Name": "Evening Workout",
            "Duration": "1h 5m",
            "Exercise Name": pl.Series(EXERCISES).gather(pl.Series((i // 5) % 5)),
            "Set Order": sets.cast(pl.String).replace("0", "W"),
            "Weight": pl.Series(rng.integers(8, 80, rows) * 2.5).cast(pl.String),
            "Reps": pl.Series(rng.integers(1, 13, rows)).cast(pl.String),
            "Distance": "0",
            "Seconds": "0",
            "Notes": "",
            "Workout Notes": "",
            "RPE": pl.Series(rng.choice(["", "8", "9", "7.5"], rows)),
        }
    ).write_csv(path, quote_style="non_numeric")


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def main(rows: int, repeat: int) -> None:
    best = {"bare": float("inf"), "read": float("inf"), "validate": float("inf"), "total": float("inf")}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "strong.csv"
        strong_export(rows, path)
        for _ in range(repeat):
            bare, t_bare = timed(lambda: pl.read_csv(path, infer_schema=False))
            export, t_read = timed(lambda: detect.FORMATS[detect.detect_format(path)].read(path, "kg"))
            (kept, rejects), t_validate = timed(lambda: importer.validate_export(export, str(path), "T1"))
            assert bare.height == rows == kept.height + rejects.height + export.duplicates
            for key, value in (("bare", t_bare), ("read", t_read), ("validate", t_validate),
                               ("total", t_read + t_validate)):
                best[key] = min(best[key], value)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"rows: {rows:,}, best of {repeat}, load average {load}")
    print(f"polars read_csv (reference): {rows / best['bare']:>12,.0f} rows/s ({best['bare']:.2f} s)")
    print(f"detect + read (the reader):  {rows / best['read']:>12,.0f} rows/s ({best['read']:.2f} s)")
    print(f"validate (schema.validate):  {rows / best['validate']:>12,.0f} rows/s ({best['validate']:.2f} s)")
    print(f"detect + read + validate:    {rows / best['total']:>12,.0f} rows/s ({best['total']:.2f} s)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    main(args.rows, args.repeat)
