"""The phased plan as data (``data/plan.yaml``): escalation rules and monitoring (the
pathway and first step: ``pathways.py``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any

from androcast import display
from androcast._yaml import load_data
from androcast.evidence import citation
from androcast.protocol.pathways import pathway_rules


@dataclass(frozen=True)
class DoseCap:
    """The dose an escalation raises a drug to at most (per administration and interval)."""

    drug: str
    dose: float
    unit: str
    every_d: float

    @property
    def per_day(self) -> float:
        return self.dose / self.every_d


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
    raises: DoseCap | None = None  # the drug it raises, up to this dose
    then_at_ceiling: str | None = None  # the advice when he is on that dose or more
    # his assessment's cautions that rule it out, or that it needs (an alternative advice
    # for men cautioned against the usual next drug)
    unless_cautions: tuple[str, ...] = ()
    only_with_cautions: tuple[str, ...] = ()

    def allowed_by(self, cautions: set[str]) -> bool:
        """Whether his assessment's cautions let this escalation act."""
        return (not set(self.unless_cautions) & cautions
                and set(self.only_with_cautions) <= cautions)

    def for_regimen(self, regimen: Iterable[Mapping[str, Any]]) -> Escalation:
        """This escalation for a man on ``regimen`` (his, as adopted or as an alternative
        continues it): a raise never advises more than the dose he is already on once that
        is at or above its ceiling (``then_at_ceiling``, naming his dose)."""
        if self.raises is None or self.then_at_ceiling is None:
            return self
        for entry in regimen:
            if str(entry.get("drug")) != self.raises.drug:
                continue
            amount, _, unit = str(entry.get("dose", "")).partition(" ")
            every = _days(entry.get("every"))
            if every is None or unit != self.raises.unit:
                continue
            current = f"{display.dose(float(amount), unit)} {display.every(every)}"
            if float(amount) / every >= self.raises.per_day - 1e-9:
                return replace(self, then=self.then_at_ceiling.format(current=current))
            return replace(self, then=f"{self.then} (he is on {current})")
        return self


def _days(text: Any) -> float | None:
    """``"2 d"``, ``"90 min"``, ``"12 h"``, ``"1 wk"`` -> days (None otherwise)."""
    parts = str(text or "").split()
    per_day = {"d": 1.0, "h": 24.0, "min": 1440.0, "wk": 1 / 7}
    if len(parts) != 2 or parts[1] not in per_day:
        return None
    return float(parts[0]) / per_day[parts[1]]


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
            raises=_cap(e.get("raises")),
            then_at_ceiling=(None if e.get("then_at_ceiling") is None
                             else " ".join(str(e["then_at_ceiling"]).split())),
            unless_cautions=_tuple(e.get("unless_cautions") or []),
            only_with_cautions=_tuple(e.get("only_with_cautions") or []),
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


def _cap(data: Any) -> DoseCap | None:
    if data is None:
        return None
    amount, unit = str(data["up_to"]).split()
    every = _days(data["every"])
    assert every is not None, data
    return DoseCap(str(data["drug"]), float(amount), unit, every)


def all_citations(rules: PlanRules) -> tuple[str, ...]:
    keys = [c for p in pathway_rules() for c in p.citations]
    keys += [c for e in rules.escalations for c in e.citations]
    keys += list(rules.monitoring.citations)
    return tuple(sorted(set(keys)))
