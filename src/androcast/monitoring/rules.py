"""Monitoring alert rules as data (``data/alerts.yaml``), validated when loaded.

A rule that is one of the plan's escalation checks names it; its timing, wording and
citations are then those of ``protocol/data/plan.yaml``. Other rules carry their own message
and citations. Every citation must resolve in the bibliography, every ``when`` must parse
in the interpretation rule language, and every threshold it names must exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from androcast._yaml import load_data
from androcast.errors import RuleError
from androcast.interpret import parse_expression, reference, threshold
from androcast.interpret.expression import Call, ExpressionSyntaxError, Node, String, walk
from androcast.interpret.knowledge import lookup_evidence
from androcast.interpret.values import Quantity, normalise_unit
from androcast.protocol import Escalation, plan_rules

Severity = Literal["info", "mild", "moderate", "severe"]
LOCAL_PREFIX = "monitoring."
_FILE = "monitoring/data/alerts.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RuleSpec(_Strict):
    id: str
    code: str
    severity: Severity
    when: str
    escalation: str | None = None
    observable: str | None = None
    per_observable: bool = False
    requires: list[str] = Field(default_factory=list)
    message: str | None = None
    citations: list[str] = Field(default_factory=list)


class ThresholdSpec(_Strict):
    value: float
    unit: str
    source: str
    flag: Literal["V", "U", "D", "G"]
    note: str


class AlertFile(_Strict):
    thresholds: dict[str, ThresholdSpec]
    rules: list[RuleSpec]


@dataclass(frozen=True)
class AlertRule:
    """One alert rule, its parsed condition, and the escalation it checks (if any)."""

    spec: RuleSpec
    condition: Node
    escalation: Escalation | None

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def citations(self) -> tuple[str, ...]:
        return self.escalation.citations if self.escalation else tuple(self.spec.citations)

    @property
    def message(self) -> str:
        if self.escalation is not None:
            return f"{self.escalation.when}: {self.escalation.then}"
        assert self.spec.message is not None
        return self.spec.message

    @property
    def at_week(self) -> float | None:
        return None if self.escalation is None else self.escalation.at_week


@dataclass(frozen=True)
class AlertRules:
    rules: tuple[AlertRule, ...]
    thresholds: dict[str, ThresholdSpec]

    def threshold(self, key: str, part: str | None = None) -> Quantity:
        """``monitoring.<key>`` from this file, any other key from the evidence tables."""
        if not key.startswith(LOCAL_PREFIX):
            return threshold(key, part)
        local = self.thresholds[key[len(LOCAL_PREFIX):]]
        flag = "" if local.flag == "V" else f"; flag {local.flag}"
        unit = normalise_unit(local.unit)
        return Quantity(local.value, unit, f"{local.value:g} {unit} [{key}; {local.source}{flag}]")


def _fail(field: str, value: Any, expected: str) -> RuleError:
    return RuleError(f"{_FILE}: {field}", value, expected)


def _check_thresholds(spec: RuleSpec, node: Node, local: dict[str, ThresholdSpec]) -> None:
    for item in walk(node):
        if isinstance(item, Call) and item.function == "evidence" and item.args:
            arg = item.args[0]
            key = arg.value if isinstance(arg, String) else ""
            if key.startswith(LOCAL_PREFIX):
                if key[len(LOCAL_PREFIX):] not in local:
                    raise _fail(f"{spec.id}.when", key, "a key of the thresholds section")
            else:
                lookup_evidence(key)  # UnknownCodeError names the key


def parse_alert_rules(data: Any) -> AlertRules:
    """Validate the alert file's content (RuleError names the file, rule and field)."""
    try:
        parsed = AlertFile.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise _fail(where, first.get("input"), first["msg"]) from None
    escalations = {e.id: e for e in plan_rules().escalations}
    rules = []
    for spec in parsed.rules:
        try:
            condition = parse_expression(spec.when)
        except ExpressionSyntaxError as err:
            raise _fail(f"{spec.id}.when", spec.when, str(err)) from None
        _check_thresholds(spec, condition, parsed.thresholds)
        escalation = None
        if spec.escalation is not None:
            if spec.escalation not in escalations:
                raise _fail(f"{spec.id}.escalation", spec.escalation,
                            "an escalation id of protocol/data/plan.yaml")
            escalation = escalations[spec.escalation]
        elif spec.message is None or not spec.citations:
            raise _fail(f"{spec.id}.message", None,
                        "a message and citations (or an escalation that has them)")
        if spec.per_observable == (spec.observable is not None):
            raise _fail(f"{spec.id}.observable", spec.observable,
                        "an observable, or per_observable: true (one of the two)")
        rule = AlertRule(spec, condition, escalation)
        for key in rule.citations:
            reference(key)  # UnknownCodeError names the key
        rules.append(rule)
    for local in parsed.thresholds.values():
        reference(local.source)
    return AlertRules(tuple(rules), dict(parsed.thresholds))


@cache
def alert_rules() -> AlertRules:
    """The alert rules shipped with androcast."""
    text = resources.files("androcast.monitoring").joinpath("data/alerts.yaml").read_text(
        "utf-8")
    return parse_alert_rules(load_data(text))
