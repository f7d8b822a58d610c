"""JEFIT exports -> canonical sets.

One file of sections (``### EXERCISE LOGS ###`` banners, each with its own
header). EXERCISE LOGS holds one line per exercise and day with the sets
packed as ``"50.0x15,50.0x15"`` (weight x reps); WORKOUT SESSIONS gives each
session's start (``starttime``, Unix seconds, used as the session id in
UTC) and its length (``total_time``, seconds: ``session_s``); the weight
unit is only in SETTING (``mass``: ``kg`` or ``lbs``).
Rows read are the packed sets, each with its line.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from analysis import schema
from analysis.errors import DataFileError
from analysis.io import canonical, headers, textfile, units
from analysis.io.canonical import Export, Rule, text

FORMAT = "jefit"
PACKED_SET = r"^(-?\d+(?:\.\d+)?)\s*[xX×]\s*(\d+)$"
INTERVALS_ONLY = "interval (time) logs only: JEFIT timed entries are not read as sets"
"""JEFIT's ``interval_logs`` format is not documented (cardio and holds alike
write numbers there), so such lines are listed in rejects, not guessed."""


def matches(columns: list[str]) -> bool:
    """A sectioned file: its first line is a ``### ... ###`` banner."""
    return bool(columns) and textfile.BANNER.match(columns[0].strip()) is not None


def read(path: Path, unit: str | None = None) -> Export:
    content, warnings = textfile.decode(path)
    parts = textfile.sections(content)
    if "EXERCISE LOGS" not in parts:
        found = ", ".join(parts) or "none"
        raise DataFileError(path, f"a JEFIT export without an EXERCISE LOGS section (found: {found})")
    logs = _table(path, parts["EXERCISE LOGS"])
    by_name = {headers.normalise(c): c for c in logs.columns}
    missing = [c for c in ("mydate", "ename", "logs") if c not in by_name]
    if missing:
        raise DataFileError(path, f"EXERCISE LOGS section lacks column(s) {', '.join(missing)}")
    setting = _setting_unit(path, parts)
    if setting is None and unit is None:
        warnings.append(f"{path}: no weight unit in the SETTING section; assumed kg (use --unit lb if not)")
    frame = (
        _unpacked(logs.frame, by_name)
        .join(_session_starts(path, parts), left_on="_session", right_on="_id", how="left")
        .sort("_line", "_token", maintain_order=True)
        .with_columns(
            _weight=pl.col("_set").str.extract(PACKED_SET, 1), _reps=pl.col("_set").str.extract(PACKED_SET, 2)
        )
    )
    frame = frame.with_columns(canonical.iso_datetimes(frame.get_column("date")))
    header = headers.Header({"weight": "_weight"}, {"weight": setting} if setting else {})
    weight, _, unit_warnings = canonical.weight_kg(header, frame, unit, path, default="kg")
    token = pl.col("_set")
    interval = text(by_name.get("interval_logs")).replace("", None)
    sets, rejects = canonical.canonical(
        frame,
        schema.SETS,
        {
            "date": pl.col("date"),
            "session_id": pl.coalesce("_start", "date"),
            "exercise": pl.col("exercise"),
            "weight_kg": weight,
            "reps": pl.col("_reps"),
            "session_s": pl.col("_session_s"),
        },
        [
            canonical.malformed_line(logs.width),
            Rule(token.is_null() & interval.is_not_null(), "interval_logs", interval, INTERVALS_ONLY),
            Rule(token.is_null(), "logs", pl.lit(""), "no sets logged"),
            Rule(pl.col("_weight").is_null(), "logs", token, "not a weight x reps entry (e.g. 50x10)"),
        ],
        index=True,
    )
    return Export(schema.SETS, sets, rejects, warnings + logs.warnings + unit_warnings)


def _table(path: Path, section: textfile.Section) -> textfile.TextTable:
    if not section.text.strip():
        raise DataFileError(path, f"the {section.name} section is empty")
    return textfile.read_table(path, text=section.text, sep=",", first_line_no=section.first_line)


def _unpacked(frame: pl.DataFrame, by_name: dict[str, str]) -> pl.DataFrame:
    """One row per packed set (an empty ``logs`` cell stays one row)."""
    return (
        frame.with_columns(
            date=text(by_name["mydate"]),
            exercise=text(by_name["ename"]),
            _session=text(by_name.get("belongsession")),
            _set=text(by_name["logs"]).str.split(",").list.eval(pl.element().str.strip_chars()),
        )
        .with_columns(_token=pl.int_ranges(pl.col("_set").list.len()))
        .explode("_set", "_token")
        .with_columns(pl.col("_set").replace("", None))
    )


def _setting_unit(path: Path, parts: dict[str, textfile.Section]) -> str | None:
    """``kg`` or ``lb`` from the SETTING section's ``mass`` column, if any."""
    if "SETTING" not in parts:
        return None
    setting = _table(path, parts["SETTING"])
    mass = next((c for c in setting.columns if "mass" in headers.normalise(c)), None)
    if mass is None:
        return None
    value = setting.frame.get_column(mass).drop_nulls().str.strip_chars().str.to_lowercase().first() or ""
    return "lb" if value.startswith("lb") else "kg" if value.startswith("kg") else None


def _session_starts(path: Path, parts: dict[str, textfile.Section]) -> pl.DataFrame:
    """Session id -> start time (UTC, ISO text) and length (``total_time``,
    seconds) from WORKOUT SESSIONS."""
    empty = pl.DataFrame(schema={"_id": pl.String, "_start": pl.String, "_session_s": pl.String})
    if "WORKOUT SESSIONS" not in parts:
        return empty
    sessions = _table(path, parts["WORKOUT SESSIONS"])
    by_name = {headers.normalise(c): c for c in sessions.columns}
    if "_id" not in by_name or "starttime" not in by_name:
        return empty
    seconds = units.number(text(by_name["starttime"]))
    start = pl.when(seconds > 0).then(
        pl.from_epoch(seconds.cast(pl.Int64), time_unit="s").dt.to_string("%Y-%m-%d %H:%M:%S")
    )
    length = units.number(text(by_name.get("total_time")))
    return sessions.frame.select(
        _id=text(by_name["_id"]), _start=start, _session_s=pl.when(length > 0).then(length).cast(pl.String),
    ).unique("_id", keep="first")
