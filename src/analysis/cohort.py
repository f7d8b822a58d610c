"""The whole roster at once: statuses per trainee, and focus against outcome.

Two questions, two inputs:

- the coach's roster (:func:`load_summaries`, :func:`roster`,
  :func:`status_counts`, :func:`stalled_longest`) reads the summary.json
  contract, so it works on a reports folder written by ``analysis report``
  as well as on a dataset folder;
- the cohort exploration (:func:`focus_vs_outcome`, :func:`correlations`)
  needs whole-log tables, so it takes a dataset-level
  :class:`~analysis.progress.Progress`.

The ``*_table`` functions put these in words for a reader; the notebooks show
them with :func:`analysis.report.html.html_table` (escaped HTML).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import polars as pl
from scipy import special

from analysis import body as body_measures
from analysis import progress, trends
from analysis.io import native

# --------------------------------------------------------------------------
# Summaries
# --------------------------------------------------------------------------

def analyse_folder(folder: str | Path, as_of: dt.date | None = None, window_weeks: int = 8) -> progress.Progress:
    """Read and validate a dataset folder and analyse every trainee in one pass."""
    dataset = native.read_dataset(folder)
    return progress.analyse(dataset.sets, dataset.trainees, as_of, window_weeks, body=dataset.body,
                            goals=dataset.goals)


def load_summaries(folder: str | Path) -> list[dict]:
    """Every trainee's summary (the summary.json contract), sorted by trainee id.

    ``folder`` is a reports folder (``<id>/summary.json`` files, written by
    ``analysis report``) or a dataset folder (analysed here with default
    options).
    """
    folder = Path(folder)
    files = sorted(folder.glob("*/summary.json"))
    if files:
        summaries = [json.loads(path.read_text(encoding="utf-8")) for path in files]
        return sorted(summaries, key=lambda s: s["trainee_id"])
    if native.has_table(folder, "sets"):
        return summaries_of(analyse_folder(folder))
    raise FileNotFoundError(
        f"{folder}: neither a reports folder (no <trainee>/summary.json) "
        "nor a dataset folder (no sets.csv or sets.parquet)")


def summaries_of(result: progress.Progress) -> list[dict]:
    """:meth:`Progress.summary` of every trainee, by trainee id."""
    return [result.summary(tid) for tid in result.as_of.get_column("trainee_id").sort().to_list()]


# --------------------------------------------------------------------------
# Roster
# --------------------------------------------------------------------------

ROSTER_SCHEMA = {
    "trainee_id": pl.String, "name": pl.String, "sex": pl.String, "experience": pl.String,
    "as_of": pl.Date, "sessions_per_week": pl.Float64, "strength": pl.String, "size": pl.String,
    "focus_strength": pl.Float64, "focus_hypertrophy": pl.Float64, "focus_endurance": pl.Float64,
}
_LIFT_SCHEMA = {"trainee_id": pl.String, "exercise": pl.String, "status": pl.String, "plateau_since": pl.String}
_FLAG_SCHEMA = {"trainee_id": pl.String, "flag": pl.String}


def roster(summaries: list[dict]) -> pl.DataFrame:
    """One row per trainee: who, report date, training frequency, statuses,
    main-lift plateaus, workload flags and training focus.

    Columns: ``trainee_id, name, sex, experience, as_of, sessions_per_week,
    strength, size`` (the summary's statuses), ``main_lifts`` (main lifts
    logged), ``plateaued_lifts`` (main lifts with status plateau),
    ``plateaus`` (those lifts and their start, earliest first, as text),
    ``plateau_since`` (the earliest start), ``weeks_stalled`` (from then to
    ``as_of``), ``declining_lifts``, ``flags`` (count), ``flag_kinds``
    (their names joined), ``focus_strength, focus_hypertrophy,
    focus_endurance`` (shares of zoned working sets in the window).
    """
    base = pl.DataFrame(
        [{"trainee_id": s["trainee_id"], **{k: (s.get("profile") or {}).get(k) for k in ("name", "sex", "experience")},
          "as_of": dt.date.fromisoformat(s["as_of"]), "sessions_per_week": s.get("sessions_per_week"),
          "strength": s["strength"]["status"], "size": s["size"]["status"],
          **{f"focus_{z}": s["focus"].get(z, 0.0) for z in progress.ZONES}}
         for s in summaries], schema=ROSTER_SCHEMA, orient="row")
    lifts = pl.DataFrame(
        [{"trainee_id": s["trainee_id"], **{k: lift[k] for k in ("exercise", "status", "plateau_since")}}
         for s in summaries for lift in s["lifts"] if lift.get("main_lift")], schema=_LIFT_SCHEMA)
    flags = pl.DataFrame([{"trainee_id": s["trainee_id"], "flag": f["flag"]} for s in summaries
                          for f in s.get("flags", [])], schema=_FLAG_SCHEMA)
    plateau = pl.col("status") == "plateau"
    since = pl.col("plateau_since").str.to_date()
    per_lift = (
        lifts.with_columns(since.alias("since")).sort("trainee_id", "since", "exercise")
        .group_by("trainee_id", maintain_order=True)
        .agg(pl.len().alias("main_lifts"), plateau.sum().alias("plateaued_lifts"),
             pl.concat_str(pl.col("exercise"), pl.lit(" since "),
                           pl.col("since").dt.strftime("%-d %b %Y").fill_null("?"))
             .filter(plateau).str.join(", ").alias("plateaus"),
             pl.col("since").filter(plateau).min().alias("plateau_since"),
             (pl.col("status") == "declining").sum().alias("declining_lifts"))
    )
    flagged = flags.group_by("trainee_id").agg(
        pl.len().alias("flags"), pl.col("flag").unique().sort().str.join(", ").alias("flag_kinds"))
    counts = ("main_lifts", "plateaued_lifts", "declining_lifts", "flags")
    return (
        base.join(per_lift, on="trainee_id", how="left").join(flagged, on="trainee_id", how="left")
        .with_columns(pl.col(c).fill_null(0).cast(pl.Int64) for c in counts)
        .with_columns(pl.when(pl.col("plateaued_lifts") > 0).then(pl.col("plateaus")).alias("plateaus"),
                      ((pl.col("as_of") - pl.col("plateau_since")).dt.total_days() / 7).round(1).alias("weeks_stalled"))
        .select(*list(ROSTER_SCHEMA)[:8], "main_lifts", "plateaued_lifts", "plateaus", "plateau_since",
                "weeks_stalled", "declining_lifts", "flags", "flag_kinds", *list(ROSTER_SCHEMA)[8:])
        .sort("trainee_id")
    )


def status_counts(roster: pl.DataFrame) -> pl.DataFrame:
    """Trainees per status, every status listed (0 when none): measure
    (``strength`` / ``size``), status, trainees; in the contract's order."""
    grid = pl.DataFrame(
        [(m, s, i) for m, statuses in (("strength", progress.LIFT_STATUSES), ("size", progress.SIZE_STATUSES))
         for i, s in enumerate(statuses)], schema={"measure": pl.String, "status": pl.String, "order": pl.Int64},
        orient="row")
    counted = (roster.unpivot(index="trainee_id", on=["strength", "size"], variable_name="measure", value_name="status")
               .group_by("measure", "status").agg(pl.len().cast(pl.Int64).alias("trainees")))
    return (grid.join(counted, on=["measure", "status"], how="left")
            .with_columns(pl.col("trainees").fill_null(0))
            .sort(pl.col("measure") != "strength", "order").drop("order"))


def stalled_longest(roster: pl.DataFrame, n: int = 10) -> pl.DataFrame:
    """The ``n`` trainees whose earliest main-lift plateau is oldest, longest
    first (ties by trainee id); trainees without a plateau are left out."""
    return (roster.filter(pl.col("plateaued_lifts") > 0)
            .sort("weeks_stalled", "trainee_id", descending=[True, False], nulls_last=True)
            .head(n)
            .select("trainee_id", label(), "plateaued_lifts", "plateaus", "plateau_since", "weeks_stalled"))


def label() -> pl.Expr:
    """``Name (T001)``, or the id alone when there is no name."""
    return (pl.when(pl.col("name").is_not_null() & (pl.col("name") != ""))
            .then(pl.format("{} ({})", "name", "trainee_id"))
            .otherwise(pl.col("trainee_id")).alias("trainee"))


NONE = "–"
"""What an empty cell of the roster table says."""


def roster_table(roster: pl.DataFrame) -> pl.DataFrame:
    """The roster in words for a reader: trainee, sessions a week, statuses,
    main lifts on a plateau (and since when), weeks since the earliest
    plateau began, workload flags."""
    words = {"insufficient_data": "not enough data"}
    return roster.select(
        label(),
        pl.col("sessions_per_week").round(1).alias("sessions / week"),
        pl.col("strength").replace(words),
        pl.col("size").replace(words),
        pl.col("plateaus").fill_null(NONE).alias("main lifts on a plateau"),
        pl.col("weeks_stalled").round(0).cast(pl.Int64).alias("weeks stalled"),
        pl.when(pl.col("flags") > 0).then(pl.col("flag_kinds").str.replace_all("_", " "))
        .otherwise(pl.lit(NONE)).alias("workload flags"),
    )


# --------------------------------------------------------------------------
# Focus against outcome (exploration)
# --------------------------------------------------------------------------

TAPE_GIRTHS = tuple(m for m in body_measures.LIMB_GIRTHS if m.endswith("_cm") and not m.startswith("corrected"))
"""Limb girths as logged (the derived, skinfold-corrected ones are left out
so no site counts twice)."""

OUTCOME_COLUMNS = ("trainee_id", "sex", "experience", "weeks", "working_sets", "strength_share",
                   "hypertrophy_share", "endurance_share", "girth_change_cm_per_week", "girth_measures",
                   "waist_change_cm_per_week", "e1rm_change_pct_per_week", "main_lifts")


def focus_vs_outcome(result: progress.Progress) -> pl.DataFrame:
    """Per trainee, over their whole log: what the training emphasised and
    how girths and main-lift e1RM changed. One row per trainee.

    Input: a dataset-level :class:`~analysis.progress.Progress`, not the
    summaries. A summary's numbers cover different windows (focus: the
    8-week report window, size and lift change: the current stretch of
    up to 104 weeks of log), so its focus describes the current block and its outcomes
    other periods. Here exposure and outcome share one span, each trainee's
    log up to their ``as_of``.

    - ``strength_share, hypertrophy_share, endurance_share``: zoned working
      sets per zone over all weeks (``weekly_focus``, the suite's one zone rule).
    - ``girth_change_cm_per_week``: least-squares slope of each logged limb
      girth (``TAPE_GIRTHS``) against weeks, where it has
      ``body.MIN_MEASUREMENTS`` over ``body.MIN_SPAN_WEEKS``, averaged over
      the sites (as the size status does); ``waist_change_cm_per_week``
      beside it, as the fat check. Null without girths.
    - ``e1rm_change_pct_per_week``: least-squares slope of ln(session-best
      e1RM) against weeks per main lift with ``trends.MIN_SESSIONS`` sessions
      over ``body.MIN_SPAN_WEEKS``, as 100 (e^b - 1), averaged over the main
      lifts. A whole-log average: a late plateau lowers it rather than being
      detected, and the rep-range bias between blocks adds noise.
    """
    focus = (
        result.weekly_focus.filter(pl.col("sets") > 0)
        .group_by("trainee_id")
        .agg(pl.col("sets").sum().alias("working_sets"),
             *((pl.col(z) * pl.col("sets")).sum().alias(f"{z}_share") for z in progress.ZONES))
        .with_columns(pl.col(f"{z}_share") / pl.col("working_sets") for z in progress.ZONES)
    )
    girths = _slopes(result.body.filter(pl.col("measure").is_in(TAPE_GIRTHS + ("waist_cm",))),
                     ["trainee_id", "measure"], pl.col("value"), body_measures.MIN_MEASUREMENTS)
    limbs = (girths.filter(pl.col("measure") != "waist_cm").group_by("trainee_id")
             .agg(pl.col("slope").mean().alias("girth_change_cm_per_week"), pl.len().alias("girth_measures")))
    waist = girths.filter(pl.col("measure") == "waist_cm").select(
        "trainee_id", pl.col("slope").alias("waist_change_cm_per_week"))
    lifts = (_slopes(result.e1rm_sessions.filter(pl.col("main_lift").is_not_null() & (pl.col("e1rm_kg") > 0)),
                     ["trainee_id", "main_lift"], pl.col("e1rm_kg").log(), trends.MIN_SESSIONS)
             .group_by("trainee_id")
             .agg((100 * (pl.col("slope").exp() - 1)).mean().alias("e1rm_change_pct_per_week"),
                  pl.len().alias("main_lifts")))
    span = result.weekly_focus.group_by("trainee_id").agg(
        ((pl.col("week").max() - pl.col("week").min()).dt.total_days() / 7 + 1).alias("weeks"))
    people = result.trainees.select("trainee_id", *(c for c in ("sex", "experience") if c in result.trainees.columns))
    return (
        result.as_of.select("trainee_id")
        .join(people, on="trainee_id", how="left")
        .join(span, on="trainee_id", how="left").join(focus, on="trainee_id", how="left")
        .join(limbs, on="trainee_id", how="left").join(waist, on="trainee_id", how="left")
        .join(lifts, on="trainee_id", how="left")
        .with_columns(*(pl.lit(None, pl.String).alias(c) for c in ("sex", "experience") if c not in people.columns),
                      pl.col("working_sets", "girth_measures", "main_lifts").fill_null(0).cast(pl.Int64))
        .select(OUTCOME_COLUMNS)
        .sort("trainee_id")
    )


def _slopes(frame: pl.DataFrame, keys: list[str], y: pl.Expr, min_points: int) -> pl.DataFrame:
    """Least-squares slope of ``y`` per week of ``date`` per ``keys`` group,
    where the group has ``min_points`` over ``body.MIN_SPAN_WEEKS``."""
    t = pl.col("date").dt.epoch("d") / 7
    return (frame.group_by(keys)
            .agg((pl.cov(t, y) / t.var()).alias("slope"), pl.len().alias("n"), (t.max() - t.min()).alias("span"))
            .filter((pl.col("n") >= min_points) & (pl.col("span") >= body_measures.MIN_SPAN_WEEKS))
            .drop("n", "span"))


MIN_TRAINEES = 6
"""Fewest trainees with both values for a correlation estimate."""

PAIRS = (("hypertrophy_share", "girth_change_cm_per_week"), ("strength_share", "e1rm_change_pct_per_week"))
"""The focus-outcome pairs the exploration looks at."""


def correlations(table: pl.DataFrame, by: str | None = None, n_boot: int = 2000, seed: int = 0) -> pl.DataFrame:
    """Spearman's rho of each pair in :data:`PAIRS` (per ``by`` group when
    given) with a percentile bootstrap 95% interval (trainees resampled with
    replacement, fixed seed so the numbers repeat), and Pearson's r.

    Columns: [by], x, y, n, spearman, low, high, pearson; nulls where fewer
    than :data:`MIN_TRAINEES` have both values (a percentile bootstrap of a
    handful of points is degenerate). An association, not an effect.
    """
    from scipy import stats  # here: 0.4 s to import, and the cohort overview needs none of it

    rng = np.random.default_rng(seed)
    groups = table.partition_by(by, as_dict=True, maintain_order=True) if by else {(None,): table}
    rows = []
    for key, part in sorted(groups.items(), key=lambda kv: str(kv[0])):
        for x, y in PAIRS:
            both = part.select(x, y).drop_nulls().drop_nans()
            row = {"x": x, "y": y, "n": both.height, "spearman": None, "low": None, "high": None, "pearson": None}
            if both.height >= MIN_TRAINEES:
                xs, ys = both[x].to_numpy(), both[y].to_numpy()
                row |= {"spearman": _finite(stats.spearmanr(xs, ys).statistic),
                        "pearson": _finite(stats.pearsonr(xs, ys).statistic)}
                row["low"], row["high"] = _bootstrap_spearman(xs, ys, n_boot, rng)
            rows.append(({by: key[0]} if by else {}) | row)
    schema = ({by: table.schema[by]} if by else {}) | {
        "x": pl.String, "y": pl.String, "n": pl.Int64, "spearman": pl.Float64, "low": pl.Float64,
        "high": pl.Float64, "pearson": pl.Float64}
    return pl.DataFrame(rows, schema=schema, orient="row")


def _bootstrap_spearman(x: np.ndarray, y: np.ndarray, n_boot: int, rng: np.random.Generator):
    """Percentile 95% interval of Spearman's rho over bootstrap resamples
    (all resamples at once; a resample with a constant side is skipped)."""
    from scipy import stats

    idx = rng.integers(0, len(x), size=(n_boot, len(x)))
    rx, ry = stats.rankdata(x[idx], axis=1), stats.rankdata(y[idx], axis=1)
    rx, ry = rx - rx.mean(axis=1, keepdims=True), ry - ry.mean(axis=1, keepdims=True)
    denom = np.sqrt((rx ** 2).sum(axis=1) * (ry ** 2).sum(axis=1))
    ok = denom > 0
    rho = (rx * ry).sum(axis=1)[ok] / denom[ok]
    if rho.size < n_boot / 2:
        return None, None
    low, high = np.percentile(rho, [2.5, 97.5])
    return float(low), float(high)


def _finite(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


PAIR_WORDS = {"hypertrophy_share": "hypertrophy-zone share", "strength_share": "strength-zone share",
              "girth_change_cm_per_week": "limb girth change", "e1rm_change_pct_per_week": "main-lift e1RM change"}


def outcome_table(table: pl.DataFrame) -> pl.DataFrame:
    """:func:`focus_vs_outcome` for a reader: shares in %, changes per week."""
    return table.select(
        pl.col("trainee_id").alias("trainee"), "sex", "experience", pl.col("weeks").round(0).cast(pl.Int64),
        (pl.col("strength_share") * 100).round(0).cast(pl.Int64).alias("strength zone (%)"),
        (pl.col("hypertrophy_share") * 100).round(0).cast(pl.Int64).alias("hypertrophy zone (%)"),
        pl.col("girth_change_cm_per_week").alias("limb girths (cm/wk)"),
        pl.col("waist_change_cm_per_week").alias("waist (cm/wk)"),
        pl.col("e1rm_change_pct_per_week").alias("main-lift e1RM (%/wk)"),
    )


def correlation_table(corr: pl.DataFrame) -> pl.DataFrame:
    """:func:`correlations` for a reader: the pair in words, rho with its interval."""
    return corr.select(
        pl.exclude("x", "y", "spearman", "low", "high", "pearson", "n"),
        pl.concat_str(pl.col("x").replace(PAIR_WORDS), pl.lit(" vs "), pl.col("y").replace(PAIR_WORDS)).alias("pair"),
        pl.col("n").alias("trainees"),
        pl.col("spearman").alias("Spearman rho"),
        pl.col("low").alias("95% interval from"), pl.col("high").alias("to"),
        pl.col("pearson").alias("Pearson r"),
    )


# --------------------------------------------------------------------------
# Block response across the cohort
# --------------------------------------------------------------------------

MIN_BLOCK_WEEKS = 4
"""Blocks shorter than this are left out of the cohort's block response (a
mesocycle is most often 4-6 weeks)."""


def block_response_by_group(result: progress.Progress, by: str | None = None,
                            min_weeks: int = MIN_BLOCK_WEEKS) -> pl.DataFrame:
    """Mean block response by block kind (and ``sex`` or ``experience``).

    Per block of at least ``min_weeks``: the mean e1RM change of its
    featured lifts (%) and the mean change of its limb girths (cm)
    (:func:`analysis.response.block_response`). Blocks are averaged per
    trainee and kind first, so a trainee with many blocks counts once; then
    the mean over trainees with a 95% t-interval. Tidy: ``kind`` (and
    ``by``), ``outcome``, ``trainees``, ``mean``, ``low``, ``high``.
    """
    keys = ["kind", *([by] if by else [])]
    found = result.block_response.filter((pl.col("weeks") >= min_weeks) & pl.col("change").is_not_null())
    per_block = found.filter(pl.col("unit") == "%").group_by("trainee_id", "kind", "start").agg(
        pl.col("change").mean(), pl.lit("e1RM change (%)").alias("outcome"))
    girths = found.filter(pl.col("measure").is_in(list(TAPE_GIRTHS))).group_by("trainee_id", "kind", "start").agg(
        pl.col("change").mean(), pl.lit("limb girth change (cm)").alias("outcome"))
    per_trainee = (pl.concat([per_block, girths])
                   .group_by("trainee_id", "kind", "outcome").agg(pl.col("change").mean())
                   .join(result.trainees.select("trainee_id", *([by] if by else [])), on="trainee_id", how="left"))
    grouped = per_trainee.group_by(*keys, "outcome").agg(
        pl.len().alias("trainees"), pl.col("change").mean().alias("mean"), pl.col("change").std().alias("sd"))
    q = special.stdtrit(np.maximum(grouped.get_column("trainees").to_numpy() - 1, 1), 0.975)
    half = pl.Series(q) * pl.col("sd") / pl.col("trainees").sqrt()
    return grouped.select(
        *keys, "outcome", "trainees", "mean",
        pl.when(pl.col("trainees") > 1).then(pl.col("mean") - half).alias("low"),
        pl.when(pl.col("trainees") > 1).then(pl.col("mean") + half).alias("high"),
    ).sort(*keys, "outcome", nulls_last=True)


def block_response_table(table: pl.DataFrame) -> pl.DataFrame:
    """:func:`block_response_by_group` for a reader: rounded, the interval in words."""
    return table.with_columns(pl.col("mean", "low", "high").round(2)).rename(
        {"mean": "mean change", "low": "95% interval from", "high": "to"})
