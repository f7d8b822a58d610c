"""Every report figure, one function each: a tidy frame in, a Figure out.

Units on every axis; one colour per meaning across the suite (strength-zone
work, hypertrophy-zone work, the trainee's own data, reference lines).
"""

from __future__ import annotations

import datetime as dt

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import polars as pl  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from analysis import progress  # noqa: E402
from analysis.rest import REST_ZONE_S  # noqa: E402

COLORS = {
    "data": "#2b6cb0",
    "strength": "#c05621",
    "hypertrophy": "#2f855a",
    "endurance": "#718096",
    "reference": "#a0aec0",
    "window": "#edf2f7",
    "deload": "#90cdf4",
    "off": "#ffffff",
}
plt.rcParams.update({
    "figure.dpi": 96,
    "savefig.dpi": 96,
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titleweight": "bold",
    "axes.titlesize": 10,
    "axes.titley": 1.0,  # fixed title position: no per-draw measuring of tick labels
    "svg.hashsalt": "analysis",  # deterministic output
    "svg.fonttype": "none",  # text as text: smaller, selectable, drawn by the browser's font
})


def _margins(fig: Figure, left: float = 0.75, right: float = 0.2, top: float = 0.35, bottom: float = 0.45,
             wspace: float = 0.25, hspace: float = 0.45) -> None:
    """Fixed margins in inches. A layout engine (constrained, tight) measures
    every label by drawing the figure twice, which was 40% of a report's time;
    our figures have known label sizes, so fixed margins suffice."""
    width, height = fig.get_size_inches()
    fig.subplots_adjust(left=left / width, right=1 - right / width, top=1 - top / height,
                        bottom=bottom / height, wspace=wspace, hspace=hspace)


def _figure(width: float = 7.5, height: float = 2.6, **margins: float) -> tuple[Figure, plt.Axes]:
    fig, ax = plt.subplots(figsize=(width, height))
    _margins(fig, **margins)
    return fig, ax


def _dates(ax: plt.Axes) -> None:
    locator = mdates.AutoDateLocator(maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _week_bars(ax: plt.Axes, weeks: list[dt.date], heights, bottoms=None, width_days: float = 5,
               color: str = COLORS["data"], label: str | None = None) -> None:
    """Bars centred on dates as one collection: ``ax.bar`` makes a patch per
    bar and measures each for the axis limits, a third of a report's figure
    time with a year of weekly bars."""
    x = mdates.date2num(weeks)
    h = np.asarray(heights, dtype=float)
    b = np.zeros_like(h) if bottoms is None else np.asarray(bottoms, dtype=float)
    half = width_days / 2
    corners = np.stack([np.column_stack([x - half, b]), np.column_stack([x + half, b]),
                        np.column_stack([x + half, b + h]), np.column_stack([x - half, b + h])], axis=1)
    ax.add_collection(PolyCollection(corners, facecolors=color, edgecolors="none", label=label))
    ax.xaxis_date()
    ax.update_datalim(np.concatenate([corners.reshape(-1, 2), [[x.min() - half, 0]]]) if len(x) else [[0, 0]])
    ax.autoscale_view()


def _shade_window(ax: plt.Axes, window_start: dt.date, as_of: dt.date) -> None:
    ax.axvspan(window_start, as_of, color=COLORS["window"], zorder=0, label="report window")


def sessions_per_week(weeks: pl.DataFrame, guideline: float = 2.0) -> Figure:
    """Sessions per ISO week, against the 2-days-a-week guideline."""
    fig, ax = _figure(right=1.25)
    _week_bars(ax, weeks["week"].to_list(), weeks["sessions"].to_list())
    ax.axhline(guideline, color=COLORS["reference"], ls="--", lw=1)
    ax.annotate(f"guideline: {guideline:g} a week", xy=(1, guideline), xycoords=("axes fraction", "data"),
                xytext=(4, 0), textcoords="offset points", va="center", fontsize=8, color="#4a5568")
    ax.set_ylabel("sessions per week")
    ax.set_title("Training frequency")
    ax.yaxis.get_major_locator().set_params(integer=True)
    _dates(ax)
    return fig


def weekly_volume(weeks: pl.DataFrame) -> Figure:
    """Volume load per week, tonnes (sum of reps x load over working sets)."""
    fig, ax = _figure()
    _week_bars(ax, weeks["week"].to_list(), (weeks["volume_load_kg"] / 1000).to_list())
    ax.set_ylabel("volume load (t / week)")
    ax.set_title("Weekly volume load (working sets, reps × kg)")
    _dates(ax)
    return fig


def e1rm_over_time(sessions: pl.DataFrame, trend: pl.DataFrame,
                   plateaus: dict[str, tuple[dt.date, dt.date, dt.date]],
                   window_start: dt.date, as_of: dt.date) -> Figure:
    """Session-best e1RM per lift (kg), one panel per lift: the trend with the
    95% range of session values, the report window and any plateau shaded
    (``plateaus``: lift -> most likely start, 80% interval low and high):
    from its start, and lighter over the interval of that start."""
    lifts = sessions.get_column("exercise").unique(maintain_order=True).to_list()
    cols = 2 if len(lifts) > 1 else 1
    rows = max(1, -(-len(lifts) // cols))
    fig, axes = plt.subplots(rows, cols, figsize=(7.5, 2.3 * rows), squeeze=False, sharex=True)
    _margins(fig, left=0.65, right=0.1, top=0.3, bottom=0.4, wspace=0.3, hspace=0.35)
    for ax, lift in zip(axes.flat, lifts):
        one = sessions.filter(pl.col("exercise") == lift)
        line = trend.filter(pl.col("lift") == lift)
        _shade_window(ax, window_start, as_of)
        if lift in plateaus:
            since, low, high = plateaus[lift]
            ax.axvspan(low, high, color=COLORS["strength"], alpha=0.08, zorder=0)
            ax.axvspan(since, as_of, color=COLORS["strength"], alpha=0.14, zorder=0)
            ax.annotate("plateau", xy=(since, 1), xycoords=("data", "axes fraction"),
                        xytext=(2, -10), textcoords="offset points", fontsize=7, color=COLORS["strength"])
        ax.plot(one["date"].to_list(), one["e1rm_kg"].to_list(), "o", ms=2.5, color=COLORS["data"], alpha=0.6)
        if line.height:
            ax.fill_between(line["date"].to_list(), line["low_kg"].to_list(), line["high_kg"].to_list(),
                            color=COLORS["data"], alpha=0.12, lw=0)
            ax.plot(line["date"].to_list(), line["trend_kg"].to_list(), "-", lw=1.8, color=COLORS["data"])
        ax.set_title(lift)
        ax.set_ylabel("e1RM (kg)")
        _dates(ax)
    for ax in list(axes.flat)[len(lifts):]:
        ax.set_visible(False)
    return fig


def focus_by_week(weekly: pl.DataFrame, blocks: pl.DataFrame, window_start: dt.date, as_of: dt.date) -> Figure:
    """Share of working sets per zone each week (%), with the detected blocks
    as a strip underneath."""
    fig, (ax, strip) = plt.subplots(2, 1, figsize=(7.5, 2.9), sharex=True, gridspec_kw={"height_ratios": [5, 1]})
    _margins(fig, right=1.05, hspace=0.15)
    _shade_window(ax, window_start, as_of)
    bottom = [0.0] * weekly.height
    weeks = weekly["week"].to_list()
    for zone in ("strength", "hypertrophy", "endurance"):
        share = (weekly[zone].fill_null(0) * 100).to_list()
        _week_bars(ax, weeks, share, bottom, width_days=6, color=COLORS[zone], label=zone)
        bottom = [b + v for b, v in zip(bottom, share)]
    ax.set_ylabel("working sets (%)")
    ax.set_ylim(0, 100)
    ax.set_title("Training focus by week (NSCA zones by reps and %1RM)")
    ax.legend(loc="upper left", bbox_to_anchor=(1, 1), frameon=False, fontsize=7)
    for b in blocks.iter_rows(named=True):
        strip.axvspan(b["start"], b["end"] + dt.timedelta(days=1), color=COLORS[b["kind"]],
                      alpha=0.9 if b["kind"] != "off" else 0)
        if b["weeks"] >= 2 and b["kind"] != "off":
            mid = b["start"] + (b["end"] - b["start"]) / 2
            strip.text(mid, 0.5, b["kind"], ha="center", va="center", fontsize=7, color="white")
    strip.set_yticks([])
    strip.set_ylabel("block", rotation=0, ha="right", va="center", fontsize=8)
    for side in ("left", "bottom"):
        strip.spines[side].set_visible(False)
    _dates(strip)
    return fig


def rest_by_week(weekly: pl.DataFrame, window_start: dt.date, as_of: dt.date) -> Figure:
    """Median rest between sets each week (s; :func:`analysis.rest.weekly_rest`)
    against the NSCA rest zones; hollow markers: estimated from session length."""
    fig, ax = _figure(height=2.4, right=1.45)
    _shade_window(ax, window_start, as_of)
    top = max(300.0, (weekly["median_rest_s"].max() or 0) * 1.1)
    ax.axhspan(REST_ZONE_S["strength"], top, color=COLORS["strength"], alpha=0.08, lw=0, label="strength zone\n(2 min+)")
    ax.axhspan(REST_ZONE_S["hypertrophy"], REST_ZONE_S["strength"], color=COLORS["hypertrophy"], alpha=0.08, lw=0,
               label="hypertrophy zone\n(30 s-2 min)")
    for estimated, group in weekly.group_by(pl.col("estimated_share") > 0.5, maintain_order=True):
        ax.plot(group["week"].to_list(), group["median_rest_s"].to_list(), "o", ms=4, color=COLORS["data"],
                mfc="white" if estimated[0] else COLORS["data"],
                label="estimated from\nsession length" if estimated[0] else "logged")
    ax.set_ylim(0, top)
    ax.set_ylabel("rest between sets (s)")
    ax.set_title("Median rest between sets by week")
    ax.legend(loc="upper left", bbox_to_anchor=(1, 1), frameon=False, fontsize=7)
    _dates(ax)
    return fig


def hard_sets(per_muscle: pl.DataFrame, minimum: float = 10, trained: tuple[float, float] = (12, 20)) -> Figure:
    """Hard sets a week per muscle in the window (primary 1, secondary 0.5),
    against the 10-set and 12-20-set references."""
    muscles = per_muscle.sort("per_week")
    fig, ax = _figure(height=0.22 * max(muscles.height, 4) + 0.9, left=1.1, bottom=0.5, top=0.3)
    ax.axvspan(*trained, color=COLORS["hypertrophy"], alpha=0.1, lw=0)
    ax.axvline(minimum, color=COLORS["reference"], ls="--", lw=1)
    ax.barh(muscles["muscle"].to_list(), muscles["per_week"].to_list(), color=COLORS["data"], height=0.6)
    ax.set_xlabel("hard sets per week (primary muscle 1, secondary 0.5)")
    ax.set_title("Weekly hard sets per muscle in the window")
    ax.tick_params(axis="y", labelsize=8)
    return fig


def body_measures(body: pl.DataFrame, rolling: pl.DataFrame, window_start: dt.date, as_of: dt.date) -> Figure:
    """Girth change since the first measurement (cm, one line per site) and
    bodyweight (kg, logged and 7-day mean)."""
    girths = body.filter(pl.col("measure").str.ends_with("_cm") & ~pl.col("measure").str.starts_with("corrected"))
    fig, (left, right) = plt.subplots(1, 2, figsize=(7.5, 2.6))
    _margins(fig, left=0.6, right=0.1, wspace=0.35)
    for ax in (left, right):
        _shade_window(ax, window_start, as_of)
    for measure in sorted(girths.get_column("measure").unique().to_list()):
        one = girths.filter(pl.col("measure") == measure).sort("date")
        style = "--" if measure == "waist_cm" else "-"
        left.plot(one["date"].to_list(), (one["value"] - one["value"][0]).to_list(), style, marker="o", ms=2.5,
                  lw=1, label=measure.removesuffix("_cm"))
    left.axhline(0, color=COLORS["reference"], lw=0.8)
    left.set_ylabel("change since first (cm)")
    left.set_title("Girths")
    if girths.height:
        left.legend(frameon=False, fontsize=7, ncol=2)
    if rolling.height:
        right.plot(rolling["date"].to_list(), rolling["bodyweight_kg"].to_list(), "o", ms=2, alpha=0.4,
                   color=COLORS["reference"], label="logged")
        right.plot(rolling["date"].to_list(), rolling["rolling_kg"].to_list(), "-", lw=1.5,
                   color=COLORS["data"], label="7-day mean")
        right.legend(frameon=False, fontsize=7)
    right.set_ylabel("bodyweight (kg)")
    right.set_title("Bodyweight")
    for ax in (left, right):
        _dates(ax)
    return fig


def acwr(ratio: pl.DataFrame, window_start: dt.date, as_of: dt.date, band=(0.8, 1.3), spike=1.5) -> Figure:
    """Acute:chronic workload ratio (EWMA 7/28 days, volume load) on training
    days, with the commonly quoted 0.8-1.3 band and the 1.5 spike line."""
    fig, ax = _figure(height=2.2, right=0.6)
    _shade_window(ax, window_start, as_of)
    ax.axhspan(*band, color=COLORS["hypertrophy"], alpha=0.08, lw=0)
    ax.axhline(spike, color=COLORS["strength"], ls="--", lw=1)
    ax.annotate(f"spike {spike:g}", xy=(1, spike), xycoords=("axes fraction", "data"), xytext=(4, 0),
                textcoords="offset points", va="center", fontsize=8, color=COLORS["strength"])
    ax.plot(ratio["date"].to_list(), ratio["acwr"].to_list(), "-", lw=1.2, color=COLORS["data"])
    ax.set_ylabel("ACWR (ratio)")
    ax.set_title("Acute:chronic workload ratio (7 / 28-day EWMA of volume load)")
    _dates(ax)
    return fig


# --------------------------------------------------------------------------
# Cohort figures (analysis.cohort)
# --------------------------------------------------------------------------

COHORT_STATUSES = {"strength": progress.LIFT_STATUSES, "size": progress.SIZE_STATUSES}
STATUS_LABELS = {"insufficient_data": "not enough\ndata", "uncertain": "too early\nto tell"}
EXPERIENCE_MARKERS = {"novice": "o", "intermediate": "s", "advanced": "^"}
UNKNOWN_MARKER = "D"


def _shorten(text, width: int = 24) -> str:
    """A label from data cut to fit a fixed margin (shown without mathtext)."""
    text = str(text)
    if len(text) <= width:
        return text
    head, sep, tail = text.rpartition(" (")  # keep a trailing "(T001)"
    if sep and tail.endswith(")") and len(tail) < width // 2:
        return head[: width - len(tail) - 3] + "…" + sep + tail
    return text[: width - 1] + "…"


def status_counts(counts: pl.DataFrame) -> Figure:
    """Trainees per strength status and per size status (from
    ``cohort.status_counts``); 'not enough data' in the reference grey."""
    fig, axes = plt.subplots(1, 2, figsize=(7.5, 2.4), sharey=True)
    _margins(fig, left=0.6, right=0.1, bottom=0.55, wspace=0.15)
    top = max(int(counts["trainees"].max() or 0), 1)
    for ax, (measure, statuses) in zip(axes, COHORT_STATUSES.items()):
        one = counts.filter(pl.col("measure") == measure)
        n = dict(one.select("status", "trainees").iter_rows())
        values = [n.get(s, 0) for s in statuses]
        colors = [COLORS["reference"] if s in STATUS_LABELS else COLORS["data"] for s in statuses]
        bars = ax.bar(range(len(statuses)), values, color=colors, width=0.65)
        ax.bar_label(bars, fontsize=8, padding=2)
        ax.set_xticks(range(len(statuses)),
                      [STATUS_LABELS.get(s, s) for s in statuses], fontsize=8)
        ax.set_title(f"{measure.capitalize()} status")
        ax.set_ylim(0, top * 1.2)
        ax.yaxis.get_major_locator().set_params(integer=True)
    axes[0].set_ylabel("trainees")
    return fig


def stalled_longest(stalled: pl.DataFrame) -> Figure:
    """Weeks since each trainee's earliest current main-lift plateau began
    (from ``cohort.stalled_longest``), longest at the top, the lifts named."""
    rows = stalled.height
    fig, ax = _figure(height=0.32 * max(rows, 2) + 0.9, left=1.85, right=0.2, top=0.35, bottom=0.5)
    ax.set_title("Stalled longest: weeks on a plateau (earliest main lift)")
    ax.set_xlabel("weeks on a plateau, to the report date")
    if not rows:
        ax.text(0.5, 0.5, "no main lift on a plateau", ha="center", va="center", transform=ax.transAxes,
                color="#4a5568")
        ax.set_yticks([])
        ax.set_xticks([])
        return fig
    weeks = stalled["weeks_stalled"].fill_null(0).to_list()
    y = list(range(rows))[::-1]
    ax.barh(y, weeks, color=COLORS["data"], height=0.6)
    ax.set_yticks(y, [_shorten(t) for t in stalled["trainee"].to_list()], fontsize=8)
    longest = max(weeks) or 1
    lifts = stalled["plateaus"].str.replace_all(r" since [^,]*", "").to_list()
    for yi, w, text in zip(y, weeks, lifts):
        ax.text(w + longest * 0.01, yi, text or "", va="center", fontsize=7, color="#4a5568", parse_math=False)
    ax.set_xlim(0, longest * 1.45)  # room for the lift names
    for label in ax.get_yticklabels():
        label.set_parse_math(False)
    return fig


def focus_vs_outcome(table: pl.DataFrame) -> Figure:
    """Per trainee over the whole log (``cohort.focus_vs_outcome``): share of
    working sets in the hypertrophy zone against limb girth change (cm a
    week), and in the strength zone against main-lift e1RM change (% a
    week). Marker shape: experience; filled: male, open: female."""
    fig, axes = plt.subplots(1, 2, figsize=(7.5, 3.2))
    _margins(fig, left=0.85, right=0.1, top=0.35, bottom=0.85, wspace=0.45)
    panels = (("hypertrophy", "girth_change_cm_per_week", "limb girth change (cm / week)",
               "Hypertrophy zone vs girths"),
              ("strength", "e1rm_change_pct_per_week", "main-lift e1RM change (% / week)",
               "Strength zone vs e1RM"))
    for ax, (zone, outcome, ylabel, title) in zip(axes, panels):
        share = f"{zone}_share"
        both = table.filter(pl.col(share).is_not_null() & pl.col(outcome).is_not_null())
        ax.axhline(0, color=COLORS["reference"], lw=0.8)
        for (experience, sex), group in both.group_by("experience", "sex", maintain_order=True):
            marker = EXPERIENCE_MARKERS.get(experience, UNKNOWN_MARKER)
            face = COLORS[zone] if sex == "M" else ("white" if sex == "F" else COLORS["reference"])
            ax.scatter((group[share] * 100).to_list(), group[outcome].to_list(), s=36, marker=marker,
                       facecolors=face, edgecolors=COLORS[zone], linewidths=1.2, zorder=3)
        ax.set_xlabel(f"{zone}-zone share of working sets (%)")
        ax.set_ylabel(ylabel)
        ax.set_title(f"{title} (n = {both.height})")
    grey = COLORS["endurance"]
    handles = [plt.Line2D([], [], ls="", marker=m, color=grey, label=e) for e, m in EXPERIENCE_MARKERS.items()]
    handles += [plt.Line2D([], [], ls="", marker="o", color=grey, label="filled: male"),
                plt.Line2D([], [], ls="", marker="o", markerfacecolor="white", markeredgecolor=grey,
                           label="open: female")]
    fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncol=5, frameon=False, fontsize=7)
    return fig
