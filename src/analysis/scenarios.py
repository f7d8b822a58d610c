"""An independent scenario grid for scoring the strength-trend and size detectors.

``generate(scenario, seed)`` returns the canonical tables (``sets``, ``body``,
``trainees``, as :func:`analysis.synth.generate` does) and a truth dict.
This generator deliberately does not share the detectors' assumptions
(straight lines joined at a break, Gaussian or Student-t noise, a quadratic
rep-range term):

* True 1RM paths are curved: progress with diminishing returns (the rate
  decays towards its end value over 6-40 weeks), regime changes that ease in
  over 1-3 weeks (the daily rate is smoothed with a Hann window), plateaus
  with a small drift, declines that decelerate, histories with earlier
  stalls, dips and rebounds. Progress rates are drawn log-uniform in
  0.1-1.5 %/week; plateaus and declines begin 3-16 weeks before the last log.
* Day-to-day readiness is an AR(1) process over calendar days (correlation
  time 2-10 days) shared by a trainee's lifts, plus lift-specific session
  noise and occasional bad days (5-12 % down).
* Rep capacity at a load follows a lifter- and lift-specific relation
  ``reps = 1 + A (1RM/load - 1)^g`` (A 24-40, g 0.8-1.25): neither Epley nor
  Brzycki, so each lifter's e1RM formulas carry their own rep-range bias.
* Loads are chosen from the lifter's belief of their 1RM (lagging the truth
  by 0-2 weeks, off by a few % per block, following 40-100% of the day's
  readiness: autoregulation), so sets stop short of failure by
  varying margins; rep targets and reps in reserve vary from session to
  session; AMRAP last sets for some; warm-ups (flagged by some trainees
  only); plates rounding; some lifters in pounds; deload weeks; logging
  slips where asked.

Truth conventions (what the detectors are scored against):

* ``rate_pct_per_week`` is the true current rate: ``100 * (ln 1RM(last) -
  ln 1RM(last - 21 days)) / 3`` on the true path, ``last`` being the
  trainee's last logged day (any exercise). Status: above
  ``+ROPE_PCT_PER_WEEK`` progressing, below ``-ROPE_PCT_PER_WEEK`` declining,
  else plateau.
* ``change_since`` is the date the current regime began: the midpoint of the
  final transition (where the smoothed rate is halfway between the old and
  the new rate), or null when the current regime has held since the log
  began. ``plateau_since`` equals it for plateaus, else null.
* ``path`` holds knots ``[iso date, true 1RM kg]`` every 7 days counted back
  from ``last`` (plus the first day); log 1RM is linear between knots
  (:func:`analysis.synth.true_one_rm` reads it).
* Size: the status is the ROPE (``SIZE_ROPE_CM_PER_WEEK``) on the mean true
  rate of arm, chest and thigh girth over the last 3 weeks, except fat gain
  (waist rising at least ~3.5x faster than the limbs), which is flat by
  definition; ``insufficient_data`` for trainees with no girths at all.

``block_response`` (BLOCK_SCENARIOS, apart from the grid in SCENARIOS) is
scored per block and goal (benchmarks/block_response.py): hypertrophy (8-12
reps) and strength (1-5 reps) blocks of 3-12 weeks whose true 1RM rate is
higher in strength blocks and limb girth rate higher in hypertrophy blocks,
girths every 1-3 weeks, bodyweight several times a week. Its truth per
trainee adds:

* ``blocks``: ``kind, start, end`` (iso, inclusive), ``weeks`` (calendar
  weeks touched), ``one_rm_change_pct`` {main lift: ``100 (1RM(end) /
  1RM(start) - 1)``}, ``girth_change_cm`` {girth: true change},
  ``bodyweight_change_kg``;
* ``lifts`` {main lift: ``status``, ``rate_pct_per_week`` (as above),
  ``path``} and ``size`` {``path`` {girth or bodyweight_kg: knots}}, knots
  every 7 days back from ``last`` plus every block's first and last day
  (girths and bodyweight linear between knots);
* ``future_path`` {main lift or girth: ``[iso date, true value]`` for every
  day from ``last`` to 16 weeks after}, the last training block's kind going
  on; ``goals``: 3-4 of ``what`` (main lift or limb girth), ``target`` (kg or
  cm, above today's true value) and ``true_reach_date`` (the first day of
  ``future_path`` at or above it, null when none).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import time
import zlib
from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy.signal import lfilter

from analysis import body as _body
from analysis import synth
from analysis import trends as _trends

ROPE_PCT_PER_WEEK = _trends.ROPE_PCT_PER_WEEK
SIZE_ROPE_CM_PER_WEEK = _body.SIZE_ROPE_CM_PER_WEEK

END = dt.date(2026, 9, 27)
LB = synth.LB
RATE_WINDOW_DAYS = 21
"""The true current rate is the log-slope of the true path over the last 3 weeks."""

MAIN = synth.MAIN_LIFTS  # back squat, bench press, deadlift, overhead press
ACCESSORY = ("barbell row", "lat pulldown", "romanian deadlift", "dumbbell curl")
EXERCISES = (*MAIN, *ACCESSORY)
SQUAT, BENCH, DEAD, OHP, ROW, PULLDOWN, RDL, CURL = range(8)
SET_TYPES = ("working", "warmup", "failure")
CLASSES = ("progressing", "plateau", "declining")
CLASS_MIX = (0.40, 0.35, 0.25)
GIRTHS = ("arm_cm", "chest_cm", "thigh_cm", "waist_cm")
LIMBS = ("arm_cm", "chest_cm", "thigh_cm")

# Starting 1RM as a multiple of bodyweight (M, F) by experience; accessories relative to bench.
START_RATIO = {
    "novice": ((0.85, 0.6), (0.7, 0.42), (1.05, 0.8), (0.45, 0.3)),
    "intermediate": ((1.35, 0.95), (1.05, 0.62), (1.65, 1.2), (0.68, 0.44)),
    "advanced": ((1.8, 1.35), (1.4, 0.85), (2.1, 1.55), (0.88, 0.58)),
}
ACCESSORY_OF_BENCH = (0.85, 0.8, 1.1, 0.3)
MIN_1RM = (45.0, 32.0, 50.0, 30.0)
"""Floors (kg) so that even a declining novice's working sets stay above the empty bar."""

# Session templates (exercise codes), rotated through the training days.
TEMPLATES = {
    2: [[SQUAT, BENCH, ROW], [DEAD, OHP, SQUAT, PULLDOWN]],
    3: [[SQUAT, BENCH, ROW], [DEAD, OHP, PULLDOWN], [SQUAT, BENCH, CURL]],
    4: [[SQUAT, RDL], [BENCH, ROW, CURL], [DEAD, SQUAT], [OHP, BENCH, PULLDOWN]],
}
ONCE_TEMPLATES = {1: [[SQUAT, BENCH, DEAD, OHP, ROW]], 2: [[SQUAT, BENCH, ROW], [DEAD, OHP, PULLDOWN]]}
WEEKDAYS = {1: [(0,), (2,), (5,)], 2: [(0, 3), (1, 4), (2, 5), (0, 4)],
            3: [(0, 2, 4), (1, 3, 5), (0, 2, 5)], 4: [(0, 1, 3, 4), (0, 2, 4, 5)]}
# Warm-up ladders by number of warm-up sets: fraction of the working load (0 = empty bar) and reps.
WARM_FRAC = {1: (0.6,), 2: (0.5, 0.75), 3: (0.4, 0.6, 0.8), 4: (0.0, 0.45, 0.65, 0.85)}
WARM_REPS = {1: (5,), 2: (8, 3), 3: (8, 5, 2), 4: (10, 8, 5, 2)}

HYP, STR, DELOAD = 0, 1, 2
KINDS = ("hypertrophy", "strength", "deload")


@dataclass(frozen=True)
class LiftSpec:
    """The conditions of a lift scenario."""

    description: str
    weeks: tuple[int, int] = (20, 100)
    per_week: tuple[int, ...] = (2, 3, 3, 4)
    once_a_week: bool = False
    noise_pct: tuple[float, float] = (2.5, 4.5)
    """Total session noise SD (readiness + lift-specific), % of the 1RM."""
    change_weeks: tuple[int, int] = (3, 16)
    session_rir: bool = False
    """Reps in reserve drawn 0-4 for every session (else per block, with a little jitter)."""
    rpe_share: float = 0.5
    rating_err: tuple[float, float] = (0.4, 0.9)
    switches: bool = False
    """Hypertrophy (8-12 reps) and strength (1-5 reps) blocks of 2-5 weeks, short final block."""
    block_weeks: tuple[int, int] | None = None
    """Block lengths (weeks, inclusive range, either kind), else hypertrophy 4-8 and strength 3-6."""
    rep_ranges: tuple[tuple[int, int], tuple[int, int]] = ((6, 12), (2, 6))
    """Main-lift rep targets of hypertrophy and of strength blocks."""
    deload_every: tuple[int, int] | None = None
    """A deload week after every so many weeks (inclusive range), else after ~40% of blocks."""
    slip_rate: float = 0.0
    missed_session: tuple[float, float] = (0.03, 0.12)
    missed_week: tuple[float, float] = (0.0, 0.0)


LIFT_SPECS = {
    "steady": LiftSpec("clean-ish logs: 2-3 sessions a week, session noise ~3%, 20-80 weeks",
                       weeks=(20, 80), per_week=(2, 3, 3), noise_pct=(2.5, 3.5), missed_session=(0.02, 0.06)),
    "recent_change": LiftSpec("plateaus and declines that began only 3-8 weeks before the last log",
                              change_weeks=(3, 8)),
    "long_log": LiftSpec("80-130 weeks of log: a long progression before any stall", weeks=(80, 130)),
    "block_switches": LiftSpec("hypertrophy 8-12 reps <-> strength 1-5 reps blocks of 2-5 weeks, "
                               "short final block", switches=True, rep_ranges=((8, 12), (1, 5))),
    "rpe_varied": LiftSpec("reps in reserve drawn 0-4 every session; RPE logged by half, +-1 rating error",
                           session_rir=True, rpe_share=0.5, rating_err=(1.0, 1.0)),
    "deloads_slips": LiftSpec("a deload week every 4-7 weeks (RIR 4-6) and 2% logging slips "
                              "(lb typed as kg, a digit dropped, 1 rep for 10)",
                              deload_every=(4, 7), slip_rate=0.02),
    "noisy": LiftSpec("session noise 6-9% of the 1RM", noise_pct=(6.0, 9.0)),
    "once_a_week": LiftSpec("each main lift once a week, 10-25% of weeks missed",
                            once_a_week=True, missed_week=(0.10, 0.25)),
    "mixed": LiftSpec("every trainee drawn from one of the other lift scenarios"),
}

SIZE_DESCRIPTIONS = {
    "size_growing": "limb girths growing 0.02-0.08 cm/week (arm) with diminishing returns; truth growing",
    "size_grow_then_stop": "girths grew, then stopped 8-20 weeks before the last log (1-3 week easing); truth flat",
    "size_flat": "girths flat the whole log, waist and bodyweight wandering; truth flat",
    "size_fat_gain": "waist up 0.08-0.2 cm/week, limb girths up slowly (fat); truth flat",
    "size_shrinking": "limb girths falling 0.02-0.08 cm/week (arm), waist and bodyweight down; truth shrinking",
}

BLOCK_SPEC = LiftSpec("hypertrophy 8-12 reps <-> strength 1-5 reps blocks of 3-12 weeks, deload weeks after ~40%; "
                      "1RM faster in strength blocks, limb girths growing in hypertrophy blocks; girths every "
                      "1-3 weeks; 30-80 weeks", weeks=(30, 80), block_weeks=(3, 12), rep_ranges=((8, 12), (1, 5)))
BLOCK_DESCRIPTIONS = {"block_response": BLOCK_SPEC.description}
"""Scored per block and goal (benchmarks/block_response.py), apart from SCENARIOS (the trend and size grid)."""

SCENARIOS: dict[str, str] = {**{k: v.description for k, v in LIFT_SPECS.items()}, **SIZE_DESCRIPTIONS}
LIFT_SCENARIOS = tuple(LIFT_SPECS)
SIZE_SCENARIOS = tuple(SIZE_DESCRIPTIONS)
BLOCK_SCENARIOS = tuple(BLOCK_DESCRIPTIONS)
DEFAULT_TRAINEES = {**{k: 60 for k in (*LIFT_SCENARIOS, *BLOCK_SCENARIOS)}, **{k: 200 for k in SIZE_SCENARIOS}}

FIRST_NAMES = {"M": ("Aaron", "Bo", "Cem", "Dario", "Emil", "Finn", "Gus", "Hugo", "Ilya", "Jun", "Kofi", "Luca"),
               "F": ("Alma", "Bette", "Cora", "Dina", "Edda", "Fay", "Gaia", "Hedy", "Iris", "Juno", "Kira", "Lena")}


def generate(scenario: str, seed: int, n_trainees: int | None = None) -> tuple[dict[str, pl.DataFrame], dict]:
    """The canonical tables (sets, body, trainees) of one scenario (of SCENARIOS or
    BLOCK_SCENARIOS) and seed, and their truth."""
    if scenario not in DEFAULT_TRAINEES:
        raise ValueError(f"unknown scenario {scenario!r}; known: {', '.join(DEFAULT_TRAINEES)}")
    n = DEFAULT_TRAINEES[scenario] if n_trainees is None else n_trainees
    rng = np.random.default_rng([seed, zlib.crc32(scenario.encode())])
    acc = _Rows()
    people, truths = [], {}
    for i in range(n):
        tid = f"{scenario}-{i + 1:03d}"
        if scenario in LIFT_SPECS:
            conditions = scenario
            if scenario == "mixed":
                conditions = LIFT_SCENARIOS[int(rng.integers(0, len(LIFT_SCENARIOS) - 1))]
            person, truth = _lift_trainee(rng, LIFT_SPECS[conditions], i, tid, acc)
            truth["conditions"] = conditions
        elif scenario in BLOCK_DESCRIPTIONS:
            person, truth = _block_trainee(rng, i, tid, acc)
        else:
            person, truth = _size_trainee(rng, scenario, i, tid, acc)
        truth["scenario"] = scenario
        people.append(person)
        truths[tid] = truth
    ids = [p[0] for p in people]
    tables = {"sets": acc.sets(ids), "body": acc.body(ids),
              "trainees": pl.DataFrame(people, schema=synth.TRAINEES_OUT, orient="row")}
    first = min(dt.date.fromisoformat(t["start"]) for t in truths.values())
    last = max(dt.date.fromisoformat(t["last_day"]) for t in truths.values())
    meta = {"seed": seed, "scenario": scenario, "start": first.isoformat(), "end": last.isoformat(),
            "rope_pct_per_week": ROPE_PCT_PER_WEEK, "size_rope_cm_per_week": SIZE_ROPE_CM_PER_WEEK,
            "trainees": truths}
    return tables, meta


# --------------------------------------------------------------------------
# Row accumulation (numpy columns, one DataFrame at the end)
# --------------------------------------------------------------------------

_EPOCH = dt.date(1970, 1, 1).toordinal()


class _Rows:
    def __init__(self) -> None:
        self.s: dict[str, list[np.ndarray]] = {k: [] for k in
                                               ("who", "day", "hour", "minute", "ex", "index", "type", "kg", "reps", "rpe")}
        self.b: dict[str, list[np.ndarray]] = {k: [] for k in ("who", "day", "measure", "value")}

    def add_sets(self, **cols: np.ndarray) -> None:
        for k, v in cols.items():
            self.s[k].append(v)

    def add_body(self, **cols: np.ndarray) -> None:
        for k, v in cols.items():
            self.b[k].append(v)

    def sets(self, ids: list[str]) -> pl.DataFrame:
        c = {k: np.concatenate(v) if v else np.zeros(0) for k, v in self.s.items()}
        date = pl.Series("date", c["day"].astype(np.int32)).cast(pl.Date)
        frame = pl.DataFrame({
            "trainee_id": pl.Series(ids, dtype=pl.String).gather(c["who"].astype(np.int64)),
            "date": date,
            "hour": c["hour"].astype(np.int32), "minute": c["minute"].astype(np.int32),
            "exercise": pl.Series(EXERCISES, dtype=pl.String).gather(c["ex"].astype(np.int64)),
            "set_index": c["index"].astype(np.int64),
            "set_type": pl.Series(SET_TYPES, dtype=pl.String).gather(c["type"].astype(np.int64)),
            "weight_kg": c["kg"].astype(np.float64), "reps": c["reps"].astype(np.int64),
            "rpe": c["rpe"].astype(np.float64),
        })
        session = pl.concat_str([pl.col("date").dt.strftime("%Y-%m-%d"), pl.lit(" "),
                                 pl.col("hour").cast(pl.String).str.zfill(2), pl.lit(":"),
                                 pl.col("minute").cast(pl.String).str.zfill(2)])
        return frame.with_columns(session.alias("session_id"), pl.col("rpe").fill_nan(None)).select(
            [pl.col(k).cast(v) for k, v in synth.SETS_OUT.items()])

    def body(self, ids: list[str]) -> pl.DataFrame:
        c = {k: np.concatenate(v) if v else np.zeros(0) for k, v in self.b.items()}
        measures = ("bodyweight_kg", *GIRTHS)
        return pl.DataFrame({
            "trainee_id": pl.Series(ids, dtype=pl.String).gather(c["who"].astype(np.int64)),
            "date": pl.Series(c["day"].astype(np.int32)).cast(pl.Date),
            "measure": pl.Series(measures, dtype=pl.String).gather(c["measure"].astype(np.int64)),
            "value": c["value"].astype(np.float64),
        }).select([pl.col(k).cast(v) for k, v in synth.BODY_OUT.items()])


# --------------------------------------------------------------------------
# Trainees
# --------------------------------------------------------------------------


def _loguniform(rng: np.random.Generator, lo: float, hi: float) -> float:
    return float(np.exp(rng.uniform(math.log(lo), math.log(hi))))


def _person(rng: np.random.Generator, tid: str, experience: str) -> tuple[tuple, str, float]:
    sex = "F" if rng.random() < 0.4 else "M"
    height = float(np.round(rng.normal(178 if sex == "M" else 165, 6.5), 1))
    bodyweight = float(np.clip(rng.normal(82 if sex == "M" else 64, 9), 45, 140))
    name = f"{FIRST_NAMES[sex][int(rng.integers(0, 12))]} {chr(65 + int(rng.integers(0, 26)))}."
    goal = ("strength", "hypertrophy", "general")[int(rng.integers(0, 3))]
    return (tid, name, sex, int(rng.integers(1968, 2007)), height, goal, experience), sex, bodyweight


def _timeline(rng: np.random.Generator, weeks: tuple[int, int]) -> tuple[dt.date, int, int]:
    """First day (a Monday), number of weeks, last day a session may fall on (day index)."""
    n_weeks = int(rng.integers(weeks[0], weeks[1] + 1))
    final = END - dt.timedelta(days=int(rng.integers(0, 3)))
    start = final - dt.timedelta(weeks=n_weeks) + dt.timedelta(days=1)
    start -= dt.timedelta(days=start.weekday())
    return start, n_weeks + 1, (final - start).days


def _sessions(rng, spec: LiftSpec, n_weeks: int, final: int) -> tuple[np.ndarray, int]:
    per_week = int(rng.choice(spec.per_week))
    if spec.once_a_week:
        per_week = int(rng.choice([1, 2]))
    patterns = WEEKDAYS[per_week]
    weekdays = np.array(patterns[int(rng.integers(0, len(patterns)))])
    days = (np.arange(n_weeks)[:, None] * 7 + weekdays[None, :]).ravel()
    week = days // 7
    keep = days <= final
    off = np.zeros(n_weeks, dtype=bool)
    for _ in range(int(rng.poisson(n_weeks / 30))):  # holidays, illness: 1-3 weeks off
        first = int(rng.integers(1, max(n_weeks - 1, 2)))
        off[first:first + int(rng.integers(1, 4))] = True
    off |= rng.random(n_weeks) < rng.uniform(*spec.missed_week)
    off[-1] = False  # the log runs to the end
    keep &= ~off[week] & (rng.random(days.size) >= rng.uniform(*spec.missed_session))
    days = days[keep]
    if days.size == 0 or days[-1] < final - 6:
        days = np.append(days, final)
    return np.unique(days), per_week


def _blocks(rng, spec: LiftSpec, last: int) -> tuple[np.ndarray, list[tuple[int, int, int]]]:
    """Block kind per week and the blocks as (kind, first day, last day)."""
    n_weeks = last // 7 + 1
    kinds = np.empty(n_weeks, dtype=np.int8)
    kind, w = int(rng.integers(0, 2)), 0
    stop = n_weeks - int(rng.integers(1, 3)) if spec.switches else n_weeks  # switches: a short final block
    while w < stop:
        if spec.switches:
            length = min(int(rng.integers(2, 6)), stop - w)
        elif spec.block_weeks:
            length = int(rng.integers(spec.block_weeks[0], spec.block_weeks[1] + 1))
        else:
            length = int(rng.integers(4, 9) if kind == HYP else rng.integers(3, 7))
        kinds[w:w + length] = kind
        w += length
        if spec.deload_every is None and not spec.switches and w < n_weeks and rng.random() < 0.4:
            kinds[w] = DELOAD
            w += 1
        kind = 1 - kind
    if spec.switches:
        kinds[stop:] = 1 - kinds[stop - 1] if stop > 0 else kind
    if spec.deload_every is not None:
        w = int(rng.integers(spec.deload_every[0] - 1, spec.deload_every[1]))
        while w < n_weeks:
            kinds[w] = DELOAD
            w += int(rng.integers(spec.deload_every[0], spec.deload_every[1] + 1))
    edges = np.flatnonzero(np.diff(kinds)) + 1
    starts = np.r_[0, edges]
    ends = np.r_[edges, n_weeks] - 1
    blocks = [(int(kinds[s]), int(s) * 7, min(int(e) * 7 + 6, last)) for s, e in zip(starts, ends)]
    return kinds, blocks


# --------------------------------------------------------------------------
# True 1RM paths
# --------------------------------------------------------------------------

PER_DAY = 1 / 700  # %/week -> log units per day
MAX_GAIN = math.log(3.5)


def _smooth(rate: np.ndarray, width_days: float) -> np.ndarray:
    """Ease every change of rate in over ``width_days`` (Hann window, edges held)."""
    half = max(int(round(width_days / 2)), 1)
    window = np.hanning(2 * half + 3)[1:-1]
    window /= window.sum()
    padded = np.r_[np.full(half, rate[0]), rate, np.full(half, rate[-1])]
    return np.convolve(padded, window, mode="valid")


def _returns(rng, d: np.ndarray, a_max: float) -> np.ndarray:
    """Diminishing returns: a factor decaying from 1 + a towards 1 over 6-40 weeks."""
    a, tau = rng.uniform(0, a_max), rng.uniform(6, 40) * 7
    return 1 + a * np.exp(-(d - d[0]) / tau) if d.size else np.zeros(0)


def _progress(rng, d: np.ndarray, r_pct: float, a_max: float) -> np.ndarray:
    """A progress rate (log units a day) of r %/week with diminishing returns."""
    return r_pct * PER_DAY * _returns(rng, d, a_max)


def _draw_rate(rng, cls: str, last: int, change_weeks: tuple[int, int],
               change: int | None) -> tuple[np.ndarray, int | None, str]:
    """Daily log-rate (before easing) of a path of class ``cls``, the change day and the shape."""
    n = last + 1
    d = np.arange(n, dtype=float)
    rate = np.zeros(n)

    def hist(upto: int) -> None:  # the history before a change: progress, maybe with an earlier stall or dip
        rate[:upto] = _progress(rng, d[:upto], _loguniform(rng, 0.1, 1.5), 2.0)
        if upto > 20 * 7 and rng.random() < 0.25:
            a = int(rng.integers(upto // 4, upto // 2))
            b = min(a + int(rng.integers(3, 11)) * 7, upto - 28)
            if b > a:
                rate[a:b] = rng.uniform(-0.05, 0.05) * PER_DAY if rng.random() < 0.6 else \
                    -_loguniform(rng, 0.2, 1.0) * PER_DAY

    if cls == "progressing":
        room = last // 7 - 8
        if room >= 6 and rng.random() < 0.35:
            c = last - 7 * int(rng.integers(6, min(40, room) + 1)) - int(rng.integers(0, 7))
            pause = int(rng.integers(3, 17)) * 7
            p0 = max(c - pause, 0)
            hist(p0)
            dip = rng.random() < 0.4
            rate[p0:c] = (-_loguniform(rng, 0.2, 1.2) if dip else rng.uniform(-0.05, 0.05)) * PER_DAY
            rate[c:] = _progress(rng, d[c:], _loguniform(rng, 0.1, 1.5), 1.5)
            return rate, c, "resumed_after_dip" if dip else "resumed_after_stall"
        rate[:] = _progress(rng, d, _loguniform(rng, 0.1, 1.5), 3.0)
        return rate, None, "since_start"
    c = change if change is not None else last - int(rng.integers(7 * change_weeks[0], 7 * change_weeks[1] + 1))
    c = int(np.clip(c, last - 7 * change_weeks[1], last - 7 * change_weeks[0]))
    shape = "progress_then_" + cls
    lead = int(rng.integers(3, 11)) * 7
    if cls == "plateau":
        if rng.random() < 0.15 and c - lead > 28:
            hist(c - lead)
            rate[c - lead:c] = -_loguniform(rng, 0.3, 1.5) * PER_DAY
            shape = "decline_then_plateau"
        else:
            hist(c)
        rate[c:] = rng.uniform(-0.07, 0.07) * PER_DAY
    else:
        if rng.random() < 0.3 and c - lead > 28:
            hist(c - lead)
            rate[c - lead:c] = rng.uniform(-0.05, 0.05) * PER_DAY
            shape = "plateau_then_decline"
        else:
            hist(c)
        r_d, a, tau = _loguniform(rng, 0.25, 1.5), rng.uniform(0, 1), rng.uniform(2, 10) * 7
        rate[c:] = -r_d * PER_DAY * (1 + a * np.exp(-(d[c:] - c) / tau))
    return rate, c, shape


def _knot_days(last: int) -> np.ndarray:
    return np.unique(np.r_[0, np.arange(last, -1, -7)])


def _status(rate_pct: float, rope: float) -> str:
    return "progressing" if rate_pct > rope else "declining" if rate_pct < -rope else "plateau"


def _cap_gain(rate: np.ndarray) -> np.ndarray:
    """Scale the gains of a daily log-rate (in place) so that the 1RM at most 3.5-folds."""
    positive = rate[rate > 0].sum()
    if positive > MAX_GAIN:
        rate[rate > 0] *= MAX_GAIN / positive
    return rate


def _lift_path(rng, cls: str, last: int, one_rm0: float, change_weeks: tuple[int, int],
               change: int | None) -> tuple[np.ndarray, int | None, str, float]:
    """Daily log 1RM (days 0..last) whose true current rate falls in class ``cls``."""
    knots = _knot_days(last)
    for _ in range(200):
        rate, c, shape = _draw_rate(rng, cls, last, change_weeks, change)
        _cap_gain(rate)
        eased = _smooth(rate, rng.uniform(7, 21))
        log_path = math.log(one_rm0) + np.r_[0.0, np.cumsum(eased[:-1])]
        # the label is read off the knots, exactly as a reader of the truth would
        k = np.log(np.exp(log_path[knots]))
        current = 100 * (k[-1] - k[np.searchsorted(knots, last - RATE_WINDOW_DAYS)]) / 3
        if _status(current, ROPE_PCT_PER_WEEK) == cls:
            return log_path, c, shape, float(current)
    raise RuntimeError(f"could not draw a {cls} path")


def _simple_path(rng, last: int, one_rm0: float) -> np.ndarray:
    rate = _cap_gain(_progress(rng, np.arange(last + 1, dtype=float), _loguniform(rng, 0.05, 0.8), 1.0))
    return math.log(one_rm0) + np.r_[0.0, np.cumsum(rate[:-1])]


# --------------------------------------------------------------------------
# A lifter's log
# --------------------------------------------------------------------------


def _plates(load: np.ndarray, step: np.ndarray, floor: np.ndarray) -> np.ndarray:
    return np.maximum(np.maximum(np.round(load / step), 1) * step, floor)


def _start_one_rm(rng, experience: str, sex: str, bodyweight: float) -> np.ndarray:
    """Starting 1RM (kg) of the main lifts, then the accessories."""
    ratios = START_RATIO[experience]
    female = int(sex == "F")
    one_rm0 = np.array([max(ratios[j][female] * bodyweight * rng.uniform(0.85, 1.15), MIN_1RM[j]) for j in range(4)])
    return np.r_[one_rm0, [max(f * one_rm0[BENCH] * rng.uniform(0.85, 1.15), 8.0) for f in ACCESSORY_OF_BENCH]]


def _log_sets(rng, spec: LiftSpec, who: int, acc: _Rows, start: dt.date, sess_day: np.ndarray, per_week: int,
              kinds: np.ndarray, blocks: list[tuple[int, int, int]], paths: np.ndarray, bodyweight: float,
              drop: int | None) -> dict:
    """Log a lifter's sets from their true log 1RM paths (exercise x day) and blocks; the log's truth."""
    n_days = int(sess_day[-1]) + 1
    # --- readiness: AR(1) over days, shared by the lifts; lift-specific session noise; bad days
    noise = rng.uniform(*spec.noise_pct) / 100
    share = rng.uniform(0.3, 0.7)
    s_ready, s_lift = noise * math.sqrt(share), noise * math.sqrt(1 - share)
    phi = math.exp(-1 / rng.uniform(2, 10))
    ready = lfilter([1.0], [1.0, -phi], rng.normal(0, s_ready * math.sqrt(1 - phi * phi), n_days + 60))[60:]
    bad = np.where(rng.random(sess_day.size) < 0.02, -rng.uniform(0.05, 0.12, sess_day.size), 0.0)

    # --- the sessions' exercises
    templates = (ONCE_TEMPLATES if spec.once_a_week else TEMPLATES)[per_week]
    if drop is not None:
        templates = [[e for e in t if e != drop] for t in templates]
    width = max(len(t) for t in templates)
    grid = np.full((len(templates), width), -1)
    for i, t in enumerate(templates):
        grid[i, :len(t)] = t
    slot = np.arange(sess_day.size) % len(templates)
    ex_grid = grid[slot]
    e_sess = np.repeat(np.arange(sess_day.size), width)[ex_grid.ravel() >= 0]
    e_ex = ex_grid.ravel()[ex_grid.ravel() >= 0]
    e_day = sess_day[e_sess]
    n_e = e_ex.size
    main = e_ex < 4

    # --- blocks: rep targets and reps in reserve
    week_kind = kinds[e_day // 7]
    block_of_week = np.cumsum(np.r_[0, np.diff(kinds) != 0])
    n_blocks = int(block_of_week[-1]) + 1
    e_block = block_of_week[e_day // 7]
    block_kind = np.array([b[0] for b in blocks])
    hyp_range, str_range = spec.rep_ranges
    b_target = np.where(block_kind == HYP, rng.integers(hyp_range[0], hyp_range[1] + 1, n_blocks),
                        np.where(block_kind == STR, rng.integers(str_range[0], str_range[1] + 1, n_blocks),
                                 rng.integers(5, 9, n_blocks)))
    b_rir = np.where(block_kind == DELOAD, rng.uniform(4, 6, n_blocks), rng.uniform(1, 3, n_blocks))
    b_sets = np.where(block_kind == HYP, rng.integers(3, 5, n_blocks),
                      np.where(block_kind == STR, rng.integers(3, 6, n_blocks), 2))
    lo = np.where(week_kind == HYP, hyp_range[0], np.where(week_kind == STR, str_range[0], 5))
    hi = np.where(week_kind == HYP, hyp_range[1], np.where(week_kind == STR, str_range[1], 8))
    jitter = np.where(rng.random(n_e) < 0.3, rng.integers(-2, 3, n_e), 0)
    target = np.clip(b_target[e_block] + jitter, lo, hi)
    target = np.where(main, target, rng.integers(8, 16, n_e))
    if spec.session_rir:
        rir = np.where(week_kind == DELOAD, rng.uniform(4, 6, n_e), rng.uniform(0, 4, sess_day.size)[e_sess])
    else:
        rir = np.clip(b_rir[e_block] + rng.normal(0, 0.5, n_e), 0, 6)
    n_work = np.where(main, b_sets[e_block], np.where(week_kind == DELOAD, 2, 3))

    # --- the lifter's rep capacity relation and load choice
    a_rel = rng.uniform(24, 40) * rng.uniform(0.85, 1.15, 8)
    g_rel = rng.uniform(0.8, 1.25) * rng.uniform(0.93, 1.07, 8)
    lag = int(rng.integers(0, 15))
    belief_err = rng.normal(0, 0.03, (n_blocks, 8))
    today = paths[e_ex, e_day] + ready[e_day] + bad[e_sess] + rng.normal(0, s_lift, n_e)
    feel = rng.uniform(0.4, 1.0)  # how much of the day's readiness the lifter feels and loads for
    belief = (paths[e_ex, np.maximum(e_day - lag, 0)] + belief_err[e_block, e_ex]
              + feel * (today - paths[e_ex, e_day]))
    reps_planned = np.maximum(target + rir, 1.0)
    pct = 1 / (1 + ((reps_planned - 1) / a_rel[e_ex]) ** (1 / g_rel[e_ex]))
    unit_lb = rng.random() < 0.2
    micro = rng.random() < 0.25
    step = np.full(n_e, 5 * LB if unit_lb else (1.25 if micro else 2.5))
    step[e_ex == CURL] = 5 * LB if unit_lb else 2.0
    bar = np.where(np.isin(e_ex, (SQUAT, BENCH, DEAD, OHP, ROW, RDL)), 45 * LB if unit_lb else 20.0, 0.0)
    load = _plates(np.exp(belief) * pct, step, bar)

    # --- sets: warm-ups then working sets
    heavy = np.exp(belief) / bodyweight
    n_warm = np.where(main, np.clip(np.round(1 + heavy * 1.5 + rng.normal(0, 0.7, n_e)), 1, 4), 0).astype(int)
    n_warm = np.where(week_kind == DELOAD, np.minimum(n_warm, 2), n_warm)
    if rng.random() < 0.2:  # some barely warm up
        n_warm = np.minimum(n_warm, 1)
    per_entry = n_warm + n_work
    s_e = np.repeat(np.arange(n_e), per_entry)
    first = np.r_[0, np.cumsum(per_entry)[:-1]]
    j = np.arange(s_e.size) - first[s_e]
    warm = j < n_warm[s_e]
    k = j - n_warm[s_e]
    frac_table = np.zeros((5, 4))
    reps_table = np.zeros((5, 4), dtype=int)
    for nw in range(1, 5):
        frac_table[nw, :nw] = WARM_FRAC[nw]
        reps_table[nw, :nw] = WARM_REPS[nw]
    jw = np.clip(j, 0, 3)
    warm_load = _plates(frac_table[n_warm[s_e], jw] * load[s_e], step[s_e], bar[s_e])
    warm_load = np.minimum(warm_load, load[s_e])
    weight = np.where(warm, warm_load, load[s_e])
    p = load[s_e] / np.exp(today[s_e])
    fatigue = rng.uniform(0.2, 0.6)
    ratio = np.maximum(1 / p - 1, 0)
    capacity = np.where(p < 1, 1 + a_rel[e_ex[s_e]] * ratio ** g_rel[e_ex[s_e]], 1 - 30 * (p - 1))
    capacity = capacity - fatigue * np.maximum(k, 0) + rng.normal(0, 0.25, s_e.size)
    amrap = (rng.random() < 0.3) & (k == n_work[s_e] - 1) & (week_kind[s_e] != DELOAD) & main[s_e]
    work_reps = np.where(amrap, np.floor(capacity), np.minimum(target[s_e], np.floor(capacity)))
    reps = np.where(warm, reps_table[n_warm[s_e], jw], work_reps).astype(int)
    keep = reps >= 1
    flags = rng.random() < 0.65
    set_type = np.where(warm, 1 if flags else 0, 0)
    set_type = np.where(~warm & (capacity - reps < 0.5) & (rng.random(s_e.size) < 0.3), 2, set_type)
    logs_rpe = rng.random() < spec.rpe_share
    rating_err = rng.uniform(*spec.rating_err)
    rpe = 10 - (capacity - reps) + rng.uniform(-0.7, 0.7) + rng.normal(0, rating_err, s_e.size)
    rpe = np.clip(np.round(rpe * 2) / 2, 5, 10)
    rpe = np.where(~warm & logs_rpe & (rng.random(s_e.size) < 0.85), rpe, np.nan)
    if unit_lb:
        weight = np.round(weight, 4)

    # --- logging slips: lb typed as kg, a digit dropped, 1 rep for 10
    if spec.slip_rate:
        slip = rng.random(s_e.size) < spec.slip_rate
        kind = rng.integers(0, 3, s_e.size)
        as_lb = slip & (kind == 0) & (weight / LB <= 1000)
        digit = slip & ((kind == 1) | ((kind == 0) & ~as_lb)) & (weight >= 10)
        rep_slip = slip & (kind == 2)
        weight = np.where(as_lb, np.round(weight / LB), np.where(digit, np.round(weight / 10, 2), weight))
        reps = np.where(rep_slip, np.where(reps >= 10, reps // 10, reps + 10), reps)

    s_e, weight, reps, set_type, rpe = s_e[keep], weight[keep], reps[keep], set_type[keep], rpe[keep]
    sess = e_sess[s_e]
    run_start = np.r_[0, np.flatnonzero(np.diff(sess)) + 1]
    index = np.arange(sess.size) - np.repeat(run_start, np.diff(np.r_[run_start, sess.size]))
    hour = rng.integers(6, 21, sess_day.size)
    minute = rng.integers(0, 60, sess_day.size)
    base = start.toordinal() - _EPOCH
    acc.add_sets(who=np.full(sess.size, who), day=base + sess_day[sess], hour=hour[sess], minute=minute[sess],
                 ex=e_ex[s_e], index=index, type=set_type, kg=weight, reps=reps, rpe=rpe)
    return {"unit": "lb" if unit_lb else "kg", "logs_rpe": bool(logs_rpe), "flags_warmups": bool(flags),
            "sessions_per_week": per_week, "noise_pct": round(noise * 100, 2)}


def _lift_trainee(rng, spec: LiftSpec, who: int, tid: str, acc: _Rows) -> tuple[tuple, dict]:
    start, n_weeks, final = _timeline(rng, spec.weeks)
    sess_day, per_week = _sessions(rng, spec, n_weeks, final)
    last = int(sess_day[-1])
    n_days = last + 1
    kinds, blocks = _blocks(rng, spec, last)

    # --- who the lifter is
    classes = rng.choice(3, size=4, p=CLASS_MIX)
    shared_change = None
    if rng.random() < 0.4:  # the lifts move together (a cut, an injury, a new programme)
        classes[:] = classes[0]
        shared_change = last - int(rng.integers(7 * spec.change_weeks[0], 7 * spec.change_weeks[1] + 1))
    drop = None
    if rng.random() < 0.12:
        drop = (OHP, DEAD)[int(rng.integers(0, 2))]

    # --- true 1RM paths (log kg per day), main lifts first
    experience = ("novice", "intermediate", "advanced")[int(rng.choice(3, p=[0.35, 0.4, 0.25]))]
    person, sex, bodyweight = _person(rng, tid, experience)
    one_rm0 = _start_one_rm(rng, experience, sex, bodyweight)
    paths = np.empty((8, n_days))
    lift_truth = {}
    for j in range(4):
        cls = CLASSES[int(classes[j])]
        change = None if shared_change is None else shared_change + int(rng.integers(-10, 11))
        log_path, c, shape, current = _lift_path(rng, cls, last, one_rm0[j], spec.change_weeks, change)
        paths[j] = log_path
        if j == drop:
            continue
        since = (start + dt.timedelta(days=c)).isoformat() if c is not None else None
        knots = _knot_days(last)
        lift_truth[MAIN[j]] = {
            "status": cls, "change_since": since, "plateau_since": since if cls == "plateau" else None,
            "rate_pct_per_week": round(current, 4), "shape": shape,
            "path": [[(start + dt.timedelta(days=int(k))).isoformat(), float(np.exp(paths[j, k]))] for k in knots],
        }
    for j in range(4, 8):
        paths[j] = _simple_path(rng, last, one_rm0[j])

    logged = _log_sets(rng, spec, who, acc, start, sess_day, per_week, kinds, blocks, paths, bodyweight, drop)

    # --- bodyweight for most (no girths: size is scored on the size scenarios)
    base = start.toordinal() - _EPOCH
    if rng.random() < 0.6:
        days = np.flatnonzero(rng.random(n_days) < rng.uniform(0.3, 0.7))
        wobble = lfilter([1.0], [1.0, -0.9], rng.normal(0, 0.25, n_days))
        value = bodyweight + rng.uniform(-0.05, 0.05) * np.arange(n_days) / 7 + wobble + rng.normal(0, 0.3, n_days)
        acc.add_body(who=np.full(days.size, who), day=base + days, measure=np.zeros(days.size, dtype=int),
                     value=np.round(value[days], 1))

    truth = {
        "sex": sex, "experience": experience, **logged,
        "start": start.isoformat(), "last_day": (start + dt.timedelta(days=last)).isoformat(),
        "blocks": [{"kind": KINDS[kd], "start": (start + dt.timedelta(days=a)).isoformat(),
                    "end": (start + dt.timedelta(days=b)).isoformat()} for kd, a, b in blocks],
        "lifts": lift_truth,
        "size": {"status": "insufficient_data", "scenario": "none", "flat_since": None, "change_per_week": {}},
    }
    return person, truth


# --------------------------------------------------------------------------
# Size
# --------------------------------------------------------------------------

BASE_GIRTH = {"M": (36.0, 104.0, 57.0, 84.0), "F": (29.0, 92.0, 55.0, 72.0)}
TAPE_SCALE = (1.0, 1.4, 1.2, 1.3)


def _size_rates(rng, scenario: str, n_days: int) -> tuple[np.ndarray, int | None, str]:
    """Daily rate (cm/day; bodyweight kg/day) of arm, chest, thigh, waist, bodyweight; flat-since day."""
    d = np.arange(n_days, dtype=float)
    rate = np.zeros((5, n_days))
    chest, thigh = rng.uniform(1.8, 3.0), rng.uniform(1.2, 2.0)

    def grow(sl: slice, sign: float) -> None:
        arm = _loguniform(rng, 0.02, 0.08)
        shape = 1 + rng.uniform(0, 1.5) * np.exp(-(d[sl] - d[sl][0]) / (rng.uniform(8, 40) * 7))
        for m, f in enumerate((1.0, chest, thigh)):
            rate[m, sl] = sign * arm * f * shape / 7
        rate[3, sl] = (rng.uniform(-0.01, 0.04) if sign > 0 else -rng.uniform(0.02, 0.1)) / 7
        rate[4, sl] = sign * rng.uniform(0.05, 0.3) / 7

    def flat(sl: slice) -> None:
        for m in range(3):
            rate[m, sl] = rng.uniform(-0.003, 0.003) / 7
        rate[3, sl] = rng.uniform(-0.02, 0.02) / 7
        rate[4, sl] = rng.uniform(-0.05, 0.05) / 7

    stop = None
    if scenario == "size_growing":
        grow(slice(None), 1.0)
    elif scenario == "size_shrinking":
        grow(slice(None), -1.0)
    elif scenario == "size_flat":
        flat(slice(None))
    elif scenario == "size_grow_then_stop":
        stop = n_days - 1 - int(rng.integers(8 * 7, 20 * 7 + 1))
        grow(slice(0, stop), 1.0)
        flat(slice(stop, None))
    elif scenario == "size_fat_gain":
        arm = rng.uniform(0.004, 0.015)
        for m, f in enumerate((1.0, chest, thigh)):
            rate[m] = arm * f / 7
        rate[3] = rng.uniform(0.08, 0.2) / 7
        rate[4] = rng.uniform(0.2, 0.5) / 7
    width = rng.uniform(7, 21)
    return np.vstack([_smooth(r, width) for r in rate]), stop, scenario.removeprefix("size_")


def _level(rate: np.ndarray) -> np.ndarray:
    """Daily rates (series x day) summed into the change since day 0."""
    return np.cumsum(np.c_[np.zeros(rate.shape[0]), rate[:, :-1]], axis=1)


def _log_bodyweight(rng, who: int, acc: _Rows, base: int, weight: np.ndarray) -> None:
    """Bodyweight (true, kg per day) several times a week: water weight (AR) + scale noise."""
    n_days = weight.size
    days = np.flatnonzero(rng.random(n_days) < rng.uniform(0.4, 0.85))
    water = lfilter([1.0], [1.0, -0.8], rng.normal(0, 0.3, n_days))
    acc.add_body(who=np.full(days.size, who), day=base + days, measure=np.zeros(days.size, dtype=int),
                 value=np.round(weight[days] + water[days] + rng.normal(0, 0.25, days.size), 1))


def _log_girths(rng, who: int, acc: _Rows, base: int, girths: np.ndarray) -> None:
    """Girths (true, cm, GIRTHS x day) every 1-3 weeks on a fixed weekday, some skipped, the last near the end."""
    last = girths.shape[1] - 1
    every = int(rng.integers(1, 4))
    when = np.arange(last - 7 * every * (last // (7 * every)), last + 1, 7 * every)
    when = when + rng.integers(-1, 2, when.size)
    when = np.unique(np.clip(when[rng.random(when.size) >= 0.12], 0, last))
    tape = rng.uniform(0.2, 0.6)
    day_effect = rng.normal(0, 0.12, when.size)
    coarse = 0.5 if rng.random() < 0.3 else 0.1
    for m in range(4):
        value = girths[m, when] + day_effect + rng.normal(0, tape * TAPE_SCALE[m], when.size)
        acc.add_body(who=np.full(when.size, who), day=base + when, measure=np.full(when.size, m + 1),
                     value=np.round(value / coarse) * coarse)


def _size_trainee(rng, scenario: str, who: int, tid: str, acc: _Rows) -> tuple[tuple, dict]:
    start, n_weeks, final = _timeline(rng, (20, 100))
    last = final
    n_days = last + 1
    experience = ("novice", "intermediate", "advanced")[int(rng.choice(3, p=[0.4, 0.4, 0.2]))]
    person, sex, bodyweight = _person(rng, tid, experience)
    base = start.toordinal() - _EPOCH
    rate, stop, name = _size_rates(rng, scenario, n_days)
    level = _level(rate)
    girth0 = np.array(BASE_GIRTH[sex]) * rng.uniform(0.92, 1.08, 4)
    girths = girth0[:, None] + level[:4]
    weight = bodyweight + level[4]

    _log_bodyweight(rng, who, acc, base, weight)
    measured = rng.random() >= 0.05
    if measured:
        _log_girths(rng, who, acc, base, girths)

    # a light weekly log so the trainee has an as-of date: squat and bench, 2 sets of 5
    sess = np.arange(last, -1, -7)[::-1]
    sess = sess[(rng.random(sess.size) >= 0.1) | (sess == last)]
    one_rm = np.array([ratio[int(sex == "F")] for ratio in START_RATIO[experience][:2]]) * bodyweight
    n = sess.size * 4
    lift = np.tile([SQUAT, SQUAT, BENCH, BENCH], sess.size)
    kg = _plates(one_rm[lift] * 0.8 * np.exp(rng.normal(0, 0.02, n)), np.full(n, 2.5), np.full(n, 20.0))
    acc.add_sets(who=np.full(n, who), day=base + np.repeat(sess, 4), hour=np.full(n, 18), minute=np.zeros(n, int),
                 ex=lift, index=np.tile(np.arange(4), sess.size), type=np.zeros(n, int), kg=kg,
                 reps=np.full(n, 5), rpe=np.full(n, np.nan))

    window = last - RATE_WINDOW_DAYS
    change = {m: float((girths[i, last] - girths[i, window]) / 3) for i, m in enumerate(GIRTHS)}
    change["bodyweight_kg"] = float((weight[last] - weight[window]) / 3)
    limb = float(np.mean([change[m] for m in LIMBS]))
    status = "flat" if name == "fat_gain" else _size_status(limb)
    if not measured:
        status = "insufficient_data"
    truth = {
        "sex": sex, "experience": experience, "start": start.isoformat(),
        "last_day": (start + dt.timedelta(days=last)).isoformat(), "blocks": [], "lifts": {},
        "size": {"status": status, "scenario": name, "measured": measured,
                 "flat_since": (start + dt.timedelta(days=stop)).isoformat() if stop is not None else None,
                 "limb_rate_cm_per_week": round(limb, 5),
                 "change_per_week": {m: round(v, 5) for m, v in change.items()}},
    }
    return person, truth


def _size_status(limb_rate: float) -> str:
    if limb_rate > SIZE_ROPE_CM_PER_WEEK:
        return "growing"
    return "shrinking" if limb_rate < -SIZE_ROPE_CM_PER_WEEK else "flat"


def limb_rate(change_per_week: dict) -> float:
    """The mean true limb-girth rate (cm/week) the size truth is labelled on."""
    return float(np.mean([change_per_week[m] for m in LIMBS]))


# --------------------------------------------------------------------------
# Block response: 1RM and girth rates that depend on the block kind
# --------------------------------------------------------------------------

FUTURE_DAYS = 16 * 7
"""The true paths run on this long after the last log (``future_path``, goals)."""
STRENGTH_PACE = {"novice": (0.5, 2.0), "intermediate": (0.3, 1.2), "advanced": (0.15, 0.6)}
"""Strength-block 1RM rate (%/week, log-uniform) by experience."""
GOAL_STEP = {**{lift: 0.5 for lift in MAIN}, **{m: 0.1 for m in LIMBS}}
"""Goals: the main lifts (kg) and limb girths (cm), targets rounded to these steps."""


def _block_rates(rng, day_kind: np.ndarray, experience: str, last: int) -> tuple[np.ndarray, np.ndarray]:
    """Eased daily rates by block kind: of the main lifts' log 1RM, and of GIRTHS (cm) and bodyweight (kg).

    1RM: hypertrophy blocks at -10 to 50% of the strength-block rate, deloads
    flat, diminishing returns; for 30% of trainees a plateau or a decelerating
    decline of every lift from 3-16 weeks before the last log.
    Girths: limbs grow in hypertrophy blocks (arm 0.03-0.12 cm/week, chest and
    thigh 1.8-3x and 1.2-2x), -10 to 25% of that in strength blocks; bodyweight
    up 0-0.3 kg/week in hypertrophy blocks, -0.15 to 0.15 in strength blocks,
    the waist following it.
    """
    d = np.arange(day_kind.size, dtype=float)
    pace = _loguniform(rng, *STRENGTH_PACE[experience])
    lifts = np.empty((4, d.size))
    for j in range(4):
        strong = pace * rng.uniform(0.7, 1.3)
        by_kind = np.array([strong * rng.uniform(-0.1, 0.5), strong, rng.uniform(-0.1, 0.1)])
        lifts[j] = by_kind[day_kind] * PER_DAY * _returns(rng, d, 1.5)
    if rng.random() < 0.3:
        c = last - int(rng.integers(3 * 7, 16 * 7 + 1))
        if rng.random() < 0.5:
            lifts[:, c:] = rng.uniform(-0.07, 0.07, (4, 1)) * PER_DAY
        else:
            lifts[:, c:] = -_loguniform(rng, 0.25, 1.0) * rng.uniform(0.7, 1.3, (4, 1)) * PER_DAY * _returns(
                rng, d[c:], 1.0)
    for rate in lifts:
        _cap_gain(rate)

    body = np.empty((5, d.size))
    arm = _loguniform(rng, 0.03, 0.12) * np.array([1.0, rng.uniform(-0.1, 0.25), rng.uniform(-0.05, 0.05)])
    growth = arm[day_kind] * _returns(rng, d, 1.5) / 7
    for m, f in enumerate((1.0, rng.uniform(1.8, 3.0), rng.uniform(1.2, 2.0))):
        body[m] = f * growth
    body[4] = np.array([rng.uniform(0, 0.3), rng.uniform(-0.15, 0.15), rng.uniform(-0.1, 0.1)])[day_kind] / 7
    body[3] = body[4] * rng.uniform(0.4, 0.9) + rng.uniform(-0.01, 0.01) / 7
    lift_width, body_width = rng.uniform(7, 21, 2)
    return np.vstack([_smooth(r, lift_width) for r in lifts]), np.vstack([_smooth(r, body_width) for r in body])


def _goals(rng, future: dict[str, list]) -> list[dict]:
    """3-4 goals, each above today's true value. About 3 in 4 are the value 2-16
    weeks on of a measure whose true path rises by two target steps within
    FUTURE_DAYS; the others lie 2-20 steps beyond a measure's 16-week peak."""
    values = {what: np.array([v for _, v in future[what]]) for what in GOAL_STEP}
    free, goals = list(GOAL_STEP), []
    for _ in range(int(rng.integers(3, 5))):
        rising = [w for w in free if values[w].max() - values[w][0] >= 2 * GOAL_STEP[w]]
        reach = bool(rising) and rng.random() < 0.75
        what = str(rng.choice(rising if reach else free))
        free.remove(what)
        v, step = values[what], GOAL_STEP[what]
        aim = v[rng.integers(14, FUTURE_DAYS + 1)] if reach else v.max() + step * rng.integers(2, 21)
        target = round(step * max(round(aim / step), math.floor(v[0] / step) + 1), 1)
        hit = np.flatnonzero(v >= target)
        goals.append({"what": what, "target": target, "true_reach_date": future[what][hit[0]][0] if hit.size else None})
    return goals


def _block_trainee(rng, who: int, tid: str, acc: _Rows) -> tuple[tuple, dict]:
    """A lifter in hypertrophy and strength blocks who logs sets, bodyweight and girths; truth per block, goals."""
    spec = BLOCK_SPEC
    start, n_weeks, final = _timeline(rng, spec.weeks)
    sess_day, per_week = _sessions(rng, spec, n_weeks, final)
    last = int(sess_day[-1])
    n_days = last + 1
    kinds, blocks = _blocks(rng, spec, last)
    experience = ("novice", "intermediate", "advanced")[int(rng.choice(3, p=[0.35, 0.4, 0.25]))]
    person, sex, bodyweight = _person(rng, tid, experience)
    one_rm0 = _start_one_rm(rng, experience, sex, bodyweight)

    # --- true paths over the log and FUTURE_DAYS on, where the last training block's kind goes on
    day_kind = np.r_[kinds[np.arange(n_days) // 7], np.full(FUTURE_DAYS, kinds[kinds != DELOAD][-1])]
    lift_rate, body_rate = _block_rates(rng, day_kind, experience, last)
    log_1rm = np.log(one_rm0[:4, None]) + _level(lift_rate)
    one_rm = np.exp(log_1rm)
    body = np.r_[np.array(BASE_GIRTH[sex]) * rng.uniform(0.92, 1.08, 4), bodyweight][:, None] + _level(body_rate)
    paths = np.r_[log_1rm[:, :n_days], [_simple_path(rng, last, kg) for kg in one_rm0[4:]]]

    logged = _log_sets(rng, spec, who, acc, start, sess_day, per_week, kinds, blocks, paths, bodyweight, None)
    base = start.toordinal() - _EPOCH
    _log_bodyweight(rng, who, acc, base, body[4, :n_days])
    _log_girths(rng, who, acc, base, body[:4, :n_days])

    def iso(day: int) -> str:
        return (start + dt.timedelta(days=int(day))).isoformat()

    knots = np.unique(np.r_[_knot_days(last), [b[1] for b in blocks], [b[2] for b in blocks]])
    ahead = np.arange(last, last + FUTURE_DAYS + 1)
    lifts = {}
    for j, lift in enumerate(MAIN):
        current = 100 * (log_1rm[j, last] - log_1rm[j, last - RATE_WINDOW_DAYS]) / 3
        lifts[lift] = {"status": _status(current, ROPE_PCT_PER_WEEK), "rate_pct_per_week": round(float(current), 4),
                       "path": [[iso(k), float(one_rm[j, k])] for k in knots]}
    future = {**{lift: [[iso(k), float(one_rm[j, k])] for k in ahead] for j, lift in enumerate(MAIN)},
              **{m: [[iso(k), float(body[i, k])] for k in ahead] for i, m in enumerate(GIRTHS)}}
    truth = {
        "sex": sex, "experience": experience, **logged, "start": start.isoformat(), "last_day": iso(last),
        "blocks": [{"kind": KINDS[kd], "start": iso(a), "end": iso(b), "weeks": b // 7 - a // 7 + 1,
                    "one_rm_change_pct": {lift: float(100 * (one_rm[j, b] / one_rm[j, a] - 1))
                                          for j, lift in enumerate(MAIN)},
                    "girth_change_cm": {m: float(body[i, b] - body[i, a]) for i, m in enumerate(GIRTHS)},
                    "bodyweight_change_kg": float(body[4, b] - body[4, a])} for kd, a, b in blocks],
        "lifts": lifts,
        "size": {"path": {m: [[iso(k), float(body[i, k])] for k in knots]
                          for i, m in enumerate((*GIRTHS, "bodyweight_kg"))}},
        "future_path": future,
        "goals": _goals(rng, future),
    }
    return person, truth


# --------------------------------------------------------------------------
# Scoring helpers shared by benchmarks/plateau_accuracy.py and size_accuracy.py
# --------------------------------------------------------------------------

THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95)
ECE_BINS = 10


def with_probabilities(detected: pl.DataFrame, classes: tuple[str, ...]) -> pl.DataFrame:
    """``detected`` with ``p_<class>`` for every class: the detector's own when it
    has them, else one-hot of ``status`` (uniform for ``uncertain``); null when
    the status is ``insufficient_data``."""
    status = pl.col("status")
    out = detected
    if not all(f"p_{c}" in detected.columns for c in classes):
        out = out.with_columns(
            pl.when(status == c).then(1.0).when(status == "uncertain").then(1 / len(classes))
            .when(status.is_in(classes)).then(0.0).otherwise(None).alias(f"p_{c}") for c in classes)
    return out.with_columns(
        pl.when(status == "insufficient_data").then(None).otherwise(pl.col(f"p_{c}")).cast(pl.Float64).alias(f"p_{c}")
        for c in classes)


def top_class(classes: tuple[str, ...]) -> tuple[pl.Expr, pl.Expr]:
    """The argmax class (ties: the first in ``classes``) and its probability."""
    probs = [pl.col(f"p_{c}") for c in classes]
    top_p = pl.max_horizontal(probs)
    top = pl.when(probs[0] == top_p).then(pl.lit(classes[0]))
    for c, p in zip(classes[1:], probs[1:]):
        top = top.when(p == top_p).then(pl.lit(c))
    return top.otherwise(None), top_p


def score(frame: pl.DataFrame, classes: tuple[str, ...]) -> dict:
    """Accuracy and calibration of probabilistic class calls against ``truth``.

    ``frame`` has ``truth``, ``status`` and ``p_<class>`` (null when the status
    is insufficient_data; those series are counted, not scored). Top-class
    accuracy uses the argmax; committed calls are statuses among ``classes``
    (``uncertain`` abstains); ECE over 10 equal-width bins of the top-class
    probability; the Brier score is the multi-class one (sum over classes).
    """
    top, top_p = top_class(classes)
    d = frame.with_columns(top.alias("top"), top_p.alias("top_p"))
    scored = d.filter(pl.col("top").is_not_null())
    n = scored.height
    out: dict = {"n": frame.height, "insufficient": frame.height - n, "scored": n}
    if n == 0:
        return out
    right = (pl.col("top") == pl.col("truth")).cast(pl.Float64)
    committed = scored.filter(pl.col("status").is_in(classes))
    brier = sum((pl.col(f"p_{c}") - (pl.col("truth") == c).cast(pl.Float64)) ** 2 for c in classes)
    bins = (pl.col("top_p") * ECE_BINS).floor().clip(0, ECE_BINS - 1).cast(pl.Int32)
    reliability = (scored.group_by(bins.alias("bin")).agg(pl.len().alias("n"), pl.col("top_p").mean().alias("confidence"),
                                                          right.mean().alias("accuracy")).sort("bin"))
    out.update(
        top_accuracy=scored.select(right.mean()).item(),
        committed_accuracy=committed.select((pl.col("status") == pl.col("truth")).mean()).item() if committed.height else None,
        coverage=committed.height / n,
        recall={c: scored.filter(pl.col("truth") == c).select(right.mean()).item() for c in classes},
        ece=float((reliability["n"] * (reliability["accuracy"] - reliability["confidence"]).abs()).sum() / n),
        brier=scored.select(brier.mean()).item(),
        risk_coverage=[{"threshold": th, "coverage": scored.select((pl.col("top_p") >= th).mean()).item(),
                        "accuracy": scored.filter(pl.col("top_p") >= th).select(right.mean()).item()}
                       for th in THRESHOLDS],
        reliability=reliability.to_dicts(),
        truth_mix={c: scored.select((pl.col("truth") == c).mean()).item() for c in classes},
    )
    return out


def since_errors(frame: pl.DataFrame, since: str, true_since: str = "true_since") -> dict:
    """Median absolute error (weeks) of ``since`` against ``true_since`` and the
    share of true starts inside ``[since_low, since_high]`` (where given)."""
    d = frame.filter(pl.col(since).is_not_null() & pl.col(true_since).is_not_null())
    if d.height == 0:
        return {"n": 0, "median_error_weeks": None, "interval_coverage": None, "interval_n": 0}
    err = ((pl.col(since) - pl.col(true_since)).dt.total_days().abs() / 7).median()
    inside = d.filter(pl.col(f"{since}_low").is_not_null() & pl.col(f"{since}_high").is_not_null())
    coverage = inside.select(pl.col(true_since).is_between(pl.col(f"{since}_low"), pl.col(f"{since}_high")).mean()
                             ).item() if inside.height else None
    return {"n": d.height, "median_error_weeks": d.select(err).item(), "interval_coverage": coverage,
            "interval_n": inside.height}


def benchmark_arguments(description: str, names: tuple[str, ...], default_trainees: int):
    """The command line the grid's benchmarks share: --seeds, --trainees, --scenarios, --json."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--trainees", type=int, default=None,
                        help=f"per scenario (default: the grid's, {default_trainees})")
    parser.add_argument("--scenarios", nargs="+", default=list(names), choices=names)
    parser.add_argument("--json", help="write every figure to this file")
    return parser.parse_args()


def finish_benchmark(figures: dict, args, start: float, timing: dict) -> None:
    """Print a benchmark's time (since ``start``, ``time.perf_counter``) and its
    parts, and write its figures (and how it was run) as JSON to ``args.json``."""
    seconds = time.perf_counter() - start
    timing = {k: round(v, 1) for k, v in timing.items()}
    print(f"time {seconds:.1f} s ({timing})")
    if not args.json:
        return
    figures.update(seeds=args.seeds, trainees=args.trainees, seconds=round(seconds, 1), timing=timing,
                   generated=dt.datetime.now().isoformat(timespec="seconds"))
    with open(args.json, "w") as fh:
        json.dump(figures, fh, indent=1, default=str)
