"""Where his recovery forecast is declined, and why: the one source (``declines.yaml``).

The Assessment carries the decision (``prognosis.declined``: reason code, sentence, rule and
citations), so the assessment, the forecast and the plan can never disagree: the forecast
and the plan read it from the Assessment (``prognosis.decline``), nothing else decides it.
The table's rules are tried in order after the interpretation rules have run (a condition
reads the finished Assessment: ``when.py``); the first that holds gives the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from importlib import resources

from androcast._yaml import load_data
from androcast.errors import InputFileError
from androcast.interpret.assessment import NO_RULE_YET, Assessment, Declined
from androcast.interpret.knowledge import reference
from androcast.interpret.when import When, parse_when
from androcast.labs import Case

REASONS = ("obstruction", "ejaculatory_dysfunction", "genetic_spermatogenic_failure",
           "primary_spermatogenic_failure", "cause_outside_model", "urgent_red_flag",
           "insufficient_data", "no_spermatogenic_deficit")


@dataclass(frozen=True)
class DeclineRule:
    id: str
    reason: str
    when: When
    citations: tuple[str, ...]
    text: str | None = None  # a sentence specific to the rule, else the reason's


@cache
def decline_rules() -> tuple[tuple[DeclineRule, ...], dict[str, str]]:
    """The shipped rules in order, and the sentence of each reason; citations resolve."""
    text = resources.files("androcast.interpret").joinpath("declines.yaml").read_text("utf-8")
    data = load_data(text)
    sentences = {str(k): " ".join(str(v).split()) for k, v in data["reasons"].items()}
    if set(sentences) != set(REASONS):
        raise InputFileError("declines.yaml reasons", sorted(sentences), ", ".join(REASONS))
    rules = []
    for i, r in enumerate(data["rules"]):
        source = f"declines.yaml rules[{i}]"
        if r["reason"] not in sentences:
            raise InputFileError(f"{source}.reason", r["reason"], "one of " + ", ".join(REASONS))
        cites = tuple(str(c) for c in r["citations"])
        for key in cites:
            reference(key)  # UnknownCodeError names the key
        own = " ".join(str(r["text"]).split()) if r.get("text") else None
        rules.append(DeclineRule(str(r["id"]), str(r["reason"]),
                                 parse_when(r["when"], source=source), cites, own))
    return tuple(rules), sentences


def with_decline(assessment: Assessment, case: Case) -> Assessment:
    """His Assessment with the table's decline, where a rule holds. No shipped
    interpretation rule declines (the table is the one source); a rule of a user's own rule
    file that declined keeps its decline."""
    prognosis = assessment.prognosis
    if prognosis.declined is not None:
        return assessment
    rules, sentences = decline_rules()
    for rule in rules:
        if rule.when.holds(assessment, case):
            sentence = rule.text or sentences[rule.reason]
            note = f"recovery forecast declined ({rule.reason}, {rule.id}): {sentence} "
            declined = Declined(rule.reason, sentence, rule.id, rule.citations)
            if prognosis.class_ is None:
                why = "" if prognosis.basis == NO_RULE_YET else f" ({prognosis.basis})"
                shown = replace(prognosis, basis=note.strip() + why, rule=rule.id,
                                citation="; ".join(rule.citations), declined=declined)
            else:
                shown = replace(prognosis, basis=note + prognosis.basis, declined=declined)
            return replace(assessment, prognosis=shown)
    return assessment
