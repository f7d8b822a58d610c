"""Trainee ids in any alphabet: validation (NFC, 1-100 characters, no control
characters) and the report folder each id gets (analysis.report.slug), down
to a real batch run that writes nothing outside its output folder."""

from __future__ import annotations

import contextlib
import html as html_lib
import io
import json
import os
import re
import unicodedata
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from markupsafe import escape
from hypothesis import strategies as st

from analysis import cli, schema, synth
from analysis.report import batch, slug
from analysis.report.view import load_view

ODD_IDS = {"T001": "José Ñúñez", "T002": "Zoë O'Brien", "T003": "../../x", "T004": "coach/a1"}
"""The synthetic cohort's ids and the ids they are renamed to (T005 stays)."""
QUIET = {"log": lambda *_: None, "progress_bar": False}


# --------------------------------------------------------------------------
# The id rule
# --------------------------------------------------------------------------


def _validate(ids: list[str]) -> schema.Validated:
    n = len(ids)
    raw = pl.DataFrame({"trainee_id": ids, "date": ["2025-01-06"] * n, "exercise": ["Bench"] * n,
                        "reps": ["5"] * n, "_line": list(range(2, n + 2))})
    return schema.validate(raw, schema.SETS, "sets.csv")


def test_any_alphabet_is_an_id_and_is_kept_nfc():
    decomposed = unicodedata.normalize("NFD", "José Ñúñez")
    ids = ["T001", decomposed, "Zoë O'Brien", "../../x", "coach/a1", "王伟", "Ωμέγα", "x" * 100]
    got = _validate(ids)
    assert got.rejects.is_empty()
    assert got.kept["trainee_id"].to_list() == [unicodedata.normalize("NFC", i) for i in ids]
    assert got.kept["trainee_id"][1] == "José Ñúñez"  # one trainee however the accent was typed


@pytest.mark.parametrize("bad", ["a\tb", "a\x00b", "a\x7fb", "a\x85b", "x" * 101])
def test_control_characters_and_long_ids_are_rejected(bad):
    got = _validate(["T1", bad])
    assert got.kept["trainee_id"].to_list() == ["T1"]
    assert got.rejects["column"].to_list() == ["trainee_id"]
    assert "not a valid id" in got.rejects["reason"][0]


# --------------------------------------------------------------------------
# Folder names
# --------------------------------------------------------------------------


def test_safe_ids_keep_their_folder_and_others_get_readable_text_and_a_hash():
    assert [slug.folder_name(t) for t in ("T001", "anna", "coach.a-1_b")] == ["T001", "anna", "coach.a-1_b"]
    expected = {"José Ñúñez": "Jose-Nunez", "Zoë O'Brien": "Zoe-O-Brien", "../../x": "x",
                "coach/a1": "coach-a1", "王伟": "id", ".hidden": "hidden", "a b": "a-b"}
    for tid, readable in expected.items():
        name = slug.folder_name(tid)
        assert re.fullmatch(re.escape(readable) + r"~[0-9a-f]{8}", name), (tid, name)
    assert slug.folder_name(unicodedata.normalize("NFD", "José Ñúñez")) == slug.folder_name("José Ñúñez")
    assert len(slug.folder_name("é" * 100)) <= 40 + 1 + 8


def test_a_safe_id_can_never_take_a_hashed_folder():
    hashed = slug.folder_name("José Ñúñez")
    assert slug.folder_name(hashed) != hashed  # the id "Jose-Nunez~<hash>" is not safe: hashed itself
    assert not slug.SAFE_ID.fullmatch(hashed)


ids = st.text(st.characters(blacklist_categories=["Cc", "Cs"]), min_size=1, max_size=100).map(slug.normalise).filter(
    lambda t: 1 <= len(t) <= 100)


@settings(max_examples=500, deadline=None)
@given(ids)
def test_every_folder_name_is_one_safe_path_component(tid):
    name = slug.folder_name(tid)
    assert slug.is_folder_name(name)
    assert re.fullmatch(r"[A-Za-z0-9_.~-]{1,64}", name)  # no separator, no control character, ASCII
    assert not name.startswith(".") and name not in (".", "..")
    assert Path(name).name == name and len(Path(name).parts) == 1
    assert slug.folder_name(tid) == name  # stable


@settings(max_examples=300, deadline=None)
@given(st.lists(ids, min_size=2, max_size=8, unique=True))
def test_distinct_ids_get_distinct_folders_and_adding_one_renames_none(many):
    folders, refused = slug.folder_names(many)
    assert refused == {} and len(set(folders.values())) == len(many)
    fewer, _ = slug.folder_names(many[:-1])
    assert all(folders[t] == fewer[t] for t in many[:-1])


def test_a_hash_collision_is_refused_not_shared(monkeypatch):
    monkeypatch.setattr(slug, "folder_name", lambda tid: "same~00000000")
    folders, refused = slug.folder_names(["a", "b"])
    assert folders == {"a": "same~00000000"} and set(refused) == {"b"} and "'a'" in refused["b"]


# --------------------------------------------------------------------------
# A real batch run with such ids
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def odd_dataset(tmp_path_factory):
    root = tmp_path_factory.mktemp("ids") / "a" / "b"
    data = root / "data"
    synth.write_cohort(data, n_trainees=5, seed=3, weeks=10)
    for name in ("sets", "body", "trainees"):
        path = data / f"{name}.csv"
        if path.exists():
            table = pl.read_csv(path, infer_schema=False)
            table.with_columns(pl.col("trainee_id").replace(ODD_IDS)).write_csv(path)
    return data


@pytest.fixture(scope="module")
def odd_run(odd_dataset):
    out = odd_dataset.parent / "out"
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        status = cli.main(["report", "--data", str(odd_dataset), "--out", str(out), "--jobs", "2", "--no-progress"])
    return out, status, stdout.getvalue() + stderr.getvalue()


def _files(top: Path) -> list[Path]:
    return [Path(d) / f for d, _, files in os.walk(top) for f in files]


def test_every_id_gets_a_report_in_a_safe_folder(odd_run):
    out, status, printed = odd_run
    assert status == 0 and "Traceback" not in printed and "FAILED" not in printed
    assert "5 reports written" in printed
    expected = {tid: slug.folder_name(tid) for tid in [*ODD_IDS.values(), "T005"]}
    assert expected["T005"] == "T005" and expected["../../x"].startswith("x~")
    for tid, folder in expected.items():
        assert (out / folder / "report.html").stat().st_size > 10_000
        summary = json.loads((out / folder / "summary.json").read_text(encoding="utf-8"))
        assert summary["trainee_id"] == tid  # the real id, not the folder
        assert (out / batch.PREPARED / folder / "view.json").is_file()
        page = (out / folder / "report.html").read_text(encoding="utf-8")
        assert str(escape(tid)) in page and "Traceback" not in page
    report_dirs = {p.name for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")}
    assert report_dirs == set(expected.values())


def test_nothing_is_written_outside_the_output_folder(odd_run, odd_dataset):
    out, _, _ = odd_run
    top = odd_dataset.parent.parent.parent  # the test's own tmp folder
    outside = [p for p in _files(top) if out not in p.parents and odd_dataset not in p.parents]
    assert outside == []
    for path in _files(out):
        assert path.resolve().is_relative_to(out.resolve())
        assert ".." not in path.relative_to(out).parts


def test_index_links_to_the_folders_and_shows_the_ids(odd_run):
    out, _, _ = odd_run
    index = (out / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'href="([^"]+)/report.html"', index)
    assert sorted(links) == sorted(slug.folder_name(t) for t in [*ODD_IDS.values(), "T005"])
    for link in links:
        assert (out / html_lib.unescape(link) / "report.html").is_file()
    for tid in ODD_IDS.values():
        assert str(escape(tid)) in index


def test_manifest_keys_are_ids_and_an_unchanged_rerun_does_nothing(odd_run, odd_dataset, capsys):
    out, _, _ = odd_run
    recorded = json.loads((out / ".manifest.json").read_text(encoding="utf-8"))["trainees"]
    assert set(recorded) == {*ODD_IDS.values(), "T005"}
    assert cli.main(["report", "--data", str(odd_dataset), "--out", str(out), "--changed-only"]) == 0
    assert "nothing changed" in capsys.readouterr().out


def test_one_trainee_by_id_however_typed(odd_dataset, tmp_path):
    nfd = unicodedata.normalize("NFD", "José Ñúñez")
    result = batch.run(odd_dataset, tmp_path / "out", trainees=[nfd, "../../x"], jobs=2, **QUIET)
    assert result.failures == {}
    assert sorted(result.reports) == ["../../x", "José Ñúñez"]
    assert result.reports["../../x"] == tmp_path / "out" / slug.folder_name("../../x") / "report.html"
    assert not (tmp_path / "x").exists()


def test_notebook_view_loads_by_id_or_folder_never_by_raw_path(odd_run, odd_dataset):
    out, _, _ = odd_run
    prepared = out / batch.PREPARED
    for tid in ODD_IDS.values():
        assert load_view(tid, prepared).trainee_id == tid
        assert load_view(slug.folder_name(tid), prepared).trainee_id == tid
    assert load_view("coach/a1", odd_dataset).trainee_id == "coach/a1"  # computed from the dataset


def test_dask_workers_get_folder_names(odd_dataset, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        result = batch.run(odd_dataset, tmp_path / "dask", trainees=["../../x"], dask=client, **QUIET)
    assert result.failures == {}
    assert (tmp_path / "dask" / slug.folder_name("../../x") / "report.html").is_file()
    assert [p for p in _files(tmp_path) if (tmp_path / "dask") not in p.parents] == []


def test_a_failed_report_is_kept_in_the_folder_and_only_a_folder_name_becomes_a_path(tmp_path):
    from analysis.report.render import Rendered

    folder = slug.folder_name("../../x")
    batch._write_report(tmp_path / "out", Rendered(folder, error="boom", failed_notebook="{}"), {})
    assert [p.relative_to(tmp_path) for p in _files(tmp_path)] == [Path("out", folder, "failed.ipynb")]
    with pytest.raises(ValueError, match="not a report folder name"):
        batch._write_report(tmp_path / "out", Rendered("../../x", html="<p>"), {})
    assert not (tmp_path / "x").exists()
