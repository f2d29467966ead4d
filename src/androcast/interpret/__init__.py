"""Interpretation: from hormone panel, semen analysis and history to a cited Assessment.

Rules are data (``rules/*.yaml``): each has a condition in a small parsed language over
unit-tagged values, thresholds that name evidence keys, cited outputs, and examples that
fire and that do not. ``interpret(case)`` runs them; ``explain(case)`` lists the full
references of exactly the rules that fired.
"""

from __future__ import annotations

from androcast.interpret._interpret import derived_values, explain, interpret, load_rule_files
from androcast.interpret.assessment import (
    Assessment,
    Cause,
    Finding,
    Missing,
    Prognosis,
    Recommendation,
)
from androcast.interpret.expression import parse_expression
from androcast.interpret.knowledge import reference, references, threshold, vocabulary
from androcast.interpret.prognosis_class import class_thresholds, prognosis_class
from androcast.interpret.rules import Rule, RuleSpec, load_rules, parse_rules
from androcast.interpret.values import Quantity, RangeUsed

__all__ = [
    "Assessment",
    "Cause",
    "Finding",
    "Missing",
    "Prognosis",
    "Quantity",
    "RangeUsed",
    "Recommendation",
    "Rule",
    "RuleSpec",
    "class_thresholds",
    "derived_values",
    "explain",
    "interpret",
    "load_rule_files",
    "load_rules",
    "parse_expression",
    "parse_rules",
    "prognosis_class",
    "reference",
    "references",
    "threshold",
    "vocabulary",
]
