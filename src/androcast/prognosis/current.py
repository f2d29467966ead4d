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

from dataclasses import replace
from typing import Any

from androcast import display
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


def _his_entry(entry: dict[str, Any], course: MedicationCourse) -> dict[str, Any]:
    """The protocol's entry for a drug he takes now, at his dose and interval."""
    if course.dose is None or course.dose_unit is None or course.every_d is None:
        return entry  # not simulable as his: the assessment's input check names it
    return {**entry, "dose": f"{course.dose:g} {course.dose_unit}",
            "every": _every(course.every_d)}


def _entry_words(entry: dict[str, Any]) -> str:
    drug = display.label("drug", entry["drug"])
    every = display.every(display.parse_every(entry.get("every")))
    return " ".join(p for p in (drug, display.dose(entry.get("dose", "")), every) if p)


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


def for_him(protocol: Protocol, case: Case) -> Protocol:
    """``protocol`` as it applies to him: unchanged without a current restoration drug;
    otherwise his drugs continued at his dose, the others stopped or added, and named so."""
    current = {c.agent: c for c in current_restoration_courses(case)}
    if not current:
        return protocol
    regimen = tuple(_his_entry(e, current[str(e["drug"])]) if str(e["drug"]) in current
                    else dict(e) for e in protocol.regimen)
    drugs = [str(e["drug"]) for e in regimen]
    code = change_of(drugs, list(current))
    new = "add" if any(d in current for d in drugs) else "start"
    parts = [f"{display.label('regimen_verb', 'continue' if str(e['drug']) in current else new)}"
             f" {_entry_words(e)}" for e in regimen]
    stops = [display.label("drug", d) for d in current if d not in drugs]
    if stops:
        parts.append(f"{display.label('regimen_verb', 'stop')} {' and '.join(stops)}")
    if code == "continue_current":
        parts[-1] += f" ({display.label('regimen_verb', 'titrate')})"
    if not drugs:
        parts.append(display.label("regimen_verb", "no_drug"))
    name = "; ".join(parts)
    return replace(protocol, regimen=regimen, name=name[:1].upper() + name[1:], change=code)
