"""Writing an SBML Level 3 document from symbolic rate laws and a dose schedule.

The equations arrive as sympy expressions traced from the model's own ``rhs``; this module
only prints each one and hands it to ``libsbml.parseL3Formula``. States become species in a
unit compartment, each with a rate rule; boluses become events that add to a depot species;
infusion rates become parameters switched by events at the schedule's edges.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from androcast.errors import SimulationError
from androcast.regimens import Dose, DoseSchedule, Infusion

_SID = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Quantity:
    """A named SBML quantity (state or parameter) with its value and provenance."""

    name: str
    value: float
    unit: str = ""
    notes: str = ""


@dataclass(frozen=True)
class Jump:
    """What one bolus does: add ``amount`` to the state ``target``."""

    target: str
    amount: float


def formula(expr: Any) -> str:
    """Infix text of a sympy expression in the SBML L3 formula syntax."""
    sympy = importlib.import_module("sympy")  # untyped; only needed for export
    text = str(sympy.sstr(expr, full_prec=True, order="none"))
    return text.replace("**", "^")


def _check(ok: int | None, what: str) -> None:
    import libsbml

    if ok is not None and ok != libsbml.LIBSBML_OPERATION_SUCCESS:
        message = libsbml.OperationReturnValue_toString(ok)
        raise SimulationError("sbml", what, f"a valid SBML element ({message})")


def _math(text: str, what: str) -> Any:
    import libsbml

    ast = libsbml.parseL3Formula(text)
    if ast is None:
        raise SimulationError(
            "sbml", what, f"a formula libsbml parses ({libsbml.getLastParseL3Error()})"
        )
    return ast


def _notes(element: Any, text: str) -> None:
    if text:
        body = f'<body xmlns="http://www.w3.org/1999/xhtml"><p>{escape(text)}</p></body>'
        _check(element.setNotes(body), f"notes of {element.getId()}")


def _sid(name: str) -> str:
    if not _SID.match(name):
        raise SimulationError("sbml", name, "an SBML identifier (letters, digits, underscore)")
    return name


def build_document(
    *,
    model_id: str,
    states: Sequence[Quantity],
    parameters: Sequence[Quantity],
    rates: Mapping[str, Any],
    schedule: DoseSchedule,
    jump: Callable[[Dose], Jump],
    infusion_parameter: Callable[[Infusion], str],
    t_start_d: float = 0.0,
    notes: str = "",
) -> str:
    """The SBML text of the model ``d state/dt = rates[state]`` with the schedule's doses.

    Time is in days from ``t_start_d`` (SBML time 0 is ``t_start_d``). ``jump`` maps a bolus
    to the depot it fills; ``infusion_parameter`` names the rate parameter of an infusion,
    which the rate laws must reference (it is 0 outside infusions).
    """
    import libsbml

    document = libsbml.SBMLDocument(3, 2)
    model = document.createModel()
    _check(model.setId(_sid(model_id)), model_id)
    _notes(model, notes)
    compartment = model.createCompartment()
    for call in (
        compartment.setId("body"),
        compartment.setSize(1.0),
        compartment.setConstant(True),
        compartment.setSpatialDimensions(3),
    ):
        _check(call, "compartment body")

    for state in states:
        species = model.createSpecies()
        for call in (
            species.setId(_sid(state.name)),
            species.setCompartment("body"),
            species.setInitialAmount(float(state.value)),
            species.setHasOnlySubstanceUnits(True),
            species.setBoundaryCondition(False),
            species.setConstant(False),
        ):
            _check(call, f"species {state.name}")
        _notes(species, state.notes)

    switched = {infusion_parameter(i) for i in schedule.infusions}
    for quantity in parameters:
        parameter = model.createParameter()
        _check(parameter.setId(_sid(quantity.name)), quantity.name)
        _check(parameter.setValue(float(quantity.value)), quantity.name)
        _check(parameter.setConstant(quantity.name not in switched), quantity.name)
        _notes(parameter, " ".join(p for p in (quantity.unit, quantity.notes) if p))

    missing = [s.name for s in states if s.name not in rates]
    if missing:
        raise SimulationError("sbml", missing[0], "a rate law for every state")
    for name, expr in rates.items():
        rule = model.createRateRule()
        _check(rule.setVariable(name), f"rate rule {name}")
        _check(rule.setMath(_math(formula(expr), f"rate of {name}")), f"rate rule {name}")

    _dose_events(model, schedule, jump, t_start_d)
    _infusion_events(model, schedule, infusion_parameter, t_start_d)

    problems = document.checkInternalConsistency()
    if problems:
        error = document.getError(0)
        raise SimulationError("sbml", error.getMessage().strip(), "a consistent SBML document")
    text: str = libsbml.writeSBMLToString(document)
    return text


def _event(model: Any, event_id: str, t_d: float, assignments: Sequence[tuple[str, str]]) -> None:
    event = model.createEvent()
    _check(event.setId(event_id), event_id)
    _check(event.setUseValuesFromTriggerTime(True), event_id)
    trigger = event.createTrigger()
    _check(trigger.setInitialValue(False), event_id)  # a dose at time 0 fires at once
    _check(trigger.setPersistent(True), event_id)
    _check(trigger.setMath(_math(f"time >= {t_d!r}", event_id)), event_id)
    for variable, value in assignments:
        assignment = event.createEventAssignment()
        _check(assignment.setVariable(variable), event_id)
        _check(assignment.setMath(_math(value, event_id)), event_id)


def _dose_events(
    model: Any, schedule: DoseSchedule, jump: Callable[[Dose], Jump], t_start_d: float
) -> None:
    for k, dose in enumerate(schedule.doses):
        step = jump(dose)
        _event(
            model,
            f"dose_{k}_{dose.drug}",
            dose.t_d - t_start_d,
            [(step.target, f"{step.target} + {float(step.amount)!r}")],
        )


def _infusion_events(
    model: Any, schedule: DoseSchedule, name_of: Callable[[Infusion], str], t_start_d: float
) -> None:
    # At every edge each switched parameter takes the summed rate of its infusions there.
    by_parameter: dict[str, list[Infusion]] = {}
    for infusion in schedule.infusions:
        by_parameter.setdefault(name_of(infusion), []).append(infusion)
    for parameter, infusions in by_parameter.items():
        edges = sorted({t for i in infusions for t in (i.start_d, i.stop_d)})
        for k, edge in enumerate(edges):
            rate = sum(i.rate_per_d for i in infusions if i.start_d <= edge < i.stop_d)
            _event(model, f"switch_{k}_{parameter}", edge - t_start_d, [(parameter, repr(rate))])
