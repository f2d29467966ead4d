"""Calibration targets as data: the published number comes from its evidence key.

``data/targets.yaml`` names, per target, the cohort, the outcome or observable, what is
compared (probability at a month, median, mean time among the recovered, change from
baseline, or the direction of a covariate effect) and where the published number lives.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal

from androcast._yaml import load_data
from androcast.errors import ParameterError, UnknownCodeError
from androcast.evidence import evidence

Kind = Literal["probability", "median", "mean_recovered", "change", "direction", "odds_ratio",
               "mean_recovery"]
KINDS: tuple[str, ...] = ("probability", "median", "mean_recovered", "change", "direction",
                          "odds_ratio", "mean_recovery")

#: z of a two-sided 95 % interval
Z95 = 1.959964


@dataclass(frozen=True)
class Statistic:
    """What is read from a cohort run: P(outcome) at ``month``, or the median months."""

    kind: Literal["probability", "median"]
    month: float | None = None


@dataclass(frozen=True)
class Target:
    """One published number (or direction) the virtual population must reproduce."""

    key: str
    kind: Kind
    cohort: str
    value: float  # published value (model units: fraction, months, M/mL, IU/L); 0 for direction
    low: float  # published (or stated) interval
    high: float
    source: str  # evidence key, or citation keys for qualitative targets
    citations: tuple[str, ...]
    interval_basis: str  # "ci95", "wilson95 of n=..", "tolerance (design choice)", ...
    fit: bool = False
    outcome: str | None = None
    observable: str | None = None
    month: float | None = None
    statistic: Statistic | None = None  # direction targets
    variant_a: Mapping[str, Any] = field(default_factory=dict)
    variant_b: Mapping[str, Any] = field(default_factory=dict)
    min_effect: float = 0.0
    gap: str = ""  # a measured reason why the model cannot meet it (reported, not hidden)
    fitted_by: str = ""  # fitted outside the objective: the parameter fitted to it
    reached: float = 0.95  # mean_recovery: share of the drug-free mean that counts as reached

    @property
    def sd(self) -> float:
        """Half-width of the interval as a standard error (objective scale)."""
        return max((self.high - self.low) / (2 * Z95), 1e-3)

    def describe(self) -> str:
        if self.kind == "direction":
            assert self.statistic is not None
            return (f"{self.cohort}: {_stat_text(self.statistic)} of variant a minus b "
                    f"> {self.min_effect:g}")
        if self.kind == "probability":
            return f"{self.cohort}: P({self.outcome}) at {self.month:g} months"
        if self.kind == "odds_ratio":
            design = (f" (trials' design: {', '.join(sorted(self.variant_a))})"
                      if self.variant_a else "")
            return (f"{self.cohort}: odds ratio of {self.outcome} by {self.month:g} months, "
                    f"as given vs {_variant_text(self.variant_b)}{design}")
        if self.kind == "median":
            return f"{self.cohort}: median months to {self.outcome}"
        if self.kind == "mean_recovered":
            return f"{self.cohort}: mean months to {self.outcome} among men who reach it"
        if self.kind == "mean_recovery":
            return (f"{self.cohort}: months until the men's mean {self.observable} reaches "
                    f"{self.reached:.0%} of their drug-free mean")
        return f"{self.cohort}: change of {self.observable} from month 0 to {self.month:g}"


def _variant_text(change: Mapping[str, Any]) -> str:
    if change.get("regimen") == []:  # whatever else the trials' design changed in both arms
        return "no treatment"
    return ", ".join(f"{k} changed" for k in change)


def _stat_text(s: Statistic) -> str:
    return f"P at {s.month:g} months" if s.kind == "probability" else "median months"


def wilson_interval(p: float, n: int) -> tuple[float, float]:
    """Wilson score 95 % interval of a proportion p observed in n men [D]."""
    denom = 1 + Z95**2 / n
    centre = (p + Z95**2 / (2 * n)) / denom
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / denom
    return centre - half, centre + half


def parse_target(key: str, spec: Any) -> Target:
    """Check one entry of ``targets.yaml`` and read its published number."""
    where = f"targets.yaml: {key}"
    if not isinstance(spec, Mapping):
        raise ParameterError(where, spec, "a mapping with kind, cohort and evidence")
    kind = spec.get("kind")
    if kind not in KINDS:
        raise UnknownCodeError(f"{where}.kind", kind, "one of " + ", ".join(KINDS))
    cohort = spec.get("cohort")
    if not isinstance(cohort, str):
        raise ParameterError(f"{where}.cohort", cohort, "a cohort name")
    gap = spec.get("gap", "")
    if not isinstance(gap, str):
        raise ParameterError(f"{where}.gap", gap, "a text: why the model misses the target")
    common: dict[str, Any] = {
        "key": key, "kind": kind, "cohort": cohort, "fit": bool(spec.get("fit", False)),
        "gap": " ".join(gap.split()), "fitted_by": str(spec.get("fitted_by", "")),
        "outcome": spec.get("outcome"), "observable": spec.get("observable"),
        "month": None if spec.get("month") is None else float(spec["month"]),
        "reached": float(spec.get("reached", 0.95)),
    }
    if kind == "direction":
        stat: Mapping[str, Any] = spec.get("statistic") or {}
        if stat.get("kind") not in ("probability", "median"):
            raise ParameterError(f"{where}.statistic", stat, "{kind: probability|median, month}")
        citations = _citations(spec, where)
        return Target(
            **common, value=0.0, low=float(spec.get("min_effect", 0.0)), high=math.inf,
            source=str(spec.get("evidence") or "; ".join(citations)), citations=citations,
            interval_basis="sign only (papers give the direction)",
            statistic=Statistic(stat["kind"], None if stat.get("month") is None
                                else float(stat["month"])),
            variant_a=dict(spec.get("a") or {}), variant_b=dict(spec.get("b") or {}),
            min_effect=float(spec.get("min_effect", 0.0)),
        )
    ev_key = spec.get("evidence")
    if not isinstance(ev_key, str):
        raise ParameterError(f"{where}.evidence", ev_key, "an evidence key")
    ev = evidence(ev_key)
    scale = float(spec.get("scale", 1.0))
    value = ev.value[spec["item"]] if "item" in spec else ev.value
    value = float(value) * scale
    ci = (ev.raw or {}).get("ci95")
    if isinstance(ci, Mapping):
        ci = ci.get(spec.get("item"))
    if "interval_item" in spec:  # the CI is an entry of the value mapping itself
        ci = ev.value.get(spec["interval_item"]) if isinstance(ev.value, Mapping) else None
        if not (isinstance(ci, list | tuple) and len(ci) == 2):
            raise ParameterError(f"{where}.interval_item", spec["interval_item"],
                                 f"an entry of {ev_key} holding [low, high]")
    if "relative_tolerance" in spec:
        rel = float(spec["relative_tolerance"])
        low, high = value * (1 - rel), value * (1 + rel)
        basis = f"+/- {rel:.0%} of the published value"
    elif "tolerance" in spec:
        tol = float(spec["tolerance"])
        low, high, basis = value - tol, value + tol, f"+/- {tol:g} (tolerance, design choice)"
    elif ci is not None:
        low, high, basis = float(ci[0]) * scale, float(ci[1]) * scale, "published 95 % CI"
    elif "binomial_n" in spec:
        n = int(evidence(str(spec["binomial_n"])).value)
        low, high = wilson_interval(value, n)
        basis = f"Wilson 95 % interval of {round(value * n)}/{n} [D]"
    else:
        raise ParameterError(f"{where}", ev_key, "an evidence key with ci95, or a tolerance")
    if kind == "odds_ratio":  # the cohort as given (arm a) against a control arm b
        control = spec.get("b")
        if not isinstance(control, Mapping) or not control or spec.get("month") is None:
            raise ParameterError(f"{where}.b", control,
                                 "the control arm as a change of the cohort, e.g. {regimen: []},"
                                 " and a month")
        # `trial`: the published trials' design (course, follow-up, who was admitted) as a
        # change of the cohort made in both arms; arm b then changes it further
        trial = spec.get("trial") or {}
        if not isinstance(trial, Mapping):
            raise ParameterError(f"{where}.trial", trial,
                                 "a change of the cohort made in both arms, e.g. "
                                 "{follow_up_months: 10}")
        common["variant_a"] = dict(trial)
        common["variant_b"] = {**trial, **control}
    return Target(**common, value=value, low=low, high=high, source=ev_key,
                  citations=tuple(ev.source), interval_basis=basis)


def _citations(spec: Mapping[str, Any], where: str) -> tuple[str, ...]:
    if spec.get("evidence"):
        return tuple(evidence(str(spec["evidence"])).source)
    cites = spec.get("citations")
    if not isinstance(cites, list) or not cites:
        raise ParameterError(f"{where}.citations", cites, "an evidence key or citation keys")
    return tuple(str(c) for c in cites)


@cache
def targets() -> Mapping[str, Target]:
    """All calibration targets, keyed by name, in file order."""
    text = resources.files("androcast.calibrate").joinpath("data/targets.yaml").read_text("utf-8")
    raw = load_data(text)
    return {str(k): parse_target(str(k), v) for k, v in raw.items()}


def select_targets(keys: list[str] | None = None, *, fit_only: bool = False) -> list[Target]:
    """Targets by name (all when ``keys`` is empty), optionally only those fitted."""
    table = targets()
    if keys:
        unknown = [k for k in keys if k not in table]
        if unknown:
            raise UnknownCodeError("target", unknown[0], "one of " + ", ".join(table))
        chosen = [table[k] for k in keys]
    else:
        chosen = list(table.values())
    return [t for t in chosen if t.fit or not fit_only]
