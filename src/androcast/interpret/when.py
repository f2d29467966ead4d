"""Conditions on an Assessment, written as data: the one language of the plan's pathway
rules and the forecast's decline rules, so both read the same diagnosis the same way.

A condition is a mapping whose tests must all hold: ``cause_any`` (a cause with moderate
or high confidence; a low-confidence cause is a lead, not a diagnosis), ``cause_none``,
``top_cause_any`` (his first-ranked such cause: a raised prolactin ranked below the opioid
that explains it does not lead), ``finding_any``, ``finding_none``, ``action_any``,
``caution_any``, ``pattern_any``, ``missing_any`` (results the assessment says to measure
before it can decide), ``goal_any`` (his goal), ``class_none`` (true: the assessment gives
no prognosis class), ``firm_cause`` (false: no cause at moderate or high confidence) and
``androgen_history`` (whether his case records androgen courses; semen measured before or
during them says nothing of his semen after them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from androcast.errors import InputFileError
from androcast.interpret.assessment import Assessment
from androcast.labs import Case

SET_TESTS = frozenset({"cause_any", "cause_none", "top_cause_any", "finding_any",
                       "finding_none", "action_any", "caution_any", "pattern_any",
                       "missing_any", "goal_any"})
FLAG_TESTS = frozenset({"class_none", "firm_cause", "androgen_history"})
TESTS = SET_TESTS | FLAG_TESTS
#: the vocabulary list each test's codes belong to (``goal_any`` and ``missing_any`` are
#: checked elsewhere: goals by the case format, measures by the assessment)
VOCABULARY_OF = {"cause_any": "causes", "cause_none": "causes", "top_cause_any": "causes",
                 "finding_any": "findings", "finding_none": "findings", "action_any": "actions",
                 "caution_any": "cautions", "pattern_any": "pattern"}
FIRM = frozenset({"high", "moderate"})


@dataclass(frozen=True)
class When:
    """A parsed condition; ``holds(assessment, case)`` evaluates it."""

    tests: Mapping[str, frozenset[str]]
    class_none: bool | None = None
    firm_cause: bool | None = None
    androgen_history: bool | None = None

    def holds(self, assessment: Assessment, case: Case) -> bool:
        firm = [c.code for c in assessment.causes if c.confidence in FIRM]
        have: dict[str, set[str]] = {
            "cause": set(firm),
            "top_cause": set(firm[:1]),
            "finding": {f.code for f in assessment.findings},
            "action": set(assessment.action_codes()),
            "caution": set(assessment.caution_codes()),
            "pattern": {assessment.pattern},
            "missing": {m.measure for m in assessment.missing},
            "goal": {case.goal},
        }
        for name, codes in self.tests.items():
            kind, quantifier = name.rsplit("_", 1)
            hit = bool(have[kind] & codes)
            if hit != (quantifier == "any"):
                return False
        if self.firm_cause is not None and bool(have["cause"]) != self.firm_cause:
            return False
        if (self.androgen_history is not None
                and bool(case.history.androgens) != self.androgen_history):
            return False
        if self.class_none is not None:
            return (assessment.prognosis.class_ is None) == self.class_none
        return True

    def codes(self) -> dict[str, frozenset[str]]:
        """The codes it names, per test (for checking them against the vocabulary)."""
        return dict(self.tests)


def parse_when(data: Any, *, source: str) -> When:
    """A condition from its data; an unknown test or a malformed value is an InputFileError."""
    if not isinstance(data, Mapping):
        raise InputFileError(f"{source}.when", data, "a mapping of tests")
    unknown = sorted(set(data) - TESTS)
    if unknown:
        raise InputFileError(f"{source}.when", unknown, "tests among " + ", ".join(sorted(TESTS)))
    tests = {}
    for name in sorted(set(data) & SET_TESTS):
        value = data[name]
        if not isinstance(value, list) or not value:
            raise InputFileError(f"{source}.when.{name}", value, "a non-empty list of codes")
        tests[name] = frozenset(str(v) for v in value)
    flags = {}
    for name in sorted(set(data) & FLAG_TESTS):
        if not isinstance(data[name], bool):
            raise InputFileError(f"{source}.when.{name}", data[name], "true or false")
        flags[name] = data[name]
    return When(tests, flags.get("class_none"), flags.get("firm_cause"),
                flags.get("androgen_history"))
