"""HTML pieces of the reports. Every string that came from data is escaped.

Pages are self-contained: one small inline stylesheet, figures as inline
PNG, no scripts, no fonts or styles from a CDN.
"""

from __future__ import annotations

import base64
import io
from html import escape
from importlib import resources

import matplotlib.pyplot as plt
import polars as pl
from matplotlib.figure import Figure

from analysis import plots
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
    """A matplotlib figure as an inline PNG with alt text (deterministic bytes)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    cap = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
    return f'<figure><img src="data:image/png;base64,{data}" alt="{escape(alt)}">{cap}</figure>'


def _date(d) -> str:
    return f"{d.day} {d:%b %Y}"


def header(view: TraineeView) -> str:
    p = view.profile
    facts = [p.get("sex") and {"F": "female", "M": "male"}.get(p["sex"], p["sex"]), p.get("experience"),
             p.get("goal") and f"goal: {p['goal']}"]
    facts = " · ".join(escape(str(f)) for f in facts if f)
    return (
        f"<h1>{escape(view.display_name)}</h1>"
        f"<p class=\"meta\">{facts + ' · ' if facts else ''}"
        f"report as of {_date(view.as_of)}, window {view.summary['window_weeks']} weeks "
        f"({_date(view.window_start)} to {_date(view.as_of)})</p>"
    )


def verdict(view: TraineeView) -> str:
    """The plain-words paragraph at the top: frequency, focus, main lifts."""
    weeks = view.sessions_per_week.filter(pl.col("week") >= view.window_start)
    per_week = weeks.get_column("sessions").mean() if weeks.height else 0.0
    focus = view.summary["focus"]
    zone, share = max(focus.items(), key=lambda kv: kv[1])
    parts = [
        f"Last {view.summary['window_weeks']} weeks: {per_week:.1f} sessions a week",
        f"mostly {zone}-zone work ({share:.0%} of working sets)" if share > 0 else "no working sets",
    ]
    sentences = ["; ".join(parts) + "."]
    for lift in view.summary["lifts"]:
        if not lift["main_lift"] or lift["e1rm_kg"] is None:
            continue
        change = lift["change_pct_per_week"]
        trend = f", {change:+.1f}% a week over the window" if change is not None else ""
        sentences.append(
            f"{lift['exercise'].capitalize()}: e1RM {lift['e1rm_kg']:.0f} kg "
            f"(best {lift['best_e1rm_kg']:.0f} kg){trend}."
        )
    return "<p class=\"verdict\">" + " ".join(escape(s) for s in sentences) + "</p>"


def lift_table(view: TraineeView) -> str:
    """All lifts with an e1RM: sessions in window, latest, best, change."""
    head = ("<tr><th>lift</th><th>sessions in window</th><th>latest e1RM (kg)</th>"
            "<th>best e1RM (kg)</th><th>change (% / week)</th></tr>")
    rows = []
    for lift in view.summary["lifts"]:
        change = lift["change_pct_per_week"]
        css = ' class="main"' if lift["main_lift"] else ""
        rows.append(
            f"<tr{css}><td>{escape(lift['exercise'])}</td>"
            f"<td>{lift['sessions_in_window']}</td><td>{_num(lift['e1rm_kg'])}</td>"
            f"<td>{_num(lift['best_e1rm_kg'])}</td><td>{'' if change is None else f'{change:+.2f}'}</td></tr>"
        )
    return f"<table class=\"lifts\"><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"


def _num(x: float | None) -> str:
    return "" if x is None else f"{x:.1f}"


def index_page(rows: list[dict], failures: dict[str, str], footer: str) -> str:
    """The roster page: one row per trainee with its statuses and a link."""
    body = ["<h1>Trainee reports</h1>"]
    if failures:
        items = "".join(f"<li><b>{escape(t)}</b>: {escape(why)}</li>" for t, why in sorted(failures.items()))
        body.append(f"<section class=\"failures\"><h2>Failed reports ({len(failures)})</h2><ul>{items}</ul></section>")
    head = ("<tr><th>trainee</th><th>as of</th><th>strength</th><th>size</th>"
            "<th>main lifts tracked</th><th>focus (strength / hypertrophy / endurance)</th></tr>")
    cells = []
    for r in rows:
        tid = escape(r["trainee_id"])
        f = r["focus"]
        cells.append(
            f"<tr><td><a href=\"{tid}/report.html\">{escape(r['name'])}</a></td><td>{escape(r['as_of'])}</td>"
            f"<td>{escape(r['strength'])}</td><td>{escape(r['size'])}</td><td>{r['main_lifts']}</td>"
            f"<td>{f['strength']:.0%} / {f['hypertrophy']:.0%} / {f['endurance']:.0%}</td></tr>"
        )
    body.append(f"<table class=\"roster\"><thead>{head}</thead><tbody>{''.join(cells)}</tbody></table>")
    return page("Trainee reports", "\n".join(body), footer)


# --------------------------------------------------------------------------
# Report sections: what each notebook cell shows
# --------------------------------------------------------------------------


def strength_section(view: TraineeView) -> str:
    sessions = view.main_lift_sessions()
    parts = ["<h2>Strength: main lifts</h2>"]
    if sessions.is_empty():
        parts.append("<p>No main lift (squat, bench press, deadlift, overhead press) logged with a load.</p>")
    else:
        lifts = ", ".join(sessions.get_column("exercise").unique(maintain_order=True).to_list())
        parts.append(figure(
            plots.e1rm_over_time(sessions, view.window_start, view.as_of),
            alt=f"Session-best estimated 1RM in kg over time for {lifts}; the report window is shaded.",
            caption="Best estimated 1RM (e1RM) of each session, from working sets: RTS chart where RPE "
                    "is logged, Epley otherwise. Shaded: the report window.",
        ))
    parts.append(lift_table(view))
    return "\n".join(parts)


def focus_section(view: TraineeView) -> str:
    return "<h2>Training focus</h2>" + figure(
        plots.focus_bars(view.summary["focus"]),
        alt="Share of working sets in the strength, hypertrophy and endurance zones in the window.",
        caption="Working sets by reps (NSCA zones): 1-6 strength, 7-12 hypertrophy, 13+ endurance.",
    )


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
