"""The Assessment: what the fired rules say about a case, in the DESIGN.md JSON shape."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from androcast import DISCLAIMER
from androcast.interpret.engine import Verdict
from androcast.interpret.knowledge import reference, refinements
from androcast.interpret.values import RangeUsed

_CONFIDENCE_RANK = {"high": 0, "moderate": 1, "low": 2}

# What to do about an input the rules needed and the case lacks (default: measure_<name>).
_MEASURE: Mapping[str, str] = {
    "prolactin": "measure_prolactin",
    "testosterone_free": "measure_free_testosterone",
    "free_testosterone_calc": "measure_free_testosterone",
    "shbg": "measure_free_testosterone",
    "tsh": "thyroid_tests",
    "free_t4": "thyroid_tests",
    "lh": "measure_lh_fsh",
    "fsh": "measure_lh_fsh",
    "estradiol": "measure_estradiol",
    "t_e2_ratio": "measure_estradiol",
    "testosterone_total": "repeat_morning_testosterone",
    "sperm_concentration": "semen_analysis",
    "azoospermia": "semen_analysis",
    "tmsc": "semen_analysis_with_motility",
    "testis_volume_min": "record_testis_volume",
    "bmi": "record_bmi",
    "age_years": "record_age",
    "androgen.duration": "record_androgen_dates",
    "homa_ir": "measure_glucose_insulin",
}


@dataclass(frozen=True)
class Finding:
    code: str
    rule: str
    basis: str
    citation: str
    severity: str | None
    ranges: tuple[RangeUsed, ...]


@dataclass(frozen=True)
class Cause:
    code: str
    confidence: str
    rules: tuple[str, ...]
    citations: tuple[str, ...]
    basis: str


@dataclass(frozen=True)
class Recommendation:
    """An action or caution, with the rule that raised it first and any that agreed."""

    code: str
    rule: str
    citation: str
    basis: str
    note: str | None
    also: tuple[str, ...]


@dataclass(frozen=True)
class Declined:
    """Why no recovery prognosis is given (a code of the clinic suite's no_curves_reasons)."""

    reason: str
    text: str
    rule: str | None = None  # the decline rule (declines.yaml) or interpretation rule
    citations: tuple[str, ...] = ()


@dataclass(frozen=True)
class Prognosis:
    class_: str | None
    basis: str
    rule: str | None
    citation: str | None
    declined: Declined | None = None  # set, with class_ None, where prognosis is declined
    endpoint: str = "spermatogenesis"  # what the class speaks of (rules' prognosis.endpoint)


@dataclass(frozen=True)
class Missing:
    """What to measure next, the inputs it supplies and the rules that need it: rules that
    could not decide without it, or fired rules that ask for it (``reason`` says why)."""

    measure: str
    inputs: tuple[str, ...]
    needed_by: tuple[str, ...]
    reason: str | None = None


@dataclass(frozen=True)
class Assessment:
    """A cited interpretation of one case. ``to_dict()`` gives the DESIGN.md JSON shape."""

    pattern: str
    pattern_rule: str | None
    causes: tuple[Cause, ...]
    findings: tuple[Finding, ...]
    actions: tuple[Recommendation, ...]
    cautions: tuple[Recommendation, ...]
    derived: Mapping[str, float | str | None]
    prognosis: Prognosis
    missing: tuple[Missing, ...]
    fired: tuple[str, ...]
    references: Mapping[str, str]
    disclaimer: str = DISCLAIMER

    def action_codes(self) -> tuple[str, ...]:
        return tuple(a.code for a in self.actions)

    def caution_codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.cautions)

    def cause_codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.causes)

    def to_dict(self) -> dict[str, Any]:
        def recommendation(r: Recommendation) -> dict[str, Any]:
            out: dict[str, Any] = {
                "code": r.code,
                "rule": r.rule,
                "citation": r.citation,
                "basis": r.basis,
            }
            if r.note:
                out["note"] = r.note
            if r.also:
                out["also"] = list(r.also)
            return out

        return {
            "pattern": self.pattern,
            "pattern_rule": self.pattern_rule,
            "causes": [
                {
                    "code": c.code,
                    "confidence": c.confidence,
                    "rules": list(c.rules),
                    "citations": list(c.citations),
                    "basis": c.basis,
                }
                for c in self.causes
            ],
            "findings": [
                {
                    "code": f.code,
                    "rule": f.rule,
                    "basis": f.basis,
                    "citation": f.citation,
                    "severity": f.severity,
                    "ranges": [
                        {
                            "analyte": r.analyte,
                            "low": r.low,
                            "high": r.high,
                            "unit": r.unit,
                            "source": r.source,
                            "population": r.population,
                        }
                        for r in f.ranges
                    ],
                }
                for f in self.findings
            ],
            "actions": [recommendation(a) for a in self.actions],
            "cautions": [recommendation(c) for c in self.cautions],
            "derived": dict(self.derived),
            "prognosis": _prognosis_dict(self.prognosis),
            "missing": [_missing_dict(m) for m in self.missing],
            "fired": list(self.fired),
            "references": dict(self.references),
            "disclaimer": self.disclaimer,
        }


def _prognosis_dict(p: Prognosis) -> dict[str, Any]:
    out: dict[str, Any] = {
        "class": p.class_,
        "basis": p.basis,
        "rule": p.rule,
        "citation": p.citation,
        "endpoint": p.endpoint,
    }
    if p.declined is not None:
        out["declined"] = {"reason": p.declined.reason, "text": p.declined.text,
                           "rule": p.declined.rule, "citations": list(p.declined.citations)}
    return out


def _missing_dict(m: Missing) -> dict[str, Any]:
    out: dict[str, Any] = {
        "measure": m.measure,
        "inputs": list(m.inputs),
        "needed_by": list(m.needed_by),
    }
    if m.reason:
        out["reason"] = m.reason
    return out


def _basis(verdict: Verdict) -> str:
    return "; ".join(dict.fromkeys(verdict.trace.support)) or verdict.rule.spec.title


def _recommendations(fired: Sequence[Verdict], kind: str) -> tuple[Recommendation, ...]:
    out: dict[str, Recommendation] = {}
    for verdict in fired:
        for spec in getattr(verdict.rule.spec, kind):
            if spec.code in out:
                first = out[spec.code]
                out[spec.code] = Recommendation(
                    first.code,
                    first.rule,
                    first.citation,
                    first.basis,
                    first.note,
                    (*first.also, verdict.rule.id),
                )
            else:
                out[spec.code] = Recommendation(
                    code=spec.code,
                    rule=verdict.rule.id,
                    citation=verdict.rule.spec.citation.short(),
                    basis=_basis(verdict),
                    note=spec.note,
                    also=(),
                )
    return tuple(out.values())


def _causes(fired: Sequence[Verdict]) -> tuple[Cause, ...]:
    best: dict[str, Cause] = {}
    for verdict in fired:
        for spec in verdict.rule.spec.causes:
            assert spec.confidence is not None  # checked when the rule was loaded
            citation = verdict.rule.spec.citation.short()
            old = best.get(spec.code)
            if old is None:
                best[spec.code] = Cause(
                    spec.code, spec.confidence, (verdict.rule.id,), (citation,), _basis(verdict)
                )
                continue
            stronger = _CONFIDENCE_RANK[spec.confidence] < _CONFIDENCE_RANK[old.confidence]
            best[spec.code] = Cause(
                code=spec.code,
                confidence=spec.confidence if stronger else old.confidence,
                rules=(*old.rules, verdict.rule.id),
                citations=tuple(dict.fromkeys((*old.citations, citation))),
                basis=_basis(verdict) if stronger else old.basis,
            )
    order = list(best)
    refined = {general for code in best for general in refinements().get(code, frozenset())}

    def rank(cause: Cause) -> tuple[int, bool, int, int]:
        return (
            _CONFIDENCE_RANK[cause.confidence],
            cause.code in refined,
            -len(cause.rules),
            order.index(cause.code),
        )

    return tuple(sorted(best.values(), key=rank))


def _missing(verdicts: Sequence[Verdict]) -> tuple[Missing, ...]:
    inputs: dict[str, list[str]] = {}
    rules: dict[str, list[str]] = {}
    for verdict in verdicts:
        if verdict.fired is not None:
            continue
        for name in verdict.trace.unknown:
            if name in verdict.rule.spec.optional:
                continue
            measure = _MEASURE.get(name, f"measure_{name}")
            inputs.setdefault(measure, [])
            rules.setdefault(measure, [])
            if name not in inputs[measure]:
                inputs[measure].append(name)
            if verdict.rule.id not in rules[measure]:
                rules[measure].append(verdict.rule.id)
    reasons: dict[str, list[str]] = {}
    for verdict in verdicts:
        if verdict.fired is not True:
            continue
        for spec in verdict.rule.spec.measure_next:
            names = inputs.setdefault(spec.code, [])
            names.extend(n for n in spec.inputs if n not in names)
            needed = rules.setdefault(spec.code, [])
            if verdict.rule.id not in needed:
                needed.append(verdict.rule.id)
            why = f"{spec.note} ({_basis(verdict)})" if spec.note else _basis(verdict)
            reasons.setdefault(spec.code, []).append(why)
    if "semen_analysis" in inputs:  # a first semen analysis includes motility
        inputs.pop("semen_analysis_with_motility", None)
    return tuple(
        Missing(
            measure=measure,
            inputs=tuple(names),
            needed_by=tuple(rules[measure]),
            reason="; ".join(reasons[measure]) if measure in reasons else None,
        )
        for measure, names in inputs.items()
    )


NO_RULE_YET = ("not assessed: no cited prognosis rule applies yet (complete the results listed "
               "under missing; a prognosis is never guessed)")

#: the prognosis endpoints that speak to each goal: a man who seeks only his testosterone is
#: not given a sperm-recovery figure (a rule's ``prognosis.endpoint``)
_ENDPOINTS_FOR_GOAL: Mapping[str, frozenset[str]] = {
    "testosterone": frozenset({"testosterone", "both"}),
}


def _from_a_lead(verdict: Verdict, causes: Sequence[Cause]) -> bool:
    """Whether a prognosis rule reads its class only from low-confidence causes (leads,
    not diagnoses: age_related at 40 with nothing else found)."""
    confidence = {c.code: c.confidence for c in causes}
    read = [confidence[code] for kind, code in verdict.rule.depends_on()
            if kind == "cause" and code in confidence]
    return bool(read) and all(c == "low" for c in read)


def _speaks_for_him(verdict: Verdict, goal: str | None, causes: Sequence[Cause]) -> bool:
    """Whether a fired prognosis rule may give his class: its endpoint is his goal's, and
    a class is never read from a low-confidence cause (a lead, not a diagnosis) when he has
    a cause of moderate or high confidence (a low-confidence age_related beside a
    high-confidence iron overload)."""
    spec = verdict.rule.spec.prognosis
    assert spec is not None
    if spec.declined is None and spec.endpoint not in _ENDPOINTS_FOR_GOAL.get(
        goal or "", frozenset({spec.endpoint})
    ):
        return False
    firm = any(c.confidence != "low" for c in causes)
    return not (firm and _from_a_lead(verdict, causes))


def _not_assessed(passed: Sequence[Verdict], goal: str | None) -> str:
    """Why no class: the rules that held but spoke of another endpoint, or nothing held."""
    other = [v.rule.id for v in passed if v.rule.spec.prognosis is not None
             and v.rule.spec.prognosis.declined is None
             and v.rule.spec.prognosis.endpoint not in _ENDPOINTS_FOR_GOAL.get(
                 goal or "", frozenset({v.rule.spec.prognosis.endpoint}))]
    if other:
        return (f"not assessed: the cited prognosis rules that apply ({', '.join(other)}) give "
                f"sperm-recovery figures, and his goal is {goal}; a class of his own "
                "testosterone needs a rule of that endpoint")
    return NO_RULE_YET


def build_assessment(
    verdicts: Sequence[Verdict],
    derived: Mapping[str, float | str | None],
    goal: str | None = None,
) -> Assessment:
    """The Assessment of fired rules; ``goal`` (fertility / testosterone / both) selects
    the prognosis endpoints that speak for him."""
    fired = [v for v in verdicts if v.fired is True]
    causes = _causes(fired)
    findings = tuple(
        Finding(
            code=spec.code,
            rule=v.rule.id,
            basis=_basis(v),
            citation=v.rule.spec.citation.short(),
            severity=spec.severity,
            ranges=tuple(v.trace.ranges),
        )
        for v in fired
        for spec in v.rule.spec.findings
    )
    patterns = [
        (v.rule.spec.pattern.priority, -i, v) for i, v in enumerate(fired) if v.rule.spec.pattern
    ]
    pattern_verdict = max(patterns, key=lambda p: (p[0], p[1]))[2] if patterns else None
    def best(declined: bool) -> Verdict | None:
        # a class read from a lead comes only when no other rule gives one
        ranked = [
            (not _from_a_lead(v, causes), v.rule.spec.prognosis.priority, -i, v)
            for i, v in enumerate(fired)
            if v.rule.spec.prognosis and (v.rule.spec.prognosis.declined is not None) == declined
            and _speaks_for_him(v, goal, causes)
        ]
        return max(ranked, key=lambda p: (p[0], p[1], p[2]))[3] if ranked else None

    prognosis_verdict, decline_verdict = best(False), best(True)
    declined: Declined | None = None
    decline_note = ""
    if decline_verdict is not None and decline_verdict.rule.spec.prognosis is not None:
        spec = decline_verdict.rule.spec.prognosis
        assert spec.declined is not None
        declined = Declined(spec.declined, spec.basis, decline_verdict.rule.id,
                            (decline_verdict.rule.spec.citation.key,))
        decline_note = (
            f"recovery forecast declined ({spec.declined}, {decline_verdict.rule.id}): "
            f"{spec.basis}; "
        )
    if prognosis_verdict is not None and prognosis_verdict.rule.spec.prognosis is not None:
        spec = prognosis_verdict.rule.spec.prognosis
        prognosis = Prognosis(
            class_=spec.class_,
            basis=f"{decline_note}{spec.basis} ({_basis(prognosis_verdict)})",
            rule=prognosis_verdict.rule.id,
            citation=prognosis_verdict.rule.spec.citation.short(),
            declined=declined,
            endpoint=spec.endpoint,
        )
    elif declined is not None and decline_verdict is not None:
        prognosis = Prognosis(
            class_=None,
            basis=f"{decline_note}({_basis(decline_verdict)})",
            rule=decline_verdict.rule.id,
            citation=decline_verdict.rule.spec.citation.short(),
            declined=declined,
        )
    else:
        prognosis = Prognosis(None, _not_assessed(fired, goal), None, None)
    keys = dict.fromkeys(v.rule.spec.citation.key for v in fired)
    return Assessment(
        pattern=(
            pattern_verdict.rule.spec.pattern.code
            if pattern_verdict is not None and pattern_verdict.rule.spec.pattern is not None
            else "indeterminate"
        ),
        pattern_rule=pattern_verdict.rule.id if pattern_verdict is not None else None,
        causes=causes,
        findings=findings,
        actions=_recommendations(fired, "actions"),
        cautions=_recommendations(fired, "cautions"),
        derived=MappingProxyType(dict(derived)),
        prognosis=prognosis,
        missing=_missing(verdicts),
        fired=tuple(v.rule.id for v in fired),
        references=MappingProxyType({key: reference(key) for key in sorted(keys)}),
    )
