"""A dataset whose every set is rejected: ``report`` and ``validate`` stop
with one message naming the rejects and exit status 2; ``validate`` exits 1
when only some rows were rejected."""

from __future__ import annotations

import polars as pl
import pytest

from analysis import cli
from analysis.io import native
from analysis.report import batch

HEADER = "trainee_id,date,exercise,reps\n"
ALL_BAD = HEADER + "T1,2025-13-06,Bench,5\nT1,2025-01-06,Bench,five\nT1,2025-01-06,Bench,-1\n"


def _error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.strip()]


@pytest.mark.parametrize("body", [None, "trainee_id,date,bodyweight_kg\nT1,2025-01-06,80\n"])
def test_report_stops_with_one_message_and_exit_2(write, tmp_path, capsys, body):
    data = write("ds/sets.csv", ALL_BAD).parent
    if body:
        write("ds/body.csv", body)  # valid body rows do not make a report
    out = tmp_path / "out"
    assert cli.main(["report", "--data", str(data), "--out", str(out), "--no-progress"]) == 2
    captured = capsys.readouterr()
    assert _error_lines(captured.err) == [
        f"error: no valid sets left in {data}: 3 rows rejected, see {out / 'rejects.csv'}"]
    assert "Traceback" not in captured.out + captured.err
    assert sorted(p.name for p in out.iterdir()) == [".lock", "rejects.csv"]  # no report, index or manifest
    assert pl.read_csv(out / "rejects.csv")["line"].to_list() == [2, 3, 4]


def test_a_previous_run_is_left_as_it_was(write, tmp_path, capsys):
    data = write("ds/sets.csv", ALL_BAD).parent
    out = tmp_path / "out"
    before = {"index.html": "last run's index", ".manifest.json": '{"fingerprint": null, "trainees": {}}\n',
              "T1/report.html": "last run's report"}
    for name, text in before.items():
        write(f"out/{name}", text)
    assert cli.main(["report", "--data", str(data), "--out", str(out), "--changed-only"]) == 2
    assert {name: (out / name).read_text() for name in before} == before
    assert "no valid sets left" in capsys.readouterr().err


def test_parquet_sets_with_no_valid_row(tmp_path, capsys):
    data = tmp_path / "ds"
    data.mkdir()
    pl.DataFrame({"trainee_id": ["T1", "T2"], "date": ["2025-01-06", "someday"], "exercise": ["Bench", "Squat"],
                  "reps": ["-1", "5"]}).write_parquet(data / "sets.parquet")
    assert cli.main(["report", "--data", str(data), "--out", str(tmp_path / "out")]) == 2
    assert "no valid sets left" in capsys.readouterr().err


def test_batch_run_raises_a_data_file_error(write, tmp_path):
    data = write("ds/sets.csv", ALL_BAD).parent
    with pytest.raises(native.NoValidSets, match="3 rows rejected") as caught:
        batch.run(data, tmp_path / "out", log=lambda *_: None)
    assert caught.value.rejected == 3 and caught.value.rejects_file == tmp_path / "out" / "rejects.csv"


def test_validate_with_nothing_valid_exits_2_naming_the_rejects_file(write, tmp_path, capsys):
    data = write("ds/sets.csv", ALL_BAD).parent
    rejects = tmp_path / "rej.csv"
    assert cli.main(["validate", str(data), "--rejects", str(rejects)]) == 2
    captured = capsys.readouterr()
    assert "3 rows read, 0 kept, 3 rejected" in captured.out  # the listing is still there
    assert _error_lines(captured.err) == [f"error: no valid sets left in {data}: 3 rows rejected, see {rejects}"]
    assert pl.read_csv(rejects).height == 3


def test_validate_with_nothing_valid_and_no_rejects_file(write, capsys):
    data = write("ds/sets.csv", ALL_BAD).parent
    assert cli.main(["validate", str(data)]) == 2
    err = capsys.readouterr().err
    assert _error_lines(err) == [f"error: no valid sets left in {data}: 3 rows rejected, "
                                 "listed above; --rejects FILE writes them all"]


@pytest.mark.parametrize(("sets", "body", "status"), [
    (HEADER + "T1,2025-01-06,Bench,5\n", None, 0),
    (HEADER + "T1,2025-01-06,Bench,5\nT1,2025-01-06,Bench,x\n", None, 1),
    (HEADER + "T1,2025-01-06,Bench,5\n", "trainee_id,date,bodyweight_kg\nT1,2025-01-06,900\n", 1),
])
def test_validate_exit_status_follows_the_rejects(write, capsys, sets, body, status):
    data = write("ds/sets.csv", sets).parent
    if body:
        write("ds/body.csv", body)
    assert cli.main(["validate", str(data)]) == status
    assert capsys.readouterr().err == ""


def test_the_help_names_the_statuses(capsys):
    for command in ("validate", "report"):
        with pytest.raises(SystemExit):
            cli.main([command, "--help"])
        text = " ".join(capsys.readouterr().out.split())
        assert "exit status:" in text and "no valid set is left" in text
