"""The phased plan for one man: first step, ranked alternatives, escalations, monitoring.

The pathway (after androgens, or a SERM first for central hypogonadism with an intact axis)
names its alternatives; his interpretation's cautions remove some (as in the prognosis);
each remaining alternative is simulated for his twin (one batch) and ranked by the
predicted probability of his goal by the target month. The escalation rules that apply to
an alternative (a SERM that does not raise LH/FSH by week 6, no sperm after 6 months of
hCG, estradiol out of range or T/E2 < 10, ...) are listed with it, with the monitoring
that checks them. The curves are those of the alternative as started; escalations
themselves are not simulated.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from androcast.drugs import DrugKind, get_drug
from androcast.interpret import interpret
from androcast.labs import Case
from androcast.population import DAYS_PER_MONTH
from androcast.prognosis import Prognosis, ProtocolForecast, default_outcome, get_protocol
from androcast.prognosis import prognose as prognose_protocols
from androcast.prognosis.protocols import Protocol, why_not
from androcast.protocol.rules import Escalation, Monitoring, Pathway, plan_rules


@dataclass(frozen=True)
class Check:
    """A planned check: what, on which date, and why."""

    date: dt.date
    what: str
    why: str


@dataclass(frozen=True)
class Alternative:
    rank: int
    forecast: ProtocolForecast
    probability_by_target: float
    escalations: tuple[Escalation, ...]
    checks: tuple[Check, ...]


@dataclass(frozen=True)
class Plan:
    pathway: Pathway
    goal_outcome: str
    target_month: float
    start: dt.date
    alternatives: tuple[Alternative, ...]
    excluded: tuple[tuple[str, str], ...]  # (protocol id, why)
    monitoring: Monitoring
    prognosis: Prognosis

    def to_dict(self) -> dict[str, Any]:
        basis = self.prognosis.to_dict()["basis"]
        return {
            "pathway": self.pathway.id,
            "first_step": {"text": self.pathway.first_text,
                           "citations": list(self.pathway.first_citations)},
            "goal_outcome": self.goal_outcome, "target_month": self.target_month,
            "start": self.start.isoformat(),
            "alternatives": [_alternative_dict(a) for a in self.alternatives],
            "excluded": [{"id": i, "why": w} for i, w in self.excluded],
            "monitoring": {
                "hormones_weeks_after_change": list(self.monitoring.hormone_weeks_after_change),
                "hormone_analytes": list(self.monitoring.hormone_analytes),
                "semen_every_months": self.monitoring.semen_every_months,
                "citations": list(self.monitoring.citations),
            },
            "basis": basis,
        }


def _alternative_dict(a: Alternative) -> dict[str, Any]:
    f = a.forecast
    return {
        "rank": a.rank, "id": f.protocol.id, "name": f.protocol.name,
        "regimen": list(f.protocol.regimen),
        "probability_by_target": a.probability_by_target,
        "months": list(f.curve.months), "probability": list(f.curve.probability),
        "interval_90": [list(i) for i in f.curve.interval_90],
        "median_months": f.curve.median_months,
        "escalations": [{"id": e.id, "check": e.check, "at_week": e.at_week, "when": e.when,
                         "then": e.then, "flag": e.flag, "citations": list(e.citations)}
                        for e in a.escalations],
        "checks": [{"date": c.date.isoformat(), "what": c.what, "why": c.why} for c in a.checks],
        "citations": list(f.protocol.citations),
    }


def _kinds(protocol: Protocol) -> set[DrugKind]:
    return {get_drug(str(e["drug"])).kind for e in protocol.regimen}


def _acts_on(e: Escalation, kinds: set[DrugKind], drugs: set[str], cautions: set[str]) -> bool:
    if e.applies_to == "serm":  # a SERM without hCG
        return DrugKind.serm in kinds and "hcg" not in drugs
    if e.applies_to == "hcg":  # hCG; adding FSH only when it is not there yet
        return "hcg" in drugs and not (e.id == "ESC-FSH" and "fsh" in drugs)
    if e.applies_to == "gonadorelin":
        return DrugKind.gnrh in kinds
    if e.id == "ESC-AI":  # not when an AI is cautioned against or already given
        return ("avoid_aromatase_inhibitor" not in cautions
                and DrugKind.aromatase_inhibitor not in kinds)
    return e.applies_to == "any"


def escalations_for(protocol: Protocol, cautions: set[str]) -> tuple[Escalation, ...]:
    """The escalation rules that can act on this alternative."""
    kinds = _kinds(protocol)
    drugs = {str(e["drug"]) for e in protocol.regimen}
    return tuple(e for e in plan_rules().escalations if _acts_on(e, kinds, drugs, cautions))


def monitoring_checks(start: dt.date, escalations: tuple[Escalation, ...],
                      monitoring: Monitoring, target_month: float) -> tuple[Check, ...]:
    """Hormone panels after the start and before each escalation point; semen every cycle."""
    checks: list[Check] = []
    for week in monitoring.hormone_weeks_after_change:
        checks.append(Check(start + dt.timedelta(weeks=week),
                            "hormones: " + ", ".join(monitoring.hormone_analytes),
                            f"{week:g} weeks after starting"))
    for e in escalations:
        if e.at_week is not None:
            checks.append(Check(start + dt.timedelta(weeks=e.at_week), e.check,
                                f"{e.id}: {e.when}"))
    month = monitoring.semen_every_months
    while month <= target_month:
        checks.append(Check(start + dt.timedelta(days=round(month * DAYS_PER_MONTH)),
                            "semen analysis", "one spermatogenic cycle since the last"))
        month += monitoring.semen_every_months
    unique = {(c.date, c.what): c for c in checks}
    return tuple(sorted(unique.values(), key=lambda c: (c.date, c.what)))


def plan(case: Case, *, target_month: float = 12.0, n: int = 32, seed: int = 1,
         outcome: str | None = None) -> Plan:
    """The phased plan for him with alternatives ranked by P(goal by target month)."""
    rules = plan_rules()
    pathway = rules.pathway_for(case)
    assessment = interpret(case)
    cautions = set(assessment.caution_codes())
    excluded = []
    chosen = []
    for pid in pathway.alternatives:
        reason = why_not(get_protocol(pid), assessment)
        if reason is None:
            chosen.append(pid)
        else:
            excluded.append((pid, reason))
    code = outcome or default_outcome(case)
    months = tuple(sorted({3.0, 6.0, 9.0, 12.0, float(target_month)}))
    result = prognose_protocols(case, chosen, [code], n=n, seed=seed, months=months)[0]
    target_index = months.index(float(target_month))
    ranked = sorted(result.protocols, key=lambda f: -f.curve.probability[target_index])
    alternatives = []
    for rank, f in enumerate(ranked, start=1):
        esc = escalations_for(f.protocol, cautions)
        alternatives.append(Alternative(
            rank, f, f.curve.probability[target_index], esc,
            monitoring_checks(result.t0, esc, rules.monitoring, float(target_month))))
    return Plan(pathway, code, float(target_month), result.t0, tuple(alternatives),
                tuple(excluded), rules.monitoring, result)
