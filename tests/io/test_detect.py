"""detect_format: every app's header variants, and clear errors for the rest."""

from __future__ import annotations

import pytest

from analysis.errors import DataFileError
from analysis.io.detect import FORMATS, detect_format

HEADERS = {
    "strong": [
        "Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,Workout Notes,RPE",
        "Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,RPE",
        "Date;Workout Name;Exercise Name;Set Order;Weight;Weight Unit;Reps;RPE;Distance;Distance Unit;Seconds;Notes;Workout Notes;Workout Duration",
        "Date,Workout Name,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,Workout Notes",
        "Date,Workout Name,Exercise Name,Set Order,kg,Reps,km,Seconds,Notes",
        "Datum,Workout-Name,Dauer,Name der Übung,Reihenfolge festlegen,Gewicht,Wiederh.,Entfernung,Sekunden,Notizen,Workout-Notizen,RPE",
        "\ufeffDate\tWorkout Name\tExercise Name\tSet Order\tWeight\tReps",
    ],
    "hevy": [
        '"title","start_time","end_time","description","exercise_title","superset_id","exercise_notes","set_index","set_type","weight_kg","reps","distance_km","duration_seconds","rpe"',
        '"title","start_time","end_time","description","exercise_title","superset_id","exercise_notes","set_index","set_type","weight_lbs","reps","distance_miles","duration_seconds","rpe"',
    ],
    "fitnotes": [
        "Date,Exercise,Category,Weight (kgs),Reps,Distance,Distance Unit,Time",
        "Date,Exercise,Category,Weight (lbs),Reps,Distance,Distance Unit,Time,Comment",
        "Date,Exercise,Category,Weight,Weight Unit,Reps,Distance,Distance Unit,Time",
    ],
    "fitnotes_body": ["Date,Time,Measurement,Value,Unit", "Date,Time,Measurement,Value,Unit,Comment"],
    "lyfta": [
        'Title,Date,Duration,Exercise,"Superset id",Weight,Reps,Distance,Time,"Set Type"',
        ' Title,Date,Duration,Exercise,"Superset id",Weight,Reps,Distance,Time,"Set Type"',
        "\ufeffTitle,Date,Duration,Exercise,Superset id,Weight,Reps,Distance,Time,Set Type",
    ],
    "stronglifts": [
        "Date (yyyy/mm/dd),Workout,Workout Name,Program Name,Body Weight (KG),Exercise,Sets×Reps,Sets×Time,"
        "Top Set (Reps×KG),e1RM (KG),Reps,Volume (KG),Workout Volume (KG),Duration (hours),Start Time (h:mm),"
        "End Time (h:mm),Notes" + "".join(f",Set {n} (Reps),Set {n} (KG)" for n in range(1, 7)),
        "\ufeffDate (yyyy/mm/dd),Workout,Workout Name,Program Name,Body Weight (KG),Exercise,Sets×Reps,Sets×Time,"
        "Top Set (Reps×LB),e1RM (LB),Reps,Volume (LB),Workout Volume (LB),Duration (hours),Start Time (h:mm),"
        "End Time (h:mm),Notes" + "".join(f",Set {n} (Reps),Set {n} (LB)" for n in range(1, 6)),
    ],
    "wide": ["date,exercise,equipment,variant,set1weight,set1reps,set2weight,set2reps"],
    "native": ["trainee_id,date,exercise,weight_kg,reps,rpe,set_type", "date,exercise,reps"],
    "body": [
        "trainee_id,date,bodyweight_kg,waist_cm",
        "date,measure,value",
        "Date,Bodyweight (lb),Waist (in),Notes",
    ],
    "jefit": ["### JEFIT EXPORT ###", "### EXERCISE LOGS ####################"],
}


@pytest.mark.parametrize(("fmt", "header"), [(f, h) for f, hs in HEADERS.items() for h in hs])
def test_headers(write, fmt, header):
    assert detect_format(write("f.csv", header + "\n")) == fmt


def test_every_format_is_covered():
    assert set(HEADERS) == set(FORMATS)


def test_real_exports(exports):
    expected = {"hevy_kg.csv": "hevy", "strong_a_kg.csv": "strong", "strong_a_lb.csv": "strong",
                "strong_c_sample.csv": "strong"}
    for name, fmt in expected.items():
        assert detect_format(exports / name) == fmt
    assert {detect_format(p) for p in (exports / "rweightlifting").glob("*.csv")} == {"wide"}


@pytest.mark.parametrize(
    "header",
    [
        "when,what,how much",
        "Title,Date,Duration,Exercise,Weight,Reps",  # Lyfta-like, no Set Type
        "Date (yyyy/mm/dd),Workout,Body Weight (KG),Exercise,Sets×Reps,Notes",  # StrongLifts-like, no set columns
        "Date (yyyy/mm/dd),Exercise,Set 1 (Reps)",  # a reps column without its load column
    ],
)
def test_unknown_format_names_the_known_ones(write, header):
    with pytest.raises(DataFileError) as err:
        detect_format(write("f.csv", header + "\n1,2,3,4,5,6\n"))
    assert "unknown format" in err.value.problem
    assert all(name in err.value.problem for name in FORMATS)


@pytest.mark.parametrize(
    ("content", "problem"),
    [(b"", "empty file"), (b"\x00\x01\x02binary", "binary"), (b"a|b|c\n", "delimited by something other")],
)
def test_files_that_are_not_exports(write, content, problem):
    with pytest.raises(DataFileError, match=problem):
        detect_format(write("f.csv", content))


def test_missing_file(tmp_path):
    with pytest.raises(DataFileError, match="cannot be read"):
        detect_format(tmp_path / "nope.csv")
