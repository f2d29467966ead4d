"""Judging one visit's results: which alert rules fire, with their rule and citation.

The facts a rule sees are those of the interpretation layer (``androcast.interpret.facts``)
for his case with this visit's results only (a value measured weeks ago is not read as
today's; T/E2 is of this visit's pair), plus the monitoring facts named in ``data/alerts.yaml``:
baseline values, whether sperm are present now or were before, and how far a result lies
outside the band forecast before it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from androcast import display
from androcast.errors import RuleError
from androcast.interpret.evaluate import EvaluationError, Evaluator
from androcast.interpret.facts import Facts, convert
from androcast.interpret.values import Quantity, Value
from androcast.labs import Case, SemenAnalysis
from androcast.monitoring.band import Band, unit_of
from androcast.monitoring.rules import AlertRule, AlertRules
from androcast.twin import Observation, error_models

_BASELINE_ANALYTES = ("testosterone_total", "lh", "fsh", "estradiol")


@dataclass(frozen=True)
class Alert:
    """One alert: the rule that raised it, its citation and the result it is about."""

    code: str
    rule: str
    severity: str
    message: str
    citation: str  # bibliography keys, "; "-separated
    date: dt.date
    observable: str
    value: float | None
    unit: str

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "rule": self.rule, "severity": self.severity,
                "message": self.message, "citation": self.citation,
                "date": self.date.isoformat(), "observable": self.observable,
                "value": self.value, "unit": self.unit}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Alert:
        value = data.get("value")
        return cls(str(data["code"]), str(data["rule"]), str(data["severity"]),
                   str(data["message"]), str(data["citation"]),
                   dt.date.fromisoformat(str(data["date"])), str(data["observable"]),
                   None if value is None else float(value), str(data["unit"]))


@dataclass(frozen=True)
class Visit:
    """What is known when the results of one date are judged."""

    date: dt.date
    case: Case  # his results up to and including this date
    plan_start: dt.date
    observations: tuple[Observation, ...]  # the new results of this date (model-predicted)
    escalations: frozenset[str]  # escalation ids that act on the adopted protocol
    #: their advice for his regimen, by id (``Escalation.for_regimen``; default: as written)
    advice: Mapping[str, str] = field(default_factory=dict)

    @property
    def weeks_on_plan(self) -> float:
        return (self.date - self.plan_start).days / 7.0

    def semen(self) -> tuple[SemenAnalysis, ...]:
        return tuple(s for s in self.case.semen if s.date == self.date)

    def measured(self, name: str) -> bool:
        """Whether a new result of ``name`` is among this visit's (not one judged before)."""
        return any(o.observable == name for o in self.observations)


def sperm_present(semen: SemenAnalysis) -> bool:
    """Sperm seen: a concentration above zero, or sperm in the centrifuged pellet."""
    seen = (semen.concentration_m_per_ml or 0.0) > 0 and semen.concentration_censor != "<"
    return seen or bool(semen.pellet_sperm_seen)


def outside_band_sd(o: Observation, band: Band) -> tuple[float, str] | None:
    """How many measurement-error SDs the result lies beyond the band, and on which side.

    A censored result counts only on the side it bounds ("<0.1" can only be too low).
    """
    edges = band.at(o.observable, o.date)
    if edges is None or o.observable not in error_models():
        return None
    low, _, high = edges
    sigma = error_models()[o.observable].sigma
    value = max(o.value, 1e-12)
    below = (math.log(low) - math.log(value)) / sigma if o.censor != ">" else 0.0
    # an interval ("in": sperm only in the pellet) is too high only if its lower end is
    top = max(o.low, 1e-12) if o.censor == "in" else value
    above = (math.log(top) - math.log(high)) / sigma if o.censor != "<" else 0.0
    if above > 0:
        return above, "above"
    return max(below, 0.0), "below"


def _baselines(case: Case, start: dt.date) -> dict[str, Value]:
    facts = Facts(replace(case, labs=tuple(r for r in case.labs if r.date <= start),
                          semen=()), _no_outputs)
    return {f"baseline.{name}": facts.value(name) for name in _BASELINE_ANALYTES}


def _no_outputs(kind: str, code: str) -> tuple[bool, tuple[str, ...]]:
    return False, ()


def _evaluate(rule: AlertRule, facts: Facts, rules: AlertRules, bound: Mapping[str, Value]
              ) -> bool:
    evaluator = Evaluator(facts, rules.threshold, convert, bound)
    try:
        return evaluator.truth(rule.condition) is True
    except EvaluationError as err:
        raise RuleError(f"monitoring/data/alerts.yaml: {rule.id}.when", rule.spec.when,
                        str(err)) from None


def _due(rule: AlertRule, visit: Visit, window_wk: float) -> bool:
    if rule.escalation is not None and rule.escalation.id not in visit.escalations:
        return False
    if rule.at_week is not None and visit.weeks_on_plan < rule.at_week - window_wk:
        return False
    return all(visit.measured(name) for name in rule.spec.requires)


def _shown(o: Observation) -> str:
    """A result as the message reads it: in words and the unit as clinicians write it (the
    alert's ``observable`` and ``unit`` keep the codes)."""
    return f"{o.censor or ''}{display.number(o.value)} {display.unit(unit_of(o.observable))}"


def _alert(rule: AlertRule, visit: Visit, o: Observation | None, observable: str,
           detail: str) -> Alert:
    name = display.label("analyte", observable) if observable else observable
    seen = f"{name} {_shown(o)}" if o is not None else name
    return Alert(
        code=rule.spec.code, rule=rule.id, severity=rule.spec.severity,
        message=f"{seen} at week {visit.weeks_on_plan:.1f}{detail}: {_advice(rule, visit)}",
        citation="; ".join(rule.citations), date=visit.date, observable=observable,
        value=None if o is None else o.value, unit=unit_of(observable),
    )


def _advice(rule: AlertRule, visit: Visit) -> str:
    """The rule's message, with its escalation's advice for his regimen when known."""
    if rule.escalation is not None and rule.escalation.id in visit.advice:
        return f"{rule.escalation.when}: {visit.advice[rule.escalation.id]}"
    return rule.message


def _this_visit(visit: Visit) -> Case:
    """His case with only this date's results: a rule never reads an older value as new."""
    return replace(visit.case, labs=tuple(r for r in visit.case.labs if r.date == visit.date),
                   semen=visit.semen())


def judge_visit(visit: Visit, band: Band, rules: AlertRules) -> tuple[Alert, ...]:
    """The alerts the results of ``visit`` raise, judged against the band made before them."""
    facts = Facts(_this_visit(visit), _no_outputs)
    semen_now = visit.semen()
    before = [s for s in visit.case.semen if visit.plan_start <= s.date < visit.date]
    bound: dict[str, Value] = {
        **_baselines(visit.case, visit.plan_start),
        "sperm_present": any(sperm_present(s) for s in semen_now) if semen_now else None,
        "sperm_present_before": any(sperm_present(s) for s in before),
        "outside_band_sd": None,
    }
    window = rules.threshold("monitoring.visit_window_wk").value
    by_observable = {o.observable: o for o in visit.observations}
    alerts: list[Alert] = []
    for rule in rules.rules:
        if not _due(rule, visit, window):
            continue
        if not rule.spec.per_observable:
            if _evaluate(rule, facts, rules, bound):
                observable = rule.spec.observable or ""
                alerts.append(_alert(rule, visit, by_observable.get(observable), observable, ""))
            continue
        for o in visit.observations:
            outside = outside_band_sd(o, band)
            if outside is None:
                continue
            sd, side = outside
            label = f"{sd:.1f} SD {side} the forecast band"
            here = {**bound, "outside_band_sd": Quantity(sd, "1", label)}
            if _evaluate(rule, facts, rules, here):
                low, _, high = band.at(o.observable, o.date) or (0.0, 0.0, 0.0)
                detail = (f" lies {sd:.1f} measurement SDs {side} the forecast band "
                          f"{display.number(low)}-{display.number(high)} "
                          f"{display.unit(unit_of(o.observable))}")
                alerts.append(_alert(rule, visit, o, o.observable, detail))
    return tuple(alerts)


def far_outside_keys(alerts: Iterable[Alert], rules: AlertRules) -> frozenset[tuple[str, dt.date]]:
    """The results that per-observable (band) rules flagged: (observable, date)."""
    band_rules = {r.id for r in rules.rules if r.spec.per_observable}
    return frozenset((a.observable, a.date) for a in alerts if a.rule in band_rules)
