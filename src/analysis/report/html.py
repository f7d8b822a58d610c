"""HTML pieces of the reports. Every string that came from data is escaped.

Pages are self-contained: one small inline stylesheet, figures as inline
SVG, no scripts, no fonts or styles from a CDN.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import math
from html import escape
from importlib import resources

import matplotlib.pyplot as plt
import polars as pl
from matplotlib.figure import Figure

from analysis import body as body_measures
from analysis import plots, progress, volume
from analysis import verdict as verdicts
from analysis.report.view import TraineeView


def _css() -> str:
    return resources.files("analysis.report").joinpath("report.css").read_text()


def page(title: str, body: str, footer: str = "") -> str:
    """A complete, self-contained HTML document."""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{escape(title)}</title><style>{_css()}</style></head>\n"
        f"<body><main>\n{body}\n</main>"
        + (f"<footer>{footer}</footer>" if footer else "")
        + "</body></html>\n"
    )


def figure(fig: Figure, alt: str, caption: str = "") -> str:
    """A matplotlib figure as an inline SVG image with alt text.

    SVG rather than PNG: sharp at any zoom (on a phone a 720-pixel PNG shrinks
    its labels to 5 px), 15% faster to draw than PNG at 96 dpi and no larger.
    Text stays text (``svg.fonttype: none``); no date stamp, fixed ids
    (``svg.hashsalt``): the same figure gives the same bytes.
    """
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    cap = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
    return f'<figure><img src="data:image/svg+xml;base64,{data}" alt="{escape(alt)}">{cap}</figure>'


def header(view: TraineeView) -> str:
    p = view.profile
    facts = [p.get("sex") and {"F": "female", "M": "male"}.get(p["sex"], p["sex"]), p.get("experience"),
             p.get("goal") and f"goal: {p['goal']}"]
    facts = " · ".join(escape(str(f)) for f in facts if f)
    return (
        f"<h1>{escape(view.display_name)}</h1>"
        f"<p class=\"meta\">{facts + ' · ' if facts else ''}"
        f"report as of {verdicts.day(view.as_of)}, window {view.summary['window_weeks']} weeks "
        f"({verdicts.day(view.window_start)} to {verdicts.day(view.as_of)})</p>"
    )


def verdict(view: TraineeView) -> str:
    """The plain-words paragraph at the top (:mod:`analysis.verdict`)."""
    return "<p class=\"verdict\">" + escape(view.summary["verdict"]["text"]) + "</p>"


def lift_table(view: TraineeView) -> str:
    """The featured lifts and the lifts with a trend: status, since when, e1RM,
    best, change with its interval. Lifts trained in the window with too few
    sessions to judge are named below it; the others counted."""
    head = ("<tr><th>lift</th><th>status</th><th>how sure</th><th>sessions in window</th>"
            "<th>latest e1RM (kg, at reps trained)</th><th>best e1RM (kg)</th>"
            "<th>change (% / week, 95% interval)</th></tr>")
    lifts = view.summary["lifts"]
    judged = [lift["featured"] or (lift["sessions_in_window"] > 0 and lift["status"] != "insufficient_data")
              for lift in lifts]
    shown = [lift for lift, j in zip(lifts, judged) if j]
    brief = [lift for lift, j in zip(lifts, judged) if not j and lift["sessions_in_window"]]
    hidden = len(lifts) - len(shown) - len(brief)
    rows = []
    for lift in shown:
        css = ' class="main"' if lift["featured"] else ""
        status = verdicts.LIFT_WORDS[lift["status"]]
        if lift["plateau_since"]:
            status += " " + verdicts.since_words(lift["plateau_since"], lift["plateau_since_interval"])
        reps = f" ({lift['e1rm_reps']} reps)" if lift.get("e1rm_reps") else ""
        rows.append(
            f"<tr{css}><td>{escape(lift['exercise'])}</td><td class=\"status {escape(lift['status'])}\">"
            f"{escape(status)}</td><td>{_how_sure(lift.get('probabilities'))}</td>"
            f"<td>{lift['sessions_in_window']}</td><td>{_num(lift['e1rm_kg'])}{reps}</td>"
            f"<td>{_num(lift['best_e1rm_kg'])}</td><td>{_change(lift)}</td></tr>"
        )
    notes = []
    if brief:
        names = ", ".join(f"{escape(lift['exercise'])} ({lift['sessions_in_window']})" for lift in brief)
        notes.append(f"Also trained in the window, too few sessions to judge (sessions): {names}.")
    if hidden:
        notes.append(f"{hidden} other exercise{'s' if hidden > 1 else ''} not trained in the window "
                     "are left out; summary.json lists them.")
    return (f"<table class=\"lifts\"><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"
            + "".join(f"<p class=\"note\">{n}</p>" for n in notes))


def _how_sure(probabilities: dict | None) -> str:
    """'progressing 62% · plateau 30% · declining 8%'."""
    if not probabilities:
        return ""
    return " · ".join(f"{escape(c)} {p:.0%}" for c, p in probabilities.items())


def _change(lift: dict) -> str:
    if lift["change_pct_per_week"] is None:
        return ""
    ci = lift.get("change_pct_per_week_95ci")
    interval = f" ({ci[0]:+.2f} to {ci[1]:+.2f})" if ci else ""
    return f"{lift['change_pct_per_week']:+.2f}{interval}"


def _num(x: float | None) -> str:
    return "" if x is None else f"{x:.1f}"


def _plateaus(plateaus: list[tuple[str, str | None]]) -> str:
    return "<br>".join(f"{escape(lift)} since {escape(since or '?')}" for lift, since in plateaus) or "none"


def _status_word(status: str) -> str:
    return {"insufficient_data": "not enough data", "uncertain": "too early to tell"}.get(status, status)


def index_page(rows: list[dict], failures: dict[str, str], footer: str, overview: str | None = None) -> str:
    """The roster page: one row per trainee with its statuses and a link."""
    body = ["<h1>Trainee reports</h1>"]
    if overview:
        body.append(f'<p><a href="{escape(overview)}">Cohort overview</a>: status counts, who has been '
                    "stalled longest, workload flags.</p>")
    if failures:
        items = "".join(f"<li><b>{escape(t)}</b>: {escape(why)}</li>" for t, why in sorted(failures.items()))
        body.append(f"<section class=\"failures\"><h2>Failed reports ({len(failures)})</h2><ul>{items}</ul></section>")
    head = ("<tr><th>trainee</th><th>as of</th><th>strength</th><th>main lifts progressing / plateau / "
            "declining / too early to tell</th><th>size</th><th>lifts on a plateau</th>"
            "<th>focus (strength / hypertrophy / endurance)</th></tr>")
    cells = []
    for r in rows:
        tid = escape(r["trainee_id"])
        f = r["focus"]
        cells.append(
            f"<tr><td><a href=\"{tid}/report.html\">{escape(r['name'])}</a></td><td>{escape(r['as_of'])}</td>"
            f"<td>{escape(_status_word(r['strength']))}</td><td>{' / '.join(str(n) for n in r['lift_counts'])}</td>"
            f"<td>{escape(_status_word(r['size']))}</td><td>{_plateaus(r['plateaus'])}</td>"
            f"<td>{f['strength']:.0%} / {f['hypertrophy']:.0%} / {f['endurance']:.0%}</td></tr>"
        )
    body.append(f"<table class=\"roster\"><thead>{head}</thead><tbody>{''.join(cells)}</tbody></table>")
    return page("Trainee reports", "\n".join(body), footer)


# --------------------------------------------------------------------------
# Cohort tables for notebooks (analysis.cohort computes, these show)
# --------------------------------------------------------------------------

STATUS_COLUMNS = ("strength", "size")


def html_table(frame: pl.DataFrame, digits: int = 2, css_class: str = "cohort") -> str:
    """A frame as an HTML table, every header and cell escaped; floats to
    ``digits`` places, nulls empty; text left-aligned, numbers right-aligned,
    the first column (the row's key) unwrapped: inline, so it holds under
    any stylesheet. Cells of the status columns carry the status as a
    class, for the report stylesheet's colours."""
    align = {c: "text-align:left" if t == pl.String else "text-align:right" for c, t in frame.schema.items()}
    align = {c: f' style="{a}{";white-space:nowrap" if i == 0 else ""}"' for i, (c, a) in enumerate(align.items())}
    head = "".join(f"<th{align[c]}>{escape(c)}</th>" for c in frame.columns)
    body = []
    for row in frame.iter_rows():
        cells = []
        for column, value in zip(frame.columns, row):
            css = f' class="status {escape(str(value))}"' if column in STATUS_COLUMNS and value else ""
            cells.append(f"<td{css}{align[column]}>{escape(_cell(value, digits))}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (f'<table class="{escape(css_class)}"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>")


def _cell(value, digits: int) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return "" if not math.isfinite(value) else f"{value:.{digits}f}"
    if isinstance(value, dt.date):
        return verdicts.day(value)
    return str(value)


def overview_html(roster: pl.DataFrame) -> str:
    """One escaped paragraph on a :func:`analysis.cohort.roster`: how many
    trainees, their report dates, how many are progressing, on a plateau or
    declining, and flagged."""
    if roster.is_empty():
        return '<p class="meta">No trainees.</p>'
    first, last = roster["as_of"].min(), roster["as_of"].max()
    dates = verdicts.day(last) if first == last else f"{verdicts.day(first)} to {verdicts.day(last)}"
    count = dict(roster.group_by("strength").len().iter_rows())
    stalled = roster.filter(pl.col("plateaued_lifts") > 0).height
    flagged = roster.filter(pl.col("flags") > 0).height
    text = (f"{roster.height} trainees, reports as of {dates}. Strength: {count.get('progressing', 0)} progressing, "
            f"{count.get('plateau', 0)} on a plateau, {count.get('declining', 0)} declining. "
            f"{stalled} with at least one main lift on a plateau; {flagged} with workload flags.")
    return f'<p class="meta">{escape(text)}</p>'


# --------------------------------------------------------------------------
# Report sections: what each notebook cell shows
# --------------------------------------------------------------------------


def strength_section(view: TraineeView) -> str:
    sessions = view.featured_sessions()
    parts = [f"<h2>Strength: {_featured_words(view)}</h2>"]
    if not view.featured_are_main:
        parts.append("<p class=\"note\">No main lift (squat, bench press, deadlift, overhead press) trained "
                     f"often enough lately to judge, so this section follows the {progress.FEATURED_MAX} "
                     "most-trained lifts.</p>")
    if sessions.is_empty():
        parts.append("<p>No lift logged with a load.</p>")
    else:
        lifts = ", ".join(sessions.get_column("exercise").unique(maintain_order=True).to_list())
        plateaus = {lift["exercise"]: tuple(dt.date.fromisoformat(d) for d in
                                            (lift["plateau_since"], *lift["plateau_since_interval"]))
                    for lift in view.summary["lifts"] if lift["plateau_since"]}
        parts.append(figure(
            plots.e1rm_over_time(sessions, view.trend, plateaus, view.window_start, view.as_of),
            alt=f"Session-best estimated 1RM in kg over time for {lifts}, with the fitted trend, "
                "its range, the report window and any plateau shaded.",
            caption="Dots: best estimated 1RM (e1RM) of each session from working sets (RTS chart where "
                    "RPE 7 or more is logged, Epley otherwise). Line: the posterior mean trend at the reps the "
                    "lift was trained at in its last 4 weeks, with the 95% range of session values. Grey: the "
                    "report window; orange: a plateau from its most likely start, lighter over the 80% "
                    "interval of that start.",
        ))
    parts.append(lift_table(view))
    parts.append(records_list(view))
    parts.append(relative_table(view))
    return "\n".join(parts)


def _featured_words(view: TraineeView) -> str:
    return "main lifts" if view.featured_are_main else "most-trained lifts"


def records_list(view: TraineeView) -> str:
    """PRs on the featured lifts set in the window: e1RM, load and rep records."""
    recent = view.recent_records()
    others = view.recent_records(featured_only=False).height - recent.height
    if recent.is_empty():
        return f"<p>No personal records on {_featured_words(view)} in the window ({others} on other exercises).</p>"
    words = {"e1rm": "e1RM {v:.1f} kg (from {r} reps)", "load": "heaviest load {v:.1f} kg",
             "reps": "{r} reps at {v:.1f} kg"}
    items = [
        f"<li>{verdicts.day(r['date'])}: {escape(r['lift'])}, {escape(words[r['kind']].format(v=r['value_kg'], r=r['reps']))}</li>"
        for r in recent.head(12).iter_rows(named=True)
    ]
    more = f"<li>and {recent.height - 12} more</li>" if recent.height > 12 else ""
    note = f"<p class=\"note\">Plus {others} records on other exercises.</p>" if others else ""
    return (f"<h3>Personal records on {_featured_words(view)} in the window</h3><ul class=\"records\">"
            f"{''.join(items)}{more}</ul>{note}")


def relative_table(view: TraineeView) -> str:
    """Relative strength: scores from the e1RM total and the nearest bodyweight."""
    rel = view.summary["strength"]["relative"]
    if rel.get("total_kg") is None and rel.get("ipf_gl_bench") is None:
        return f"<p>Relative strength: unknown ({escape(rel.get('missing') or 'no data')}).</p>"
    cells = [("bodyweight (kg)", rel.get("bodyweight_kg")), ("e1RM total (kg)", rel.get("total_kg")),
             ("DOTS", rel.get("dots")), ("Wilks", rel.get("wilks")), ("Wilks 2020", rel.get("wilks2020")),
             ("IPF GL (total)", rel.get("ipf_gl_total")), ("IPF GL (bench)", rel.get("ipf_gl_bench"))]
    head = "".join(f"<th>{k}</th>" for k, _ in cells)
    body = "".join(f"<td>{_num(v)}</td>" for _, v in cells)
    note = f"<p class=\"note\">Unknown: {escape(rel['missing'])}.</p>" if rel.get("missing") else ""
    return (f"<h3>Relative strength</h3><table class=\"relative\"><thead><tr>{head}</tr></thead>"
            f"<tbody><tr>{body}</tr></tbody></table>{note}")


def focus_section(view: TraineeView) -> str:
    """Training focus: zone shares by week with the blocks, and hard sets per muscle."""
    refs = volume.HARD_SET_REFERENCES
    parts = ["<h2>Training focus and volume</h2>"]
    if view.weekly_focus.height:
        parts.append(figure(
            plots.focus_by_week(view.weekly_focus, view.blocks, view.window_start, view.as_of),
            alt="Share of working sets in the strength, hypertrophy and endurance zones each week, "
                "with the detected training blocks and deloads underneath.",
            caption="Each working set is placed in the NSCA zone nearest to its reps and %1RM (against the "
                    "e1RM trend): strength at 85% or more, hypertrophy 67-85%, endurance below. "
                    "Blocks: runs of weeks with one emphasis; deload: a week well below the usual dose.",
        ))
    if view.hard_sets.height:
        parts.append(figure(
            plots.hard_sets(view.hard_sets, refs["min_sets_per_week"], refs["trained_sets_per_week"]),
            alt="Hard sets per week for each muscle in the window, against 10 sets and the 12 to 20 range.",
            caption="Hard sets: working sets at RPE 7 or more, or with no RPE logged; a secondary muscle "
                    "counts half (Pelland 2024). Dashed: 10 sets a week (Schoenfeld 2017); green: 12-20 "
                    "sets for trained people (Baz-Valle 2022).",
        ))
    return "\n".join(parts)


def size_section(view: TraineeView) -> str:
    """Body measurements: the size verdict in words, girths and bodyweight."""
    size = view.summary["size"]
    finding = next(f for f in view.summary["verdict"]["findings"] if f["kind"] == "size")
    parts = ["<h2>Size</h2>", f"<p>{escape(finding['text'])} {escape(size.get('evidence') or '')}</p>"]
    if view.body.is_empty():
        parts.append("<p>No body measurements logged.</p>")
        return "\n".join(parts)
    parts.append(figure(
        plots.body_measures(view.body, body_measures.rolling_bodyweight(view.body), view.window_start, view.as_of),
        alt="Change of tape girths in cm since the first measurement, by site, waist dashed; and "
            "bodyweight in kg with its 7-day mean.",
        caption="Girths: change of each tape measurement since the first (waist dashed: it rises with "
                "fat). Bodyweight: logged days and the 7-day mean.",
    ))
    rows = "".join(
        f"<tr><td>{escape(_measure_label(m))}</td><td>{_num(v['latest'])}</td><td>{v['change_per_week']:+.3f}</td>"
        f"<td>{v['change_per_week_95ci'][0]:+.3f} to {v['change_per_week_95ci'][1]:+.3f}</td>"
        f"<td>{v['measurements']}</td></tr>"
        for m, v in size.get("measures", {}).items()
    )
    if rows:
        parts.append("<table class=\"size\"><thead><tr><th>measure</th><th>latest</th><th>change a week</th>"
                     f"<th>95% interval</th><th>measurements</th></tr></thead><tbody>{rows}</tbody></table>")
    return "\n".join(parts)


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
    parts = ["<h2>Workload and recovery</h2>"]
    if view.acwr.height:
        parts.append(figure(
            plots.acwr(view.acwr, view.window_start, view.as_of),
            alt="Acute to chronic workload ratio over time on training days, with the 0.8 to 1.3 band "
                "and the 1.5 spike line.",
            caption="Green band: the commonly quoted 0.8-1.3 range (Gabbett 2016); the bands are loose "
                    "(Lolli 2019, Impellizzeri 2020).",
        ))
    facts = []
    if w["acwr"] is not None:
        facts.append(f"ACWR {w['acwr']:.2f} on {verdicts.day(w['acwr_date'])}")
    if w["monotony"] is not None:
        facts.append(f"monotony {w['monotony']:.2f} and strain {w['strain']:,.0f} in the last full week")
    if facts:
        text = "; ".join(facts)
        parts.append(f"<p>{escape(text[0].upper() + text[1:])}.</p>")
    flags = view.summary["flags"]
    if flags:
        items = "".join(f"<li>{escape(f['message'])}</li>" for f in flags)
        parts.append(f"<ul class=\"flags\">{items}</ul>")
    else:
        parts.append("<p>No workload flags.</p>")
    return "\n".join(parts)


def volume_section(view: TraineeView) -> str:
    return (
        "<h2>Volume and frequency</h2>"
        + figure(plots.weekly_volume(view.weekly_volume),
                 alt="Weekly volume load in tonnes over the whole log.",
                 caption="Volume load: reps × load summed over working sets; bodyweight sets add no load.")
        + figure(plots.sessions_per_week(view.sessions_per_week),
                 alt="Sessions per week over the whole log, with the two-a-week guideline.",
                 caption="Weeks without a session show as zero.")
    )
