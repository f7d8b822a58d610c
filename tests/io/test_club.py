"""A whole club at once: `analysis import DIR` (a folder per trainee) and `--roster CSV`."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import polars as pl
import pytest

from analysis import cli
from analysis.errors import DataFileError
from analysis.io import club

STRONG = "Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,Workout Notes,RPE\n"
HEVY = ('"title","start_time","end_time","description","exercise_title","superset_id","exercise_notes",'
        '"set_index","set_type","weight_kg","reps","distance_km","duration_seconds","rpe"\n')
BODY = "Date,Time,Measurement,Value,Unit\n"


def strong(*rows: tuple[str, str, str, str]) -> str:
    """Strong export lines: (date, exercise, weight, reps), set orders 1, 2, ..."""
    return STRONG + "".join(f'{d} 18:30:00,"Legs",1h,"{e}",{i},{w},{r},0,0,"","",\n'
                            for i, (d, e, w, r) in enumerate(rows, 1))


def hevy(*rows: tuple[str, str, str, str]) -> str:
    """Hevy export lines: (start, exercise, weight, reps)."""
    return HEVY + "".join(f'"W","{s}","{s}","","{e}",,"",{i},"normal",{w},{r},,0,\n'
                          for i, (s, e, w, r) in enumerate(rows))


ANNA = strong(("2024-03-04", "Squat (Barbell)", "100", "5"), ("2024-03-06", "Bench Press (Barbell)", "-5", "5"))
# one set kept, one rejected
ANNA_BODY = BODY + "2024-03-04,07:00:00,Bodyweight,70.5,kgs\n2024-03-06,07:00:00,Bodyweight,70.2,kgs\n"
ANNA_BODY += ANNA_BODY.splitlines(keepends=True)[1]  # the first measurement again: a duplicate
BEN = hevy(("15 Sep 2025, 07:48", "Deadlift (Barbell)", "140", "3"),
           ("15 Sep 2025, 07:48", "Deadlift (Barbell)", "150", "2"))


def run(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main(["import", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def snapshot(folder: Path) -> dict[str, bytes] | None:
    if not folder.exists():
        return None
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def accounted(summary) -> None:
    for f in summary.files:
        assert f.read == f.kept + f.rejected + f.duplicates, f


@pytest.fixture
def two_trainees(write, tmp_path) -> Path:
    write("club/anna/strong.csv", ANNA)
    write("club/anna/body/fitnotes_body.csv", ANNA_BODY)  # a deeper folder: still anna's
    write("club/anna/.~lock.strong.csv#", "junk")
    write("club/ben/hevy.csv", BEN)
    write("club/.DS_Store", b"\x00\x01junk")
    write("club/.git/config", "[core]\n")
    return tmp_path / "club"


def test_folder_club_imports_each_trainee_with_a_table(two_trainees, tmp_path, capsys):
    out = tmp_path / "ds"
    code, text, err = run(capsys, two_trainees, "--out", out, "--unit", "kg")
    assert (code, err) == (0, "")
    sets = pl.read_csv(out / "sets.csv")
    assert sets.group_by("trainee_id").len().sort("trainee_id").rows() == [("anna", 1), ("ben", 2)]
    body = pl.read_csv(out / "body.csv")
    assert set(body["trainee_id"]) == {"anna"} and body.height == 2
    assert pl.read_csv(out / "rejects.csv")["source"].to_list() == [str(two_trainees / "anna" / "strong.csv")]
    lines = text.splitlines()
    assert lines[0] == f"Imported 3 file(s) for 2 trainee(s) into {out}"
    assert lines[1].split() == ["trainee", "file", "format", "read", "kept", "rejected", "duplicates"]
    assert lines[2].split() == ["anna", "anna/body/fitnotes_body.csv", "fitnotes_body", "3", "2", "0", "1"]
    assert lines[3].split() == ["anna", "anna/strong.csv", "strong", "2", "1", "1", "0"]
    assert lines[4].split() == ["ben", "ben/hevy.csv", "hevy", "2", "2", "0", "0"]
    assert lines[5].split() == ["total", "7", "5", "1", "1"]
    assert "Skipped hidden files and folders: .DS_Store, .git/, anna/.~lock.strong.csv#" in text


def test_folder_club_rerun_adds_nothing(two_trainees, tmp_path, capsys):
    out = tmp_path / "ds"
    first = club.import_club(two_trainees, out, unit="kg")
    before = snapshot(out)
    again = club.import_club(two_trainees, out, unit="kg")
    accounted(first)
    accounted(again)
    assert again.total("kept") == 0
    assert again.total("duplicates") == first.total("kept") + first.total("duplicates")
    assert again.total("rejected") == first.total("rejected")  # still rejected, listed once
    assert snapshot(out) == before
    assert run(capsys, two_trainees, "--out", out, "--unit", "kg")[0] == 0
    assert snapshot(out) == before


def test_accented_folder_name_is_the_nfc_trainee_id(write, tmp_path):
    name = unicodedata.normalize("NFD", "José Ñúñez")  # as macOS writes it
    write(f"club/{name}/strong.csv", strong(("2024-03-04", "Squat (Barbell)", "100", "5")))
    write("club/T2/strong.csv", strong(("2024-03-04", "Squat (Barbell)", "80", "5")))
    summary = club.import_club(tmp_path / "club", tmp_path / "ds", unit="kg")
    ids = set(pl.read_csv(tmp_path / "ds" / "sets.csv")["trainee_id"])
    assert ids == {unicodedata.normalize("NFC", "José Ñúñez"), "T2"}
    assert {f.trainee_id for f in summary.files} == ids


def test_roster_with_units_relative_and_absolute_paths(write, tmp_path, capsys):
    one_set = strong(("2024-03-04", "Squat (Barbell)", "100", "5"))
    write("exports/anna.csv", one_set)
    write("exports/ben.csv", one_set)
    write("exports/ben_body.csv", ANNA_BODY)
    cleo = write("elsewhere/cleo.csv", one_set)
    roster = write("exports/roster.csv", (
        "\ufefftrainee_id,file,unit,format\n"
        "anna,anna.csv,lb,\n"
        " ben ,ben.csv,,strong\n"
        "ben,ben_body.csv,,\n"
        ",,,\n"  # an empty spreadsheet line
        f"cleo,{cleo},,\n"
    ))
    out = tmp_path / "ds"
    code, text, err = run(capsys, "--roster", roster, "--out", out, "--unit", "kg")
    assert (code, err) == (0, "")
    sets = pl.read_csv(out / "sets.csv").sort("trainee_id")
    assert sets.select("trainee_id", "weight_kg").rows() == [("anna", 45.36), ("ben", 100.0), ("cleo", 100.0)]
    assert pl.read_csv(out / "body.csv")["trainee_id"].to_list() == ["ben", "ben"]
    rows = [line.split() for line in text.splitlines()[2:6]]
    assert [r[:3] for r in rows] == [["anna", "anna.csv", "strong"], ["ben", "ben.csv", "strong"],
                                     ["ben", "ben_body.csv", "fitnotes_body"], ["cleo", str(cleo), "strong"]]
    assert "guessed" not in text
    again = club.import_club(roster, out, roster=True, unit="kg")
    assert again.total("kept") == 0 and again.total("duplicates") == again.total("read")


def test_roster_unit_column_is_optional_and_map_applies_to_all(write, tmp_path):
    text = "When,Lift,Load,Count\n2024-03-05,Squat,100,5\n2024-03-06,Squat,105,5\n"
    write("a.csv", text)
    write("b.csv", text)
    cmap = write("map.toml", 'date = "When"\nexercise = "Lift"\nweight = "Load"\nreps = "Count"\n')
    roster = write("roster.csv", "file,trainee_id\na.csv,A\nb.csv,B\n")
    summary = club.import_club(roster, tmp_path / "ds", roster=True, unit="kg", column_map=cmap)
    assert [(f.trainee_id, f.format, f.kept) for f in summary.files] == [("A", "map", 2), ("B", "map", 2)]


BAD = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))


@pytest.mark.parametrize("mode", ["folder", "roster"])
@pytest.mark.parametrize("existing", [False, True])
def test_one_unreadable_file_anywhere_writes_nothing(write, tmp_path, capsys, mode, existing):
    write("club/anna/strong.csv", ANNA)
    write("club/ben/hevy.csv", BEN)
    out = tmp_path / "ds"
    if existing:
        club.import_club(tmp_path / "club", out, unit="kg")
        write("club/anna/later.csv", strong(("2024-04-01", "Squat (Barbell)", "110", "5")))
    write("club/ben/zz_picture.csv", BAD)  # read last
    before = snapshot(out)
    if mode == "folder":
        args = [tmp_path / "club"]
    else:
        files = ["anna/strong.csv", "anna/later.csv"] if existing else ["anna/strong.csv"]
        rows = [f"anna,club/{f}" for f in files] + ["ben,club/ben/zz_picture.csv", "ben,club/ben/hevy.csv"]
        args = ["--roster", write("roster.csv", "trainee_id,file\n" + "\n".join(rows) + "\n")]
    code, text, err = run(capsys, *args, "--out", out, "--unit", "kg")
    assert code == 2 and text == ""
    assert "zz_picture.csv" in err and "binary" in err
    assert snapshot(out) == before


def test_a_file_directly_in_the_club_folder_is_an_error(write, tmp_path, capsys):
    write("club/anna/strong.csv", ANNA)
    write("club/whose.csv", ANNA)
    write("club/notes.txt", "x")
    code, text, err = run(capsys, tmp_path / "club", "--out", tmp_path / "ds")
    assert code == 2 and "belong to no trainee" in err and "notes.txt, whose.csv" in err
    assert not (tmp_path / "ds").exists()


def test_club_folder_arguments(write, tmp_path, capsys):
    write("club/anna/strong.csv", ANNA)
    one = write("one.csv", ANNA)
    code, _, err = run(capsys, tmp_path / "club", "--trainee", "anna", "--out", tmp_path / "ds")
    assert code == 2 and "--trainee does not go with a club folder" in err
    code, _, err = run(capsys, tmp_path / "club", one, "--out", tmp_path / "ds")
    assert code == 2 and "club folder is imported on its own" in err
    code, _, err = run(capsys, tmp_path / "club", "--out", tmp_path / "club" / "ds")
    assert code == 2 and "inside the club folder" in err
    code, _, err = run(capsys, tmp_path / "club")
    assert code == 2 and "--out" in err
    write("empty/.DS_Store", "x")
    code, _, err = run(capsys, tmp_path / "empty", "--out", tmp_path / "ds")
    assert code == 2 and "no trainee folders" in err
    assert not (tmp_path / "ds").exists()


def test_roster_arguments(write, tmp_path, capsys):
    roster = write("roster.csv", "trainee_id,file\nanna,a.csv\n")
    code, _, err = run(capsys, "--roster", roster, "--trainee", "anna", "--out", tmp_path / "ds")
    assert code == 2 and "--trainee does not go with --roster" in err
    code, _, err = run(capsys, "--roster", roster, roster, "--out", tmp_path / "ds")
    assert code == 2 and "give no FILE or DIR" in err
    code, _, err = run(capsys, "--out", tmp_path / "ds")
    assert code == 2 and "--roster" in err


@pytest.mark.parametrize(
    ("roster", "problem"),
    [
        ("", "empty"),
        ("trainee_id\nanna\n", "line 1: missing column(s) file"),
        ("trainee_id,file,units\nanna,a.csv,kg\n", "line 1: unknown column(s) 'units'"),
        ("trainee_id,file\n,a.csv\n", "line 2, column trainee_id: empty"),
        ("trainee_id,file\nanna,a.csv\nben,\n", "line 3, column file: empty"),
        ("trainee_id,file\nanna,a.csv\n\nben,nope.csv\n", "line 4, column file: no such file 'nope.csv'"),
        ("trainee_id,file\nanna,sub\n", "line 2, column file: 'sub' is a folder"),
        ("trainee_id,file,unit\nanna,a.csv,stone\n", "line 2, column unit: unknown unit 'stone'"),
        ("trainee_id,file,format\nanna,a.csv,excel\n", "line 2, column format: unknown format 'excel'"),
        ("trainee_id,file\nanna,a.csv,kg\n", "line 2: 3 fields, the header has 2"),
        ('trainee_id,file\n"an\nna",a.csv\nben,nope.csv\n', "line 4, column file: no such file"),
        ("trainee_id,file\n", "lists no files"),
    ],
)
def test_roster_errors_name_line_and_column(write, tmp_path, capsys, roster, problem):
    write("a.csv", ANNA)
    (tmp_path / "sub").mkdir()
    path = write("roster.csv", roster)
    with pytest.raises(DataFileError) as err:
        club.import_club(path, tmp_path / "ds", roster=True)
    assert problem in str(err.value) and str(path) in str(err.value)
    code, _, text = run(capsys, "--roster", path, "--out", tmp_path / "ds")
    assert code == 2 and problem in text
    assert not (tmp_path / "ds").exists()


def test_every_roster_problem_is_listed_at_once(write, tmp_path):
    path = write("roster.csv", "trainee_id,file,unit\n,a.csv,\nben,b.csv,stone\n")
    with pytest.raises(DataFileError) as err:
        club.import_club(path, tmp_path / "ds", roster=True)
    text = str(err.value)
    assert "4 problems" in text
    for problem in ("line 2, column trainee_id: empty", "line 2, column file: no such file 'a.csv'",
                    "line 3, column file: no such file 'b.csv'", "line 3, column unit: unknown unit"):
        assert problem in text


def test_roster_format_and_map_exclude_each_other(write, tmp_path):
    write("a.csv", ANNA)
    cmap = write("map.toml", 'date = "Date"\nexercise = "Exercise Name"\nweight = "Weight"\nreps = "Reps"\n')
    path = write("roster.csv", "trainee_id,file,format\nanna,a.csv,strong\n")
    with pytest.raises(DataFileError, match="line 2, column format: 'strong' and --map exclude each other"):
        club.import_club(path, tmp_path / "ds", roster=True, column_map=cmap)
