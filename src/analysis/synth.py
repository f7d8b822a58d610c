"""A synthetic cohort with known ground truth, for demos and for scoring detectors.

Each trainee gets a programme of alternating hypertrophy blocks (8-12 reps,
RPE 7-9, about 65-80% 1RM) and strength blocks (1-6 reps, about 80-92%),
each ending in a deload week; a true 1RM path per lift that progresses,
plateaus from a known date, or declines; and, for most, body measurements
that grow, stay flat, or rise with fat (waist up with the arms).

The log is made as messy as real ones: warm-up sets (not always flagged),
RPE logged by some trainees only and self-rated with ~1 RPE of error
(Helms et al. 2016), day-to-day readiness noise of 2-4%, a per-lifter rep
endurance that biases the e1RM formulas between rep ranges, missed sessions
and missed weeks, loads rounded to plates (some lifters in pounds).

Rep capacity at a load is ``1 + 36 k (1 - load / 1RM)`` reps (Brzycki's
relation scaled by the lifter's rep endurance ``k``).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from analysis.io.native import write_csv_atomic

LB = 0.45359237
MAIN_LIFTS = ("back squat", "bench press", "deadlift", "overhead press")
ACCESSORIES = ("barbell row", "romanian deadlift", "lat pulldown", "dumbbell curl",
               "lateral raise", "leg press", "triceps pushdown", "pull-up")

# What the trainee's app calls each lift: canonical, Strong-style or FitNotes-style.
APP_NAMES = {
    "canonical": {},
    "strong": {
        "back squat": "Squat (Barbell)", "bench press": "Bench Press (Barbell)",
        "deadlift": "Deadlift (Barbell)", "overhead press": "Overhead Press (Barbell)",
        "barbell row": "Bent Over Row (Barbell)", "romanian deadlift": "Romanian Deadlift (Barbell)",
        "lat pulldown": "Lat Pulldown (Cable)", "dumbbell curl": "Bicep Curl (Dumbbell)",
        "lateral raise": "Lateral Raise (Dumbbell)", "leg press": "Leg Press",
        "triceps pushdown": "Triceps Pushdown (Cable - Straight Bar)", "pull-up": "Pull Up",
    },
    "fitnotes": {
        "back squat": "Barbell Squat", "bench press": "Flat Barbell Bench Press",
        "deadlift": "Deadlift", "overhead press": "Overhead Press",
        "barbell row": "Barbell Row", "romanian deadlift": "Romanian Deadlift",
        "lat pulldown": "Lat Pulldown", "dumbbell curl": "Dumbbell Curl",
        "lateral raise": "Lateral Dumbbell Raise", "leg press": "Leg Press",
        "triceps pushdown": "Cable Tricep Pushdown", "pull-up": "Pull Up",
    },
}

# Strength standards: starting 1RM as a multiple of bodyweight (M, F) by experience.
START_RATIO = {
    "novice": {"back squat": (0.9, 0.6), "bench press": (0.7, 0.4), "deadlift": (1.1, 0.8),
               "overhead press": (0.45, 0.3)},
    "intermediate": {"back squat": (1.4, 1.0), "bench press": (1.1, 0.65), "deadlift": (1.7, 1.2),
                     "overhead press": (0.7, 0.45)},
    "advanced": {"back squat": (1.9, 1.4), "bench press": (1.45, 0.9), "deadlift": (2.2, 1.6),
                 "overhead press": (0.9, 0.6)},
}
ACCESSORY_RATIO = {"barbell row": 0.75, "romanian deadlift": 0.8, "lat pulldown": 0.7,
                   "dumbbell curl": 0.2, "lateral raise": 0.1, "leg press": 2.0,
                   "triceps pushdown": 0.3, "pull-up": 0.0}
# Weekly progression rate of the true 1RM (fraction per week) by experience.
RATE = {"novice": (0.010, 0.020), "intermediate": (0.004, 0.008), "advanced": (0.0025, 0.005)}

TEMPLATES = {
    3: [["back squat", "bench press", "barbell row", "dumbbell curl"],
        ["deadlift", "overhead press", "lat pulldown", "lateral raise"],
        ["back squat", "bench press", "romanian deadlift", "triceps pushdown"]],
    4: [["back squat", "romanian deadlift", "leg press"],
        ["bench press", "barbell row", "dumbbell curl", "lateral raise"],
        ["deadlift", "back squat", "leg press"],
        ["overhead press", "bench press", "pull-up", "triceps pushdown"]],
}
TRAINING_DAYS = {3: (0, 2, 4), 4: (0, 1, 3, 4)}


@dataclass
class Block:
    kind: str  # hypertrophy / strength / deload
    start: str
    end: str


@dataclass
class LiftTruth:
    status: str  # progressing / plateau / declining
    plateau_since: str | None
    change_since: str | None
    rate_pct_per_week: float
    start_1rm_kg: float
    end_1rm_kg: float
    path: list[list] = field(default_factory=list)
    """Knots (date, true 1RM kg) of the path: log 1RM is linear between them."""


@dataclass
class TraineeTruth:
    trainee_id: str
    sex: str
    experience: str
    logs_rpe: bool
    flags_warmups: bool
    unit: str
    app: str
    rep_endurance: float
    blocks: list[Block] = field(default_factory=list)
    lifts: dict[str, LiftTruth] = field(default_factory=dict)
    size: dict = field(default_factory=dict)


def generate(n_trainees: int = 12, seed: int = 7, end: dt.date = dt.date(2026, 9, 27),
             weeks: int = 36) -> tuple[dict[str, pl.DataFrame], dict]:
    """Make a cohort: the canonical tables (sets, body, trainees) and its truth."""
    rng = np.random.default_rng(seed)
    start = end - dt.timedelta(weeks=weeks) + dt.timedelta(days=1)
    start -= dt.timedelta(days=start.weekday())  # a Monday
    sets, body, people, truths = [], [], [], []
    for i in range(n_trainees):
        person, truth = _trainee(rng, f"T{i + 1:03d}")
        people.append(person)
        blocks = _blocks(rng, start, end)
        truth.blocks = blocks
        sessions = _sessions(rng, start, end)
        paths = {lift: _one_rm_path(rng, truth, person, lift, start, end) for lift in (*MAIN_LIFTS, *ACCESSORIES)}
        sets.extend(_log(rng, truth, person, blocks, sessions, paths))
        body.extend(_body(rng, truth, person, start, end))
        truths.append(truth)
    tables = {
        "sets": pl.DataFrame(sets, schema=SETS_OUT, orient="row"),
        "body": pl.DataFrame(body, schema=BODY_OUT, orient="row"),
        "trainees": pl.DataFrame(people, schema=TRAINEES_OUT, orient="row"),
    }
    meta = {"seed": seed, "start": start.isoformat(), "end": end.isoformat(), "weeks": weeks,
            "trainees": {t.trainee_id: asdict(t) for t in truths}}
    return tables, meta


SETS_OUT = {"trainee_id": pl.String, "date": pl.Date, "session_id": pl.String, "exercise": pl.String,
            "set_index": pl.Int64, "set_type": pl.String, "weight_kg": pl.Float64, "reps": pl.Int64,
            "rpe": pl.Float64}
BODY_OUT = {"trainee_id": pl.String, "date": pl.Date, "measure": pl.String, "value": pl.Float64}
TRAINEES_OUT = {"trainee_id": pl.String, "name": pl.String, "sex": pl.String, "birth_year": pl.Int64,
                "height_cm": pl.Float64, "goal": pl.String, "experience": pl.String}

FIRST_NAMES = {"M": ["Adam", "Ben", "Carlos", "Dmitri", "Eli", "Farid", "Goran", "Hiro", "Ivan", "Jonas"],
               "F": ["Ana", "Bea", "Chloe", "Dana", "Eva", "Freya", "Greta", "Hana", "Ines", "Jade"]}


def _trainee(rng: np.random.Generator, trainee_id: str) -> tuple[tuple, TraineeTruth]:
    sex = "F" if rng.random() < 0.45 else "M"
    experience = rng.choice(["novice", "intermediate", "advanced"], p=[0.35, 0.4, 0.25]).item()
    height = float(np.round(rng.normal(178 if sex == "M" else 165, 6), 1))
    name = f"{rng.choice(FIRST_NAMES[sex])} {chr(65 + int(rng.integers(0, 26)))}."
    goal = rng.choice(["strength", "hypertrophy", "general"]).item()
    person = (trainee_id, name, sex, int(rng.integers(1970, 2006)), height, goal, experience)
    truth = TraineeTruth(
        trainee_id=trainee_id, sex=sex, experience=experience,
        logs_rpe=bool(rng.random() < 0.5), flags_warmups=bool(rng.random() < 0.7),
        unit="lb" if rng.random() < 0.25 else "kg",
        app=rng.choice(list(APP_NAMES)).item(), rep_endurance=float(rng.uniform(0.8, 1.25)),
    )
    return person, truth


def _blocks(rng: np.random.Generator, start: dt.date, end: dt.date) -> list[Block]:
    """Alternating hypertrophy and strength blocks, each closed by a deload week."""
    blocks, day = [], start
    kind = rng.choice(["hypertrophy", "strength"]).item()
    while day <= end:
        length = int(rng.integers(4, 7) if kind == "hypertrophy" else rng.integers(3, 6))
        for k, weeks in ((kind, length), ("deload", 1)):
            last = min(day + dt.timedelta(weeks=weeks, days=-1), end)
            if day <= end:
                blocks.append(Block(k, day.isoformat(), last.isoformat()))
            day = last + dt.timedelta(days=1)
        kind = "strength" if kind == "hypertrophy" else "hypertrophy"
    return blocks


def _sessions(rng: np.random.Generator, start: dt.date, end: dt.date) -> tuple[list[tuple[dt.date, int]], int]:
    """Training dates with the template day each one runs; missed days and weeks."""
    per_week = int(rng.choice([3, 4]))
    miss = rng.uniform(0.03, 0.15)
    n_weeks = (end - start).days // 7 + 1
    off_weeks = set()
    for _ in range(int(rng.integers(0, 3))):
        first = int(rng.integers(2, n_weeks - 2))
        off_weeks.update(range(first, first + int(rng.integers(1, 3))))
    sessions, slot = [], 0
    for week in range(n_weeks):
        for weekday in TRAINING_DAYS[per_week]:
            day = start + dt.timedelta(weeks=week, days=weekday)
            if day > end or week in off_weeks or rng.random() < miss:
                continue
            sessions.append((day, slot % per_week))
            slot += 1
    return sessions, per_week


def _one_rm_path(rng, truth: TraineeTruth, person: tuple, lift: str, start: dt.date,
                 end: dt.date) -> np.ndarray:
    """True 1RM per day from start to end; records the truth of main lifts."""
    days = (end - start).days + 1
    bodyweight = 80.0 if person[2] == "M" else 62.0
    if lift in MAIN_LIFTS:
        ratio = START_RATIO[truth.experience][lift][0 if person[2] == "M" else 1]
    else:
        ratio = ACCESSORY_RATIO[lift] * START_RATIO[truth.experience]["bench press"][0 if person[2] == "M" else 1]
    one_rm0 = max(ratio * bodyweight * rng.uniform(0.85, 1.15), 8.0)
    rate = rng.uniform(*RATE[truth.experience]) / 7  # per day
    t = np.arange(days, dtype=float)
    status = rng.choice(["progressing", "plateau", "declining"], p=[0.45, 0.35, 0.2]).item() \
        if lift in MAIN_LIFTS else "progressing"
    change, weekly = None, rate * 7 * 100
    if status == "progressing":
        # some progress after an earlier stall: a plateau that ended is not a plateau now
        if rng.random() < 0.3:
            stall_a = int(rng.integers(days // 5, days // 2))
            stall_b = stall_a + int(rng.integers(21, 49))
            growth = np.minimum(t, stall_a) + np.clip(t - stall_b, 0, None)
            knots = [0, stall_a, stall_b, days - 1]
        else:
            growth = t
            knots = [0, days - 1]
        log_path = rate * growth
    else:
        change = int(days - 1 - rng.integers(28, 15 * 7))  # at least 4 weeks before the end
        log_path = rate * np.minimum(t, change)
        decline = rng.uniform(0.005, 0.015) / 7 if status == "declining" else 0.0
        log_path = log_path - decline * np.clip(t - change, 0, None)
        weekly = -decline * 7 * 100
        knots = [0, change, days - 1]
    path = one_rm0 * np.exp(log_path)
    knots = sorted({min(max(k, 0), days - 1) for k in knots})  # a short log may hold no kink
    if lift in MAIN_LIFTS:
        since = (start + dt.timedelta(days=change)).isoformat() if change is not None else None
        truth.lifts[lift] = LiftTruth(status, since if status == "plateau" else None, since,
                                      round(weekly, 3) + 0.0, round(path[0], 2), round(path[-1], 2),
                                      [[(start + dt.timedelta(days=k)).isoformat(), float(path[k])] for k in knots])
    return path


def true_one_rm(lift: dict, dates: pl.Series) -> np.ndarray:
    """The true 1RM (kg) of a main lift's truth (``truth.json``) on ``dates``."""
    days = np.array([dt.date.fromisoformat(d).toordinal() for d, _ in lift["path"]])
    log_kg = np.log([kg for _, kg in lift["path"]])
    ordinals = dates.cast(pl.Int64).to_numpy() + dt.date(1970, 1, 1).toordinal()
    return np.exp(np.interp(ordinals, days, log_kg))


def _plates(load_kg: float, unit: str, lift: str) -> float:
    """Round a load to what the trainee can put on the bar (or pick off the rack)."""
    if lift in ("dumbbell curl", "lateral raise"):
        step = 2.0 if unit == "kg" else 5 * LB
    else:
        step = 2.5 if unit == "kg" else 5 * LB
    return round(max(round(load_kg / step), 1) * step, 4)


def _block_on(blocks: list[Block], day: dt.date) -> str:
    iso = day.isoformat()
    return next(b.kind for b in blocks if b.start <= iso <= b.end)


def _log(rng, truth: TraineeTruth, person: tuple, blocks: list[Block], sessions, paths) -> list[tuple]:
    """The sets a trainee logs: warm-ups, then working sets at the block's zone."""
    sessions, per_week = sessions
    start = dt.date.fromisoformat(blocks[0].start)
    names = APP_NAMES[truth.app]
    rows = []
    endurance = {lift: truth.rep_endurance * rng.uniform(0.9, 1.1) for lift in paths}
    for day, slot in sessions:
        block = _block_on(blocks, day)
        readiness = rng.normal(0, 0.02)
        session_id = f"{day.isoformat()} {int(rng.integers(6, 20)):02d}:{int(rng.integers(0, 60)):02d}"
        index = 0
        for lift in TEMPLATES[per_week][slot]:
            one_rm = paths[lift][(day - start).days] * math.exp(readiness + rng.normal(0, 0.015))
            for set_type, weight, reps, rpe in _exercise_sets(rng, truth, lift, block, one_rm, endurance[lift]):
                logged_rpe = rpe if truth.logs_rpe and set_type != "warmup" else None
                if not truth.flags_warmups and set_type == "warmup":
                    set_type = "working"
                rows.append((truth.trainee_id, day, session_id, names.get(lift, lift), index,
                             set_type, weight, reps, logged_rpe))
                index += 1
    return rows


def _exercise_sets(rng, truth: TraineeTruth, lift: str, block: str, one_rm: float, k: float):
    """Warm-ups and working sets of one exercise in one session."""
    if lift in MAIN_LIFTS:
        n_sets, (lo, hi) = ((3, (8, 12)) if block == "hypertrophy" else
                            (4, (1, 6)) if block == "strength" else (2, (5, 8)))
        rir = rng.uniform(1, 3) if block != "deload" else rng.uniform(4, 6)
    else:
        n_sets, (lo, hi), rir = 3, (8, 15), rng.uniform(1, 3)
        if block == "deload":
            n_sets, rir = 2, rng.uniform(4, 6)
    target = int(rng.integers(lo, hi + 1))
    if lift == "pull-up":  # bodyweight: no external load
        for _ in range(n_sets):
            yield "working", None, max(int(rng.integers(4, 12) - rir), 1), None
        return
    # load at which `target + rir` reps are possible
    pct = 1 - (target + rir - 1) / (36 * k)
    weight = _plates(one_rm * pct, truth.unit, lift)
    if lift in MAIN_LIFTS:
        for frac, reps in ((0.45, 8), (0.65, 5), (0.8, 2))[: 3 if target <= 6 else 2]:
            yield "warmup", _plates(weight * frac, truth.unit, lift), reps, None
    for n in range(n_sets):
        capacity = 1 + 36 * k * (1 - weight / one_rm) - 0.4 * n  # fatigue across sets
        reps = int(max(min(target, math.floor(capacity)), 0))
        if reps == 0:
            break
        rpe = min(10.0, max(5.0, 10 - (capacity - reps) + rng.normal(0, 0.7)))
        yield ("failure" if capacity - reps < 0.5 and rng.random() < 0.3 else "working"), weight, reps, \
            round(rpe * 2) / 2


def _body(rng, truth: TraineeTruth, person: tuple, start: dt.date, end: dt.date) -> list[tuple]:
    """Bodyweight (several times a week) and tape girths (every 2-4 weeks)."""
    male = person[2] == "M"
    scenario = rng.choice(["growing", "flat", "fat_gain", "shrinking"], p=[0.45, 0.25, 0.15, 0.15]).item()
    status = {"growing": "growing", "flat": "flat", "fat_gain": "flat", "shrinking": "shrinking"}[scenario]
    truth.size = {"status": status, "scenario": scenario, "measured": False}
    if rng.random() < 0.15:
        truth.size["status"] = "insufficient_data"
        return []  # no body log at all
    arm_rate = {"growing": 0.04, "flat": 0.0, "fat_gain": 0.015, "shrinking": -0.03}[scenario]  # cm/week
    waist_rate = {"growing": 0.01, "flat": 0.0, "fat_gain": 0.12, "shrinking": -0.05}[scenario]
    bw_rate = {"growing": 0.15, "flat": 0.0, "fat_gain": 0.3, "shrinking": -0.2}[scenario]  # kg/week
    base = {"bodyweight_kg": rng.normal(82 if male else 63, 8), "arm_cm": rng.normal(36 if male else 29, 2),
            "chest_cm": rng.normal(104 if male else 92, 5), "waist_cm": rng.normal(84 if male else 72, 5),
            "thigh_cm": rng.normal(57 if male else 55, 3)}
    rate = {"bodyweight_kg": bw_rate, "arm_cm": arm_rate, "chest_cm": arm_rate * 2.5,
            "waist_cm": waist_rate, "thigh_cm": arm_rate * 1.5}
    noise = {"bodyweight_kg": 0.7, "arm_cm": 0.3, "chest_cm": 0.6, "waist_cm": 0.5, "thigh_cm": 0.5}
    rows = []
    truth.size.update(measured=True, change_per_week={m: r for m, r in rate.items()})
    girth_every = int(rng.integers(2, 5))
    for day_n in range(0, (end - start).days + 1):
        day = start + dt.timedelta(days=day_n)
        t = day_n / 7
        if rng.random() < 0.4:
            rows.append((truth.trainee_id, day, "bodyweight_kg",
                         round(base["bodyweight_kg"] + bw_rate * t + rng.normal(0, noise["bodyweight_kg"]), 1)))
        if day.weekday() == 6 and int(t) % girth_every == 0:
            for m in ("arm_cm", "chest_cm", "waist_cm", "thigh_cm"):
                rows.append((truth.trainee_id, day, m, round(base[m] + rate[m] * t + rng.normal(0, noise[m]), 1)))
    return rows


def write_cohort(out: str | Path, n_trainees: int = 12, seed: int = 7, **kwargs) -> dict:
    """Generate a cohort and write it as a canonical dataset folder plus truth.json."""
    out = Path(out)
    tables, truth = generate(n_trainees, seed, **kwargs)
    for name, frame in tables.items():
        write_csv_atomic(frame, out / f"{name}.csv")
    (out / "truth.json").write_text(json.dumps(truth, indent=1, sort_keys=True) + "\n")
    return truth
