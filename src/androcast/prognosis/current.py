"""What each protocol means for a man who takes restoration drugs now (G-CURRENT-MEDS).

A protocol is his whole restoration regimen from the start of the forecast. For a man on a
restoration drug now, a protocol that holds that drug continues it at the dose and interval
he is on (never a new start of it at the protocol's dose: the clinic suite's c15 "no
alternative starts hCG as a new drug"), a protocol that lacks it stops it, and a drug of the
protocol he does not take is added; watchful waiting stops them all. The protocol keeps its
id; its regimen is his and its name says what it means for him (``change``: a code with
words in ``display/names.yaml``, kind ``regimen_change``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from functools import cache
from importlib import resources
from typing import Any

from androcast import display
from androcast._yaml import load_data
from androcast.labs import Case, MedicationCourse
from androcast.prognosis.protocols import Protocol
from androcast.regimens import current_restoration_courses

#: What a protocol does to the restoration drugs he takes now.
CHANGES = ("continue_current", "add_to_current", "change_current", "switch_from_current",
           "stop_current")


def _every(days: float) -> str:
    minutes = days * 1440.0
    if minutes < 1440.0 and abs(minutes - round(minutes)) < 1e-6:
        return f"{round(minutes)} min"
    return f"{days:g} d"


@cache
def _titrations() -> dict[str, Any]:
    text = resources.files("androcast.prognosis").joinpath("data/titration.yaml").read_text(
        "utf-8")
    data: dict[str, Any] = load_data(text)
    return data


def lowered(action_codes: Iterable[str]) -> dict[str, float]:
    """The factor by which his assessment's actions lower each drug he takes now
    (``data/titration.yaml``): drug -> factor."""
    return {t["drug"]: float(t["factor"]) for code, t in _titrations().items()
            if code in set(action_codes)}


def _per_day(dose: str, every: Any) -> tuple[float, str] | None:
    amount, _, unit = str(dose).partition(" ")
    days = display.parse_every(every)
    try:
        return (float(amount) / days, unit) if days else None
    except ValueError:
        return None


def _his_entry(entry: dict[str, Any], course: MedicationCourse,
               factor: float = 1.0) -> tuple[dict[str, Any], str]:
    """The protocol's entry for a drug he takes now, at his dose and interval (times
    ``factor`` when his assessment lowers it), never above the protocol's own dose once
    lowered; and the verb that says so ("continue" or "lower")."""
    if course.dose is None or course.dose_unit is None or course.every_d is None:
        return entry, "continue"  # not simulable as his: the assessment's input check names it
    if factor == 1.0:
        return {**entry, "dose": f"{course.dose:g} {course.dose_unit}",
                "every": _every(course.every_d)}, "continue"
    dose = course.dose * factor
    own = _per_day(entry.get("dose", ""), entry.get("every"))
    if own is not None and own[1] == course.dose_unit and dose / course.every_d > own[0]:
        return dict(entry), "lower"
    return {**entry, "dose": f"{dose:g} {course.dose_unit}",
            "every": _every(course.every_d)}, "lower"


def _entry_words(entry: dict[str, Any]) -> str:
    drug = display.label("drug", entry["drug"])
    every = display.every(display.parse_every(entry.get("every")))
    return " ".join(p for p in (drug, display.dose(entry.get("dose", "")), every) if p)


def _words(entry: dict[str, Any], verb: str, course: MedicationCourse | None) -> str:
    """"continue his current hCG 3000 IU every other day", "lower his current hCG 3000 IU
    every other day to 1500 IU every other day", "add FSH 150 IU ..."."""
    if verb != "lower" or course is None:
        return f"{display.label('regimen_verb', verb)} {_entry_words(entry)}"
    his = {"drug": course.agent, "dose": f"{course.dose:g} {course.dose_unit}",
           "every": _every(course.every_d or 0.0)}
    to = _entry_words(entry).removeprefix(display.label("drug", course.agent)).strip()
    return f"{display.label('regimen_verb', 'lower')} {_entry_words(his)} to {to}"


def change_of(drugs: list[str], current: list[str]) -> str:
    """The ``CHANGES`` code of a protocol with ``drugs`` for a man on ``current`` drugs."""
    kept = [d for d in drugs if d in current]
    stopped = [d for d in current if d not in drugs]
    added = [d for d in drugs if d not in current]
    if not drugs:
        return "stop_current"
    if not kept:
        return "switch_from_current"
    if stopped:
        return "change_current"
    return "add_to_current" if added else "continue_current"


def for_him(protocol: Protocol, case: Case, actions: Iterable[str] = ()) -> Protocol:
    """``protocol`` as it applies to him: unchanged without a current restoration drug;
    otherwise his drugs continued at his dose (lowered where his assessment's ``actions``
    lower it: ``lowered``), the others stopped or added, and named so."""
    current = {c.agent: c for c in current_restoration_courses(case)}
    if not current:
        return protocol
    factors = lowered(actions)
    entries = [(dict(e), "") if str(e["drug"]) not in current else _his_entry(
        e, current[str(e["drug"])], factors.get(str(e["drug"]), 1.0)) for e in protocol.regimen]
    regimen = tuple(e for e, _ in entries)
    drugs = [str(e["drug"]) for e in regimen]
    code = change_of(drugs, list(current))
    new = "add" if any(d in current for d in drugs) else "start"
    parts = [_words(e, verb or new, current.get(str(e["drug"]))) for e, verb in entries]
    stops = [display.label("drug", d) for d in current if d not in drugs]
    if stops:
        parts.append(f"{display.label('regimen_verb', 'stop')} {' and '.join(stops)}")
    if code == "continue_current":
        parts[-1] += f" ({display.label('regimen_verb', 'titrate')})"
    if not drugs:
        parts.append(display.label("regimen_verb", "no_drug"))
    name = "; ".join(parts)
    return replace(protocol, regimen=regimen, name=name[:1].upper() + name[1:], change=code)
