"""Column maps (import --map), the suggested map (import --inspect) and the unknown-format help."""

from __future__ import annotations

import tomllib

import polars as pl
import pytest

from analysis import cli
from analysis.errors import DataFileError
from analysis.io import colmap, detect, units
from analysis.io.importer import import_files

from analysis.io.canonical import CARDIO

# --------------------------------------------------------------------------
# Reading a mapped file
# --------------------------------------------------------------------------

LOG = (
    "When;Lift;Load;Unit;Count;Effort;Kind;Workout;Secs;Rest;Remark\n"
    "05/03/2024 18:30;Back Squat;100;kg;5;8;work;A;;120;\n"  # 2
    "05/03/2024 18:30;Back Squat;60;kg;8;;WU;A;;;easy\n"  # 3 warmup
    "05/03/2024 18:30;Bench Press;225;lbs;5;0;work;A;;90;\n"  # 4 lb, RPE 0 = unrated
    "05/03/2024 18:30;Pull Up;0;;8;;work;A;;;\n"  # 5 bodyweight
    "05/03/2024 18:30;Plank;;;;;work;A;1:00;;\n"  # 6 a timed set
    "05/03/2024 18:30;Curl;20;stone;10;;work;A;;;\n"  # 7 unknown unit
    "05/03/2024 18:30;Curl;20;kg;10;;heavy;A;;;\n"  # 8 set type not in the map
    "31/02/2024 10:00;Curl;20;kg;10;;work;B;;;\n"  # 9 not a date
    "06/03/2024 07:00;Deadlift;140;kg;3;9;;B\n"  # 10 short line
    "06/03/2024 07:00;Deadlift;140;KG;3;9;;B;;;\n"  # 11 empty type = working
    "06/03/2024 07:00;Deadlift;140;kg;x;9;work;B;;;\n"  # 12 reps not a number
    "06/03/2099 07:00;Deadlift;140;kg;3;9;work;B;;;\n"  # 13 future
)
MAP = """
date = "When"
date_format = "%d/%m/%Y %H:%M"
exercise = "Lift"
weight = "Load"
weight_unit_column = "Unit"
reps = "Count"
rpe = "Effort"
set_type = "Kind"
session = "Workout"
duration = "Secs"
rest = "Rest"
notes = "Remark"

[set_type_values]
work = "working"
wu = "warmup"
"""


def test_mapped_file_row_accounting_units_and_reasons(write, tmp_path):
    log, cmap = write("log.csv", LOG), write("map.toml", MAP)
    summary = import_files([log], "T1", tmp_path / "ds", column_map=cmap)
    f = summary.files[0]
    assert (f.format, f.read, f.kept, f.rejected, f.duplicates) == ("map", 12, 6, 6, 0)
    rejects = pl.read_csv(tmp_path / "ds" / "rejects.csv")
    reasons = dict(zip(rejects["line"].to_list(), zip(rejects["column"].to_list(), rejects["reason"].to_list())))
    assert reasons[7] == ("weight unit", "unknown unit")
    assert reasons[8][0] == "set_type" and "set_type_values" in reasons[8][1]
    assert reasons[9][0] == "date"
    assert reasons[10][0] == "line"
    assert reasons[12][0] == "reps"
    assert reasons[13] == ("date", "date in the future")
    sets = pl.read_csv(tmp_path / "ds" / "sets.csv")
    assert sets.height == 6
    by = {(r["exercise"], r["set_index"]): r for r in sets.iter_rows(named=True)}
    assert by[("Back Squat", 0)]["weight_kg"] == pytest.approx(100.0, abs=0.01)
    assert by[("Back Squat", 1)]["set_type"] == "warmup" and by[("Back Squat", 1)]["notes"] == "easy"
    assert by[("Bench Press", 0)]["weight_kg"] == pytest.approx(225 * units.LB_TO_KG, abs=0.01)
    assert by[("Bench Press", 0)]["rpe"] is None and by[("Back Squat", 0)]["rpe"] == 8
    assert by[("Back Squat", 0)]["rest_s"] == 120
    assert by[("Pull Up", 0)]["weight_kg"] is None
    assert (by[("Plank", 0)]["reps"], by[("Plank", 0)]["duration_s"]) == (0, 60)
    # set_index counts every set line of the session, rejected ones too (stable across re-exports)
    assert by[("Deadlift", 1)]["set_type"] == "working" and by[("Deadlift", 1)]["weight_kg"] == 140
    assert sets["date"].unique().sort().to_list() == ["2024-03-05", "2024-03-06"]
    assert sets["session_id"].unique().sort().to_list() == ["2024-03-05 18:30 A", "2024-03-06 07:00 B"]
    # importing it again adds nothing and lists no reject twice
    again = import_files([log], "T1", tmp_path / "ds", column_map=cmap).files[0]
    assert (again.read, again.kept, again.rejected, again.duplicates) == (12, 0, 6, 6)
    assert pl.read_csv(tmp_path / "ds" / "rejects.csv").height == 6


def test_constant_pound_map_and_default_dates(write, tmp_path):
    text = 'day,name,lbs,reps\n"5 Mar 2024, 18:30",Squat,225,5\n"5 Mar 2024, 18:30",Squat,135,0\n' \
           '"10 Jun 2024, 22:05",Bench,100,5\n'
    cmap = write("map.toml", 'date = "day"\nexercise = "name"\nweight = "lbs"\nweight_unit = "lb"\nreps = "reps"\n')
    summary = import_files([write("lb.csv", text)], "T1", tmp_path, column_map=cmap)
    f = summary.files[0]
    assert (f.read, f.kept, f.rejected) == (3, 2, 1)  # 0 reps with a load is not a completed set
    sets = pl.read_csv(tmp_path / "sets.csv")
    assert sets["weight_kg"].to_list() == pytest.approx([225 * units.LB_TO_KG, 100 * units.LB_TO_KG], abs=0.01)
    assert sets["date"].to_list() == ["2024-03-05", "2024-06-10"]
    assert sets["set_type"].to_list() == ["working", "working"]
    assert summary.warnings == []


def test_utc_offsets_are_dropped_and_unitless_weights_follow_unit(write, tmp_path):
    text = "Date,Exercise,Reps,Weight\n2024-03-05 18:30:00 +0000,Squat,5,100\n2024-03-05T18:40:00Z,Squat,5,100\n"
    cmap = write("map.toml", 'date = "Date"\nexercise = "Exercise"\nreps = "Reps"\nweight = "Weight"\n')
    summary = import_files([write("f.csv", text)], "T1", tmp_path, unit="lb", column_map=cmap)
    assert summary.files[0].kept == 2
    sets = pl.read_csv(tmp_path / "sets.csv")
    assert sets["weight_kg"].to_list() == pytest.approx([45.36, 45.36], abs=0.01)
    assert sets["session_id"].to_list() == ["2024-03-05 18:30:00", "2024-03-05T18:40:00"]


def test_set_types_must_be_canonical_without_a_values_table(write, tmp_path):
    text = "d,e,r,t\n2024-03-05,Squat,5,warmup\n2024-03-05,Squat,5,Normal\n2024-03-05,Squat,5,\n"
    cmap = write("map.toml", 'date = "d"\nexercise = "e"\nreps = "r"\nset_type = "t"\n')
    f = import_files([write("f.csv", text)], "T1", tmp_path, column_map=cmap).files[0]
    assert (f.read, f.kept, f.rejected) == (3, 2, 1)
    assert pl.read_csv(tmp_path / "rejects.csv")["value"].to_list() == ["Normal"]


def test_column_names_match_without_case(write, tmp_path):
    cmap = write("map.toml", 'date = "DATE"\nexercise = "exercise  name"\nreps = "reps"\n')
    f = import_files([write("f.csv", "Date,Exercise Name,Reps\n2024-03-05,Squat,5\n")], "T1", tmp_path,
                     column_map=cmap).files[0]
    assert f.kept == 1


# --------------------------------------------------------------------------
# Bad maps: one error naming the map file and the key
# --------------------------------------------------------------------------

GOOD = 'date = "Date"\nexercise = "Exercise"\nreps = "Reps"\nweight = "Weight"\n'


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        (GOOD + 'colour = "x"\n', "colour", "unknown key"),
        (GOOD.replace('reps = "Reps"\n', ""), "reps", "missing"),
        (GOOD + 'weight_unit = "stone"\n', "weight_unit", "not a weight unit"),
        (GOOD + "weight_unit = 2\n", "weight_unit", "not a weight unit"),
        (GOOD + 'rpe = "Effort"\n', "rpe", "no such column"),
        (GOOD.replace('"Exercise"', '"Exercise Name"'), "exercise", "no such column"),
        (GOOD + 'weight_unit_column = "Unit"\n', "weight_unit_column", "no such column"),
        (GOOD + 'set_type = "Reps"\n[set_type_values]\nx = "heavy"\n', "set_type_values.x", "not a set type"),
        (GOOD + '[set_type_values]\nx = "warmup"\n', "set_type_values", "without a set_type"),
        (GOOD + 'date_format = "dd/mm/yyyy"\n', "date_format", "strptime"),
        (GOOD + "reps = 3\n", "", "not a valid TOML"),
        (GOOD.replace('"Reps"', "3"), "reps", "must name a column"),
    ],
)
def test_bad_maps(write, tmp_path, capsys, text, key, words):
    data = write("f.csv", "Date,Exercise,Reps,Weight\n2024-03-05,Squat,5,100\n")
    cmap = write("bad.toml", text)
    with pytest.raises(DataFileError) as err:
        import_files([data], "T1", tmp_path / "ds", column_map=cmap)
    assert err.value.path == str(cmap)
    assert err.value.problem.startswith(key) and words in err.value.problem
    assert not (tmp_path / "ds").exists()
    code = cli.main(["import", str(data), "--trainee", "T1", "--out", str(tmp_path / "ds"), "--map", str(cmap)])
    assert code == 2 and str(cmap) in capsys.readouterr().err


def test_map_and_format_exclude_each_other(write, tmp_path):
    with pytest.raises(ValueError, match="--map"):
        import_files([write("f.csv", "a,b\n")], "T1", tmp_path, fmt="strong", column_map=write("m.toml", GOOD))


def test_a_missing_map_file(write, tmp_path):
    with pytest.raises(DataFileError, match="cannot be read"):
        import_files([write("f.csv", "a,b\n1,2\n")], "T1", tmp_path, column_map=tmp_path / "nope.toml")


# --------------------------------------------------------------------------
# Suggested maps: every known header with its own reader turned off
# --------------------------------------------------------------------------

SL_SETS = "".join(f",Set {n} (Reps),Set {n} (KG)" for n in range(1, 7))
# header -> (date, exercise, weight, reps, weight unit or ("column", name) or None)
SUGGESTED = {
    "strong classic": ("Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,"
                       "Workout Notes,RPE", ("Date", "Exercise Name", "Weight", "Reps", None)),
    "strong newer": ("Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,RPE",
                     ("Date", "Exercise Name", "Weight", "Reps", None)),
    "strong android": ("Date;Workout Name;Exercise Name;Set Order;Weight;Weight Unit;Reps;RPE;Distance;"
                       "Distance Unit;Seconds;Notes;Workout Notes;Workout Duration",
                       ("Date", "Exercise Name", "Weight", "Reps", ("column", "Weight Unit"))),
    "strong 2017-19": ("Date,Workout Name,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,Workout Notes",
                       ("Date", "Exercise Name", "Weight", "Reps", None)),
    "strong legacy": ("Date,Workout Name,Exercise Name,Set Order,kg,Reps,km,Seconds,Notes",
                      ("Date", "Exercise Name", "kg", "Reps", "kg")),
    "strong german": ("Datum,Workout-Name,Dauer,Name der Übung,Reihenfolge festlegen,Gewicht,Wiederh.,Entfernung,"
                      "Sekunden,Notizen,Workout-Notizen,RPE", ("Datum", "Name der Übung", "Gewicht", "Wiederh.", None)),
    "hevy kg": ('"title","start_time","end_time","description","exercise_title","superset_id","exercise_notes",'
                '"set_index","set_type","weight_kg","reps","distance_km","duration_seconds","rpe"',
                ("start_time", "exercise_title", "weight_kg", "reps", "kg")),
    "hevy lb": ('"title","start_time","end_time","description","exercise_title","superset_id","exercise_notes",'
                '"set_index","set_type","weight_lbs","reps","distance_miles","duration_seconds","rpe"',
                ("start_time", "exercise_title", "weight_lbs", "reps", "lb")),
    "fitnotes kgs": ("Date,Exercise,Category,Weight (kgs),Reps,Distance,Distance Unit,Time",
                     ("Date", "Exercise", "Weight (kgs)", "Reps", "kg")),
    "fitnotes lbs": ("Date,Exercise,Category,Weight (lbs),Reps,Distance,Distance Unit,Time,Comment",
                     ("Date", "Exercise", "Weight (lbs)", "Reps", "lb")),
    "fitnotes unit column": ("Date,Exercise,Category,Weight,Weight Unit,Reps,Distance,Distance Unit,Time",
                             ("Date", "Exercise", "Weight", "Reps", ("column", "Weight Unit"))),
    "lyfta": ('Title,Date,Duration,Exercise,"Superset id",Weight,Reps,Distance,Time,"Set Type"',
              ("Date", "Exercise", "Weight", "Reps", None)),
    "stronglifts (partial)": ("Date (yyyy/mm/dd),Workout,Workout Name,Program Name,Body Weight (KG),Exercise,"
                              "Sets×Reps,Sets×Time,Top Set (Reps×KG),e1RM (KG),Reps,Volume (KG),Workout Volume (KG),"
                              "Duration (hours),Start Time (h:mm),End Time (h:mm),Notes" + SL_SETS,
                              ("Date (yyyy/mm/dd)", "Exercise", "Set 1 (KG)", "Set 1 (Reps)", "kg")),
    "fitbod": ("Date,Exercise,Reps,Weight(kg),Duration(s),Distance(m),Incline,Resistance,isWarmup,Note,multiplier",
               ("Date", "Exercise", "Weight(kg)", "Reps", "kg")),
}


def suggested(header: str) -> dict:
    sep = ";" if header.count(";") > header.count(",") else ","
    columns = [c.strip().strip('"') for c in header.split(sep)]
    return tomllib.loads(colmap.suggest_map(columns).toml())


@pytest.mark.parametrize("name", list(SUGGESTED))
def test_suggested_map_for_every_known_header(name):
    header, (date, exercise, weight, reps, unit) = SUGGESTED[name]
    got = suggested(header)
    assert (got["date"], got["exercise"], got["weight"], got["reps"]) == (date, exercise, weight, reps)
    if unit is None:
        assert "weight_unit" not in got and "weight_unit_column" not in got
    elif isinstance(unit, tuple):
        assert got["weight_unit_column"] == unit[1] and "weight_unit" not in got
    else:
        assert got["weight_unit"] == unit


def test_stronglifts_suggestion_says_it_is_partial():
    text = colmap.suggest_map([c for c in SUGGESTED["stronglifts (partial)"][0].split(",")]).toml()
    assert "Partial" in text and "only" in text and "Set 1" in text


def test_suggested_set_types():
    assert suggested(SUGGESTED["fitbod"][0])["set_type_values"]["true"] == "warmup"
    strong = suggested(SUGGESTED["strong classic"][0])
    assert strong["set_type"] == "Set Order"
    assert strong["set_type_values"] == {"W": "warmup", "D": "drop", "F": "failure", "*": "working"}
    hevy = suggested(SUGGESTED["hevy kg"][0])
    assert hevy["set_type_values"]["dropset"] == "drop" and hevy["duration"] == "duration_seconds"
    assert "duration" not in strong or strong["duration"] == "Seconds"  # never the workout's Duration


FITBOD = SUGGESTED["fitbod"][0] + "\n" + (
    "2024-03-04 18:30:00 +0000,Back Squat,5,100,0,0,0,0,false,,1\n"
    "2024-03-04 18:30:00 +0000,Back Squat,8,60,0,0,0,0,true,,1\n"
    "2024-03-04 18:30:00 +0000,Running,0,0,600,2000,0,0,false,,1\n"
)


def test_fitbod_through_its_suggested_map(write, tmp_path):
    data = write("fitbod.csv", FITBOD)
    cmap = write("map.toml", colmap.suggest_map(FITBOD.split("\n")[0].split(",")).toml())
    f = import_files([data], "T1", tmp_path, column_map=cmap).files[0]
    assert (f.read, f.kept, f.rejected, f.duplicates) == (3, 2, 1, 0)
    sets = pl.read_csv(tmp_path / "sets.csv")
    assert sets["set_type"].to_list() == ["working", "warmup"]
    assert sets["weight_kg"].to_list() == pytest.approx([100.0, 60.0], abs=0.01)
    assert pl.read_csv(tmp_path / "rejects.csv")["reason"].to_list() == [CARDIO]


HEVY_LB = SUGGESTED["hevy lb"][0] + "\n" + (
    '"Push","10 Jun 2024, 22:05","10 Jun 2024, 23:00","","Bench Press (Barbell)","","","0","warmup","95","10","","",""\n'
    '"Push","10 Jun 2024, 22:05","10 Jun 2024, 23:00","","Bench Press (Barbell)","","","1","normal","225","5","","","8"\n'
)


def test_hevy_lb_with_its_reader_turned_off(write, tmp_path):
    header = [c.strip('"') for c in HEVY_LB.split("\n")[0].split(",")]
    cmap = write("map.toml", colmap.suggest_map(header).toml())
    f = import_files([write("hevy.csv", HEVY_LB)], "T1", tmp_path, column_map=cmap).files[0]
    assert (f.read, f.kept, f.rejected) == (2, 2, 0)
    sets = pl.read_csv(tmp_path / "sets.csv")
    assert sets["weight_kg"].to_list() == pytest.approx([95 * units.LB_TO_KG, 225 * units.LB_TO_KG], abs=0.01)
    assert sets["set_type"].to_list() == ["warmup", "working"]
    assert sets["session_id"].to_list() == ["2024-06-10 22:05"] * 2


def test_date_format_suggested_from_samples():
    got = colmap.suggest_map(["Date", "Exercise", "Reps"], {"Date": ["05/03/2024", "28/03/2024"]})
    assert got.values["date_format"] == "%d/%m/%Y"
    assert "date_format" not in colmap.suggest_map(["Date", "Exercise", "Reps"], {"Date": ["2024-03-05"]}).values


def test_unmapped_required_fields_are_left_to_fill_in():
    text = colmap.suggest_map(["when", "what", "how much"]).toml()
    assert '# date = "..."' in text and '# exercise = "..."' in text and '# reps = "..."' in text


# --------------------------------------------------------------------------
# --inspect and the unknown-format error
# --------------------------------------------------------------------------


def test_inspect_prints_header_rows_format_and_a_map_to_save(write, tmp_path, capsys):
    data = write("fitbod.csv", FITBOD)
    assert cli.main(["import", "--inspect", str(data)]) == 0
    out = capsys.readouterr().out
    assert "header (11 columns, separated by ','):" in out and "  9: isWarmup" in out
    assert "first 3 row(s):" in out and "2024-03-04 18:30:00 +0000,Back Squat,5,100" in out
    assert "detected format: unknown" in out
    assert f"analysis import {data} --trainee ID --out DIR --map map.toml" in out
    saved = write("map.toml", out.split("\n\n", 1)[1])
    assert tomllib.loads(saved.read_text())["weight"] == "Weight(kg)"
    assert cli.main(["import", str(data), "--trainee", "T1", "--out", str(tmp_path / "ds"), "--map", str(saved)]) == 0


def test_inspect_a_known_format_and_set_types_from_the_rows(write, capsys):
    text = ('Title,Date,Duration,Exercise,"Superset id",Weight,Reps,Distance,Time,"Set Type"\n'
            '"Push","2025-12-11 12:41:04",01:07:28,"Bench",,60.000,10,null,null,WARMUP_SET\n'
            '"Push","2025-12-11 12:41:04",01:07:28,"Bench",,100.000,5,null,null,NORMAL_SET\n')
    assert cli.main(["import", "--inspect", str(write("lyfta.csv", text))]) == 0
    out = capsys.readouterr().out
    assert "detected format: lyfta" in out
    got = tomllib.loads(out.split("\n\n", 1)[1])
    assert got["set_type_values"] == {"NORMAL_SET": "working", "WARMUP_SET": "warmup", "*": "working"}


def test_import_without_trainee_needs_inspect(write, capsys):
    assert cli.main(["import", str(write("f.csv", "a,b\n1,2\n"))]) == 2
    assert "--trainee and --out" in capsys.readouterr().err


def test_inspect_refuses_an_empty_file(write, capsys):
    assert cli.main(["import", "--inspect", str(write("empty.csv", ""))]) == 2
    assert "empty file" in capsys.readouterr().err


def test_unknown_format_error_carries_the_suggested_map(write):
    path = write("fitbod.csv", FITBOD)
    with pytest.raises(DataFileError) as err:
        detect.detect_format(path)
    problem = err.value.problem
    assert problem.startswith("unknown format") and "--map map.toml" in problem
    got = tomllib.loads(problem.split("\n\n", 1)[1])
    assert (got["date"], got["exercise"], got["weight"], got["weight_unit"], got["reps"]) == (
        "Date", "Exercise", "Weight(kg)", "kg", "Reps")


def test_no_suggestion_for_a_file_that_is_one_column(write):
    with pytest.raises(DataFileError) as err:
        detect.detect_format(write("f.csv", "a|b|c\n1|2|3\n"))
    assert "--map" not in err.value.problem
