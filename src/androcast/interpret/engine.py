"""Running a rule set over a case: each rule's verdict (fired / not / unknown) and trace."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from androcast.errors import RuleError
from androcast.interpret.evaluate import EvaluationError, Evaluator, Trace, Truth
from androcast.interpret.facts import Facts, convert
from androcast.interpret.knowledge import threshold
from androcast.interpret.rules import Rule
from androcast.labs import Case, parse_case


@dataclass(frozen=True)
class Verdict:
    """One rule on one case: ``fired`` is True, False or None (unknown: inputs missing)."""

    rule: Rule
    fired: Truth
    trace: Trace


def run_rules(case: Case, rules: Sequence[Rule]) -> tuple[Verdict, ...]:
    """Evaluate dependency-ordered rules; later rules see earlier rules' outputs."""
    verdicts: list[Verdict] = []

    def output_state(kind: str, code: str) -> tuple[Truth, tuple[str, ...]]:
        """Whether an earlier rule produced the output; if undecided, the inputs it lacked."""
        makers = [v for v in verdicts if v.rule.produces(kind, code)]
        if any(v.fired is True for v in makers):
            return True, ()
        undecided = [v for v in makers if v.fired is None]
        if not undecided:
            return False, ()
        lacking = dict.fromkeys(
            name for v in undecided for name in v.trace.unknown if name not in v.rule.spec.optional
        )
        return None, tuple(lacking)

    facts = Facts(case, output_state)
    for rule in rules:
        evaluator = Evaluator(facts, threshold, convert)
        try:
            fired = evaluator.truth(rule.condition)
        except EvaluationError as err:
            raise RuleError(f"{rule.file}: {rule.id}.when", rule.spec.when, str(err)) from None
        verdicts.append(Verdict(rule=rule, fired=fired, trace=evaluator.trace))
    return tuple(verdicts)


def verify_examples(rules: Sequence[Rule]) -> None:
    """Run every rule's examples against the rule set; a wrong verdict is a RuleError
    naming the file, the rule and the example."""
    for rule in rules:
        for index, example in enumerate(rule.spec.examples):
            field = f"{rule.file}: {rule.id}.examples[{index}]"
            case = parse_case(example.case, source=field, as_of=example.as_of)
            verdict = next(v for v in run_rules(case, rules) if v.rule.id == rule.id)
            if (verdict.fired is True) != example.fires:
                expected = (
                    "a case on which the rule fires"
                    if example.fires
                    else "a case on which it does not fire"
                )
                raise RuleError(field, example.name, expected)
