"""Writing an SBML Level 3 document from symbolic rate laws and a dose schedule.

The equations arrive as sympy expressions traced from the model's own ``rhs``; this module
only prints each one and hands it to ``libsbml.parseL3Formula``. States become species in a
unit compartment, each with a rate rule; observables become assignment rules; boluses become
events that add to depot species; piecewise-constant inputs (infusion rates, pump settings)
are parameters switched by events; a model-driven event (the GnRH pulse generator) fires
when its trigger formula turns true.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from itertools import groupby
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
    """What (part of) one bolus does: add ``amount`` to the state ``target``."""

    target: str
    amount: float


@dataclass(frozen=True)
class Switch:
    """At ``t_d`` the parameter ``parameter`` takes ``value`` (a piecewise-constant input)."""

    parameter: str
    t_d: float
    value: float


@dataclass(frozen=True)
class Observable:
    """An algebraic quantity written as an assignment rule (e.g. total T in nmol/L)."""

    name: str
    expr: Any
    unit: str = ""
    notes: str = ""


@dataclass(frozen=True)
class ModelEvent:
    """An event whose trigger and assignments are formulas of the model's quantities.

    The assignments are evaluated when the event executes, so a bolus applied at the same
    instant is seen (the simulator applies doses first, then fires a pulse).
    """

    event_id: str
    trigger: str
    assignments: Mapping[str, Any]


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

    settings = libsbml.L3ParserSettings()
    settings.setParseLog(libsbml.L3P_PARSE_LOG_AS_LN)  # sympy's log is natural; libsbml's log10
    ast = libsbml.parseL3FormulaWithSettings(text, settings)
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


def infusion_switches(
    infusions: Iterable[Infusion], name_of: Callable[[Infusion], str]
) -> tuple[Switch, ...]:
    """At every edge each infusion parameter takes the summed rate of its infusions there."""
    by_parameter: dict[str, list[Infusion]] = {}
    for infusion in infusions:
        by_parameter.setdefault(name_of(infusion), []).append(infusion)
    switches = []
    for parameter, group in by_parameter.items():
        for edge in sorted({t for i in group for t in (i.start_d, i.stop_d)}):
            rate = sum(i.rate_per_d for i in group if i.start_d <= edge < i.stop_d)
            switches.append(Switch(parameter, edge, rate))
    return tuple(switches)


def build_document(
    *,
    model_id: str,
    states: Sequence[Quantity],
    parameters: Sequence[Quantity],
    rates: Mapping[str, Any],
    schedule: DoseSchedule,
    jump: Callable[[Dose], Sequence[Jump]],
    switches: Sequence[Switch] = (),
    observables: Sequence[Observable] = (),
    events: Sequence[ModelEvent] = (),
    t_start_d: float = 0.0,
    notes: str = "",
) -> str:
    """The SBML text of the model ``d state/dt = rates[state]`` with the schedule's doses.

    Time is in days from ``t_start_d`` (SBML time 0 is ``t_start_d``). ``jump`` maps a bolus
    to the states it fills (an empty sequence: the dose acts through a switched input
    instead). ``switches`` set piecewise-constant parameters; ``observables`` become
    assignment rules; ``events`` are model-driven events such as a pulse generator.
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

    variable = {s.parameter for s in switches} | {v for e in events for v in e.assignments}
    for quantity in parameters:
        parameter = model.createParameter()
        _check(parameter.setId(_sid(quantity.name)), quantity.name)
        _check(parameter.setValue(float(quantity.value)), quantity.name)
        _check(parameter.setConstant(quantity.name not in variable), quantity.name)
        _notes(parameter, " ".join(p for p in (quantity.unit, quantity.notes) if p))

    missing = [s.name for s in states if s.name not in rates]
    if missing:
        raise SimulationError("sbml", missing[0], "a rate law for every state")
    for name, expr in rates.items():
        rule = model.createRateRule()
        _check(rule.setVariable(name), f"rate rule {name}")
        _check(rule.setMath(_math(formula(expr), f"rate of {name}")), f"rate rule {name}")

    for observable in observables:
        parameter = model.createParameter()
        _check(parameter.setId(_sid(observable.name)), observable.name)
        _check(parameter.setConstant(False), observable.name)
        _notes(parameter, " ".join(p for p in (observable.unit, observable.notes) if p))
        rule = model.createAssignmentRule()
        _check(rule.setVariable(observable.name), f"assignment rule {observable.name}")
        math = _math(formula(observable.expr), f"observable {observable.name}")
        _check(rule.setMath(math), f"assignment rule {observable.name}")

    _dose_events(model, schedule, jump, t_start_d)
    for k, switch in enumerate(sorted(switches, key=lambda s: (s.t_d, s.parameter))):
        _event(model, f"switch_{k}_{switch.parameter}", f"time >= {switch.t_d - t_start_d!r}",
               [(switch.parameter, repr(float(switch.value)))])
    for event in events:
        _event(model, event.event_id, event.trigger,
               [(name, formula(expr)) for name, expr in event.assignments.items()])

    problems = document.checkInternalConsistency()
    if problems:
        error = document.getError(0)
        raise SimulationError("sbml", error.getMessage().strip(), "a consistent SBML document")
    text: str = libsbml.writeSBMLToString(document)
    return text


def _event(model: Any, event_id: str, trigger_text: str,
           assignments: Sequence[tuple[str, str]]) -> None:
    event = model.createEvent()
    _check(event.setId(_sid(event_id)), event_id)
    # evaluated at execution: simultaneous events (two doses, a dose and a pulse) add up
    _check(event.setUseValuesFromTriggerTime(False), event_id)
    trigger = event.createTrigger()
    _check(trigger.setInitialValue(False), event_id)  # an event due at time 0 fires at once
    _check(trigger.setPersistent(True), event_id)
    _check(trigger.setMath(_math(trigger_text, event_id)), event_id)
    for variable, value in assignments:
        assignment = event.createEventAssignment()
        _check(assignment.setVariable(variable), event_id)
        _check(assignment.setMath(_math(value, event_id)), event_id)


def _dose_events(
    model: Any, schedule: DoseSchedule, jump: Callable[[Dose], Sequence[Jump]], t_start_d: float
) -> None:
    # one event per dosing instant, summing every jump into the same state
    doses = sorted(schedule.doses, key=lambda d: d.t_d)
    for k, (t_d, group) in enumerate(groupby(doses, key=lambda d: d.t_d)):
        added: dict[str, float] = {}
        for dose in group:
            for step in jump(dose):
                added[step.target] = added.get(step.target, 0.0) + float(step.amount)
        if added:
            _event(model, f"dose_{k}", f"time >= {t_d - t_start_d!r}",
                   [(target, f"{target} + {amount!r}") for target, amount in added.items()])
