"""How stable are the lift statuses on real logs, and are the reported numbers plausible?

    python benchmarks/verdict_stability.py [--exports DIR] [--weeks 16] [--json FILE]

Every real export in ../shared/fixtures/exports (read in place, never copied)
is imported into a temporary dataset folder as one trainee: each file alone,
the ``rweightlifting/`` folder (one lifter's programmes) as one trainee. The
unit is passed as the command line's ``--unit`` would be (strong_a_kg and
strong_c_sample: kg; strong_a_lb and rweightlifting: lb; Hevy states kg).

For each trainee, with L its last logged day, :func:`analysis.progress.analyse`
runs at the 17 weekly as-of dates L, L-7, ..., L-112 (16 weeks), on that
trainee's sets alone (an explicit ``as_of`` is one date for everybody and
the trainees' last days differ; the analysis is per trainee, so this is the
same answer as a run over everybody), and ``summary(trainee)`` is built and
JSON-encoded. Per (trainee, lift, as-of date) the lift's ``status`` is
recorded; a lift absent from ``Progress.lifts`` at a date (nothing logged
yet) or a date that crashed counts as not judged.

Definitions (a lift-week is one lift at one as-of date):

* judged: status is not ``insufficient_data`` (and the lift-week exists);
  committed: status is ``progressing``, ``plateau`` or ``declining``.
* committed share = committed lift-weeks / judged lift-weeks.
* runs: a lift's judged weeks split into runs of consecutive as-of dates;
  an insufficient_data (or absent, or crashed) week ends a run. Within a run,
  the committed chain is its committed statuses in date order (uncertain
  weeks skipped).
* change rate = changes / transitions, where a transition is a committed
  week with an earlier committed week in its run, and a change is a
  transition whose status differs from that previous committed status. So
  A, uncertain, B (A != B) is one change; A, B is one change; A, uncertain,
  A is one stay. Without uncertain weeks this is the share of consecutive
  both-judged weeks whose status differs.
* uncertain-toggle rate = toggles / judged pairs, where a judged pair is
  two consecutive as-of dates with the lift judged both weeks and a toggle
  is such a pair with exactly one of the two weeks ``uncertain``
  (uncertain -> uncertain is neither).
* flicker rate = flickers / chain triples: a chain triple is three
  consecutive entries of a committed chain (so across uncertain weeks, not
  across an insufficient_data week); a flicker is A, B, A with A != B.
* crashes: an exception from ``analyse`` or ``summary`` (stage) at an
  as-of date, with the last line of its traceback and the innermost
  project frame; the run goes on.
* plausibility, at the last as-of date (L), for every judged lift: the
  reported ``e1rm_kg`` against the median session-best e1RM
  (:func:`analysis.strength.session_best_e1rm`, the same formula) of the
  lift's sessions in the 4 weeks up to its last session
  (date > last session - 28 days); plausible when 0.9 <= ratio <= 1.1.
  Worst offenders by |log ratio|.
* flat loads called progressing: at L, lifts called ``progressing`` whose
  session-best set (heaviest load, then most reps at it; warm-ups and
  unloaded sets left out) over their last 6 sessions spans at most 2.5 kg
  of load and at most 1 rep (lifts with fewer than 6 loaded sessions are
  not tested).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from analysis import catalog, progress, strength
from analysis.io import importer, native

EXPORTS = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "exports"
UNITS = {"strong_a_kg": "kg", "strong_a_lb": "lb", "strong_c_sample": "kg", "rweightlifting": "lb"}
"""The ``--unit`` each export needs (None: the export states it, Hevy)."""

COMMITTED = ("progressing", "plateau", "declining")
UNCERTAIN = "uncertain"
INSUFFICIENT = "insufficient_data"
KEYS = ["trainee_id", "lift"]
POOLED = "ALL"

WEEKS = 16
WINDOW_WEEKS = 8
PLAUSIBLE = (0.9, 1.1)
RECENT_DAYS = 28
FLAT_SESSIONS = 6
FLAT_KG = 2.5
FLAT_REPS = 1
WORST = 10


# --------------------------------------------------------------------------
# Import
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Export:
    trainee_id: str
    paths: list[Path]
    unit: str | None


def find_exports(root: Path) -> list[Export]:
    """Each CSV file one trainee; each folder (all its CSV files) one trainee."""
    found = []
    for entry in sorted(root.iterdir()):
        paths = sorted(entry.glob("*.csv")) if entry.is_dir() else [entry] if entry.suffix == ".csv" else []
        if paths:
            found.append(Export(entry.stem, paths, UNITS.get(entry.stem)))
    return found


def import_all(exports: list[Export], folder: Path) -> native.Dataset:
    for export in exports:
        importer.import_files(export.paths, export.trainee_id, folder, unit=export.unit)
    return native.read_dataset(folder)


# --------------------------------------------------------------------------
# Statuses at weekly as-of dates
# --------------------------------------------------------------------------


def as_of_grid(sets: pl.DataFrame, weeks: int = WEEKS) -> pl.DataFrame:
    """trainee_id, as_of: the last logged day and each week back, ``weeks + 1`` dates."""
    return (
        sets.group_by("trainee_id").agg(pl.col("date").max().alias("last"))
        .with_columns(pl.int_ranges(weeks, -1, -1).alias("back"))
        .explode("back")
        .select("trainee_id", (pl.col("last") - pl.duration(weeks=pl.col("back"))).alias("as_of"))
        .sort("trainee_id", "as_of")
    )


def _mine(frame: pl.DataFrame, trainee_id: str) -> pl.DataFrame:
    return frame.filter(pl.col("trainee_id") == trainee_id)


def _crash(trainee_id: str, as_of: dt.date, stage: str, err: Exception) -> dict:
    frames = [f for f in traceback.extract_tb(err.__traceback__) if "/analysis/" in f.filename]
    where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno} in {frames[-1].name}" if frames else "?"
    return {"trainee_id": trainee_id, "as_of": as_of.isoformat(), "stage": stage,
            "error": traceback.format_exception_only(err)[-1].strip(), "where": where}


LIFT_WEEK_SCHEMA = {"trainee_id": pl.String, "lift": pl.String, "as_of": pl.Date, "status": pl.String,
                    "e1rm_kg": pl.Float64, "change_pct_per_week": pl.Float64, "featured": pl.Boolean}


def analyse_at(dataset: native.Dataset, trainee_id: str, as_of: dt.date) -> tuple[pl.DataFrame | None, dict | None]:
    """One trainee's lifts at one as-of date, or the crash."""
    try:
        result = progress.analyse(_mine(dataset.sets, trainee_id), _mine(dataset.trainees, trainee_id),
                                  as_of=as_of, window_weeks=WINDOW_WEEKS, body=_mine(dataset.body, trainee_id))
    except Exception as err:  # noqa: BLE001 - a crash is a finding
        return None, _crash(trainee_id, as_of, "analyse", err)
    lifts = result.lifts.filter(pl.col("trainee_id") == trainee_id).select(
        "trainee_id", pl.col("exercise").alias("lift"), pl.lit(as_of).alias("as_of"), "status", "e1rm_kg",
        "change_pct_per_week", "featured")
    try:
        json.dumps(result.summary(trainee_id))
    except Exception as err:  # noqa: BLE001
        return lifts, _crash(trainee_id, as_of, "summary", err)
    return lifts, None


def statuses_over(dataset: native.Dataset, grid: pl.DataFrame) -> tuple[pl.DataFrame, list[dict], int]:
    """Lifts at every (trainee, as-of) of the grid, the crashes, and the number of calls."""
    found, crashes = [], []
    for trainee_id, as_of in grid.iter_rows():
        lifts, crash = analyse_at(dataset, trainee_id, as_of)
        if lifts is not None:
            found.append(lifts)
        if crash is not None:
            crashes.append(crash)
    return pl.concat(found) if found else pl.DataFrame(schema=LIFT_WEEK_SCHEMA), crashes, grid.height


# --------------------------------------------------------------------------
# Stability
# --------------------------------------------------------------------------


def lift_weeks(found: pl.DataFrame, grid: pl.DataFrame) -> pl.DataFrame:
    """Every lift of a trainee at every as-of date of the trainee (status null: not in view)."""
    lifts = found.select(KEYS).unique()
    return (
        lifts.join(grid, on="trainee_id")
        .join(found.select(*KEYS, "as_of", "status"), on=[*KEYS, "as_of"], how="left")
        .sort(*KEYS, "as_of")
        .with_columns(
            (pl.col("status").is_not_null() & (pl.col("status") != INSUFFICIENT)).alias("judged"),
            pl.col("status").is_in(COMMITTED).alias("committed"),
        )
        .with_columns((~pl.col("judged")).cum_sum().over(KEYS).alias("run"))
    )


def week_flags(weeks: pl.DataFrame) -> pl.DataFrame:
    """Per lift-week: judged pair / toggle with the week before, and, on the
    committed chain, transition / change and chain triple / flicker."""
    prev_judged = pl.col("judged").shift(1).over(KEYS).fill_null(False)
    is_unc = pl.col("status") == UNCERTAIN
    pairs = weeks.with_columns(
        (pl.col("judged") & prev_judged).alias("pair"),
    ).with_columns(
        (pl.col("pair") & (is_unc != is_unc.shift(1).over(KEYS))).alias("toggle"),
    )
    chain_keys = [*KEYS, "run"]
    before, after = pl.col("status").shift(1).over(chain_keys), pl.col("status").shift(-1).over(chain_keys)
    chain = pairs.filter(pl.col("committed")).sort(*KEYS, "as_of").with_columns(
        before.is_not_null().alias("transition"),
        (before.is_not_null() & (before != pl.col("status"))).alias("change"),
        (before.is_not_null() & after.is_not_null()).alias("triple"),
        (before.is_not_null() & (before == after) & (before != pl.col("status"))).alias("flicker"),
    )
    return pairs.join(chain.select(*KEYS, "as_of", "transition", "change", "triple", "flicker"),
                      on=[*KEYS, "as_of"], how="left").with_columns(
        pl.col("transition", "change", "triple", "flicker").fill_null(False))


def stability(flags: pl.DataFrame) -> pl.DataFrame:
    """Counts and rates per trainee and pooled (trainee_id ``ALL``)."""
    counts = [
        pl.col("status").is_not_null().sum().alias("lift_weeks"),
        pl.col("judged").sum().alias("judged"),
        pl.col("committed").sum().alias("committed"),
        (pl.col("status") == UNCERTAIN).sum().alias("uncertain"),
        *(pl.col(c).sum().alias(f"{c}s") for c in ("transition", "change", "pair", "toggle", "triple", "flicker")),
        pl.struct(KEYS).filter(pl.col("flicker")).n_unique().alias("lifts_flickering"),
        pl.struct(KEYS).filter(pl.col("judged")).n_unique().alias("lifts_judged"),
    ]
    table = pl.concat([
        flags.group_by("trainee_id").agg(counts).sort("trainee_id"),
        flags.select(pl.lit(POOLED).alias("trainee_id"), *counts),
    ])
    return table.with_columns(
        _rate("committed", "judged").alias("committed_share"),
        _rate("changes", "transitions").alias("change_rate"),
        _rate("toggles", "pairs").alias("toggle_rate"),
        _rate("flickers", "triples").alias("flicker_rate"),
    )


def _rate(count: str, out_of: str) -> pl.Expr:
    """count / out_of, null when there is nothing to count."""
    return pl.when(pl.col(out_of) > 0).then(pl.col(count) / pl.col(out_of))


# --------------------------------------------------------------------------
# Plausibility at the last as-of date
# --------------------------------------------------------------------------


def annotated(sets: pl.DataFrame, last: pl.DataFrame) -> pl.DataFrame:
    """Sets up to each trainee's last as-of date, with ``lift`` as analyse names it."""
    return (catalog.annotate(sets, columns=progress.LIFT_COLUMNS)
            .join(last, on="trainee_id").filter(pl.col("date") <= pl.col("as_of")).drop("as_of"))


def plausibility(sets: pl.DataFrame, final: pl.DataFrame) -> pl.DataFrame:
    """Judged lifts at the last date: reported e1RM, recent median session best, ratio."""
    recent = (
        strength.session_best_e1rm(sets)
        .with_columns(pl.col("date").max().over("trainee_id", "exercise").alias("last"))
        .filter(pl.col("date") > pl.col("last") - pl.duration(days=RECENT_DAYS))
        .group_by("trainee_id", pl.col("exercise").alias("lift"))
        .agg(pl.col("e1rm_kg").median().alias("recent_median_kg"), pl.len().alias("recent_sessions"))
    )
    return (
        final.filter(pl.col("status") != INSUFFICIENT)
        .join(recent, on=KEYS, how="left")
        .with_columns((pl.col("e1rm_kg") / pl.col("recent_median_kg")).alias("ratio"))
        .with_columns((~pl.col("ratio").is_between(*PLAUSIBLE)).fill_null(True).alias("implausible"))
        .select(*KEYS, "status", "e1rm_kg", "recent_median_kg", "recent_sessions", "ratio", "implausible")
        .sort(pl.col("ratio").log().abs(), descending=True, nulls_last=False)
    )


def flat_progressing(sets: pl.DataFrame, final: pl.DataFrame) -> pl.DataFrame:
    """Lifts called progressing whose session-best set stayed put over the last sessions."""
    loaded = (pl.col("set_type") != "warmup") & (pl.col("weight_kg") > 0)
    best = (
        sets.filter(loaded)
        .sort("weight_kg", "reps", descending=True, maintain_order=True)
        .group_by("trainee_id", "lift", "session_id", maintain_order=True)
        .agg(pl.col("date").first(), pl.col("weight_kg").first(), pl.col("reps").first())
        .sort(*KEYS, "date", "session_id")
        .group_by(KEYS, maintain_order=True)
        .agg(pl.all().tail(FLAT_SESSIONS))
    )
    return (
        final.filter(pl.col("status") == "progressing")
        .join(best, on=KEYS)
        .filter((pl.col("weight_kg").list.len() == FLAT_SESSIONS)
                & (_spread("weight_kg") <= FLAT_KG) & (_spread("reps") <= FLAT_REPS))
        .select(*KEYS, "change_pct_per_week", pl.col("weight_kg").alias("loads_kg"), "reps")
        .sort(KEYS)
    )


def _spread(column: str) -> pl.Expr:
    return pl.col(column).list.max() - pl.col(column).list.min()


# --------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------


def _pct(x: float | None) -> str:
    return "   n/a" if x is None else f"{100 * x:5.1f}%"


def print_stability(table: pl.DataFrame) -> None:
    print(f"\n{'export':<18}{'lift-wks':>9}{'judged':>7}{'commit':>8}{'change':>8}{'(n)':>6}"
          f"{'unc-tog':>8}{'(n)':>6}{'flicker':>8}{'(n)':>6}{'flick lifts':>12}")
    for r in table.iter_rows(named=True):
        print(f"{r['trainee_id']:<18}{r['lift_weeks']:>9}{r['judged']:>7}{_pct(r['committed_share']):>8}"
              f"{_pct(r['change_rate']):>8}{r['transitions']:>6}{_pct(r['toggle_rate']):>8}{r['pairs']:>6}"
              f"{_pct(r['flicker_rate']):>8}{r['triples']:>6}{r['lifts_flickering']:>6}/{r['lifts_judged']:<5}")


def print_crashes(crashes: list[dict], calls: int) -> None:
    print(f"\ncrashes: {len(crashes)} of {calls} as-of dates")
    for c in crashes:
        print(f"  {c['trainee_id']} {c['as_of']} [{c['stage']}] {c['error']} ({c['where']})")


def print_plausibility(checked: pl.DataFrame) -> None:
    bad = checked.filter(pl.col("implausible"))
    print(f"\nplausibility at the last date: {bad.height} of {checked.height} judged lifts report an e1RM "
          f"outside {PLAUSIBLE[0]:.1f}-{PLAUSIBLE[1]:.1f}x the median session best of their last 4 weeks")
    for r in bad.head(WORST).iter_rows(named=True):
        median = "n/a" if r["recent_median_kg"] is None else f"{r['recent_median_kg']:.1f}"
        ratio = "n/a" if r["ratio"] is None else f"{r['ratio']:.2f}"
        print(f"  {r['trainee_id']:<16} {r['lift']:<28} {r['status']:<12} reported {r['e1rm_kg']:7.1f} kg, "
              f"recent median {median:>6} kg (n={r['recent_sessions']}), ratio {ratio}")


def print_flat(flat: pl.DataFrame) -> None:
    print(f"\nflat loads called progressing: {flat.height}")
    for r in flat.iter_rows(named=True):
        print(f"  {r['trainee_id']:<16} {r['lift']:<28} {r['change_pct_per_week']:+.2f} %/wk  "
              f"loads {r['loads_kg']} kg, reps {r['reps']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--exports", type=Path, default=EXPORTS, help="folder of real exports (default: %(default)s)")
    parser.add_argument("--weeks", type=int, default=WEEKS, help="weeks back from each last day (default: %(default)s)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the figures to this JSON file")
    args = parser.parse_args()

    timing = {}
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        dataset = import_all(find_exports(args.exports), Path(tmp))
        timing["import_s"] = time.perf_counter() - start
    grid = as_of_grid(dataset.sets, args.weeks)
    start = time.perf_counter()
    found, crashes, calls = statuses_over(dataset, grid)
    timing["analyse_s"] = time.perf_counter() - start
    timing["per_call_s"] = timing["analyse_s"] / calls

    start = time.perf_counter()
    table = stability(week_flags(lift_weeks(found, grid)))
    last = grid.group_by("trainee_id").agg(pl.col("as_of").max())
    final = found.join(last, on=["trainee_id", "as_of"])
    sets = annotated(dataset.sets, last)
    checked = plausibility(sets, final)
    flat = flat_progressing(sets, final)
    timing["figures_s"] = time.perf_counter() - start
    unknown = sorted(set(found.get_column("status").unique()) - {*COMMITTED, UNCERTAIN, INSUFFICIENT})

    print(f"{grid.get_column('trainee_id').n_unique()} trainees x {args.weeks + 1} weekly as-of dates "
          f"({calls} analyse calls)")
    if unknown:
        print(f"unexpected statuses: {unknown}")
    print_stability(table)
    print_crashes(crashes, calls)
    print_plausibility(checked)
    print_flat(flat)
    print(f"\ntime: import {timing['import_s']:.1f} s, analyse {timing['analyse_s']:.1f} s "
          f"({timing['per_call_s'] * 1000:.0f} ms a call), figures {timing['figures_s']:.2f} s")

    if args.json:
        figures = {
            "weeks": args.weeks, "window_weeks": WINDOW_WEEKS, "calls": calls,
            "stability": table.to_dicts(),
            "crashes": crashes,
            "plausibility": {"checked": checked.height, "implausible": int(checked["implausible"].sum()),
                             "offenders": checked.filter(pl.col("implausible")).to_dicts()},
            "flat_progressing": flat.to_dicts(),
            "unexpected_statuses": unknown,
            "timing": timing,
        }
        args.json.write_text(json.dumps(figures, indent=2, default=str) + "\n")
        print(f"figures written to {args.json}")


if __name__ == "__main__":
    main()
