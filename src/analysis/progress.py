"""Per-trainee progress over a window, for every trainee in one pass.

:func:`analyse` computes the tables a report shows and the summary.json of
DESIGN.md for all trainees at once (vectorized polars, no per-trainee loop
until the summaries are assembled). Lift statuses and their probabilities
come from :mod:`analysis.trends`, size from :mod:`analysis.body`, and the
answer in words from :mod:`analysis.verdict`.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import polars as pl

from analysis import body as body_measures
from analysis import catalog, compare, relative, response, rest, schema, strength, trends, verdict, volume, workload
from analysis import goals as goal_dates
from analysis.io import native

LIFT_STATUSES = ("progressing", "plateau", "declining", "uncertain", "insufficient_data")
SIZE_STATUSES = ("growing", "flat", "shrinking", "uncertain", "insufficient_data")

ZONES = ("strength", "hypertrophy", "endurance")


LIFT_COLUMNS = ("lift", "in_catalog", "main_lift", "bodyweight")
"""What the analysis needs from the catalog on every set."""

TIME_COLUMNS = ("duration_s", "distance_m", "rest_s", "session_s")
"""The sets' times and distances: timed sets, rest and session length."""

PROFILE_KEYS = ("name", "sex", "experience", "goal")
"""What summary.json carries of a trainee's profile (trainees.csv)."""


@dataclass
class Progress:
    """All trainees' report tables (tidy, keyed by trainee_id) and summaries."""

    as_of: pl.DataFrame  # trainee_id, as_of, window_start
    e1rm_sessions: pl.DataFrame
    trend: pl.DataFrame
    lifts: pl.DataFrame
    records: pl.DataFrame
    relative: pl.DataFrame
    size: pl.DataFrame
    body_trends: pl.DataFrame
    body: pl.DataFrame
    acwr: pl.DataFrame
    monotony: pl.DataFrame
    flags: pl.DataFrame
    weekly_volume: pl.DataFrame
    sessions_per_week: pl.DataFrame
    focus: pl.DataFrame
    weekly_focus: pl.DataFrame
    weekly_rest: pl.DataFrame
    rest: pl.DataFrame
    holds: pl.DataFrame
    blocks: pl.DataFrame
    hard_sets: pl.DataFrame
    weekly_hard_sets: pl.DataFrame
    weekly_compound: pl.DataFrame
    inol: pl.DataFrame
    trainees: pl.DataFrame
    window_weeks: int
    goal_rows: pl.DataFrame
    """The goals (goals.csv) to read against the analysis."""

    @functools.cached_property
    def block_response(self) -> pl.DataFrame:
        """:func:`analysis.response.block_response` of every trainee's detected blocks."""
        return response.block_response(self)

    @functools.cached_property
    def goals(self) -> pl.DataFrame:
        """:func:`analysis.goals.expected_dates` of every goal."""
        return goal_dates.expected_dates(self, self.goal_rows)

    @functools.cached_property
    def window_comparison(self) -> pl.DataFrame:
        return compare.window_comparison(self)

    @functools.cached_property
    def block_comparison(self) -> pl.DataFrame:
        return compare.block_comparison(self)

    def _compare(self, trainee_id: str, when: dict) -> dict:
        """summary.json ``compare``: the window against the one before, the
        current block against the previous one of its kind."""
        def rows(frame: pl.DataFrame) -> list[dict]:
            return [{"measure": r["measure"], "unit": compare.UNITS.get(r["measure"], "kg"),
                     "previous": _round(r["previous"], 1), "current": _round(r["current"], 1),
                     "change": _round(r["change"], 1), "arrow": r["arrow"]} for r in frame.iter_rows(named=True)]

        mine = pl.col("trainee_id") == trainee_id
        length = when["as_of"] - when["window_start"]
        before = when["window_start"] - dt.timedelta(days=1)
        blocks = self.block_comparison.filter(mine)
        return {
            "window": {"current": [when["window_start"].isoformat(), when["as_of"].isoformat()],
                       "previous": [(before - length).isoformat(), before.isoformat()],
                       "rows": rows(self.window_comparison.filter(mine))},
            "block": {"current_start": blocks.item(0, "current_start").isoformat(),
                      "previous_start": blocks.item(0, "previous_start").isoformat(),
                      "rows": rows(blocks)} if blocks.height else None,
        }

    @functools.cached_property
    def block_training(self) -> pl.DataFrame:
        return response.block_training(self)

    @functools.cached_property
    def block_hard_sets(self) -> pl.DataFrame:
        return response.block_hard_sets(self)

    def _blocks(self, trainee_id: str) -> list[dict]:
        """The last six blocks with their response, training and reading (summary.json ``blocks``)."""
        mine = pl.col("trainee_id") == trainee_id
        found = self.block_response.filter(mine)
        training = self.block_training.filter(mine)
        hard = self.block_hard_sets.filter(mine)
        out = []
        for b in self.blocks.filter(mine).tail(6).iter_rows(named=True):
            at = pl.col("start") == b["start"]
            changes = found.filter(at)
            trained = training.filter(at)
            t = trained.row(0, named=True) if trained.height else {}
            entry = {
                "kind": b["kind"], "start": b["start"].isoformat(), "end": b["end"].isoformat(), "weeks": b["weeks"],
                "response": {
                    "lifts": [{"exercise": r["measure"], "change": _round(r["change"], 1), "low": _round(r["low"], 1),
                               "high": _round(r["high"], 1), "n": r["n"]}
                              for r in changes.filter(pl.col("unit") == "%").iter_rows(named=True)],
                    "body": [{"measure": r["measure"], "unit": r["unit"], "change": _round(r["change"], 2),
                              "low": _round(r["low"], 2), "high": _round(r["high"], 2), "n": r["n"]}
                             for r in changes.filter(pl.col("unit") != "%").iter_rows(named=True)],
                },
                "training": {
                    "sessions_per_week": _round(t.get("sessions_per_week"), 1),
                    "volume_load_kg_per_week": _round(t.get("volume_load_kg_per_week"), 0),
                    "intended_share": _round(t.get("intended_share"), 3),
                    "rest_s": _round(t.get("rest_s"), 0), "rest_estimated": t.get("rest_estimated"),
                    "compound_share": _round(t.get("compound_share"), 3),
                    "hard_sets_per_week": {r["muscle"]: round(r["per_week"], 1)
                                           for r in hard.filter(at).iter_rows(named=True)},
                },
            }
            out.append(entry | {"text": verdict.block_reading(entry)})
        return out

    def _workload(self, trainee_id: str) -> dict:
        """Latest ACWR (last training day) and last full week's monotony and strain."""
        mine = pl.col("trainee_id") == trainee_id
        ratio = self.acwr.filter(mine & pl.col("acwr").is_not_null())
        week = self.monotony.filter(mine).tail(1)
        return {
            "acwr": _round(ratio.get_column("acwr").tail(1).item(), 2) if ratio.height else None,
            "acwr_date": ratio.get_column("date").tail(1).item().isoformat() if ratio.height else None,
            "monotony": _round(week.get_column("monotony").item(), 2) if week.height else None,
            "strain": _round(week.get_column("strain").item(), 0) if week.height else None,
        }

    def _profile(self, trainee_id: str) -> dict:
        row = self.trainees.filter(pl.col("trainee_id") == trainee_id)
        keys = [k for k in PROFILE_KEYS if k in row.columns]
        return row.select(keys).row(0, named=True) if row.height else {}

    def _sessions_per_week(self, trainee_id: str, window_start: dt.date) -> float | None:
        """Mean sessions a week over the weeks starting inside the window (as the verdict counts them)."""
        weeks = self.sessions_per_week.filter((pl.col("trainee_id") == trainee_id) & (pl.col("week") >= window_start))
        return _round(weeks.get_column("sessions").mean(), 2) if weeks.height else None

    def _size(self, trainee_id: str) -> dict:
        mine = pl.col("trainee_id") == trainee_id
        status = self.size.filter(mine)
        if status.is_empty():
            return {"status": "insufficient_data", "evidence": "no body measurements"}
        row = status.row(0, named=True)
        trends = self.body_trends.filter(mine & (pl.col("n") >= body_measures.MIN_MEASUREMENTS))
        judged = row["p_flat"] is not None
        return {
            "status": row["status"],
            "probabilities": _probabilities(row, body_measures.SIZE_CLASSES),
            "probability": _round(row[f"p_{row['status']}"], 3) if f"p_{row['status']}" in row else None,
            "flat_since": _iso(row["flat_since"]),
            "flat_since_interval": [_iso(row["flat_since_low"]), _iso(row["flat_since_high"])]
            if row["flat_since"] is not None else None,
            "limb_rate_cm_per_week": _round(row["limb_rate_cm_per_week"], 3) if judged else None,
            "limb_rate_cm_per_week_95ci": [_round(row["limb_rate_low"], 3), _round(row["limb_rate_high"], 3)]
            if judged else None,
            "p_fat_gain": _round(row["p_fat_gain"], 3),
            "evidence": row["evidence"],
            "measures_window_weeks": body_measures.SIZE_WINDOW_WEEKS,
            "measures": {
                r["measure"]: {"change_per_week": _round(r["slope_per_week"], 3),
                               "change_per_week_95ci": [_round(r["low"], 3), _round(r["high"], 3)],
                               "latest": _round(r["last"], 1), "measurements": r["n"]}
                for r in trends.iter_rows(named=True)
            },
        }

    def _rest(self, trainee_id: str) -> dict:
        """Rest in the window: median, its NSCA zone, whether estimated, per rep zone."""
        row = self.rest.filter(pl.col("trainee_id") == trainee_id)
        if row.is_empty() or row.item(0, "median_s") is None:
            return {"median_s": None, "zone": None, "estimated": None, "sessions": 0, "sets_per_hour": None,
                    "by_zone": {z: None for z in ZONES}}
        r = row.row(0, named=True)
        return {"median_s": _round(r["median_s"], 0), "zone": r["zone"], "estimated": r["estimated"],
                "sessions": r["sessions"], "sets_per_hour": _round(r["sets_per_hour"], 1),
                "by_zone": {z: _round(r[f"{z}_s"], 0) for z in ZONES}}

    def summary(self, trainee_id: str) -> dict:
        """summary.json for one trainee (DESIGN.md contract)."""
        when = self.as_of.filter(pl.col("trainee_id") == trainee_id).row(0, named=True)
        lifts = self.lifts.filter(pl.col("trainee_id") == trainee_id)
        focus = self.focus.filter(pl.col("trainee_id") == trainee_id)
        rel = self.relative.filter(pl.col("trainee_id") == trainee_id)
        recent = self.records.filter((pl.col("trainee_id") == trainee_id) & (pl.col("date") >= when["window_start"]))
        shares = {z: 0.0 for z in ZONES} | {r["zone"]: r["share"] for r in focus.iter_rows(named=True)}
        summary = {
            "trainee_id": trainee_id,
            "as_of": when["as_of"].isoformat(),
            "window_weeks": self.window_weeks,
            "profile": self._profile(trainee_id),
            "sessions_per_week": self._sessions_per_week(trainee_id, when["window_start"]),
            "lifts": [
                {
                    "exercise": r["exercise"],
                    "main_lift": r["main_lift"],
                    "featured": r["featured"],
                    "status": r["status"],
                    "probabilities": _probabilities(r, trends.CLASSES),
                    "plateau_since": _iso(r["plateau_since"]),
                    "plateau_since_interval": [_iso(r["plateau_since_low"]), _iso(r["plateau_since_high"])]
                    if r["plateau_since"] is not None else None,
                    "weeks_to_settle": r["weeks_to_settle"],
                    "settles_as": r["settles_as"],
                    "e1rm_kg": _round(r["e1rm_kg"]),
                    "e1rm_reps": r["e1rm_reps"],
                    "best_e1rm_kg": _round(r["best_e1rm_kg"]),
                    "change_pct_per_week": _round(r["change_pct_per_week"], 2),
                    "change_pct_per_week_95ci": [_round(r["change_low"], 2), _round(r["change_high"], 2)]
                    if r["change_low"] is not None else None,
                    "sessions_in_window": r["sessions_in_window"],
                    "last_session": r["last_session"],
                    "prs_in_window": recent.filter(pl.col("lift") == r["exercise"]).height,
                    "inol_per_session": _round(r["inol"], 2),
                    "evidence": r["evidence"],
                }
                for r in lifts.iter_rows(named=True)
            ],
            "strength": strength_status(lifts) | {"relative": _relative(rel)},
            "size": self._size(trainee_id),
            "workload": self._workload(trainee_id),
            "flags": self.flags.filter(pl.col("trainee_id") == trainee_id).drop("trainee_id").to_dicts(),
            "focus": {z: round(v, 3) for z, v in shares.items()},
            "blocks": self._blocks(trainee_id),
            "rest": self._rest(trainee_id),
            "compare": self._compare(trainee_id, when),
            "goals": [
                {"what": g["what"], "target": g["target"], "unit": g["unit"], "current": _round(g["current"], 1),
                 "by_date": _iso(g["by_date"]), "expected_date": _iso(g["expected_date"]),
                 "expected_interval": [_iso(g["expected_low"]), _iso(g["expected_high"])]
                 if g["expected_date"] is not None else None, "reason": g["reason"]}
                for g in self.goals.filter(pl.col("trainee_id") == trainee_id).iter_rows(named=True)
            ],
            "timed_sets": [
                {"exercise": r["lift"], "longest_s": _round(r["longest_s"], 1), "date": r["date"].isoformat(),
                 "weight_kg": _round(r["weight_kg"]), "sets": r["sets"]}
                for r in self.holds.filter(pl.col("trainee_id") == trainee_id).iter_rows(named=True)
            ],
            "hard_sets_per_week": {
                r["muscle"]: round(r["per_week"], 1)
                for r in self.hard_sets.filter(pl.col("trainee_id") == trainee_id).iter_rows(named=True)
            },
        }
        featured_main = lifts.filter(pl.col("featured") & pl.col("main_lift").is_not_null()).height > 0
        return summary | {"verdict": verdict.verdict(summary, featured_are_main=featured_main)}


def analyse(sets: pl.DataFrame, trainees: pl.DataFrame, as_of: dt.date | None = None,
            window_weeks: int = 8, body: pl.DataFrame | None = None,
            goals: pl.DataFrame | None = None) -> Progress:
    """Every trainee's tables up to ``as_of`` (default: their last logged day);
    ``goals`` (goals.csv) are read against them (:mod:`analysis.goals`)."""
    sets = catalog.annotate(sets, columns=LIFT_COLUMNS)
    when = as_of_dates(sets, as_of, window_weeks)
    # The sets up to each trainee's as_of, with only the columns used below. By default as_of is
    # the trainee's last logged day: every dated set stays, and no date is joined onto every set.
    sets = sets.select(c for c in ("trainee_id", "session_id", "date", "exercise", "lift", "main_lift", "set_type",
                                   "weight_kg", "reps", "rpe", *TIME_COLUMNS) if c in sets.columns)
    sets = sets.with_columns(pl.lit(None, pl.Float64).alias(c) for c in TIME_COLUMNS if c not in sets.columns)
    kept = pl.col("trainee_id").is_not_null() & pl.col("date").is_not_null()
    if as_of is not None:
        kept = kept & (pl.col("date") <= as_of)
    if as_of is not None or not sets.select(kept.all()).item():
        sets = sets.filter(kept)
    window_start = pl.col("trainee_id").replace_strict(when.get_column("trainee_id"), when.get_column("window_start"),
                                                       default=None)  # looked up per set, not joined
    main = sets.lazy().select("lift", "main_lift").unique("lift").collect(engine="streaming")
    best = strength.session_best_e1rm(sets)  # reused by the trends, intensity and records
    sessions = best.join(main, left_on="exercise", right_on="lift", how="left")
    detected, trend = trends.lift_trends(sets, when, best=best)
    zoned = volume.set_zones(volume.intensity(
        sets.select("trainee_id", "lift", "session_id", "date", "set_type", "weight_kg", "reps", "rest_s"), trend,
        best=best))
    rests = rest.session_rest(sets.select(rest.SESSION_COLUMNS))
    recent_rests = rests.filter(pl.col("date") >= window_start)
    weekly = volume.weekly_focus(zoned)
    # INOL of the window's sessions only; a session is dated by its first set, so one that began
    # before the window (sets on both sides) is left out
    recent = zoned.filter(pl.col("date") >= window_start)
    rest_window = rest.rest_summary(recent_rests, rest.set_rest(recent, recent_rests))
    begun = volume.inol(zoned.filter((pl.col("date") < window_start) & pl.col("session_id").is_in(
        recent.get_column("session_id").unique().implode(), nulls_equal=True)))
    inol = volume.inol(recent).join(begun, on=["trainee_id", "lift", "session_id"], how="anti",
                                    nulls_equal=True).join(when, on="trainee_id")
    focus = focus_shares(recent.select("trainee_id", "zone"))
    del recent
    del zoned
    lifts = _lifts(sessions, when, detected).join(
        inol.group_by("trainee_id", pl.col("lift").alias("exercise")).agg(pl.col("inol").mean().alias("inol")),
        on=["trainee_id", "exercise"], how="left")
    body = (body if body is not None else _no_body()).join(when.select("trainee_id", "as_of"), on="trainee_id").filter(
        pl.col("date") <= pl.col("as_of")).drop("as_of")
    size, body_trends = body_measures.size(body, trainees, when)
    weekly_hard = volume.hard_sets_per_muscle(sets)
    daily = workload.daily_load(sets)
    trained = daily.filter(pl.col("sets") > 0).select("trainee_id", "date")
    ratio = workload.acwr(daily).join(trained, on=["trainee_id", "date"])  # read on training days
    return Progress(
        as_of=when,
        e1rm_sessions=sessions,
        trend=trend,
        lifts=lifts,
        records=strength.personal_records(sets, best=best),
        relative=relative.relative_strength(
            lifts.filter(pl.col("main_lift").is_not_null()).join(when.select("trainee_id", "as_of"), on="trainee_id")
            .select("trainee_id", pl.col("as_of").alias("date"), "main_lift", "e1rm_kg"),
            body, trainees),
        size=size,
        body_trends=body_trends,
        body=body,
        acwr=ratio,
        monotony=workload.monotony_strain(daily),
        flags=workload.flags(sets, when, daily=daily),
        weekly_volume=volume.volume_by_week(sets),
        sessions_per_week=volume.sessions_per_week(sets),
        focus=focus,
        weekly_focus=weekly,
        weekly_rest=rest.weekly_rest(rests),
        rest=rest_window,
        holds=strength.longest_holds(sets),
        blocks=volume.blocks(weekly),
        hard_sets=_hard_sets_in_window(weekly_hard, when),
        weekly_hard_sets=weekly_hard,
        weekly_compound=volume.compound_share(sets),
        inol=inol,
        trainees=trainees,
        window_weeks=window_weeks,
        goal_rows=goals if goals is not None else native.empty_table(schema.GOALS),
    )


def _no_body() -> pl.DataFrame:
    return pl.DataFrame(schema={"trainee_id": pl.String, "date": pl.Date, "measure": pl.String, "value": pl.Float64})


def as_of_dates(sets: pl.DataFrame, as_of: dt.date | None = None, window_weeks: int = 8) -> pl.DataFrame:
    """Each trainee's report date (their last logged day, or ``as_of``) and
    window start. Streaming: an eager group-by over 10M sets holds ~1.5 GB
    of hash tables, the streaming engine a few MB."""
    last = (sets.lazy().group_by("trainee_id").agg(pl.col("date").max().alias("as_of"))
            .collect(engine="streaming"))
    if as_of is not None:
        last = last.with_columns(pl.lit(as_of).alias("as_of"))
    return last.with_columns(
        (pl.col("as_of") - pl.duration(weeks=window_weeks) + pl.duration(days=1)).alias("window_start")
    ).sort("trainee_id")


FEATURED_MAX = 4
"""Lifts featured when a trainee logs no main lift: as many as the main lifts."""


def _lifts(sessions: pl.DataFrame, when: pl.DataFrame, detected: pl.DataFrame) -> pl.DataFrame:
    """Per trainee and lift: status, plateau start, current and best e1RM, change.

    ``featured``: the lifts the strength status and the report's charts are
    about: the main lifts with enough recent sessions to judge, or, for a
    trainee with none (machines, dumbbells, a sport's own lifts, a new
    log), the :data:`FEATURED_MAX` loaded lifts with the most sessions in
    the window, then overall.

    The current e1RM is the median session best of the lift's last 4 weeks
    at the reps trained there (``e1rm_reps``; :mod:`analysis.trends`), else
    the last session best; the change is the posterior mean of the current
    rate in % per week with its 95% interval. Nothing is clamped: a figure outside the data's
    range would be a bug to fix, not to hide.
    """
    window = pl.col("date") >= pl.col("window_start")
    per_lift = (
        sessions.join(when, on="trainee_id")
        .sort("date")
        .group_by("trainee_id", "exercise")
        .agg(
            pl.col("main_lift").first(),
            pl.col("e1rm_kg").last().alias("last_e1rm_kg"),
            pl.col("e1rm_kg").max().alias("best_e1rm_kg"),
            window.sum().cast(pl.Int64).alias("sessions_in_window"),
            pl.len().alias("sessions"),
            pl.col("date").max().alias("last_session"),
        )
    )
    judged_main = pl.col("main_lift").is_not_null() & (pl.col("status") != "insufficient_data")
    most_trained = pl.struct("sessions_in_window", "sessions").rank(
        "ordinal", descending=True).over("trainee_id") <= FEATURED_MAX  # ties: the order below
    featured = pl.when(judged_main.any().over("trainee_id")).then(judged_main).otherwise(most_trained)
    found = detected.select(
        "trainee_id", pl.col("lift").alias("exercise"), "status", *(f"p_{c}" for c in trends.CLASSES),
        "plateau_since", "plateau_since_low", "plateau_since_high", "weeks_to_settle", "settles_as",
        "change_pct_per_week", "change_low", "change_high", "current_kg", "e1rm_reps", "evidence")
    return (
        per_lift.join(found, on=["trainee_id", "exercise"], how="left")
        .with_columns(
            pl.col("status").fill_null("insufficient_data"),
            pl.when(pl.col("status").is_null()).then(pl.lit("no sessions with a load in the last "
                                                             f"{trends.HORIZON_WEEKS} weeks"))
            .otherwise(pl.col("evidence")).alias("evidence"),
            pl.col("last_session").dt.to_string("%Y-%m-%d"),
            pl.coalesce("current_kg", "last_e1rm_kg").alias("e1rm_kg"),
        )
        .with_columns(  # no trend figures where there is no judgement
            pl.when(pl.col("status") != "insufficient_data").then(pl.col(c)).alias(c)
            for c in ("change_pct_per_week", "change_low", "change_high")
        )
        .drop("current_kg", "last_e1rm_kg")
        .sort("trainee_id", pl.col("main_lift").is_null(), "sessions_in_window", "sessions", "exercise",
              descending=[False, False, True, True, False])
        .with_columns(featured.alias("featured"))
        .drop("sessions")
        .sort("trainee_id", "featured", descending=[False, True], maintain_order=True)  # featured first
    )


def focus_shares(zoned: pl.DataFrame) -> pl.DataFrame:
    """Share of zoned working sets per zone and trainee (tidy: trainee_id, zone, sets, share)."""
    return (
        zoned.filter(pl.col("zone").is_not_null())
        .group_by("trainee_id", "zone")
        .agg(pl.len().alias("sets"))
        .with_columns((pl.col("sets") / pl.col("sets").sum().over("trainee_id")).alias("share"))
        .sort("trainee_id", "zone")
    )


def _hard_sets_in_window(weekly: pl.DataFrame, when: pl.DataFrame) -> pl.DataFrame:
    """Mean hard sets a week per muscle over the window's ISO weeks (from
    :func:`analysis.volume.hard_sets_per_muscle`): trainee_id, muscle, per_week."""
    weeks = when.select("trainee_id", (pl.col("as_of") - pl.col("window_start")).dt.total_days().alias("days"))
    return (
        weekly.join(when, on="trainee_id")
        .filter(pl.col("week") >= pl.col("window_start").dt.truncate("1w"))
        .group_by("trainee_id", "muscle").agg(pl.col("hard_sets").sum())
        .join(weeks, on="trainee_id")
        .with_columns((pl.col("hard_sets") / ((pl.col("days") + 1) / 7)).alias("per_week"))
        .select("trainee_id", "muscle", "per_week")
        .sort("trainee_id", "per_week", "muscle", descending=[False, True, False])  # ties: stable bytes
    )


def strength_status(lifts: pl.DataFrame) -> dict:
    """Strength across the featured lifts: the mean of their class
    probabilities (the chance that a featured lift picked at random is
    progressing, on a plateau or declining); the top class when it reaches
    :data:`trends.COMMIT_PROBABILITY`, else ``uncertain``;
    ``insufficient_data`` when no featured lift can be judged."""
    judged = lifts.filter(pl.col("featured") & pl.col("p_plateau").is_not_null())
    if judged.is_empty():
        return {"status": "insufficient_data", "probability": None, "probabilities": None,
                "evidence": "no featured lift has enough recent sessions to judge" if lifts.height
                else "no lift logged with a load"}
    mean = {c: judged.get_column(f"p_{c}").mean() for c in trends.CLASSES}
    top = max(trends.CLASSES, key=lambda c: mean[c])
    return {"status": top if mean[top] >= trends.COMMIT_PROBABILITY else "uncertain",
            "probability": _round(mean[top], 3), "probabilities": {c: _round(p, 3) for c, p in mean.items()},
            "evidence": f"the mean of {judged.height} featured lifts' probabilities"}


def _probabilities(row: dict, classes: tuple[str, ...]) -> dict | None:
    if row[f"p_{classes[0]}"] is None:
        return None
    return {c: _round(row[f"p_{c}"], 3) for c in classes}


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def _relative(rel: pl.DataFrame) -> dict:
    """Relative strength scores of the trainee (null where unknown, and why)."""
    if rel.is_empty():
        return {"missing": "no main-lift e1RM"}
    r = rel.row(0, named=True)
    keys = ("bodyweight_kg", "total_kg", "dots", "wilks", "wilks2020", "ipf_gl_total", "ipf_gl_bench")
    return {k: _round(r[k], 2) for k in keys} | {"missing": r["missing"]}


def _round(x: float | None, digits: int = 1) -> float | None:
    return None if x is None else round(x, digits)
