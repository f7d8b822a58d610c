"""HTML pages around the sections, the index and PDF margins, from the
Jinja2 templates in ``templates/``: what a process that draws no figure
needs (the batch's parent writes the index without importing matplotlib).

Autoescape is on for every template: data reaches them as plain text and
numbers, so a string from data is always escaped. The only HTML let through
unescaped is marked in :func:`page`.
"""

from __future__ import annotations

from importlib import resources

import jinja2
from markupsafe import Markup

TEMPLATES = jinja2.Environment(loader=jinja2.PackageLoader("analysis.report", "templates"), autoescape=True,
                                undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                                keep_trailing_newline=True)


def render_template(template: str, **context) -> str:
    return TEMPLATES.get_template(template).render(**context)


def page(title: str, body: str, footer: str = "") -> str:
    """A complete, self-contained HTML document around ``body``."""
    # The one place trusted HTML enters a template unescaped: the stylesheet
    # shipped with the package, and the body, which is HTML these templates
    # rendered (the index) or nbconvert's export of a report notebook whose
    # outputs are these templates' HTML. Data was escaped where it entered.
    css = resources.files("analysis.report").joinpath("report.css").read_text()
    return render_template("page.html.j2", title=title, css=Markup(css), body=Markup(body), footer=footer)


def pdf_margin(left: str, right: str = "", page_numbers: bool = False) -> str:
    """A PDF page's header or footer line: ``left`` and ``right`` (text), or
    Chromium's page numbers on the right."""
    return render_template("pdf_margin.html.j2", left=left, right=right, page_numbers=page_numbers)


def status_word(status: str) -> str:
    return {"insufficient_data": "not enough data", "uncertain": "too early to tell"}.get(status, status)


def index_page(rows: list[dict], failures: dict[str, str], footer: str, overview: str | None = None) -> str:
    """The roster page: one row per trainee with its statuses and a link to
    ``<trainee_id>/report.html`` (``trainee_id`` is the report folder)."""
    roster = [{"folder": r["trainee_id"], "name": r["name"], "as_of": r["as_of"], "pdf": r.get("pdf", False),
               "strength": status_word(r["strength"]), "size": status_word(r["size"]),
               "lift_counts": " / ".join(str(n) for n in r["lift_counts"]),
               "plateaus": [f"{lift} since {since or '?'}" for lift, since in r["plateaus"]],
               "focus": " / ".join(f"{r['focus'][k]:.0%}" for k in ("strength", "hypertrophy", "endurance"))}
              for r in rows]
    body = render_template("index.html.j2", rows=roster, failures=sorted(failures.items()), overview=overview)
    return page("Trainee reports", body, footer)
