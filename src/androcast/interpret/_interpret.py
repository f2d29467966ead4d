"""The two public entry points: ``interpret(case)`` and ``explain(case)``."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from androcast.interpret.assessment import Assessment, build_assessment
from androcast.interpret.declines import with_decline
from androcast.interpret.engine import run_rules, verify_examples
from androcast.interpret.rules import Rule, load_rules
from androcast.labs import Case, derive


def derived_values(case: Case) -> dict[str, float | str | None]:
    """``androcast.labs.derive`` as flat values, plus the semen classes named by edition."""
    derived = derive(case)
    out: dict[str, float | str | None] = dict(derived.numbers())
    for classification in (derived.semen_who2010, derived.semen_who2021):
        if classification is not None:
            codes = ", ".join(c.code for c in classification.classes)
            out[f"semen_{classification.edition}"] = codes
    return out


def interpret(case: Case, rules: Iterable[Rule] | None = None) -> Assessment:
    """Where the HPG axis is failing and what to do next, each statement from a cited rule.

    ``rules`` defaults to the rules shipped in ``androcast/interpret/rules``.
    """
    rule_set = load_rules() if rules is None else tuple(rules)
    assessment = build_assessment(run_rules(case, rule_set), derived_values(case), case.goal)
    return with_decline(assessment, case)  # the one source of a declined forecast


def explain(case: Case, rules: Iterable[Rule] | None = None) -> str:
    """The rules that fired on a case and the full references they rest on (diffrax
    ``citation()`` style): exactly what this interpretation used, nothing more."""
    rule_set = load_rules() if rules is None else tuple(rules)
    assessment = interpret(case, rule_set)
    by_id = {rule.id: rule for rule in rule_set}
    lines = ["Rules that fired:"]
    for rule_id in assessment.fired:
        rule = by_id[rule_id]
        cited = f"{rule.spec.citation.short()}; flag {rule.spec.citation.flag}"
        where = f"v{rule.spec.version}, {rule.file}"
        lines.append(f"  {rule.id} ({where}): {rule.spec.title} [{cited}]")
    if not assessment.fired:
        lines.append("  (none)")
    lines.append("")
    lines.append("References:")
    lines.extend(f"  [{key}] {text}" for key, text in assessment.references.items())
    lines.append("")
    lines.append(assessment.disclaimer)
    return "\n".join(lines)


def load_rule_files(paths: Iterable[str | Path]) -> tuple[Rule, ...]:
    """User rule files checked as one set, their examples run (each must fire or not as
    it says) before the rules are used."""
    rules = load_rules(paths)
    verify_examples(rules)
    return rules
