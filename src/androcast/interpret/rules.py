"""Rule files: schema (pydantic), loading, and the checks that make a rule trustworthy.

A rule file is a YAML list of records::

    - id: T-LOW-1
      version: 1
      title: Low total testosterone, confirmed or unequivocal
      inputs: [testosterone_total]
      when: count(testosterone_total < evidence("testosterone_total.aua2018_low_t_cutoff")) >= 2
      findings: [{code: low_testosterone, severity: moderate}]
      citation: {key: mulhall2018, section: "Diagnosis, statement 2"}
      examples:
        - {name: two low values, fires: true, case: {...}}
        - {name: normal value, fires: false, case: {...}}

Every problem found on load raises :class:`RuleError` naming the file, the rule id and the
field (like pint's ``DefinitionError``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from androcast._yaml import load_data
from androcast.errors import AndrocastError, RuleError
from androcast.interpret.expression import (
    Call,
    ExpressionSyntaxError,
    Name,
    Node,
    String,
    parse_expression,
    walk,
)
from androcast.interpret.knowledge import lookup_evidence, references, vocabulary
from androcast.interpret.prognosis_class import prognosis_class

Confidence = Literal["high", "moderate", "low"]
Severity = Literal["info", "mild", "moderate", "severe"]

# function -> (minimum, maximum) number of arguments
FUNCTIONS: Mapping[str, tuple[int, int]] = {
    "evidence": (1, 2),
    "condition": (1, 1),
    "medication": (1, 1),
    "missing": (1, 1),
    "present": (1, 1),
    "count": (1, 1),
    "near": (3, 3),
    "finding": (1, 1),
    "cause": (1, 1),
    "action": (1, 1),
    "caution": (1, 1),
}
_OUTPUT_KIND = {
    "finding": "findings",
    "cause": "causes",
    "action": "actions",
    "caution": "cautions",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CitationSpec(_Strict):
    key: str
    section: str | None = None
    table: str | None = None
    page: str | None = None
    flag: Literal["V", "V-secondary", "U", "D"] = "V"

    def locator(self) -> str:
        parts = [p for p in (self.section, self.table, self.page) if p]
        return ", ".join(parts)

    def short(self) -> str:
        """``key, section`` plus the flag when the statement is not verified in the source."""
        where = self.locator()
        text = f"{self.key}, {where}" if where else self.key
        return text if self.flag == "V" else f"{text} (flag {self.flag})"


class OutputSpec(_Strict):
    code: str
    confidence: Confidence | None = None
    severity: Severity | None = None
    note: str | None = None


class MeasureSpec(_Strict):
    """Information a fired rule says is missing: what to measure next and which inputs it
    supplies (e.g. a repeat panel when the results predate the time they must be read at)."""

    code: str
    inputs: list[str] = Field(min_length=1)
    note: str | None = None


class PatternSpec(_Strict):
    code: str
    priority: int = Field(ge=0)


class PrognosisSpec(_Strict):
    """A prognosis class, or a declined prognosis (``declined``: a reason code of the
    vocabulary's ``declined`` list) where the recovery model has no mechanism for his problem."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    class_: str | None = Field(default=None, alias="class")
    declined: str | None = None
    priority: int = Field(ge=0)
    basis: str
    # the cited probability of recovery by 12 months, when the source gives one: the class
    # must then be prognosis_class(anchor) so qualitative and quantitative prognoses agree
    anchor_p_recovery_12mo: float | None = Field(default=None, ge=0, le=1)
    # what recovers: sperm output, his own testosterone, or both (gonadal function); a
    # forecast's class is read against this class only for an outcome of the same endpoint
    endpoint: Literal["spermatogenesis", "testosterone", "both"] = "spermatogenesis"


class ExampleSpec(_Strict):
    name: str
    fires: bool
    case: dict[str, Any]
    as_of: dt.date = dt.date(2025, 12, 1)  # examples are read as of this date unless they say


class RuleSpec(_Strict):
    id: str = Field(pattern=r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$")
    version: int = Field(ge=1)
    title: str
    inputs: list[str]
    optional: list[str] = []  # inputs whose absence is not reported as "measure next"
    when: str
    findings: list[OutputSpec] = []
    causes: list[OutputSpec] = []
    actions: list[OutputSpec] = []
    cautions: list[OutputSpec] = []
    measure_next: list[MeasureSpec] = []
    pattern: PatternSpec | None = None
    prognosis: PrognosisSpec | None = None
    citation: CitationSpec
    examples: list[ExampleSpec] = Field(min_length=2)


@dataclass(frozen=True)
class Rule:
    """A validated rule: its record, the file it came from and its parsed condition."""

    spec: RuleSpec
    file: str
    condition: Node

    @property
    def id(self) -> str:
        return self.spec.id

    def produces(self, kind: str, code: str) -> bool:
        outputs: list[OutputSpec] = getattr(self.spec, _OUTPUT_KIND[kind])
        return any(o.code == code for o in outputs)

    def depends_on(self) -> tuple[tuple[str, str], ...]:
        """(kind, code) of other rules' outputs this rule's condition refers to."""
        return tuple(
            (n.function, n.args[0].value)
            for n in walk(self.condition)
            if isinstance(n, Call) and n.function in _OUTPUT_KIND and isinstance(n.args[0], String)
        )


def _fail(file: str, rule_id: str, field: str, value: Any, expected: str) -> RuleError:
    return RuleError(f"{file}: {rule_id}.{field}", value, expected)


def _check_condition(file: str, spec: RuleSpec, node: Node) -> None:
    from androcast.interpret.facts import is_known_input, is_lab_series

    declared = set(spec.inputs)
    for name in spec.optional:
        if name not in declared:
            raise _fail(
                file, spec.id, "optional", name, f"a name listed in inputs {sorted(declared)}"
            )
    for name in spec.inputs:
        if not is_known_input(name):
            raise _fail(file, spec.id, "inputs", name, "an analyte key or a fact name")
    for n in walk(node):
        if isinstance(n, Name) and n.name not in declared:
            raise _fail(
                file, spec.id, "when", n.name, f"a name listed in inputs {sorted(declared)}"
            )
        if not isinstance(n, Call):
            continue
        if n.function not in FUNCTIONS:
            raise _fail(file, spec.id, "when", f"{n.function}()", f"one of {sorted(FUNCTIONS)}")
        low, high = FUNCTIONS[n.function]
        if not low <= len(n.args) <= high:
            raise _fail(
                file,
                spec.id,
                "when",
                f"{n.function}() with {len(n.args)} arguments",
                f"{low}-{high} arguments",
            )
        if n.function == "evidence":
            key = n.args[0]
            if not isinstance(key, String):
                raise _fail(file, spec.id, "when", "evidence(...)", "a quoted evidence key")
            try:
                lookup_evidence(key.value)
            except AndrocastError:
                raise _fail(
                    file, spec.id, "when", key.value, "a key of androcast.evidence or interpret."
                ) from None
        if n.function == "count":
            # count() counts the results of one analyte; over two it could not say whose
            # results it counts, so the rule is refused here, not on the first case it meets
            names = {a.name for a in walk(n) if isinstance(a, Name)}
            analytes = sorted(name for name in names if is_lab_series(name))
            if len(analytes) != 1:
                raise _fail(
                    file,
                    spec.id,
                    "when",
                    f"count() over {', '.join(analytes) or 'no analyte'}",
                    "count() over the results of exactly one analyte",
                )
        if n.function in _OUTPUT_KIND:
            arg = n.args[0]
            if (
                not isinstance(arg, String)
                or arg.value not in vocabulary()[_OUTPUT_KIND[n.function]]
            ):
                raise _fail(file, spec.id, "when", _arg_text(arg), f"a {n.function} code")
    used = {n.name for n in walk(node) if isinstance(n, Name)}
    for name in spec.inputs:
        if name not in used:
            raise _fail(file, spec.id, "inputs", name, "only names the condition reads")


def _arg_text(node: Node) -> str:
    return node.value if isinstance(node, String) else type(node).__name__


def _check_codes(file: str, spec: RuleSpec) -> None:
    vocab = vocabulary()
    for kind in ("findings", "causes", "actions", "cautions"):
        for i, output in enumerate(getattr(spec, kind)):
            if output.code not in vocab[kind]:
                raise _fail(
                    file,
                    spec.id,
                    f"{kind}[{i}].code",
                    output.code,
                    f"a {kind} code of vocabulary.yaml",
                )
            if kind == "causes" and output.confidence is None:
                raise _fail(file, spec.id, f"{kind}[{i}].confidence", None, "high, moderate or low")
    from androcast.interpret.facts import is_known_input

    for i, measure in enumerate(spec.measure_next):
        if measure.code not in vocab["actions"]:
            raise _fail(
                file,
                spec.id,
                f"measure_next[{i}].code",
                measure.code,
                "an actions code of vocabulary.yaml",
            )
        for name in measure.inputs:
            if not is_known_input(name):
                raise _fail(
                    file,
                    spec.id,
                    f"measure_next[{i}].inputs",
                    name,
                    "an analyte key or a fact name",
                )
    if spec.pattern is not None and spec.pattern.code not in vocab["pattern"]:
        raise _fail(file, spec.id, "pattern.code", spec.pattern.code, "a pattern code")
    if spec.prognosis is not None and (spec.prognosis.class_ is None) == (
        spec.prognosis.declined is None
    ):
        raise _fail(
            file, spec.id, "prognosis", "class and declined", "exactly one of class or declined"
        )
    if spec.prognosis is not None and spec.prognosis.declined is not None:
        if spec.prognosis.declined not in vocab["declined"]:
            raise _fail(
                file,
                spec.id,
                "prognosis.declined",
                spec.prognosis.declined,
                f"one of {', '.join(sorted(vocab['declined']))}",
            )
    elif spec.prognosis is not None and spec.prognosis.class_ not in vocab["prognosis"]:
        raise _fail(
            file,
            spec.id,
            "prognosis.class",
            spec.prognosis.class_,
            "good, moderate, guarded or poor",
        )
    anchor = spec.prognosis.anchor_p_recovery_12mo if spec.prognosis else None
    if (
        spec.prognosis is not None
        and anchor is not None
        and prognosis_class(anchor) != spec.prognosis.class_
    ):
        raise _fail(
            file,
            spec.id,
            "prognosis.class",
            spec.prognosis.class_,
            f"{prognosis_class(anchor)} (prognosis_class of anchor {anchor:g})",
        )
    if spec.citation.key not in references():
        raise _fail(
            file,
            spec.id,
            "citation.key",
            spec.citation.key,
            "a key of androcast.evidence.bibliography() or interpret/bibliography.yaml",
        )
    if not any(e.fires for e in spec.examples) or all(e.fires for e in spec.examples):
        raise _fail(
            file,
            spec.id,
            "examples",
            len(spec.examples),
            "at least one firing and one non-firing example",
        )


def parse_rules(records: Any, *, file: str) -> tuple[Rule, ...]:
    """Validate the records of one rule file."""
    if not isinstance(records, list):
        raise RuleError(file, type(records).__name__, "a YAML list of rule records")
    rules: list[Rule] = []
    for index, record in enumerate(records):
        rule_id = str(record.get("id", f"#{index}")) if isinstance(record, dict) else f"#{index}"
        try:
            spec = RuleSpec.model_validate(record)
        except ValidationError as err:
            first = err.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or "record"
            message = first["msg"][:1].lower() + first["msg"][1:]
            raise _fail(file, rule_id, field, first.get("input"), message) from None
        try:
            condition = parse_expression(spec.when)
        except ExpressionSyntaxError as err:
            raise _fail(file, spec.id, "when", spec.when, f"a valid condition ({err})") from None
        _check_condition(file, spec, condition)
        _check_codes(file, spec)
        rules.append(Rule(spec=spec, file=file, condition=condition))
    return tuple(rules)


def check_rule_set(rules: Sequence[Rule]) -> tuple[Rule, ...]:
    """Cross-rule checks (unique ids, references to outputs some rule produces, no cycles);
    returns the rules ordered so that every rule comes after those it depends on."""
    seen: dict[str, Rule] = {}
    for rule in rules:
        if rule.id in seen:
            raise _fail(
                rule.file, rule.id, "id", rule.id, f"a unique id (also in {seen[rule.id].file})"
            )
        seen[rule.id] = rule
    producers: dict[tuple[str, str], list[Rule]] = {}
    for rule in rules:
        for kind, code in rule.depends_on():
            makers = [r for r in rules if r.produces(kind, code)]
            if not makers:
                raise _fail(
                    rule.file, rule.id, "when", f'{kind}("{code}")', "an output some rule produces"
                )
            producers[(kind, code)] = makers
    ordered: list[Rule] = []
    state: dict[str, int] = {}

    def visit(rule: Rule, chain: tuple[str, ...]) -> None:
        if state.get(rule.id) == 2:
            return
        if state.get(rule.id) == 1:
            raise _fail(
                rule.file,
                rule.id,
                "when",
                " -> ".join((*chain, rule.id)),
                "rules without circular dependencies",
            )
        state[rule.id] = 1
        for dep in rule.depends_on():
            for maker in producers[dep]:
                if maker.id != rule.id:
                    visit(maker, (*chain, rule.id))
        state[rule.id] = 2
        ordered.append(rule)

    for rule in rules:
        visit(rule, ())
    return tuple(ordered)


def load_rule_file(path: str | Path) -> tuple[Rule, ...]:
    """Rules from a user's YAML file (the loading module is the place for user paths)."""
    path = Path(path)
    try:
        data = load_data(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise RuleError(str(path), type(err).__name__, "a readable YAML rule file") from None
    return parse_rules(data, file=path.name)


@cache
def shipped_rules() -> tuple[Rule, ...]:
    """The rules packaged in ``interpret/rules/``, validated and dependency-ordered."""
    folder = resources.files("androcast.interpret").joinpath("rules")
    rules: list[Rule] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            data = load_data(entry.read_text(encoding="utf-8"))
            rules.extend(parse_rules(data, file=f"rules/{entry.name}"))
    return check_rule_set(rules)


def load_rules(paths: Iterable[str | Path] | None = None) -> tuple[Rule, ...]:
    """The shipped rules, or the rules of the given files, checked as one set."""
    if paths is None:
        return shipped_rules()
    rules: list[Rule] = []
    for path in paths:
        rules.extend(load_rule_file(path))
    return check_rule_set(rules)
