"""HTML of the report sections (figures included) and the cohort tables,
rendered from the Jinja2 templates in ``templates/`` (the pages around
them: :mod:`analysis.report.pages`).

Autoescape is on for every template: the functions here build plain dicts
and lists of text and numbers (view models) and never write markup, so a
string from data is always escaped. The only HTML let through unescaped is
marked in :func:`analysis.report.pages.page`. Pages are self-contained: one small inline
stylesheet, figures as inline SVG, no scripts, no fonts or styles from a CDN.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import math

import matplotlib.pyplot as plt
import polars as pl
from matplotlib.figure import Figure

from analysis import body as body_measures
from analysis import plots, progress, volume
from analysis import verdict as verdicts
from analysis.report.pages import TEMPLATES, render_template, status_word
from analysis.report.view import TraineeView


def figure(fig: Figure, alt: str, caption: str = "") -> str:
    """A matplotlib figure as an inline SVG image with alt text."""
    return str(TEMPLATES.get_template("figure.html.j2").module.figure(_svg(fig), alt, caption))


def _svg(fig: Figure) -> str:
    """The figure as a ``data:`` URI (and closed).

    SVG rather than PNG: sharp at any zoom (on a phone a 720-pixel PNG shrinks
    its labels to 5 px), 15% faster to draw than PNG at 96 dpi and no larger.
    Text stays text (``svg.fonttype: none``); no date stamp, fixed ids
    (``svg.hashsalt``): the same figure gives the same bytes.
    """
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def warm_up() -> None:
    """Do what only a process's first report would: compile every template,
    load the fonts and draw a date axis to SVG (about half a second)."""
    for name in TEMPLATES.list_templates():
        TEMPLATES.get_template(name)
    fig, ax = plt.subplots(figsize=(4, 2))
    ax.plot([dt.date(2026, 1, 1), dt.date(2026, 2, 1)], [100.0, 102.5])
    ax.set(title="warm-up", ylabel="e1RM (kg)")
    _svg(fig)


def header(view: TraineeView) -> str:
    p = view.profile
    facts = [p.get("sex") and {"F": "female", "M": "male"}.get(p["sex"], p["sex"]), p.get("experience"),
             p.get("goal") and f"goal: {p['goal']}"]
    return render_template("header.html.j2", name=view.display_name, facts=[str(f) for f in facts if f],
                   as_of=verdicts.day(view.as_of), window_weeks=view.summary["window_weeks"],
                   window_start=verdicts.day(view.window_start))


def verdict(view: TraineeView) -> str:
    """The plain-words paragraph at the top (:mod:`analysis.verdict`)."""
    return render_template("verdict.html.j2", text=view.summary["verdict"]["text"])


def plan_section(view: TraineeView) -> str:
    """Goals, what each block did (:mod:`analysis.response`) and the window
    against the weeks before (:mod:`analysis.compare`), from summary.json."""
    s = view.summary
    goals = [{"what": g["what"], "target": _with_unit(g["target"], g["unit"]), "current": _with_unit(g["current"], g["unit"]),
              "expected": (f"{verdicts.day(g['expected_date'])} ({_interval(g['expected_interval'])})"
                           if g["expected_date"] else g["reason"])} for g in s.get("goals", [])]
    blocks = [{"kind": b["kind"], "dates": f"{verdicts.day(b['start'])} to {verdicts.day(b['end'])}",
               "reading": b["text"].split(": ", 1)[-1],
               "sessions": _num(b["training"]["sessions_per_week"]),
               "intended": _share(b["training"]["intended_share"]),
               "rest": _rest_words(b["training"]["rest_s"], b["training"]["rest_estimated"]),
               "compound": _share(b["training"]["compound_share"])}
              for b in reversed(s["blocks"]) if b["kind"] in ("strength", "hypertrophy", "endurance")]
    compare = s["compare"]
    comparisons = [{"title": "This window against the one before", "before": _span(compare["window"]["previous"]),
                    "now": _span(compare["window"]["current"]), "rows": _compare_rows(compare["window"]["rows"])}]
    if compare["block"]:
        comparisons.append({"title": "This block against the previous block of its kind",
                            "before": "from " + verdicts.day(compare["block"]["previous_start"]),
                            "now": "from " + verdicts.day(compare["block"]["current_start"]),
                            "rows": _compare_rows(compare["block"]["rows"])})
    return render_template("plan.html.j2", goals=goals, blocks=blocks, comparisons=comparisons)


def _with_unit(value: float | None, unit: str) -> str:
    return "" if value is None else f"{value:.1f} {unit}"


def _interval(interval: list) -> str:
    low, high = interval
    return f"{verdicts.day(low) if low else '?'} to {verdicts.day(high) if high else 'open'}"


def _span(dates: list) -> str:
    return f"{verdicts.day(dates[0])} to {verdicts.day(dates[1])}"


def _share(x: float | None) -> str:
    return "" if x is None else f"{x:.0%}"


def _rest_words(seconds: float | None, estimated: bool | None) -> str:
    if seconds is None:
        return ""
    return f"{seconds / 60:.1f} min" + (" (est.)" if estimated else "")


def _compare_rows(rows: list[dict]) -> list[dict]:
    def value(x: float | None, unit: str) -> str:
        return "" if x is None else f"{x:,.1f}{unit if unit in ('%', '') else ' ' + unit}"

    return [{"measure": r["measure"], "previous": value(r["previous"], r["unit"]),
             "current": value(r["current"], r["unit"]),
             "change": "" if r["change"] is None else f"{r['arrow']} {r['change']:+,.1f}"} for r in rows]


def _lifts(view: TraineeView) -> dict:
    """The featured lifts and the lifts with a trend: status, since when, e1RM,
    best, change with its interval. Lifts trained in the window with too few
    sessions to judge are named (``brief``); the others counted (``hidden``)."""
    lifts = view.summary["lifts"]
    judged = [lift["featured"] or (lift["sessions_in_window"] > 0 and lift["status"] != "insufficient_data")
              for lift in lifts]
    shown = [lift for lift, j in zip(lifts, judged) if j]
    brief = [lift for lift, j in zip(lifts, judged) if not j and lift["sessions_in_window"]]
    rows = []
    for lift in shown:
        status = verdicts.LIFT_WORDS[lift["status"]]
        if lift["plateau_since"]:
            status += " " + verdicts.since_words(lift["plateau_since"], lift["plateau_since_interval"])
        reps = f" ({lift['e1rm_reps']} reps)" if lift.get("e1rm_reps") else ""
        rows.append({"featured": lift["featured"], "exercise": lift["exercise"], "status": lift["status"],
                     "status_words": status, "how_sure": _how_sure(lift.get("probabilities")),
                     "sessions": lift["sessions_in_window"], "e1rm": _num(lift["e1rm_kg"]) + reps,
                     "best": _num(lift["best_e1rm_kg"]), "change": _change(lift)})
    return {"lifts": rows, "brief": [f"{lift['exercise']} ({lift['sessions_in_window']})" for lift in brief],
            "hidden": len(lifts) - len(shown) - len(brief)}


def _how_sure(probabilities: dict | None) -> str:
    """'progressing 62% · plateau 30% · declining 8%'."""
    return " · ".join(f"{c} {p:.0%}" for c, p in (probabilities or {}).items())


def _change(lift: dict) -> str:
    if lift["change_pct_per_week"] is None:
        return ""
    ci = lift.get("change_pct_per_week_95ci")
    interval = f" ({_signed(ci[0])} to {_signed(ci[1])})" if ci else ""
    return f"{_signed(lift['change_pct_per_week'])}{interval}"


def _signed(x: float) -> str:
    """``+0.42``; a value that rounds to zero is ``+0.00``, never ``-0.00``."""
    return f"{round(x, 2) + 0.0:+.2f}"


def _num(x: float | None) -> str:
    return "" if x is None else f"{x:.1f}"


# --------------------------------------------------------------------------
# Cohort tables for notebooks (analysis.cohort computes, these show)
# --------------------------------------------------------------------------

STATUS_COLUMNS = ("strength", "size")


def html_table(frame: pl.DataFrame, digits: int = 2, css_class: str = "cohort") -> str:
    """A frame as an HTML table; floats to ``digits`` places, nulls empty;
    text left-aligned, numbers right-aligned, the first column (the row's
    key) unwrapped: inline, so it holds under any stylesheet. Cells of the
    status columns carry the status as a class, for the report stylesheet's
    colours."""
    styles = [("text-align:left" if t == pl.String else "text-align:right") + (";white-space:nowrap" if i == 0 else "")
              for i, t in enumerate(frame.schema.values())]
    rows = [[(str(value) if column in STATUS_COLUMNS and value else None, style, _cell(value, digits))
             for column, style, value in zip(frame.columns, styles, row)]
            for row in frame.iter_rows()]
    return render_template("cohort_table.html.j2", columns=list(zip(frame.columns, styles)), rows=rows, css_class=css_class)


def _cell(value, digits: int) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return "" if not math.isfinite(value) else f"{value:.{digits}f}"
    if isinstance(value, dt.date):
        return verdicts.day(value)
    return str(value)


def overview_html(roster: pl.DataFrame) -> str:
    """One paragraph on a :func:`analysis.cohort.roster`: how many trainees,
    their report dates, how many are progressing, on a plateau or declining,
    and flagged."""
    if roster.is_empty():
        return render_template("overview.html.j2", trainees=0)
    first, last = roster["as_of"].min(), roster["as_of"].max()
    count = dict(roster.group_by("strength").len().iter_rows())
    return render_template("overview.html.j2", trainees=roster.height,
                   dates=verdicts.day(last) if first == last else f"{verdicts.day(first)} to {verdicts.day(last)}",
                   progressing=count.get("progressing", 0), plateau=count.get("plateau", 0),
                   declining=count.get("declining", 0),
                   stalled=roster.filter(pl.col("plateaued_lifts") > 0).height,
                   flagged=roster.filter(pl.col("flags") > 0).height)


# --------------------------------------------------------------------------
# Report sections: what each notebook cell shows
# --------------------------------------------------------------------------


def strength_section(view: TraineeView) -> str:
    """The e1RM figure, the lift table, PRs and relative strength."""
    sessions = view.featured_sessions()
    e1rm = lift_names = None
    if not sessions.is_empty():
        lift_names = ", ".join(sessions.get_column("exercise").unique(maintain_order=True).to_list())
        plateaus = {lift["exercise"]: tuple(dt.date.fromisoformat(d) for d in
                                            (lift["plateau_since"], *lift["plateau_since_interval"]))
                    for lift in view.summary["lifts"] if lift["plateau_since"]}
        e1rm = _svg(plots.e1rm_over_time(sessions, view.trend, plateaus, view.window_start, view.as_of))
    return render_template("strength.html.j2", featured_words=_featured_words(view),
                   featured_are_main=view.featured_are_main, featured_max=progress.FEATURED_MAX,
                   e1rm=e1rm, lift_names=lift_names, **_lifts(view), **_records(view), **_relative(view))


def _featured_words(view: TraineeView) -> str:
    return "main lifts" if view.featured_are_main else "most-trained lifts"


def _records(view: TraineeView) -> dict:
    """PRs on the featured lifts set in the window (e1RM, load and rep
    records), at most 12, and how many more and on other exercises."""
    recent = view.recent_records()
    words = {"e1rm": "{d}: {lift}, e1RM {v:.1f} kg (from {r} reps)", "load": "{d}: {lift}, heaviest load {v:.1f} kg",
             "reps": "{d}: {lift}, {r} reps at {v:.1f} kg"}
    return {"records": [words[r["kind"]].format(d=verdicts.day(r["date"]), lift=r["lift"], v=r["value_kg"], r=r["reps"])
                        for r in recent.head(12).iter_rows(named=True)],
            "more_records": max(0, recent.height - 12),
            "other_records": view.recent_records(featured_only=False).height - recent.height}


def _relative(view: TraineeView) -> dict:
    """Relative strength: scores from the e1RM total and the nearest
    bodyweight (none when neither a total nor a bench score is known), and
    what is unknown."""
    rel = view.summary["strength"]["relative"]
    known = rel.get("total_kg") is not None or rel.get("ipf_gl_bench") is not None
    labels = {"bodyweight (kg)": "bodyweight_kg", "e1RM total (kg)": "total_kg", "DOTS": "dots", "Wilks": "wilks",
              "Wilks 2020": "wilks2020", "IPF GL (total)": "ipf_gl_total", "IPF GL (bench)": "ipf_gl_bench"}
    return {"relative": {label: _num(rel.get(key)) for label, key in labels.items()} if known else {},
            "unknown": rel.get("missing")}


def focus_section(view: TraineeView) -> str:
    """Training focus: zone shares by week with the blocks, and hard sets per muscle."""
    refs = volume.HARD_SET_REFERENCES
    by_week = (_svg(plots.focus_by_week(view.weekly_focus, view.blocks, view.window_start, view.as_of))
               if view.weekly_focus.height else None)
    hard_sets = (_svg(plots.hard_sets(view.hard_sets, refs["min_sets_per_week"], refs["trained_sets_per_week"]))
                 if view.hard_sets.height else None)
    rest_by_week = (_svg(plots.rest_by_week(view.weekly_rest, view.window_start, view.as_of))
                    if view.weekly_rest.height else None)
    return render_template("focus.html.j2", by_week=by_week, hard_sets=hard_sets, rest_by_week=rest_by_week,
                   rest=verdicts.rest_words(view.summary["rest"]),
                   timed=[verdicts.timed_words(t) for t in view.summary["timed_sets"]])


def size_section(view: TraineeView) -> str:
    """Body measurements: the size verdict in words, girths and bodyweight."""
    size = view.summary["size"]
    finding = next(f for f in view.summary["verdict"]["findings"] if f["kind"] == "size")
    body_figure = None if view.body.is_empty() else _svg(plots.body_measures(
        view.body, body_measures.rolling_bodyweight(view.body), view.window_start, view.as_of))
    measures = [{"label": _measure_label(m), "latest": _num(v["latest"]), "change": f"{v['change_per_week']:+.3f}",
                 "interval": f"{v['change_per_week_95ci'][0]:+.3f} to {v['change_per_week_95ci'][1]:+.3f}",
                 "count": v["measurements"]}
                for m, v in size.get("measures", {}).items()]
    return render_template("size.html.j2", finding=finding["text"], evidence=size.get("evidence") or "",
                   body_figure=body_figure, measures=measures)


def _measure_label(measure: str) -> str:
    """``arm_cm`` -> ``arm (cm)``."""
    for unit in ("cm", "kg", "pct"):
        if measure.endswith(f"_{unit}"):
            name = measure.removesuffix(f"_{unit}").replace("_", " ")
            return f"{name} ({'%' if unit == 'pct' else unit})"
    return measure.replace("_", " ")


def workload_section(view: TraineeView) -> str:
    """Workload: the ACWR figure, monotony, and the flags in words."""
    w = view.summary["workload"]
    acwr = _svg(plots.acwr(view.acwr, view.window_start, view.as_of)) if view.acwr.height else None
    facts = []
    if w["acwr"] is not None:
        facts.append(f"ACWR {w['acwr']:.2f} on {verdicts.day(w['acwr_date'])}")
    if w["monotony"] is not None:
        facts.append(f"monotony {w['monotony']:.2f} and strain {w['strain']:,.0f} in the last full week")
    text = "; ".join(facts)
    return render_template("workload.html.j2", acwr=acwr, facts=text[:1].upper() + text[1:],
                   flags=[f["message"] for f in view.summary["flags"]])


def volume_section(view: TraineeView) -> str:
    return render_template("volume.html.j2", weekly_volume=_svg(plots.weekly_volume(view.weekly_volume)),
                   sessions_per_week=_svg(plots.sessions_per_week(view.sessions_per_week)))
