"""Whether his forecast declines to draw curves, and the coded reason (``data/declines.yaml``).

One decision, read from his Assessment, serves the prognosis and the plan: where the model
has no mechanism for his problem (obstruction, ejaculatory dysfunction, genetic or primary
spermatogenic failure, a cause outside the model, an urgent red flag, too little data, or no
deficit at all), both say so with the same code and draw no curve.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from androcast._yaml import load_data
from androcast.errors import InputFileError
from androcast.evidence import citation
from androcast.interpret import Assessment
from androcast.labs import Case
from androcast.prognosis.when import When, parse_when

REASONS = ("obstruction", "ejaculatory_dysfunction", "genetic_spermatogenic_failure",
           "primary_spermatogenic_failure", "cause_outside_model", "urgent_red_flag",
           "insufficient_data", "no_spermatogenic_deficit")


@dataclass(frozen=True)
class Decline:
    """A declined forecast: the reason code (DESIGN.md), a sentence, the rule and sources."""

    reason: str
    text: str
    rule: str
    citations: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"reason": self.reason, "text": self.text, "rule": self.rule,
                "citations": list(self.citations)}


@dataclass(frozen=True)
class DeclineRule:
    id: str
    reason: str
    when: When
    citations: tuple[str, ...]


@cache
def decline_rules() -> tuple[tuple[DeclineRule, ...], dict[str, str]]:
    """The shipped rules in order, and the sentence of each reason; citations resolve."""
    text = resources.files("androcast.prognosis").joinpath("data/declines.yaml").read_text(
        "utf-8")
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
            citation(key)  # UnknownCodeError names the key
        rules.append(DeclineRule(str(r["id"]), str(r["reason"]),
                                 parse_when(r["when"], source=source), cites))
    return tuple(rules), sentences


def decline_for(assessment: Assessment, case: Case) -> Decline | None:
    """His assessment's own coded decline where it gives one (one voice: the forecast never
    draws what the interpretation declined), else the first decline rule it meets (None:
    curves are drawn)."""
    rules, sentences = decline_rules()
    own = assessment.prognosis.declined
    if own is not None:
        cites = next((r.citations for r in rules if r.reason == own.reason), ())
        return Decline(own.reason, own.text or sentences.get(own.reason, ""),
                       assessment.prognosis.rule or "assessment", cites)
    for rule in rules:
        if rule.when.holds(assessment, case):
            return Decline(rule.reason, sentences[rule.reason], rule.id, rule.citations)
    return None
