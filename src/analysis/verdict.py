"""The answer to the coach's question, from a trainee's summary: is strength
progressing, size, both or neither, how sure, since when, and what the
training emphasised.

:func:`verdict` returns structured findings (``kind, subject, status,
probability, since, text``) and the plain-words paragraph the report shows
first; the HTML only renders them. Statuses and probabilities come from
:mod:`analysis.trends` (lifts), :func:`analysis.progress.strength_status`
(strength overall) and :mod:`analysis.body` (size). Probabilities are said in
words as "about N% sure" (rounded to 5%), intervals as "between A and B".
"""

from __future__ import annotations

import datetime as dt

LIFT_WORDS = {"progressing": "progressing", "plateau": "on a plateau", "declining": "declining",
              "uncertain": "too early to tell", "insufficient_data": "not enough recent data to judge"}
SIZE_WORDS = {"growing": "growing", "flat": "flat", "shrinking": "shrinking", "uncertain": "too early to tell",
              "insufficient_data": "not enough body measurements to judge"}
EMPHASIS_SHARE = 0.5
"""A zone with at least half of the working sets is what the training emphasised."""


def day(d: dt.date | str) -> str:
    """A date (or ISO text) as the reports write it: '10 Jul 2026'."""
    d = dt.date.fromisoformat(d) if isinstance(d, str) else d
    return f"{d.day} {d:%b %Y}"


def sure(p: float | None) -> str:
    """'about 85% sure' (to 5%; 'over 95% sure' above that)."""
    if p is None:
        return ""
    return "over 95% sure" if p > 0.975 else f"about {round(p * 20) * 5:.0f}% sure"


def since_words(since: str | None, interval: list | None) -> str:
    if not since:
        return ""
    words = f"since about {day(since)}"
    if interval and interval[0] and interval[1] and interval[0] != interval[1]:
        words += f" (between {day(interval[0])} and {day(interval[1])})"
    return words


def _settle(weeks: int | None, settles_as: str | None) -> str:
    if weeks:
        return (f"at least {weeks} more week{'s' if weeks > 1 else ''} of logs at this frequency before it can "
                f"settle, if the trend holds ({LIFT_WORDS.get(settles_as, settles_as)})")
    return "not likely to settle within 6 months at this trend"


def lift_finding(lift: dict) -> dict:
    """One lift's status in words, with its probability and since when."""
    name, status = lift["exercise"].capitalize(), lift["status"]
    probs = lift.get("probabilities") or {}
    p = probs.get(status)
    level = ""
    if lift.get("e1rm_kg") is not None:
        reps = lift.get("e1rm_reps")
        level = f"e1RM about {lift['e1rm_kg']:.0f} kg" + (f" from sets of about {reps} reps" if reps else "")
    ci = lift.get("change_pct_per_week_95ci")
    rate = (f"{lift['change_pct_per_week']:+.1f}% a week ({ci[0]:+.1f} to {ci[1]:+.1f})"
            if ci and lift.get("change_pct_per_week") is not None else "")
    if status == "plateau":
        since = since_words(lift["plateau_since"], lift.get("plateau_since_interval"))
        text = f"{name} on a plateau, {sure(p)}" + (f", {since}" if since else "") + (f"; {level}" if level else "")
    elif status in ("progressing", "declining"):
        text = f"{name} {status}, {sure(p)}: {rate}" + (f", {level}" if level else "")
    elif status == "uncertain":
        text = (f"{name}: too early to tell ({_likeliest_two(probs)}); "
                f"{_settle(lift.get('weeks_to_settle'), lift.get('settles_as'))}")
    elif lift.get("sessions_in_window") == 0 and lift.get("last_session"):
        text = f"{name} not trained in the window (last {day(lift['last_session'])})"
    else:
        text = f"{name}: too few recent sessions to judge"
    return {"kind": "lift", "subject": lift["exercise"], "status": status, "probability": _round(p),
            "since": lift.get("plateau_since") if status == "plateau" else None, "text": text}


def _likeliest_two(probs: dict) -> str:
    """'on a plateau 46%, declining 37%'."""
    top, runner = sorted(probs, key=probs.get, reverse=True)[:2]
    return f"{LIFT_WORDS[top]} {probs[top]:.0%}, {LIFT_WORDS[runner]} {probs[runner]:.0%}"


def _unsure_words(lift: dict) -> str:
    """'bench press (on a plateau 46%, declining 37%; at least 6 more weeks of logs before it can settle)'."""
    weeks = lift.get("weeks_to_settle")
    settle = (f"; at least {weeks} more week{'s' if weeks > 1 else ''} of logs before it can settle"
              if weeks else "")
    return f"{lift['exercise']} ({_likeliest_two(lift['probabilities'])}{settle})"


def size_finding(size: dict) -> dict:
    status = size["status"]
    p = (size.get("probabilities") or {}).get(status)
    words = SIZE_WORDS[status]
    if status == "insufficient_data":
        text = f"Size: {words}."
    elif status == "uncertain":
        text = "Size: too early to tell from the girths logged so far."
    else:
        rate = size.get("limb_rate_cm_per_week")
        detail = f" (limb girths {rate:+.2f} cm a week)" if rate is not None and status != "flat" else ""
        since = since_words(size.get("flat_since"), size.get("flat_since_interval")) if status == "flat" else ""
        text = f"Size {words}, {sure(p)}" + (f", {since}" if since else "") + f"{detail}."
    if (size.get("p_fat_gain") or 0) > 0.5:
        text += " The waist is rising faster than the limbs: fat gain rather than muscle."
    return {"kind": "size", "subject": "limb girths", "status": status, "probability": _round(p),
            "since": size.get("flat_since") if status == "flat" else None, "text": text}


def strength_finding(strength: dict, featured_are_main: bool) -> dict:
    status, p = strength["status"], strength.get("probability")
    over = "" if featured_are_main else " (on the most-trained lifts)"
    if status == "uncertain":
        text = f"Strength overall{over}: too early to tell (or mixed across lifts)."
    elif status == "insufficient_data":
        text = f"Strength overall{over}: {LIFT_WORDS[status]}."
    else:
        text = f"Strength overall{over}: {LIFT_WORDS[status]}, {sure(p)}."
    return {"kind": "strength", "subject": "featured lifts", "status": status, "probability": _round(p),
            "since": None, "text": text}


def emphasis(summary: dict) -> dict:
    """The zone with most working sets, its share, and the current block."""
    zone, share = max(summary["focus"].items(), key=lambda kv: kv[1])
    block = summary["blocks"][-1] if summary.get("blocks") else None
    return {"zone": zone if share > 0 else None, "share": round(share, 3),
            "block": {"kind": block["kind"], "start": block["start"], "weeks": block["weeks"]} if block else None}


def _emphasis_text(summary: dict, focus: dict) -> str:
    per_week = summary.get("sessions_per_week") or 0.0
    text = f"Last {summary['window_weeks']} weeks: {per_week:.1f} sessions a week, " + (
        f"mostly {focus['zone']}-zone work ({focus['share']:.0%} of working sets)." if focus["zone"]
        else "no working sets.")
    block = focus["block"]
    if block:
        weeks = block["weeks"]
        text += f" Current block: {block['kind']} since {day(block['start'])} ({weeks} week{'s' if weeks > 1 else ''})."
    return text


def _reading(focus: dict, strength: dict, size: dict) -> str | None:
    """What the emphasis means for what was (not) seen."""
    zone, share = focus["zone"], focus["share"]
    if share < EMPHASIS_SHARE:
        return None
    if zone == "hypertrophy" and strength["status"] == "plateau":
        return "A strength plateau is common while the work is mostly in the hypertrophy zone."
    if zone == "strength" and size["status"] == "flat":
        return "Flat size is common while the work is mostly in the strength zone."
    if zone == "strength" and strength["status"] == "progressing" and size["status"] == "flat":
        return "Stronger without getting bigger: what strength-zone work mostly does."
    return None


GIRTH_NOISE_CM = 0.5
"""A change inside ±0.5 cm is within tape-measure noise (repeat girths by one
trained measurer differ by a few mm; ISAK's technical error of measurement
for girths is about 1%, 0.3-0.5 cm on an arm or thigh)."""
LIMBS = ("arm_cm", "forearm_cm", "chest_cm", "thigh_cm", "calf_cm")
YOUNG_BLOCK_WEEKS = 4
"""A current block younger than this is too early to judge (strength shows
after 8-12 weeks, DOMAIN.md; a line needs a few weeks of points)."""


def change_words(change: float | None, low: float | None, high: float | None, unit: str,
                 clear_only: bool = True) -> str:
    """``+4.1% (+1.5 to +6.8)``, or ``no clear change (-1.0 to +2.1 cm)``
    when the interval holds zero and ``clear_only``; ``too few points``."""
    if change is None:
        return "too few points"
    sep = "" if unit == "%" else " "
    if clear_only and low is not None and high is not None and low <= 0 <= high:
        return f"no clear change ({low:+.1f} to {high:+.1f}{sep}{unit})"
    return f"{round(change, 1) + 0.0:+.1f}{sep}{unit} ({round(low, 1) + 0.0:+.1f} to {round(high, 1) + 0.0:+.1f})"


def strength_and_size(block: dict) -> str | None:
    """"most likely neural" when some lift's e1RM interval is above zero and
    every limb girth's lies within :data:`GIRTH_NOISE_CM`; "hypertrophy
    carrying strength" when a lift's and a limb girth's intervals are both
    above zero; else nothing."""
    gained = any((r["low"] or 0) > 0 for r in block["response"]["lifts"])
    limbs = [r for r in block["response"]["body"] if r["measure"] in LIMBS and r["change"] is not None]
    if not gained or not limbs:
        return None
    if any(r["low"] > 0 for r in limbs):
        return "hypertrophy carrying strength"
    if all(-GIRTH_NOISE_CM <= r["low"] and r["high"] <= GIRTH_NOISE_CM for r in limbs):
        return "most likely neural"
    return None


def _clear(r: dict) -> bool:
    return r["change"] is not None and not (r["low"] <= 0 <= r["high"])


def block_reading(block: dict, concise: bool = False) -> str:
    """One block in words: ``Strength block, 6 weeks: back squat +4.1% (+1.5 to
    +6.8), bench press +0.4% (-1.0 to +2.1), arm +0.3 cm (...)``. ``concise``
    names only the clear changes and counts the rest."""
    weeks = block["weeks"]
    head = f"{block['kind'].capitalize()} block, {weeks} week{'s' if weeks != 1 else ''}"
    lifts = [(r, r["exercise"], "%") for r in block["response"]["lifts"] if r["change"] is not None]
    body = [(r, r["measure"].removesuffix("_" + r["unit"]), r["unit"]) for r in block["response"]["body"]
            if r["change"] is not None]
    if not lifts and not body:
        return head + ": nothing measured"
    shown = [x for x in (*lifts, *body) if _clear(x[0]) or not concise]
    words = [f"{name} {change_words(r['change'], r['low'], r['high'], unit, clear_only=concise)}"
             for r, name, unit in shown]
    if concise:
        rest = len(lifts) + len(body) - len(shown)
        words.append(f"no clear change in {rest} {'other ' if shown else ''}measure{'s' if rest != 1 else ''}"
                     if rest else "")
    text = head + ": " + ", ".join(w for w in words if w)
    reading = strength_and_size(block)
    return text + (f" ({reading})" if reading else "")


def _blocks_sentence(blocks: list[dict]) -> str | None:
    """The last finished strength or hypertrophy block, and a young current one."""
    trained = [b for b in blocks if b["kind"] in ("strength", "hypertrophy")]
    if not trained:
        return None
    current = blocks[-1]
    finished = [b for b in trained if b is not current]
    words = []
    if finished:
        words.append("Last finished block: " + block_reading(finished[-1], concise=True) + ".")
    if current["kind"] in ("strength", "hypertrophy") and current["weeks"] < YOUNG_BLOCK_WEEKS:
        weeks = current["weeks"]
        words.append(f"The current {current['kind']} block is {weeks} week{'s' if weeks != 1 else ''} old: "
                     "too early to tell what it does.")
    elif current in trained:
        words.append("Current block so far: " + block_reading(current, concise=True) + ".")
    return " ".join(words) or None


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} min" if seconds >= 90 else f"{seconds:.0f} s"


def rest_words(rest: dict) -> str:
    """The window's rest in words: median, its zone, by rep zone, how known."""
    if rest.get("median_s") is None:
        return "No rest times: the log has neither rest timers nor session lengths."
    how = "estimated from session lengths" if rest["estimated"] else "logged"
    text = (f"Rest between sets in the window: about {_minutes(rest['median_s'])} ({how}, "
            f"{rest['sessions']} session{'s' if rest['sessions'] != 1 else ''}), in the {rest['zone']} range")
    zones = [f"{zone} sets {_minutes(s)}" for zone, s in rest["by_zone"].items() if s is not None]
    return text + (f"; by rep zone: {', '.join(zones)}." if len(zones) > 1 else ".")


def timed_words(timed: dict) -> str:
    """A longest-hold record: ``plank: 95 s on 14 Aug 2026 (12 timed sets)``."""
    load = f" with {timed['weight_kg']:g} kg" if timed["weight_kg"] else ""
    return (f"{timed['exercise']}: {timed['longest_s']:.0f} s{load} on {day(timed['date'])} "
            f"({timed['sets']} timed set{'s' if timed['sets'] != 1 else ''})")


def verdict(summary: dict, featured_are_main: bool = True) -> dict:
    """The structured verdict of summary.json: strength, size, emphasis,
    findings and the paragraph (strength and size first, then the lifts)."""
    focus = emphasis(summary)
    strength = strength_finding(summary["strength"], featured_are_main)
    size = size_finding(summary["size"])
    lifts = [lift_finding(lift) for lift in summary["lifts"] if lift["featured"]]
    findings = [strength, size, *lifts]
    flags = len(summary.get("flags") or [])
    if flags:
        findings.append({"kind": "workload", "subject": "flags", "status": "flagged", "probability": None,
                         "since": None, "text": f"{flags} workload flag{'s' if flags > 1 else ''} worth a look "
                                                f"(see Workload)."})
    prs = sum(lift.get("prs_in_window") or 0 for lift in summary["lifts"] if lift["featured"])
    if prs:
        findings.append({"kind": "records", "subject": "featured lifts", "status": "records", "probability": None,
                         "since": None, "text": f"{prs} record{'s' if prs > 1 else ''} on the featured lifts "
                                                f"in the window."})
    reading = _reading(focus, summary["strength"], summary["size"])
    sentences = [_emphasis_text(summary, focus), strength["text"], size["text"]]
    sentences += [f["text"] + "." for f in lifts if f["status"] != "uncertain"]
    unsure = [lift for lift in summary["lifts"] if lift["featured"] and lift["status"] == "uncertain"]
    if unsure:
        sentences.append("Too early to tell: " + "; ".join(_unsure_words(lift) for lift in unsure) + ".")
    sentences += [reading] if reading else []
    blocks = _blocks_sentence(summary.get("blocks") or [])
    sentences += [blocks] if blocks else []
    sentences += [f["text"] for f in findings if f["kind"] in ("workload", "records")]
    return {
        "strength": {"status": strength["status"], "probability": strength["probability"]},
        "size": {"status": size["status"], "probability": size["probability"]},
        "emphasis": focus,
        "findings": findings,
        "text": " ".join(sentences),
    }


def _round(p: float | None) -> float | None:
    return None if p is None else round(p, 3)
