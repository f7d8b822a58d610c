"""JEFIT exports: sections, packed sets, the SETTING unit, sessions."""

from __future__ import annotations

import polars as pl

SAMPLE = """### JEFIT EXPORT FILE ############################

### SETTING ######################################

row_id,USERID,TIMESTAMP,mass,length
1,1,"2024-01-01 00:00:00", {mass},inches

##################################################

### WORKOUT SESSIONS #############################

_id,mydate,starttime,starttimie,total_time
1,2024-01-15,1705305000,,3600
2,2024-01-15,1705341600,,2400
3,2024-01-17,0,,1800

##################################################

### EXERCISE LOGS ################################

USERID,TIMESTAMP,belongSys,logs,_id,record,mydate,eid,ename,day_item_id,belongsession,logTime,interval_logs
1,"2024-01-15 08:00:00",1,"100x5,100x5,105x3",1,116,2024-01-15,1,"Barbell Bench Press",1,1,1,
1,"2024-01-15 18:00:00",1,"0x12,0x10",2,0,2024-01-15,2,"Pull-Up",2,2,1,
1,"2024-01-17 08:00:00",1,"60x10,60xten",3,70,2024-01-17,3,"Barbell Squat",3,3,1,
1,"2024-01-17 08:00:00",1,"",4,0,2024-01-17,4,"Treadmill Running",4,3,1,"600,300"
1,"2024-01-17 08:00:00",1,"",5,0,2024-01-17,5,"Dumbbell Curl",5,3,1,

##################################################
"""


def test_packed_sets_sessions_and_setting_unit(read):
    export, kept, rejects = read("jefit.csv", SAMPLE.format(mass=" kg"), fmt=None)
    assert export.read == 9 and kept.height == 6
    bench = kept.filter(pl.col("exercise") == "Barbell Bench Press")
    assert bench["weight_kg"].to_list() == [100.0, 100.0, 105.0]
    assert bench["reps"].to_list() == [5, 5, 3]
    assert bench["set_index"].to_list() == [0, 1, 2]
    assert kept.filter(pl.col("exercise") == "Pull-Up")["weight_kg"].to_list() == [None, None]
    # session 1 and 2 are on one day; their start times keep them apart (UTC)
    assert set(kept["session_id"]) == {"2024-01-15 07:50:00", "2024-01-15 18:00:00", "2024-01-17"}
    assert kept.filter(pl.col("exercise") == "Pull-Up")["session_s"].to_list() == [2400.0, 2400.0]
    got = dict(zip(rejects["line"].to_list(), rejects["reason"].to_list()))
    assert got == {
        24: "not a weight x reps entry (e.g. 50x10)",
        25: "interval (time) logs only: JEFIT timed entries are not read as sets",
        26: "no sets logged",
    }


def test_pounds_from_the_setting_section(read):
    export, kept, _ = read("jefit.csv", SAMPLE.format(mass=" lbs"), fmt="jefit", unit="kg")
    assert kept.filter(pl.col("exercise") == "Barbell Bench Press")["weight_kg"].to_list() == [45.36, 45.36, 47.63]
    assert any("--unit kg ignored" in w for w in export.warnings)


def test_missing_unit_is_assumed_kg_with_a_warning(read):
    text = SAMPLE.format(mass=" kg").replace(" kg,inches", ",inches").replace("mass,", "other,")
    export, kept, _ = read("jefit.csv", text, fmt="jefit")
    assert any("assumed kg" in w for w in export.warnings)
    assert kept["weight_kg"].max() == 105.0
