"""Every shipped rule: its citation resolves, and each of its examples fires (or not) as
written. One test id per rule example (PySB ``test_examples`` style)."""

from __future__ import annotations

import pytest

from androcast.interpret import interpret, load_rules, references
from androcast.interpret.engine import run_rules
from androcast.interpret.rules import Rule
from androcast.labs import parse_case

RULES = load_rules()
EXAMPLES = [
    pytest.param(rule, index, id=f"{rule.id}[{index}:{example.name}]")
    for rule in RULES
    for index, example in enumerate(rule.spec.examples)
]
FIRING = [p for p in EXAMPLES if p.values[0].spec.examples[p.values[1]].fires]


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_citation_resolves_in_the_bibliography(rule: Rule) -> None:
    assert rule.spec.citation.key in references()


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_has_a_firing_and_a_non_firing_example(rule: Rule) -> None:
    fires = [e.fires for e in rule.spec.examples]
    assert True in fires and False in fires


@pytest.mark.parametrize(("rule", "index"), EXAMPLES)
def test_rule_example(rule: Rule, index: int) -> None:
    example = rule.spec.examples[index]
    case = parse_case(example.case, source=f"{rule.id} example {index}", as_of=example.as_of)
    verdicts = {v.rule.id: v for v in run_rules(case, RULES)}
    assert (verdicts[rule.id].fired is True) == example.fires, verdicts[rule.id].trace


@pytest.mark.parametrize(("rule", "index"), FIRING)
def test_every_output_of_a_fired_rule_names_rule_and_citation(rule: Rule, index: int) -> None:
    example = rule.spec.examples[index]
    case = parse_case(example.case, source=f"{rule.id} example {index}", as_of=example.as_of)
    assessment = interpret(case, RULES)
    entries = [*assessment.findings, *assessment.actions, *assessment.cautions]
    assert all(e.rule and e.citation for e in entries)
    assert rule.spec.citation.key in assessment.references
