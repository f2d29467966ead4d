"""His care pathway and first step, from his Assessment (``data/pathways.yaml``).

The rules are data, tried in priority order; the first whose condition his assessment
meets and one of whose target actions it raises gives the pathway, and that action is the
first step. So the step is always one his own assessment asked for, with its rule and
citation, never a default chosen from his history alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from androcast._yaml import load_data
from androcast.errors import InputFileError
from androcast.evidence import citation
from androcast.interpret import Assessment, load_rules
from androcast.interpret.when import When, parse_when
from androcast.labs import Case

PATHWAYS = ("urgent_referral", "work_up_first", "treat_cause_first", "adjust_current_therapy",
            "hormonal_stimulation", "surgical_sperm_retrieval_icsi", "assisted_reproduction",
            "no_male_treatment")


@dataclass(frozen=True)
class PathwayRule:
    id: str
    pathway: str
    when: When
    targets: tuple[str, ...]
    text: str
    protocols: bool
    citations: tuple[str, ...]
    with_first: tuple[str, ...] = ()
    changes_regimen: bool = False
    # the first phase holds the first step and `with_first` only (an urgent referral):
    # nothing the plan would add beside it (banking, ART discussed in parallel, repeats)
    urgent_only: bool = False
    # the first step's words when the assessment rule that raised it says more of him (a
    # man who has already stopped his androgens is told to stay off them, not to stop)
    text_by_rule: tuple[tuple[str, str], ...] = ()

    def text_for(self, raised_by: str | None) -> str:
        return dict(self.text_by_rule).get(raised_by or "", self.text)


@dataclass(frozen=True)
class Pathway:
    """The chosen pathway: its code, the rule that chose it and the first step.

    ``first`` is the action code of the first step (None only on ``no_male_treatment`` when
    his assessment raises no action at all); ``basis`` is the assessment's own rule and
    citation for that action; ``protocols`` says whether hormonal protocols follow it.
    """

    id: str
    rule: str
    first: str | None
    first_text: str
    first_citations: tuple[str, ...]
    basis: str | None
    protocols: bool
    with_first: tuple[str, ...] = ()
    changes_regimen: bool = False
    urgent_only: bool = False


@dataclass(frozen=True)
class ParallelArt:
    """When assisted reproduction is discussed in the first phase (time short, partner
    older)."""

    action: str
    partner_age_at_least: float
    goal_within_months_at_most: float
    citations: tuple[str, ...]

    def applies(self, case: Case) -> bool:
        older = (case.partner is not None and case.partner.age_years is not None
                 and case.partner.age_years >= self.partner_age_at_least)
        short = (case.goal_within_months is not None
                 and case.goal_within_months <= self.goal_within_months_at_most)
        return older or short


def _data() -> dict[str, object]:
    text = resources.files("androcast.protocol").joinpath("data/pathways.yaml").read_text(
        "utf-8")
    data = load_data(text)
    assert isinstance(data, dict)
    return data


def _section(name: str) -> tuple[dict[str, Any], tuple[str, ...]]:
    """A plan addition's section of pathways.yaml and its citations, each resolved."""
    p = _data()[name]
    assert isinstance(p, dict)
    cites = tuple(str(c) for c in p["citations"])
    for key in cites:
        citation(key)  # UnknownCodeError names the key
    return p, cites


@cache
def _rule_ids() -> frozenset[str]:
    """The interpretation rules' ids, which pathway data may name."""
    return frozenset(r.id for r in load_rules())


@cache
def parallel_art() -> ParallelArt:
    p, cites = _section("parallel_art")
    return ParallelArt(str(p["action"]), float(p["partner_age_at_least"]),
                       float(p["goal_within_months_at_most"]), cites)


@dataclass(frozen=True)
class PlanAddition:
    """An action the plan adds by its own cited rule when his assessment has not raised it."""

    action: str
    rule: str
    citations: tuple[str, ...]


@cache
def bank_before_change() -> PlanAddition:
    p, cites = _section("bank_before_change")
    return PlanAddition(str(p["action"]), "PLAN-BANK-BEFORE-CHANGE", cites)


@dataclass(frozen=True)
class StaleResults:
    """The assessment rules whose repeat measurements belong in the first phase."""

    rules: tuple[str, ...]
    citations: tuple[str, ...]


@cache
def repeat_stale_first() -> StaleResults:
    p, cites = _section("repeat_stale_first")
    rules = tuple(str(r) for r in p["rules"])
    for rule in rules:
        if rule not in _rule_ids():
            raise InputFileError("pathways.yaml repeat_stale_first.rules", rule,
                                 "an interpretation rule id")
    return StaleResults(rules, cites)


@cache
def pathway_rules() -> tuple[PathwayRule, ...]:
    """The shipped rules in priority order; every citation resolves, the last rule always
    applies (no_male_treatment with no condition)."""
    rules = []
    data = _data()["rules"]
    assert isinstance(data, list)
    for i, r in enumerate(data):
        source = f"pathways.yaml rules[{i}]"
        if r["pathway"] not in PATHWAYS:
            raise InputFileError(f"{source}.pathway", r["pathway"], "one of " + ", ".join(PATHWAYS))
        for key in r.get("text_by_rule") or {}:
            if key not in _rule_ids():
                raise InputFileError(f"{source}.text_by_rule", key, "an interpretation rule id")
        cites = tuple(str(c) for c in r["citations"])
        for key in cites:
            citation(key)  # UnknownCodeError names the key
        rules.append(PathwayRule(
            id=str(r["id"]), pathway=str(r["pathway"]), when=parse_when(r["when"], source=source),
            targets=tuple(str(t) for t in r["targets"]), text=" ".join(str(r["text"]).split()),
            protocols=bool(r.get("protocols", False)), citations=cites,
            with_first=tuple(str(c) for c in r.get("with_first") or ()),
            changes_regimen=bool(r.get("changes_regimen", False)),
            urgent_only=bool(r.get("urgent_only", False)),
            text_by_rule=tuple((str(k), " ".join(str(v).split()))
                               for k, v in (r.get("text_by_rule") or {}).items())))
    last = rules[-1]
    if last.pathway != "no_male_treatment" or last.when.tests or last.when.class_none is not None:
        raise InputFileError("pathways.yaml rules[-1]", last.id,
                             "a last rule no_male_treatment with no condition")
    return tuple(rules)


def pathway_for(assessment: Assessment, case: Case) -> Pathway:
    """The first rule his assessment meets, and the target it raises first."""
    raised = {a.code: a for a in assessment.actions}
    missing = {m.measure for m in assessment.missing}
    rules = pathway_rules()
    for rule in rules:
        if not rule.when.holds(assessment, case):
            continue
        target = next((t for t in rule.targets if t in raised or t in missing), None)
        if target is None:
            continue
        action = raised.get(target)
        basis = (f"{action.rule}: {action.basis} [{action.citation}]" if action is not None
                 else f"missing result: {target}")
        text = rule.text_for(None if action is None else action.rule)
        return Pathway(rule.pathway, rule.id, target, text, rule.citations, basis,
                       rule.protocols, rule.with_first, rule.changes_regimen, rule.urgent_only)
    last = rules[-1]  # no_male_treatment; he has none of its targets
    return Pathway(last.pathway, last.id, None, last.text, last.citations, None, False)
