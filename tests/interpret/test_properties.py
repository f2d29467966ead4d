"""Properties over the shipped rules and worked cases (hypothesis, fixed seed).

Dropping results from a case never crashes the interpretation, never produces an uncited
output, and only ever turns decided rules into undecided ones for rules that do not look
at what is missing (the three-valued logic does not guess)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given, seed, settings
from hypothesis import strategies as st

from androcast.interpret import interpret, load_rules, vocabulary
from androcast.interpret.engine import run_rules
from androcast.interpret.expression import Call, Name, walk
from androcast.labs import parse_case

CASES = [
    yaml.safe_load(p.read_text(encoding="utf-8"))
    for p in sorted((Path(__file__).parents[1] / "reference" / "interpret_cases").glob("*.yaml"))
]
RULES = load_rules()
# rules whose verdict may legitimately change when an input disappears (they test absence
# or count results), and every rule that builds on their outputs
_PRESENCE = {"missing", "present", "count"}
_PRESENCE_FACTS = {"semen.analyses", "semen.previous_azoospermia"}


def _presence_sensitive() -> set[str]:
    sensitive: set[str] = set()
    changed = True
    while changed:
        changed = False
        for rule in RULES:
            if rule.id in sensitive:
                continue
            nodes = walk(rule.condition)
            direct = any(isinstance(n, Call) and n.function in _PRESENCE for n in nodes) or any(
                isinstance(n, Name) and n.name in _PRESENCE_FACTS for n in nodes
            )
            inherited = any(
                other.produces(kind, code)
                for kind, code in rule.depends_on()
                for other in RULES
                if other.id in sensitive
            )
            if direct or inherited:
                sensitive.add(rule.id)
                changed = True
    return sensitive


SENSITIVE = _presence_sensitive()


def _thinned(data: dict[str, Any], keep: list[bool], keep_semen: bool) -> dict[str, Any]:
    """The case without some analytes (all their results: a shorter series would change
    which result is the latest, which is new information, not missing information)."""
    case = dict(data["case"])
    labs = case.get("labs", [])
    analytes = sorted({lab["analyte"] for lab in labs})
    kept = {a for a, k in zip(analytes, keep, strict=False) if k}
    case["labs"] = [lab for lab in labs if lab["analyte"] in kept]
    if not keep_semen:
        case["semen"] = []
    return case


@seed(20251201)
@settings(max_examples=60, deadline=None)
@given(
    index=st.integers(0, len(CASES) - 1),
    keep=st.lists(st.booleans(), min_size=12, max_size=12),
    keep_semen=st.booleans(),
)
def test_dropping_results_never_guesses(index: int, keep: list[bool], keep_semen: bool) -> None:
    data = CASES[index]
    as_of = data["as_of"]
    assert isinstance(as_of, dt.date)
    full = parse_case(data["case"], as_of=as_of)
    thin = parse_case(_thinned(data, keep, keep_semen), as_of=as_of)
    full_verdicts = {v.rule.id: v.fired for v in run_rules(full, RULES)}
    for verdict in run_rules(thin, RULES):
        if verdict.rule.id in SENSITIVE or verdict.fired is None:
            continue
        assert verdict.fired == full_verdicts[verdict.rule.id], verdict.rule.id
    assessment = interpret(thin, RULES)
    assert assessment.pattern in vocabulary()["pattern"]
    for entry in (*assessment.findings, *assessment.actions, *assessment.cautions):
        assert entry.rule and entry.citation
