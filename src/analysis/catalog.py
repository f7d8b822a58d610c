"""The exercise catalog: free-text exercise names -> canonical exercises.

``exercises.csv`` (shipped beside this module) holds one row per canonical
exercise: movement ``pattern``, ``mechanics``, ``main_lift``, whether the
body is the load (``bodyweight``), ``primary`` and ``secondary`` muscles and
the ``aliases`` apps write (Strong, Hevy, FitNotes, JEFIT, the rweightlifting
wide format). Muscles are split into primary and secondary so hard sets can
be counted per muscle with a secondary muscle counting 0.5 (Pelland et al.
2024). Rotator-cuff work is counted to the nearest deltoid head (external
rotation: rear delts, internal rotation: front delts) and hip-flexor raises
to the quads (rectus femoris), as the vocabulary has no finer muscles.

Names match through :func:`normalize_name`, a key that ignores case,
punctuation, word order, repeated words and a few spellings ("DB", "RDL",
"Pullup", "Flyes", ...). So "Bench Press (Barbell)" (Strong, Hevy),
"Barbell Bench Press" (JEFIT) and "bench  press - barbell" meet one key.

The rweightlifting wide format (``exercise, equipment, variant``) becomes one
name with :func:`compose_name`, e.g. ``bench (flat, barbell)``; as the key
ignores word order, ``bench (barbell, flat)`` resolves the same.

Cardio, warm-ups and mobility work (Aerobics, Walking, Biking, Rowing
(Machine), Stairmaster, Stretching, Warm Up, ...) carry the catalog's cardio
mark (:data:`CARDIO_WORDS`, :func:`cardio_mark`): an import rejects their
timed rows as not strength work. Names deliberately left unknown in the real
fixtures: mobility and rehab work (Stretching, Squat Mobilizing, Pt (Back/Shoulder), scapular
rotations), the tibialis raise (no tibialis in the muscle vocabulary) and
custom names that could mean several exercises (Cable Kickback, Hammer
Press, Trap Extension ..., ``fly (combination, ...)``). A coach maps those
with an alias file (:func:`load_catalog`); tests/test_catalog.py lists them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from analysis.errors import DataFileError
from analysis.io.native import read_text_table

CATALOG_FILE = Path(__file__).with_name("exercises.csv")

MUSCLES = (
    "chest", "front delts", "side delts", "rear delts", "triceps", "biceps",
    "forearms", "lats", "upper back", "traps", "lower back", "abs", "obliques",
    "glutes", "quads", "hamstrings", "adductors", "calves",
)

PATTERNS = {
    "squat": "bilateral knee-dominant lower body (squats, leg press)",
    "hinge": "hip-dominant lower body (deadlifts, RDLs, hip thrusts, swings)",
    "lunge": "single-leg knee-dominant (lunges, split squats, step-ups)",
    "horizontal push": "pressing away from the chest (bench press, push-up)",
    "vertical push": "pressing overhead or down (overhead press, dips)",
    "horizontal pull": "rowing towards the torso (rows, face pulls)",
    "vertical pull": "pulling down or up (pull-ups, pulldowns, upright rows)",
    "olympic": "the snatch, the clean and jerk and their parts",
    "carry": "loaded locomotion (carries, sleds)",
    "core": "trunk flexion, rotation, anti-movement (crunches, planks)",
    "isolation-upper": "single-joint upper body (curls, raises, extensions)",
    "isolation-lower": "single-joint lower body (leg curls, calf raises)",
}

MECHANICS = ("compound", "isolation")

MAIN_LIFTS = ("squat", "bench", "deadlift", "ohp")
"""The powerlifting competition lifts (IPF technical rules: barbell back
squat, flat bench press, conventional or sumo deadlift) plus the standing
barbell overhead press (an Olympic weightlifting lift until 1972)."""

ANNOTATION_COLUMNS = (
    "lift", "in_catalog", "pattern", "mechanics", "main_lift", "bodyweight", "primary", "secondary",
)

SPELLINGS = {
    "db": "dumbbell", "dumbbells": "dumbbell", "bb": "barbell", "barbells": "barbell",
    "kb": "kettlebell", "kettlebells": "kettlebell", "bw": "bodyweight",
    "rdl": "romanian deadlift", "rdls": "romanian deadlift", "ohp": "overhead press",
    "pushup": "push up", "pushups": "push up", "pullup": "pull up", "pullups": "pull up",
    "chinup": "chin up", "chinups": "chin up", "situp": "sit up", "situps": "sit up",
    "ups": "up", "pulldown": "pull down", "pulldowns": "pull down",
    "pushdown": "push down", "pushdowns": "push down",
    "skullcrusher": "skull crusher", "skullcrushers": "skull crusher", "crushers": "crusher",
    "bicep": "biceps", "tricep": "triceps",
    "flye": "fly", "flyes": "fly", "flys": "fly", "flies": "fly",
    "raises": "raise", "curls": "curl", "rows": "row", "squats": "squat", "lunges": "lunge",
    "dips": "dip", "extensions": "extension", "crunches": "crunch", "deadlifts": "deadlift",
    "shrugs": "shrug", "thrusts": "thrust", "mornings": "morning", "kickbacks": "kickback",
    "twists": "twist", "presses": "press", "farmers": "farmer", "planks": "plank",
    "swings": "swing", "pullovers": "pullover", "walks": "walk", "carries": "carry",
    "bridges": "bridge", "hyperextensions": "hyperextension", "flags": "flag",
}
"""Word spellings unified in the matching key (abbreviations, compounds, plurals)."""


CARDIO_WORDS = frozenset({
    "aerobic", "aerobics", "bike", "physio", "physiotherapy", "pt", "rehab", "biking", "cardio", "cooldown", "cycle", "cycling", "elliptical",
    "erg", "hike", "hiking", "hiit", "jog", "jogging", "mobility", "mobilizing", "mobilization", "run",
    "running", "rower", "rowing", "ski", "skiing", "spin", "spinning", "sprint", "sprints", "stair",
    "stairmaster", "stairs", "stepmill", "stretch", "stretching", "swim", "swimming", "treadmill",
    "walk", "walking", "warm", "warmup", "yoga",
})
"""The cardio mark: a name outside the catalog with one of these words (in its
matching key) is cardio, a warm-up or mobility work, not a strength exercise.
Catalog exercises never are ("Walking Lunge" and "Farmer's Walk" stay
strength work), so a coach's alias file un-marks a name."""


# --------------------------------------------------------------------------
# Matching names
# --------------------------------------------------------------------------


def normalize_name(expr: pl.Expr) -> pl.Expr:
    """The matching key of an exercise name.

    Lowercase words of letters and digits (apostrophes dropped, every other
    punctuation mark a separator, ``&`` read as "and"), spellings unified
    (:data:`SPELLINGS`), each word once, sorted: "Bench Press (Barbell)",
    "barbell bench press" and "bench  press - barbell" share one key.
    """
    words = (
        expr.str.to_lowercase()
        .str.replace_all(r"['’`]", "")
        .str.replace_all("&", " and ", literal=True)
        .str.extract_all(r"[^\W_]+")
    )
    spelled = words.list.eval(pl.element().replace(SPELLINGS)).list.join(" ").str.split(" ")
    return spelled.list.unique().list.sort().list.join(" ")


def clean_text(expr: pl.Expr) -> pl.Expr:
    """Lowercase, trimmed, single-spaced: how an unknown name is kept."""
    return expr.str.to_lowercase().str.replace_all(r"\s+", " ").str.strip_chars()


def compose_name(
    exercise: str | pl.Expr = "exercise",
    equipment: str | pl.Expr = "equipment",
    variant: str | pl.Expr = "variant",
) -> pl.Expr:
    """One exercise name from the wide format's three columns.

    ``exercise (variant, equipment)``, blank parts left out: "bench" / "flat"
    / "barbell" -> ``bench (flat, barbell)``; "lat pulldown" / "" / "cable"
    -> ``lat pulldown (cable)``. Strings are column names.
    """
    details = pl.concat_str([_part(variant), _part(equipment)], separator=", ", ignore_nulls=True)
    name = _part(exercise)
    return pl.when(details == "").then(name).otherwise(pl.format("{} ({})", name, details))


def _part(column: str | pl.Expr) -> pl.Expr:
    text = (pl.col(column) if isinstance(column, str) else column).str.strip_chars()
    return pl.when(text != "").then(text)


# --------------------------------------------------------------------------
# The catalog
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Catalog:
    """Canonical exercises and the alias lookup onto them.

    ``exercises``: one row per canonical exercise (``exercise, pattern,
    mechanics, main_lift, bodyweight, primary, secondary``). ``aliases``:
    ``key`` (:func:`normalize_name` of an alias or canonical name) -> ``lift``
    (the canonical name); keys are unique.
    """

    exercises: pl.DataFrame
    aliases: pl.DataFrame

    def resolve(self, names: pl.Series) -> pl.DataFrame:
        """One row per given name: ``exercise`` (the name) and the annotation columns."""
        text = pl.col("exercise").cast(pl.String)
        return (
            names.to_frame("exercise")
            .with_columns(normalize_name(text).alias("key"))
            .join(self.aliases, on="key", how="left")
            .join(self.exercises.rename({"exercise": "lift"}), on="lift", how="left")
            .select(
                "exercise",
                pl.coalesce("lift", clean_text(text)).alias("lift"),
                pl.col("lift").is_not_null().alias("in_catalog"),
                *ANNOTATION_COLUMNS[2:],
            )
        )

    def with_aliases(self, aliases: pl.DataFrame) -> Catalog:
        """This catalog with extra ``key -> lift`` aliases, which win over built-in ones."""
        kept = self.aliases.join(aliases, on="key", how="anti")
        return Catalog(self.exercises, pl.concat([aliases.select(kept.columns), kept]))


def load_catalog(aliases_file: str | Path | None = None) -> Catalog:
    """The shipped catalog (cached), plus a coach's alias file if given.

    The alias file is a CSV with columns ``alias,exercise`` mapping the
    coach's own names onto catalog exercises; its aliases win over built-in
    ones. A target the catalog does not know, an empty cell or an alias
    given two targets raises :class:`DataFileError` naming file and line.
    """
    catalog = _shipped_catalog()
    if aliases_file is None:
        return catalog
    return catalog.with_aliases(_read_user_aliases(Path(aliases_file), catalog.aliases))


@functools.cache
def _shipped_catalog() -> Catalog:
    return read_catalog(CATALOG_FILE)


def read_catalog(path: str | Path) -> Catalog:
    """Read and check a catalog file (the columns of ``exercises.csv``)."""
    rows = _text_rows(path, ("exercise", "pattern", "mechanics", "main_lift", "bodyweight",
                             "primary", "secondary", "aliases"))
    rows = rows.with_columns(_split("primary").alias("primary"), _split("secondary").alias("secondary"))
    _raise_first_problem(path, rows, _exercise_checks())
    names = rows.select(
        "_line",
        pl.col("exercise").alias("lift"),
        pl.concat_list(pl.col("exercise"), _split("aliases")).alias("alias"),
    ).explode("alias")
    aliases = _alias_keys(path, names)
    exercises = rows.select(
        "exercise",
        "pattern",
        "mechanics",
        pl.when(pl.col("main_lift") != "").then(pl.col("main_lift")).alias("main_lift"),
        (pl.col("bodyweight") == "true").alias("bodyweight"),
        "primary",
        "secondary",
    )
    return Catalog(exercises, aliases)


def _exercise_checks() -> list[tuple[pl.Expr, pl.Expr]]:
    name = pl.col("exercise")
    muscles = pl.concat_list("primary", "secondary")
    unknown_muscles = muscles.list.eval(pl.element().filter(~pl.element().is_in(list(MUSCLES))))
    return [
        (name == "", pl.lit("empty exercise name")),
        (name != clean_text(name), pl.format("'{}' is not lowercase and single-spaced", name)),
        (~name.is_first_distinct(), pl.format("'{}' is listed twice", name)),
        (~pl.col("pattern").is_in(list(PATTERNS)), pl.format("unknown pattern '{}'", pl.col("pattern"))),
        (~pl.col("mechanics").is_in(list(MECHANICS)), pl.format("unknown mechanics '{}'", pl.col("mechanics"))),
        (~pl.col("main_lift").is_in(["", *MAIN_LIFTS]), pl.format("unknown main_lift '{}'", pl.col("main_lift"))),
        (~pl.col("bodyweight").is_in(["true", "false"]), pl.lit("bodyweight is not true or false")),
        (pl.col("primary").list.len() == 0, pl.lit("no primary muscle")),
        (unknown_muscles.list.len() > 0, pl.format("unknown muscle(s) {}", unknown_muscles.list.join(", "))),
        (muscles.list.n_unique() < muscles.list.len(), pl.lit("a muscle is listed twice")),
    ]


def _alias_keys(path: str | Path, names: pl.DataFrame) -> pl.DataFrame:
    """``key -> lift`` from ``_line, alias, lift`` rows in file order.

    An alias whose key already names another exercise is an error.
    """
    keyed = names.with_columns(normalize_name(pl.col("alias")).alias("key"))
    first = pl.col("lift").first().over("key")
    _raise_first_problem(path, keyed, [
        (pl.col("key") == "", pl.format("alias '{}' has no letters or digits", pl.col("alias"))),
        (pl.col("lift") != first,
         pl.format("'{}' already names '{}' (line {})", pl.col("alias"), first, pl.col("_line").first().over("key"))),
    ])
    return keyed.select("key", "lift").unique(maintain_order=True)


def _read_user_aliases(path: Path, known: pl.DataFrame) -> pl.DataFrame:
    """A coach's ``alias,exercise`` file as ``key -> lift`` rows."""
    rows = _text_rows(path, ("alias", "exercise"))
    targets = known.rename({"key": "target"})
    rows = rows.with_columns(normalize_name(pl.col("exercise")).alias("target")).join(
        targets, on="target", how="left", maintain_order="left"
    )
    _raise_first_problem(path, rows, [
        (pl.col("alias") == "", pl.lit("empty alias")),
        (pl.col("exercise") == "", pl.lit("empty exercise")),
        (pl.col("lift").is_null() & (pl.col("exercise") != ""),
         pl.format("'{}' is not an exercise in the catalog", pl.col("exercise"))),
    ])
    return _alias_keys(path, rows.select("_line", "alias", "lift"))


# --------------------------------------------------------------------------
# Reading and checking the files
# --------------------------------------------------------------------------


def _text_rows(path: str | Path, columns: tuple[str, ...]) -> pl.DataFrame:
    """The named columns as trimmed text (empty, not null) plus ``_line``."""
    raw = read_text_table(path)
    missing = [c for c in columns if c not in raw.columns]
    if missing:
        raise DataFileError(
            path, f"missing column(s) {', '.join(missing)}; expected {','.join(columns)}"
        )
    return raw.select("_line", *(pl.col(c).fill_null("").str.strip_chars() for c in columns))


def _split(column: str) -> pl.Expr:
    """A ``;``-separated cell as a list of trimmed, non-empty items."""
    items = pl.col(column).str.split(";").list.eval(pl.element().str.strip_chars())
    return items.list.eval(pl.element().filter(pl.element() != ""))


def _raise_first_problem(
    path: str | Path, rows: pl.DataFrame, checks: list[tuple[pl.Expr, pl.Expr]]
) -> None:
    """Raise :class:`DataFileError` for the first line failing any check."""
    found = pl.concat(
        rows.select("_line", bad.alias("bad"), problem.alias("problem")).filter("bad").drop("bad")
        for bad, problem in checks
    )
    if found.height:
        line, problem = found.sort("_line", maintain_order=True).row(0)
        raise DataFileError(path, f"line {line}: {problem}")


# --------------------------------------------------------------------------
# Annotating sets
# --------------------------------------------------------------------------


def annotate(sets: pl.DataFrame, catalog: Catalog | None = None,
             columns: tuple[str, ...] = ANNOTATION_COLUMNS) -> pl.DataFrame:
    """``sets`` with the catalog's columns added, rows and order unchanged.

    Adds ``lift`` (canonical name; an unknown name cleaned by
    :func:`clean_text`) and, of ``columns``, ``in_catalog``, ``pattern``,
    ``mechanics``, ``main_lift``, ``bodyweight``, ``primary`` and
    ``secondary`` (lists; null for unknown names). Distinct names are
    resolved once, then mapped onto the sets column by column (no join, so
    the existing columns are shared, not copied). Existing annotation
    columns are replaced. On millions of sets, ask only for the columns you
    need: the muscle lists are per exercise and cheaper joined after
    aggregating.
    """
    catalog = catalog or load_catalog()
    sets = sets.drop(ANNOTATION_COLUMNS, strict=False)
    wanted = ["lift", *(c for c in columns if c != "lift")]
    names = catalog.resolve(sets.get_column("exercise").unique().drop_nulls())
    lists = [c for c in wanted if isinstance(names.schema[c], pl.List)]
    mapped = sets.with_columns(
        pl.col("exercise").replace_strict(names["exercise"], names[c], default=None,
                                          return_dtype=names.schema[c]).alias(c)
        for c in wanted if c not in lists
    )
    if "in_catalog" in wanted:
        mapped = mapped.with_columns(pl.col("in_catalog").fill_null(False))  # a missing name is not in it
    if not lists:
        return mapped
    return mapped.join(names.select("exercise", *lists), on="exercise", how="left",
                       nulls_equal=True, maintain_order="left").select(*sets.columns, *wanted)


def cardio_mark(names: pl.Series, catalog: Catalog | None = None) -> pl.DataFrame:
    """``exercise, in_catalog, cardio`` per distinct name: whether the catalog
    knows it, and whether it carries the cardio mark (:data:`CARDIO_WORDS`)."""
    resolved = (catalog or load_catalog()).resolve(names.unique().drop_nulls())
    words = normalize_name(pl.col("exercise")).str.split(" ")
    marked = ~pl.col("in_catalog") & words.list.eval(pl.element().is_in(list(CARDIO_WORDS))).list.any()
    return resolved.select("exercise", "in_catalog", marked.alias("cardio"))


def unknown_exercises(sets: pl.DataFrame, catalog: Catalog | None = None) -> pl.DataFrame:
    """Names the catalog does not know: ``exercise, lift, sets``, most sets first."""
    counts = sets.group_by("exercise").agg(pl.len().alias("sets"))
    resolved = (catalog or load_catalog()).resolve(counts.get_column("exercise"))
    unknown = resolved.filter(~pl.col("in_catalog")).select("exercise", "lift")
    return (
        counts.join(unknown, on="exercise", nulls_equal=True)
        .select("exercise", "lift", "sets")
        .sort(["sets", "exercise"], descending=[True, False])
    )
