"""The roster across trainees and the focus-outcome exploration, on the demo
dataset, a real batch run, and a synthetic cohort with known truth."""

from __future__ import annotations

import datetime as dt
import json
import math
import shutil
from collections import Counter
from pathlib import Path

import polars as pl
import pytest
from matplotlib.figure import Figure

from analysis import cohort, plots, progress, synth
from analysis.report import batch, html

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def demo():
    summaries = cohort.load_summaries(DEMO)
    return summaries, cohort.roster(summaries)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """Twelve synthetic trainees over 24 weeks, with the generator's truth."""
    folder = tmp_path_factory.mktemp("cohort")
    truth = synth.write_cohort(folder, n_trainees=12, seed=11, weeks=24)
    return folder, truth, cohort.focus_vs_outcome(cohort.analyse_folder(folder))


def _main(summary: dict) -> list[dict]:
    return [lift for lift in summary["lifts"] if lift["main_lift"]]


def test_roster_has_one_row_per_summary_with_its_statuses(demo):
    summaries, roster = demo
    assert roster["trainee_id"].to_list() == [s["trainee_id"] for s in summaries]
    assert roster["trainee_id"].to_list() == sorted(roster["trainee_id"].to_list())
    for s, row in zip(summaries, roster.iter_rows(named=True)):
        assert row["as_of"] == dt.date.fromisoformat(s["as_of"])
        assert row["strength"] == s["strength"]["status"]
        assert row["size"] == s["size"]["status"]
        stalled = [lift for lift in _main(s) if lift["status"] == "plateau"]
        assert row["main_lifts"] == len(_main(s))
        assert row["plateaued_lifts"] == len(stalled)
        assert row["declining_lifts"] == sum(lift["status"] == "declining" for lift in _main(s))
        assert row["flags"] == len(s["flags"])
        assert row["focus_hypertrophy"] == s["focus"]["hypertrophy"]
        if stalled:
            since = min(dt.date.fromisoformat(lift["plateau_since"]) for lift in stalled)
            assert row["plateau_since"] == since
            assert row["weeks_stalled"] == pytest.approx((row["as_of"] - since).days / 7, abs=0.05)
            assert all(lift["exercise"] in row["plateaus"] for lift in stalled)
        else:
            assert row["plateau_since"] is None and row["plateaus"] is None and row["weeks_stalled"] is None


def test_roster_profile_and_sessions_per_week_from_the_raw_files(demo):
    _, roster = demo
    people = pl.read_csv(DEMO / "trainees.csv")
    joined = roster.join(people, on="trainee_id", suffix="_csv")
    for column in ("name", "sex", "experience"):
        assert joined[column].to_list() == joined[f"{column}_csv"].to_list()
    # sessions a week over the ISO weeks starting in the 8-week window, counted from sets.csv
    sets = pl.read_csv(DEMO / "sets.csv", try_parse_dates=True)
    for row in roster.iter_rows(named=True):
        start = row["as_of"] - dt.timedelta(weeks=8) + dt.timedelta(days=1)
        first_week = start + dt.timedelta(days=(7 - start.weekday()) % 7)
        mine = sets.filter((pl.col("trainee_id") == row["trainee_id"]) & (pl.col("date") >= first_week)
                           & (pl.col("date") <= row["as_of"]))
        weeks = (row["as_of"] - first_week).days // 7 + 1
        assert row["sessions_per_week"] == pytest.approx(mine["session_id"].n_unique() / weeks, abs=0.005)


def test_status_counts_cover_every_status_and_every_trainee(demo):
    _, roster = demo
    counts = cohort.status_counts(roster)
    for measure, statuses in (("strength", progress.LIFT_STATUSES), ("size", progress.SIZE_STATUSES)):
        part = counts.filter(pl.col("measure") == measure)
        assert part["status"].to_list() == list(statuses)
        expected = Counter(roster[measure].to_list())
        assert dict(part.select("status", "trainees").iter_rows()) == {s: expected.get(s, 0) for s in statuses}


def test_stalled_longest_only_plateaued_and_longest_first(demo):
    summaries = json.loads(json.dumps(demo[0]))  # a copy with three known plateaus
    for summary, since in zip(summaries[:3], ("2026-06-01", "2026-08-01", "2026-04-01")):
        lift = _main(summary)[0]
        lift.update(status="plateau", plateau_since=since)
    roster = cohort.roster(summaries)
    stalled = cohort.stalled_longest(roster)
    assert stalled.height >= 3
    assert set(stalled["trainee_id"]) == set(roster.filter(pl.col("plateaued_lifts") > 0)["trainee_id"])
    weeks = stalled["weeks_stalled"].to_list()
    assert weeks == sorted(weeks, reverse=True)
    assert cohort.stalled_longest(roster, n=2)["trainee_id"].to_list() == stalled["trainee_id"].to_list()[:2]
    assert stalled["trainee"].to_list()[0].endswith(f"({stalled['trainee_id'][0]})")
    assert stalled["trainee_id"][0] == summaries[2]["trainee_id"]  # stalled since April: longest


def test_reports_folder_gives_the_same_roster_as_the_dataset(tmp_path):
    data = tmp_path / "data"
    synth.write_cohort(data, n_trainees=2, seed=3, weeks=12)
    out = tmp_path / "reports"
    result = batch.run(data, out, jobs=1, log=lambda *_: None, progress_bar=False)
    assert result.failures == {}
    from_reports = cohort.load_summaries(out)
    from_dataset = cohort.load_summaries(data)
    assert [s["trainee_id"] for s in from_reports] == ["T001", "T002"]
    assert cohort.roster(from_reports).equals(cohort.roster(from_dataset))
    assert cohort.roster(from_reports)["name"].null_count() == 0
    # the roster needs nothing beyond summary.json: the batch's prepared slices may go
    written = json.loads((out / "T001" / "summary.json").read_text())
    assert written["profile"]["name"] and written["sessions_per_week"] > 0
    shutil.rmtree(out / batch.PREPARED)
    assert cohort.roster(cohort.load_summaries(out)).equals(cohort.roster(from_dataset))


def test_load_summaries_names_what_it_needs(tmp_path):
    with pytest.raises(FileNotFoundError, match="neither a reports folder .* nor a dataset folder"):
        cohort.load_summaries(tmp_path)


def test_focus_vs_outcome_one_row_per_trainee_in_sensible_ranges(synthetic):
    _, truth, table = synthetic
    assert table.columns == list(cohort.OUTCOME_COLUMNS)
    assert table["trainee_id"].to_list() == sorted(truth["trainees"])
    shares = table.select(pl.sum_horizontal("strength_share", "hypertrophy_share", "endurance_share"))
    assert shares.to_series().to_list() == pytest.approx([1.0] * table.height)
    assert table.select(pl.col("^.*_share$").is_between(0, 1).all()).row(0) == (True, True, True)
    assert (table["working_sets"] > 0).all() and (table["main_lifts"] == 4).all()
    assert table["weeks"].to_list() == pytest.approx([24.0] * table.height, abs=1)
    for row in table.iter_rows(named=True):
        person = truth["trainees"][row["trainee_id"]]
        assert (row["sex"], row["experience"]) == (person["sex"], person["experience"])


def test_focus_vs_outcome_recovers_the_generated_change(synthetic):
    """e1RM and girth change against the generator's own paths."""
    _, truth, table = synthetic
    for row in table.iter_rows(named=True):
        person = truth["trainees"][row["trainee_id"]]
        lifts = person["lifts"].values()
        # whole-log mean of the log-linear 1RM change, % a week
        expected = sum(math.log(l["end_1rm_kg"] / l["start_1rm_kg"]) for l in lifts) / len(lifts) / 24 * 100
        assert row["e1rm_change_pct_per_week"] == pytest.approx(expected, abs=0.3)
        if person["size"]["measured"]:
            rates = person["size"]["change_per_week"]
            limbs = (rates["arm_cm"] + rates["chest_cm"] + rates["thigh_cm"]) / 3
            assert row["girth_measures"] == 3
            assert row["girth_change_cm_per_week"] == pytest.approx(limbs, abs=0.04)
            assert row["waist_change_cm_per_week"] == pytest.approx(rates["waist_cm"], abs=0.06)
        else:
            assert row["girth_change_cm_per_week"] is None and row["girth_measures"] == 0


def test_correlations_with_bootstrap_interval():
    table = pl.DataFrame({"sex": ["F"] * 6 + ["M"] * 3,
                          "hypertrophy_share": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.1, 0.2, 0.3],
                          "girth_change_cm_per_week": [0.0, 0.01, 0.02, 0.03, 0.05, 0.08, 0.0, 0.1, 0.2],
                          "strength_share": [0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.1, 0.2, 0.3],
                          "e1rm_change_pct_per_week": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, None, 0.5, 0.4]})
    overall = cohort.correlations(table)
    assert overall.columns == ["x", "y", "n", "spearman", "low", "high", "pearson"]
    assert overall["n"].to_list() == [9, 8]
    girth = overall.row(0, named=True)
    assert girth["low"] <= girth["spearman"] <= girth["high"]
    by_sex = cohort.correlations(table, by="sex")
    women = by_sex.filter(pl.col("sex") == "F")
    assert women["spearman"].to_list() == pytest.approx([1.0, -1.0])  # monotone within the group
    assert women["low"].to_list() == pytest.approx([1.0, -1.0])
    assert women["high"].to_list() == pytest.approx([1.0, -1.0])
    men = by_sex.filter(pl.col("sex") == "M")
    assert men["spearman"].null_count() == 2  # three trainees: no estimate
    assert men["low"].null_count() == 2 and men["n"].to_list() == [3, 2]
    assert cohort.correlations(table).equals(overall)  # fixed seed: the same interval every run


def test_html_helpers_escape_names_from_data(demo):
    _, roster = demo
    hostile = roster.with_columns(pl.when(pl.col("trainee_id") == "T001").then(pl.lit(XSS))
                                  .otherwise(pl.col("name")).alias("name"))
    page = html.html_table(cohort.roster_table(hostile)) + html.overview_html(hostile)
    assert XSS not in page and "&lt;img src=x onerror=alert(1)&gt; (T001)" in page
    assert page.count("<tr>") == roster.height + 1
    status = roster["strength"][0]
    assert f'<td class="status {status}" style="text-align:left">' in page
    assert '<td style="text-align:left;white-space:nowrap">&lt;img' in page
    assert "12 trainees, reports as of 24 Sep 2026 to 25 Sep 2026" in page


def test_stalled_figure_keeps_names_from_data_as_text(demo):
    """Names reach the SVG as escaped text: the file still parses, markup intact as text."""
    import io
    import xml.etree.ElementTree as ET

    _, roster = demo
    hostile = roster.with_columns(pl.format("{} $x$ & co", pl.lit(XSS)).alias("name"))
    fig = plots.stalled_longest(cohort.stalled_longest(hostile))
    buf = io.BytesIO()
    fig.savefig(buf, format="svg")
    svg = buf.getvalue().decode()
    ET.fromstring(svg)  # well-formed: nothing from data broke out of its text node
    assert "<img" not in svg


def test_cohort_figures(demo, synthetic):
    _, roster = demo
    figures = [plots.status_counts(cohort.status_counts(roster)),
               plots.stalled_longest(cohort.stalled_longest(roster)),
               plots.stalled_longest(cohort.stalled_longest(roster.clear())),
               plots.focus_vs_outcome(synthetic[2])]
    assert all(isinstance(f, Figure) for f in figures)
    assert figures[1].axes[0].get_xlabel().startswith("weeks")
    assert len(figures[1].axes[0].patches) == cohort.stalled_longest(roster).height
    left, right = figures[3].axes
    assert "(cm / week)" in left.get_ylabel() and "(%)" in left.get_xlabel()
    assert "(% / week)" in right.get_ylabel() and "(%)" in right.get_xlabel()
