"""Evaluation of a parsed `when` tree over a case's facts, in three-valued logic.

A missing input makes an atom *unknown* (``None``) rather than false, and unknown spreads
by Kleene's rules (``False and unknown`` is false, ``True and unknown`` is unknown). A rule
whose condition ends unknown did not fire, and the inputs that made it unknown become
"what to measure next". Comparisons convert the threshold into the unit of the measured
value (with the analyte's molar mass), and a censored result ("<0.1") is compared as the
interval it stands for.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from androcast.interpret.expression import (
    And,
    Boolean,
    Call,
    Compare,
    InRef,
    Name,
    Node,
    Not,
    Number,
    Or,
    String,
    walk,
)
from androcast.interpret.values import Quantity, RangeUsed, Value

Truth = bool | None


class EvaluationError(ValueError):
    """A rule condition that cannot be evaluated as written (wrapped into RuleError)."""


class FactSource(Protocol):
    """What the evaluator needs from a case (implemented by ``facts.Facts``)."""

    def value(self, name: str) -> Value: ...

    def series(self, analyte: str) -> tuple[Quantity, ...]: ...

    def has_condition(self, code: str) -> bool: ...

    def has_medication(self, code: str) -> bool: ...

    def output(self, kind: str, code: str) -> tuple[Truth, tuple[str, ...]]:
        """Whether an earlier rule produced this output; if unknown, the inputs it lacked."""
        ...

    def is_analyte(self, name: str) -> bool: ...


@dataclass
class Trace:
    """What one evaluation looked at: atoms that supported the result, ranges, unknowns."""

    support: list[str] = field(default_factory=list)
    ranges: list[RangeUsed] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)

    def note_unknown(self, name: str) -> None:
        if name not in self.unknown:
            self.unknown.append(name)


ThresholdLookup = Callable[[str, str | None], Quantity]
UnitConverter = Callable[[float, str, str, str | None], float]


def _interval_compare(op: str, value: float, censor: str | None, limit: float) -> Truth:
    """Compare a (possibly censored) measured value with a limit."""
    if censor is None:
        return {
            "<": value < limit,
            "<=": value <= limit,
            ">": value > limit,
            ">=": value >= limit,
            "==": value == limit,
            "!=": value != limit,
        }[op]
    if censor == "<":  # true value in [0, value)
        if value <= limit:
            return {"<": True, "<=": True, ">": False, ">=": False}.get(op)
        return None
    if value >= limit:  # censor ">": true value in (value, inf)
        return {">": True, ">=": True, "<": False, "<=": False}.get(op)
    return None


class Evaluator:
    """Evaluates one rule condition; keeps a :class:`Trace` of what it used."""

    def __init__(
        self,
        facts: FactSource,
        threshold: ThresholdLookup,
        convert: UnitConverter,
        bound: Mapping[str, Value] | None = None,
    ) -> None:
        self.facts = facts
        self.threshold = threshold
        self.convert = convert
        self.bound = dict(bound or {})
        self.trace = Trace()

    # -- truth ---------------------------------------------------------------------------
    def truth(self, node: Node, negated: bool = False) -> Truth:
        if isinstance(node, And):
            results = [self.truth(item, negated) for item in node.items]
            if any(r is False for r in results):
                return False
            return None if any(r is None for r in results) else True
        if isinstance(node, Or):
            results = [self.truth(item, negated) for item in node.items]
            if any(r is True for r in results):
                return True
            return None if any(r is None for r in results) else False
        if isinstance(node, Not):
            inner = self.truth(node.item, not negated)
            return None if inner is None else not inner
        value = self.value(node, negated)
        if isinstance(node, Name) and isinstance(value, bool):
            self._support(node.name, value, negated)
        if value is None or isinstance(value, bool):
            return value
        raise EvaluationError(f"{_show(node)} is not a condition (it gives {value!r})")

    # -- operands ------------------------------------------------------------------------
    def value(self, node: Node, negated: bool = False) -> Value:
        if isinstance(node, Number):
            return node.value
        if isinstance(node, String):
            return node.value
        if isinstance(node, Boolean):
            return node.value
        if isinstance(node, Name):
            value = (
                self.bound[node.name] if node.name in self.bound else self.facts.value(node.name)
            )
            if value is None:
                self.trace.note_unknown(node.name)
            return value
        if isinstance(node, Compare):
            return self._compare(node, negated)
        if isinstance(node, InRef):
            return self._in_ref(node, negated)
        if isinstance(node, Call):
            return self._call(node, negated)
        return self.truth(node, negated)

    def _support(self, text: str, result: Truth, negated: bool) -> None:
        if result is not None and result != negated:
            self.trace.support.append(f"not ({text})" if negated else text)

    def _compare(self, node: Compare, negated: bool) -> Truth:
        left = self.value(node.left)
        right = self.value(node.right)
        if left is None or right is None:
            return None
        if isinstance(left, Quantity) or isinstance(right, Quantity):
            result = self._compare_quantities(node.op, left, right)
            text = f"{_label(left)} {node.op} {_label(right)}"
        elif isinstance(left, str) or isinstance(right, str):
            if node.op not in ("==", "!="):
                raise EvaluationError(f"text can only be compared with == or !=: {_show(node)}")
            result = (left == right) == (node.op == "==")
            text = f"{_label(left)} {node.op} {_label(right)}"
        else:
            result = _interval_compare(node.op, float(left), None, float(right))
            text = f"{_label(left)} {node.op} {_label(right)}"
        self._support(text, result, negated)
        return result

    def _compare_quantities(self, op: str, left: Value, right: Value) -> Truth:
        if not (isinstance(left, Quantity) and isinstance(right, Quantity)):
            raise EvaluationError(
                f"cannot compare {_label(left)} with {_label(right)}: "
                "both sides need a unit (use evidence(...) for thresholds)"
            )
        analyte = left.analyte or right.analyte
        limit = self.convert(right.value, right.unit, left.unit, analyte)
        if right.reference is None and right.label not in self.trace.evidence:
            self.trace.evidence.append(right.label)
        return _interval_compare(op, left.value, left.censor, limit)

    def _in_ref(self, node: InRef, negated: bool) -> Truth:
        value = self.value(node.operand)
        if value is None:
            return None
        if not isinstance(value, Quantity) or value.reference is None:
            raise EvaluationError(f"in_ref needs a laboratory result, got {_label(value)}")
        ref = value.reference
        if ref not in self.trace.ranges:
            self.trace.ranges.append(ref)
        below = (
            _interval_compare("<", value.value, value.censor, ref.low)
            if ref.low is not None
            else False
        )
        above = (
            _interval_compare(">", value.value, value.censor, ref.high)
            if ref.high is not None
            else False
        )
        result: Truth
        if node.category == "low":
            result = below
        elif node.category == "high":
            result = above
        elif node.category == "normal":
            result = _kleene_nor(below, above)
        elif node.category == "low_or_normal":
            result = None if above is None else not above
        else:  # normal_or_high
            result = None if below is None else not below
        self._support(f"{value.label} {node.category} vs {ref.describe()}", result, negated)
        return result

    def _call(self, node: Call, negated: bool) -> Value:
        name, args = node.function, node.args
        if name == "evidence":
            key = _literal(args[0])
            part = _literal(args[1]) if len(args) > 1 else None
            return self.threshold(key, part)
        if name in ("condition", "medication"):
            code = _literal(args[0])
            found = (
                self.facts.has_condition(code)
                if name == "condition"
                else self.facts.has_medication(code)
            )
            self._support(f'{name}("{code}") reported', found, negated)
            return found
        if name in ("missing", "present"):
            target = args[0]
            if not isinstance(target, Name):
                raise EvaluationError(f"{name}() takes an input name, got {_show(target)}")
            absent = self.facts.value(target.name) is None
            result = absent if name == "missing" else not absent
            self._support(
                f"{target.name} {'not measured' if absent else 'measured'}", result, negated
            )
            return result
        if name == "count":
            return self._count(args[0])
        if name == "near":
            return self._near(args, negated)
        if name in ("finding", "cause", "action", "caution"):
            code = _literal(args[0])
            state, lacking = self.facts.output(name, code)
            for missing_name in lacking:
                self.trace.note_unknown(missing_name)
            self._support(f'{name} "{code}"', state, negated)
            return state
        raise EvaluationError(f"unknown function {name}()")

    def _count(self, inner: Node) -> float:
        analytes = sorted(
            {n.name for n in walk(inner) if isinstance(n, Name) and self.facts.is_analyte(n.name)}
        )
        if len(analytes) != 1:
            raise EvaluationError(f"count() needs exactly one analyte, found {analytes}")
        analyte = analytes[0]
        results = self.facts.series(analyte)
        hits = 0
        for result in results:
            sub = Evaluator(self.facts, self.threshold, self.convert, {analyte: result})
            if sub.truth(inner) is True:
                hits += 1
                self.trace.support.extend(sub.trace.support)
        self.trace.support.append(f"{hits} of {len(results)} {analyte} results meet the condition")
        return float(hits)

    def _near(self, args: tuple[Node, ...], negated: bool) -> Truth:
        value = self.value(args[0])
        limit = self.value(args[1])
        fraction = self.value(args[2])
        if value is None or limit is None:
            return None
        if not (isinstance(value, Quantity) and isinstance(limit, Quantity)):
            raise EvaluationError("near() compares a measured quantity with a threshold")
        if isinstance(fraction, Quantity) and fraction.unit == "1":
            fraction = fraction.value
        if not isinstance(fraction, float):
            raise EvaluationError("near() needs a dimensionless fraction as its third argument")
        if value.censor is not None:
            return False
        target = self.convert(limit.value, limit.unit, value.unit, value.analyte or limit.analyte)
        result = abs(value.value - target) <= fraction * abs(target)
        self._support(f"{value.label} within {fraction:.0%} of {limit.label}", result, negated)
        return result


def _kleene_nor(a: Truth, b: Truth) -> Truth:
    if a is True or b is True:
        return False
    if a is None or b is None:
        return None
    return True


def _literal(node: Node) -> str:
    if not isinstance(node, String):
        raise EvaluationError(f"expected a quoted text argument, got {_show(node)}")
    return node.value


def _label(value: Value) -> str:
    if isinstance(value, Quantity):
        return value.label
    if isinstance(value, float):
        return f"{value:g}"
    return repr(value) if isinstance(value, str) else str(value)


def _show(node: Node) -> str:
    return type(node).__name__
