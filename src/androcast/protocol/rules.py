"""The phased plan as data (``data/plan.yaml``): escalation rules and monitoring (the
pathway and first step: ``pathways.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from androcast._yaml import load_data
from androcast.evidence import citation
from androcast.protocol.pathways import pathway_rules


@dataclass(frozen=True)
class Escalation:
    id: str
    applies_to: str  # serm | hcg | gonadorelin | any
    check: str
    at_week: float | None  # None: at every check of that kind
    when: str
    then: str
    flag: str
    citations: tuple[str, ...]


@dataclass(frozen=True)
class Monitoring:
    hormone_weeks_after_change: tuple[float, ...]
    hormone_analytes: tuple[str, ...]
    semen_every_months: float
    citations: tuple[str, ...]


@dataclass(frozen=True)
class PlanRules:
    escalations: tuple[Escalation, ...]
    monitoring: Monitoring


def _tuple(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in (value or ()))


@cache
def plan_rules() -> PlanRules:
    """The shipped plan rules; every citation resolves in the bibliography."""
    text = resources.files("androcast.protocol").joinpath("data/plan.yaml").read_text("utf-8")
    data = load_data(text)
    escalations = tuple(
        Escalation(
            id=e["id"], applies_to=e["applies_to"], check=e["check"],
            at_week=None if e["at_week"] is None else float(e["at_week"]), when=e["when"],
            then=e["then"], flag=e["flag"], citations=_tuple(e["citations"]),
        )
        for e in data["escalation"]
    )
    m = data["monitoring"]
    monitoring = Monitoring(
        hormone_weeks_after_change=tuple(float(w) for w in m["hormones"]["weeks_after_change"]),
        hormone_analytes=_tuple(m["hormones"]["analytes"]),
        semen_every_months=float(m["semen"]["every_months"]),
        citations=_tuple([*m["hormones"]["citations"], *m["semen"]["citations"]]),
    )
    rules = PlanRules(escalations, monitoring)
    for key in all_citations(rules):
        citation(key)  # UnknownCodeError names the key
    return rules


def all_citations(rules: PlanRules) -> tuple[str, ...]:
    keys = [c for p in pathway_rules() for c in p.citations]
    keys += [c for e in rules.escalations for c in e.citations]
    keys += list(rules.monitoring.citations)
    return tuple(sorted(set(keys)))
