"""The exercise catalog: aliases from each app, main lifts, user aliases, annotate."""

from __future__ import annotations

import csv
from importlib import resources
from pathlib import Path

import polars as pl
import pytest

from analysis.catalog import (
    CATALOG_FILE,
    MAIN_LIFTS,
    MUSCLES,
    PATTERNS,
    annotate,
    compose_name,
    load_catalog,
    normalize_name,
    read_catalog,
    unknown_exercises,
)
from analysis.errors import DataFileError

EXPORTS = Path(__file__).parents[1].parent / "shared" / "fixtures" / "exports"

UNKNOWN_ON_PURPOSE = {
    # cardio, conditioning and warm-ups: not strength sets
    "Aerobics", "Assault Bike", "Backwards Walking", "Biking", "Jumping Jack",
    "Rowing (Machine)", "Skiing", "Stairmaster", "Swimming", "Walking", "Warm Up",
    # mobility, rehab and unspecified work
    "Stretching", "Squat Mobilizing", "Atg Split Squat Hold", "Pt (Back/Shoulder)",
    "Wrist And Ankle Work", "Forearm Work", "Mouse Shoulder Rotation",
    "Upward Rotation (Dumbbell)", "Downward Rotation (Band)",
    # trains the tibialis, which is not in the muscle vocabulary
    "Bodyweight Tibialis Raise (Wall)",
    # custom names that could mean several exercises (a coach's alias file maps them)
    "Cable Kickback", "Cross Body Extension", "Hammer Press", "Janky Preacher Curl",
    "Trap Extension And Lower", "Trap Extension (Lying Down)",
    "Trap Extension (On Low Back Extension)",
    "fly (combination, dumbbell)", "fly (combination, kettlebell)",
}
"""Exercise names in the real fixtures the catalog deliberately does not know."""


def lifts(*names: str, catalog=None) -> list[str]:
    sets = pl.DataFrame({"exercise": list(names)})
    return annotate(sets, catalog).get_column("lift").to_list()


# --------------------------------------------------------------------------
# Names from each app
# --------------------------------------------------------------------------

APP_NAMES = {
    "strong": [
        ("Bench Press (Barbell)", "bench press"),
        ("Squat (Barbell)", "back squat"),
        ("Deadlift (Barbell)", "deadlift"),
        ("Overhead Press (Barbell)", "overhead press"),
        ("Strict Military Press (Barbell)", "overhead press"),
        ("Bicep Curl (Dumbbell)", "dumbbell curl"),
        ("Lat Pulldown (Cable)", "lat pulldown"),
        ("Lat Pulldown (Machine)", "machine lat pulldown"),
        ("Pull Up", "pull-up"),
        ("Chin Up", "chin-up"),
        ("Bench Press - Close Grip (Barbell)", "close-grip bench press"),
        ("Triceps Pushdown (Cable - Straight Bar)", "triceps pushdown"),
        ("Bent Over One Arm Row (Dumbbell)", "dumbbell row"),
        ("Seated Calf Raise (Plate Loaded)", "seated calf raise"),
        ("Power Clean", "power clean"),
        ("Push Up", "push-up"),
    ],
    "hevy": [
        ("Bench Press (Barbell)", "bench press"),
        ("Squat (Barbell)", "back squat"),
        ("Lat Pulldown (Cable)", "lat pulldown"),
        ("Triceps Pushdown", "triceps pushdown"),
        ("Romanian Deadlift (Barbell)", "romanian deadlift"),
        ("Seated Cable Row - V Grip (Cable)", "seated cable row"),
        ("Leg Press (Machine)", "leg press"),
        ("Hip Abduction (Machine)", "hip abduction"),
        ("Bottom-Half Seated Cable Flye", "cable fly"),
        ("Meadows Incline DB Lateral Raise", "lateral raise"),
        ("Pull Up (Assisted)", "assisted pull-up"),
    ],
    "fitnotes": [
        ("Flat Barbell Bench Press", "bench press"),
        ("Barbell Squat", "back squat"),
        ("Overhead Press", "overhead press"),
        ("Dumbbell Curl", "dumbbell curl"),
        ("Romanian Deadlift", "romanian deadlift"),
        ("Incline Dumbbell Bench Press", "incline dumbbell bench press"),
        ("Overhead Press (Each Side, Dumbbells)", "dumbbell shoulder press"),
        ("Lying Leg Curl Machine", "lying leg curl"),
        ("Parallel Bar Triceps Dip", "dip"),
    ],
    "jefit": [
        ("Barbell Bench Press", "bench press"),
        ("Barbell Squat", "back squat"),
        ("Barbell Deadlift", "deadlift"),
        ("Barbell Incline Bench Press", "incline bench press"),
        ("Dumbbell Lateral Raise", "lateral raise"),
        ("Cable Rope Tricep Pushdown", "triceps pushdown"),
        ("Machine Seated Leg Curl", "seated leg curl"),
    ],
    "rweightlifting": [
        ("bench (flat, barbell)", "bench press"),
        ("bench (15-degree, dumbbell)", "incline dumbbell bench press"),
        ("squat (low bar, barbell)", "back squat"),
        ("deadlift (conventional, barbell)", "deadlift"),
        ("press (overhead, barbell)", "overhead press"),
        ("pullup (wide, machine)", "assisted pull-up"),
        ("pullup (neutral, chinup)", "chin-up"),
        ("lat pulldown (cable)", "lat pulldown"),
        ("row (pendlay, barbell)", "pendlay row"),
        ("squat (barbell, low bar)", "back squat"),  # word order does not matter
        ("bench (dumbbell, 15-degree)", "incline dumbbell bench press"),
    ],
}


@pytest.mark.parametrize(
    "app,name,lift",
    [(app, name, lift) for app, pairs in APP_NAMES.items() for name, lift in pairs],
)
def test_app_names_resolve(app, name, lift):
    assert lifts(name) == [lift]


def test_normalize_name_ignores_case_punctuation_order_and_spelling():
    same = ["Bench Press (Barbell)", "bench  press - barbell", "Barbell Bench Press", "BENCH_PRESS, barbell"]
    keys = pl.select(normalize_name(pl.Series(same))).to_series()
    assert keys.n_unique() == 1
    pairs = pl.DataFrame({
        "a": ["DB RDL", "Pull-Ups", "Farmer's Walk"],
        "b": ["dumbbell romanian deadlift", "pullup", "farmers walk"],
    })
    assert pairs.select(normalize_name(pl.col("a")) == normalize_name(pl.col("b"))).to_series().all()


def test_different_exercises_keep_different_keys():
    names = pl.Series(
        ["Bench Press (Barbell)", "Bench Press (Dumbbell)", "Incline Bench Press (Barbell)", "Squat (Barbell)"]
    )
    assert pl.select(normalize_name(names)).to_series().n_unique() == 4


# --------------------------------------------------------------------------
# Main lifts and attributes
# --------------------------------------------------------------------------


def test_only_competition_style_barbell_lifts_are_main_lifts():
    flagged = load_catalog().exercises.drop_nulls("main_lift")
    assert dict(flagged.select("exercise", "main_lift").iter_rows()) == {
        "back squat": "squat",
        "bench press": "bench",
        "deadlift": "deadlift",
        "sumo deadlift": "deadlift",
        "overhead press": "ohp",
    }


@pytest.mark.parametrize(
    "name",
    ["Front Squat (Barbell)", "Bench Press (Dumbbell)", "Incline Bench Press (Barbell)",
     "Romanian Deadlift (Barbell)", "Trap Bar Deadlift", "Seated Overhead Press (Barbell)",
     "Overhead Press (Dumbbell)", "Bench Press (Smith Machine)", "deadlift (2-inch deficit, barbell)"],
)
def test_variations_are_not_main_lifts(name):
    row = annotate(pl.DataFrame({"exercise": [name]})).row(0, named=True)
    assert row["in_catalog"] and row["main_lift"] is None


def test_annotation_columns_and_values():
    sets = pl.DataFrame({"exercise": ["Pull Up", "Squat (Barbell)", "Lateral Raise (Dumbbell)"]})
    out = annotate(sets)
    assert out.schema["primary"] == pl.List(pl.String)
    assert out.schema["bodyweight"] == pl.Boolean
    rows = out.rows_by_key("exercise", named=True, unique=True)
    assert rows["Pull Up"]["bodyweight"] is True
    assert rows["Pull Up"]["pattern"] == "vertical pull"
    assert rows["Squat (Barbell)"]["main_lift"] == "squat"
    assert rows["Squat (Barbell)"]["primary"] == ["quads", "glutes"]
    assert rows["Squat (Barbell)"]["bodyweight"] is False
    assert rows["Lateral Raise (Dumbbell)"]["mechanics"] == "isolation"
    assert rows["Lateral Raise (Dumbbell)"]["primary"] == ["side delts"]


# --------------------------------------------------------------------------
# annotate and unknown names
# --------------------------------------------------------------------------


def test_annotate_keeps_rows_and_order():
    names = ["Deadlift (Barbell)", "Mystery Move", "bench press", None, "Deadlift (Barbell)", "Squat (Barbell)"] * 50
    sets = pl.DataFrame({"exercise": names, "set_index": range(len(names))})
    out = annotate(sets)
    assert out.height == sets.height
    assert out.get_column("set_index").to_list() == list(range(len(names)))
    assert out.get_column("exercise").to_list() == names
    assert out.get_column("in_catalog").to_list()[:6] == [True, False, True, False, True, True]


def test_annotate_twice_replaces_columns():
    sets = pl.DataFrame({"exercise": ["Pull Up", "Chin Up"]})
    once = annotate(sets)
    assert annotate(once).equals(once)


def test_unknown_names_are_kept_cleaned():
    out = annotate(pl.DataFrame({"exercise": ["  Zercher   CARRY (Sandbag) ", "Pull Up"]}))
    assert out.get_column("lift").to_list() == ["zercher carry (sandbag)", "pull-up"]
    assert out.get_column("in_catalog").to_list() == [False, True]
    assert out.get_column("primary").to_list() == [None, ["lats"]]


def test_unknown_exercises_lists_names_with_set_counts():
    sets = pl.DataFrame({"exercise": ["Sandbag Carry"] * 3 + ["Pull Up"] * 5 + ["Yoke Walk"] * 2 + ["Sandbag Carry "]})
    listed = unknown_exercises(sets)
    assert listed.rows() == [
        ("Sandbag Carry", "sandbag carry", 3),
        ("Yoke Walk", "yoke walk", 2),
        ("Sandbag Carry ", "sandbag carry", 1),
    ]


def test_compose_name_builds_the_wide_format_name():
    wide = pl.DataFrame({
        "exercise": ["bench", "lat pulldown", "face pull", "squat"],
        "equipment": ["barbell", "cable", " machine", None],
        "variant": ["flat", None, "neutral", " "],
    })
    assert wide.select(compose_name()).to_series().to_list() == [
        "bench (flat, barbell)", "lat pulldown (cable)", "face pull (neutral, machine)", "squat",
    ]


# --------------------------------------------------------------------------
# A coach's alias file
# --------------------------------------------------------------------------


def test_user_aliases_map_names_and_win_over_built_in(tmp_path):
    path = tmp_path / "aliases.csv"
    path.write_text(
        "alias,exercise\nComp Squat Belt,back squat\nChest Fly,dumbbell fly\nMy Bench,Bench Press (Barbell)\n"
    )
    catalog = load_catalog(path)
    assert lifts("comp squat belt", "Chest Fly", "My Bench", "Pull Up", catalog=catalog) == [
        "back squat", "dumbbell fly", "bench press", "pull-up",
    ]
    assert lifts("Chest Fly") == ["machine fly"]  # the shipped catalog is untouched


@pytest.mark.parametrize(
    "text,problem",
    [
        ("alias,exercise\nA,back squat\nB,sandbag shouldering\n", "line 3: 'sandbag shouldering' is not an exercise"),
        ("alias,exercise\nA,back squat\n,deadlift\n", "line 3: empty alias"),
        ("alias,exercise\nMy Lift,back squat\nmy  lift,deadlift\n",
         "line 3: 'my  lift' already names 'back squat' (line 2)"),
        ("name,exercise\nA,back squat\n", "missing column(s) alias"),
    ],
)
def test_bad_user_alias_file_names_file_and_line(tmp_path, text, problem):
    path = tmp_path / "aliases.csv"
    path.write_text(text)
    with pytest.raises(DataFileError) as err:
        load_catalog(path)
    assert err.value.path == str(path)
    assert problem in err.value.problem


# --------------------------------------------------------------------------
# The real exports
# --------------------------------------------------------------------------


def fixture_names() -> pl.Series:
    if not EXPORTS.is_dir():
        pytest.skip(f"no fixtures at {EXPORTS}")
    frames = []
    for path in sorted(EXPORTS.rglob("*.csv")):
        raw = pl.read_csv(path, infer_schema=False)
        if "Exercise Name" in raw.columns:  # Strong
            frames.append(raw.select(pl.col("Exercise Name").alias("exercise")))
        elif "exercise_title" in raw.columns:  # Hevy
            frames.append(raw.select(pl.col("exercise_title").alias("exercise")))
        elif {"exercise", "equipment", "variant"} <= set(raw.columns):  # rweightlifting
            frames.append(raw.select(compose_name().alias("exercise")))
    return pl.concat(frames).get_column("exercise").unique()


def test_every_fixture_exercise_resolves_except_the_documented_ones():
    names = fixture_names()
    assert names.len() > 300
    unknown = set(unknown_exercises(names.to_frame()).get_column("exercise").str.strip_chars())
    assert unknown == UNKNOWN_ON_PURPOSE


# --------------------------------------------------------------------------
# The catalog file itself
# --------------------------------------------------------------------------


def catalog_rows() -> list[dict[str, str]]:
    with CATALOG_FILE.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_catalog_file_is_shipped_as_package_data():
    assert resources.files("analysis").joinpath("exercises.csv").is_file()


def test_catalog_file_is_valid():
    rows = catalog_rows()
    names = [r["exercise"] for r in rows]
    assert len(names) >= 150
    assert len(set(names)) == len(names)
    assert all(n == n.strip().lower() for n in names)
    for r in rows:
        primary = r["primary"].split(";")
        secondary = [m for m in r["secondary"].split(";") if m]
        assert primary and set(primary + secondary) <= set(MUSCLES), r["exercise"]
        assert not set(primary) & set(secondary), r["exercise"]
        assert r["pattern"] in PATTERNS and r["mechanics"] in ("compound", "isolation"), r["exercise"]
        assert r["main_lift"] in ("", *MAIN_LIFTS) and r["bodyweight"] in ("true", "false"), r["exercise"]


def test_no_alias_names_two_exercises():
    rows = catalog_rows()
    aliases = pl.DataFrame(
        [(r["exercise"], a) for r in rows for a in [r["exercise"], *r["aliases"].split(";")]],
        schema=["lift", "alias"],
        orient="row",
    ).with_columns(normalize_name(pl.col("alias")).alias("key"))
    assert aliases.filter(pl.col("key") == "").is_empty()
    clashes = aliases.group_by("key").agg(pl.col("lift").unique()).filter(pl.col("lift").list.len() > 1)
    assert clashes.is_empty(), clashes
    assert aliases.height >= 900


@pytest.mark.parametrize(
    "row,problem",
    [
        ("squat,squat,compound,squat,false,quads,,Bench", "line 3: 'Bench' already names 'bench' (line 2)"),
        ("curl,isolation-upper,isolation,,false,biceps;neck,,", "line 3: unknown muscle(s) neck"),
        ("curl,arms,isolation,,false,biceps,,", "line 3: unknown pattern 'arms'"),
        ("bench,horizontal push,compound,bench,false,chest,,", "line 3: 'bench' is listed twice"),
    ],
)
def test_read_catalog_rejects_a_bad_catalog(tmp_path, row, problem):
    path = tmp_path / "exercises.csv"
    header = "exercise,pattern,mechanics,main_lift,bodyweight,primary,secondary,aliases"
    path.write_text(f"{header}\nbench,horizontal push,compound,bench,false,chest;triceps,front delts,Bench\n{row}\n")
    with pytest.raises(DataFileError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        read_catalog(path)
