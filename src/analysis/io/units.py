"""Units: pounds and inches to the canonical kilograms and centimetres.

Conversions are exact by definition (1 lb = 0.45359237 kg, 1 in = 2.54 cm);
converted loads are rounded to 0.01, which also removes the float noise
apps leave behind (``74.99999999999999``).
"""

from __future__ import annotations

import polars as pl

LB_TO_KG = 0.45359237
IN_TO_CM = 2.54

WEIGHT_UNITS = {"kg": 1.0, "kgs": 1.0, "kilograms": 1.0, "lb": LB_TO_KG, "lbs": LB_TO_KG, "pounds": LB_TO_KG}
LENGTH_UNITS = {"cm": 1.0, "in": IN_TO_CM, "inch": IN_TO_CM, "inches": IN_TO_CM, "mm": 0.1}
UNITS = ("kg", "lb")
DISTANCE_UNITS = {
    "m": 1.0, "meter": 1.0, "meters": 1.0, "metre": 1.0, "metres": 1.0,
    "km": 1000.0, "kms": 1000.0, "kilometers": 1000.0, "kilometres": 1000.0,
    "mi": 1609.344, "mile": 1609.344, "miles": 1609.344,
    "ft": 0.3048, "feet": 0.3048, "yd": 0.9144, "yard": 0.9144, "yards": 0.9144,
}
"""Metres per distance unit (the international yard and mile, exact)."""
METRIC_DISTANCE = {"kg": "km", "lb": "mi"}
"""Exports that write no distance unit use the account's unit system: an
account in kg logs km, one in lb miles (Strong, Lyfta)."""


def check_unit(unit: str | None) -> str | None:
    """The ``--unit`` choice, normalised (``lbs`` -> ``lb``)."""
    if unit is None:
        return None
    name = unit.strip().lower()
    if name not in WEIGHT_UNITS:
        raise ValueError(f"unknown unit {unit!r}; use one of {', '.join(UNITS)}")
    return "kg" if WEIGHT_UNITS[name] == 1.0 else "lb"


def factor(unit_text: pl.Expr) -> pl.Expr:
    """Per-row factor to kg from a weight-unit column (null for unknown units)."""
    return (
        unit_text.str.strip_chars()
        .str.to_lowercase()
        .replace_strict(WEIGHT_UNITS, default=None, return_dtype=pl.Float64)
    )


def distance_factor(unit_text: pl.Expr) -> pl.Expr:
    """Per-row factor to metres from a distance-unit column (null for unknown units)."""
    return (
        unit_text.str.strip_chars()
        .str.to_lowercase()
        .replace_strict(DISTANCE_UNITS, default=None, return_dtype=pl.Float64)
    )


def seconds(text: pl.Expr) -> pl.Expr:
    """A duration as seconds (Float64; null when empty or unreadable).

    Reads plain seconds (``45``, ``45.0``), clock times (``0:00:30``,
    ``01:07:28``; two parts are minutes and seconds, ``1:30`` = 90) and the
    apps' words (``2h 38m``, ``45m``, ``21min``, ``1h``, ``90s``).
    """
    t = text.str.strip_chars().str.to_lowercase()
    parts = t.str.split(":").list.eval(pl.element().cast(pl.Float64, strict=False))
    clock = (
        pl.when(parts.list.len() == 3)
        .then(parts.list.get(0, null_on_oob=True) * 3600 + parts.list.get(1, null_on_oob=True) * 60
              + parts.list.get(2, null_on_oob=True))
        .otherwise(parts.list.get(0, null_on_oob=True) * 60 + parts.list.get(1, null_on_oob=True))
    )
    words = pl.sum_horizontal(
        t.str.extract(pattern).cast(pl.Float64).fill_null(0) * scale
        for pattern, scale in ((r"(\d+(?:\.\d+)?)\s*h", 3600), (r"(\d+(?:\.\d+)?)\s*m(?:in(?:ute)?s?)?(?:[^a-z]|$)", 60),
                               (r"(\d+(?:\.\d+)?)\s*s", 1))
    )
    return (
        pl.when(t.str.contains(r"^\d+(\.\d+)?$")).then(t.cast(pl.Float64, strict=False))
        .when(t.str.contains(r"^\d+(:\d{1,2}(\.\d+)?){1,2}$")).then(clock)
        .when(t.str.contains(r"^(\d+(\.\d+)?\s*(h|hr|hrs|hours?|m|min|mins|minutes?|s|sec|secs|seconds?)\s*)+$"))
        .then(words)
    )


def number(text: pl.Expr) -> pl.Expr:
    """A text column as a float (null when empty or not a number)."""
    return text.str.strip_chars().cast(pl.Float64, strict=False)


def converted(text: pl.Expr, scale: pl.Expr | float, *, zero_is_empty: bool = False) -> pl.Expr:
    """Text of a value times ``scale``, rounded to 0.01.

    Text that is not a number stays as it is, so validation rejects it with
    its own value; ``zero_is_empty`` turns 0 into an empty cell (apps write
    0 kg for bodyweight sets, the canonical table leaves them empty).
    """
    value = number(text)
    scaled = (value * scale).round(2)
    if zero_is_empty:
        scaled = pl.when(value != 0).then(scaled)
    return pl.when(value.is_null()).then(text).otherwise(scaled.cast(pl.String))


def zero_as_empty(text: pl.Expr) -> pl.Expr:
    """Weight text with 0 as an empty cell (a bodyweight set)."""
    return pl.when(number(text) == 0).then(None).otherwise(text)


def is_rounded(values: pl.Series) -> bool:
    """True when every number in a text column already has at most two decimals."""
    numbers = values.cast(pl.Float64, strict=False)
    return bool((numbers.round(2) == numbers).all())


# --------------------------------------------------------------------------
# Guessing the unit of an export that does not say
# --------------------------------------------------------------------------

NOISE_SHARE = 0.005
"""Share of loads with float noise above which an export is taken for pounds."""
MAX_PLAUSIBLE_KG = 400.0
"""Heavier than anything but a world-record lift: such a load means pounds."""


def guess_unit(weights: pl.Series, source: object) -> tuple[str, str]:
    """Guess kg or lb for loads written without a unit; returns (unit, warning).

    Strong keeps loads in kilograms and converts them for display, so an
    account in pounds exports values such as ``74.99999999999999`` (the lb
    -> kg -> lb round trip); kilogram accounts export them as typed. So:
    pounds when at least 0.5 % of the loads carry that noise, or any load
    exceeds 400 (implausible in kg); otherwise kilograms.
    """
    loads = weights.str.strip_chars().cast(pl.Float64, strict=False).drop_nulls()
    loads = loads.filter(loads > 0)
    noisy = int(((loads - loads.round(6)).abs() > 0).sum())
    heaviest = loads.max() if loads.len() else None
    if loads.len() and noisy / loads.len() >= NOISE_SHARE:
        unit, why = "lb", f"{noisy} loads carry the float noise pound accounts leave"
    elif heaviest is not None and heaviest > MAX_PLAUSIBLE_KG:
        unit, why = "lb", f"the heaviest load ({heaviest:g}) is implausible in kg"
    else:
        unit, why = "kg", "no pound float noise, no load over 400"
    other = "lb" if unit == "kg" else "kg"
    return unit, (
        f"{source}: the export does not say its weight unit; guessed {unit} ({why}). "
        f"If that is wrong, import it into a fresh folder with --unit {other} "
        "(importing it again on top would add every set a second time)."
    )
