"""Covariate and variability distributions, each drawn from one uniform number by inverse CDF.

Every draw consumes exactly one uniform, so a virtual patient's values depend only on his
own random stream and on the cohort file, never on how patients are chunked or scheduled.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.special import ndtr, ndtri

from androcast.errors import ParameterError, UnknownCodeError

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Fixed:
    value: float

    def quantile(self, u: FloatArray) -> FloatArray:
        return np.full_like(u, self.value)

    def cdf(self, x: float) -> float:
        return 0.0 if x < self.value else 1.0


@dataclass(frozen=True)
class Normal:
    mean: float
    sd: float

    def quantile(self, u: FloatArray) -> FloatArray:
        return np.asarray(self.mean + self.sd * ndtri(u), dtype=float)

    def cdf(self, x: float) -> float:
        return float(ndtr((x - self.mean) / self.sd))


@dataclass(frozen=True)
class LogNormal:
    """Median and coefficient of variation; sigma = sqrt(ln(1 + cv^2))."""

    median: float
    cv: float

    @property
    def sigma(self) -> float:
        return math.sqrt(math.log1p(self.cv**2))

    def quantile(self, u: FloatArray) -> FloatArray:
        return np.asarray(self.median * np.exp(self.sigma * ndtri(u)), dtype=float)

    def cdf(self, x: float) -> float:
        return 0.0 if x <= 0 else float(ndtr(math.log(x / self.median) / self.sigma))


@dataclass(frozen=True)
class Uniform:
    low: float
    high: float

    def quantile(self, u: FloatArray) -> FloatArray:
        return self.low + (self.high - self.low) * u

    def cdf(self, x: float) -> float:
        return min(max((x - self.low) / (self.high - self.low), 0.0), 1.0)


Continuous = Fixed | Normal | LogNormal | Uniform


@dataclass(frozen=True)
class Truncated:
    """A continuous distribution restricted to [low, high] (inverse CDF on the cut range)."""

    base: Normal | LogNormal | Uniform
    low: float
    high: float

    def quantile(self, u: FloatArray) -> FloatArray:
        f_low, f_high = self.base.cdf(self.low), self.base.cdf(self.high)
        x = self.base.quantile(f_low + (f_high - f_low) * u)
        return np.clip(x, self.low, self.high)


@dataclass(frozen=True)
class Categorical:
    """Named categories with weights (normalised); a draw returns the category's index."""

    categories: tuple[str, ...]
    weights: tuple[float, ...]

    def index(self, u: FloatArray) -> NDArray[np.int64]:
        edges = np.cumsum(self.weights) / sum(self.weights)
        return np.minimum(np.searchsorted(edges, u, side="right"), len(edges) - 1)


Distribution = Fixed | Normal | LogNormal | Uniform | Truncated | Categorical

DISTRIBUTION_FORMS = ("fixed", "normal", "lognormal", "uniform", "truncated", "categorical")


def _number(spec: Mapping[str, Any], key: str, field: str, *, positive: bool = False) -> float:
    if key not in spec:
        raise ParameterError(f"{field}.{key}", None, "a number (missing)")
    value = spec[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ParameterError(f"{field}.{key}", value, "a finite number")
    if positive and value <= 0:
        raise ParameterError(f"{field}.{key}", value, "a number > 0")
    return float(value)


def parse_distribution(spec: Any, field: str) -> Distribution:
    """A distribution from its YAML form; a bare number means ``fixed``.

    Forms: ``{distribution: normal, mean, sd}``, ``{distribution: lognormal, median, cv}``,
    ``{distribution: uniform, low, high}``, ``{distribution: truncated, of: {...}, low, high}``,
    ``{distribution: categorical, categories: {name: weight, ...}}``, ``{distribution: fixed,
    value}``. Other keys (``source``, ``note``, ``unit``) are provenance and ignored here.
    """
    if isinstance(spec, int | float) and not isinstance(spec, bool):
        return Fixed(float(spec))
    if not isinstance(spec, Mapping):
        raise ParameterError(field, spec, "a number or a mapping with 'distribution'")
    kind = spec.get("distribution")
    if kind == "fixed":
        return Fixed(_number(spec, "value", field))
    if kind == "normal":
        return Normal(_number(spec, "mean", field), _number(spec, "sd", field, positive=True))
    if kind == "lognormal":
        return LogNormal(
            _number(spec, "median", field, positive=True), _number(spec, "cv", field, positive=True)
        )
    if kind == "uniform":
        low, high = _number(spec, "low", field), _number(spec, "high", field)
        if high <= low:
            raise ParameterError(f"{field}.high", high, f"a number > low ({low:g})")
        return Uniform(low, high)
    if kind == "truncated":
        base = parse_distribution(spec.get("of"), f"{field}.of")
        if not isinstance(base, Normal | LogNormal | Uniform):
            raise ParameterError(f"{field}.of", spec.get("of"), "a normal, lognormal or uniform")
        low, high = _number(spec, "low", field), _number(spec, "high", field)
        if high <= low or base.cdf(high) - base.cdf(low) <= 1e-12:
            raise ParameterError(f"{field}.high", high, "an interval with probability > 0")
        return Truncated(base, low, high)
    if kind == "categorical":
        categories = spec.get("categories")
        if not isinstance(categories, Mapping) or not categories:
            raise ParameterError(f"{field}.categories", categories, "a mapping name: weight")
        weights = tuple(_number(categories, str(k), f"{field}.categories") for k in categories)
        if min(weights) < 0 or sum(weights) <= 0:
            raise ParameterError(f"{field}.categories", dict(categories), "weights >= 0, sum > 0")
        return Categorical(tuple(str(k) for k in categories), weights)
    raise UnknownCodeError(f"{field}.distribution", kind, "one of " + ", ".join(DISTRIBUTION_FORMS))
