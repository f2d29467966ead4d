"""The forecast band: where his results should fall on the adopted protocol, day by day.

Each of his posterior's virtual men is run through his androgen history and then the
protocol from the plan start (one call of the batch engine for all men); the weighted
5th, 50th and 95th percentiles of the men's values at each week form the band of every
observable the twin predicts (``androcast.twin.error_models``). The band is of the model's
values, without measurement error: the alert rules add that when they judge a result
(``outside_band_sd``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from androcast.labs import analyte
from androcast.population.outcomes import ROUTINE_COUNT_LIMIT_M_PER_ML
from androcast.prognosis import Protocol
from androcast.regimens import Regimen
from androcast.twin import Posterior, error_models, simulate_regimens

FloatArray = NDArray[np.float64]

#: The plan is simulated as given for this long (beyond any band or follow-up visit).
PLAN_COURSE_D = 5 * 365.25
QUANTILES = (0.05, 0.50, 0.95)
SPERM_UNIT = "10*6/mL"  # UCUM: millions per millilitre
_SIGNIFICANT = 5  # digits kept in the payload (the band is a forecast, not a measurement)
#: The band's grid step. Daily: an every-other-day hCG cycle sampled weekly aliases into a
#: two-week zigzag that reads as a real oscillation; sampled daily it shows the 2-day cycle.
GRID_DAYS = 1


@dataclass(frozen=True)
class ObservableBand:
    unit: str  # UCUM
    p05: tuple[float, ...]
    p50: tuple[float, ...]
    p95: tuple[float, ...]


@dataclass(frozen=True)
class Band:
    """The band of each observable on a daily date grid from the plan start."""

    protocol: str
    plan_start: dt.date
    as_of: dt.date
    n_virtual: int
    ess: float
    dates: tuple[dt.date, ...]
    bands: Mapping[str, ObservableBand]
    citations: tuple[str, ...]
    low_confidence: bool
    warnings: tuple[str, ...]

    def at(self, observable: str, date: dt.date) -> tuple[float, float, float] | None:
        """(p05, p50, p95) on ``date``, log-linear between grid days; None off the grid."""
        band = self.bands.get(observable)
        if band is None or not self.dates[0] <= date <= self.dates[-1]:
            return None
        days = np.array([(d - self.plan_start).days for d in self.dates], dtype=float)
        x = float((date - self.plan_start).days)
        out = []
        for series in (band.p05, band.p50, band.p95):
            logs = np.log(np.maximum(np.asarray(series), _floor(observable)))
            out.append(float(np.exp(np.interp(x, days, logs))))
        return out[0], out[1], out[2]

    def width(self, observable: str, date: dt.date) -> float | None:
        """p95 / p05 on ``date``: how many-fold the band spans (None off the grid)."""
        values = self.at(observable, date)
        return None if values is None else values[2] / values[0]

    def to_dict(self) -> dict[str, Any]:
        return {
            "protocol": self.protocol,
            "plan_start": self.plan_start.isoformat(),
            "as_of": self.as_of.isoformat(),
            "n_virtual": self.n_virtual,
            "ess": round(self.ess, 1),
            "dates": [d.isoformat() for d in self.dates],
            "bands": {name: {"unit": b.unit, "p05": list(b.p05), "p50": list(b.p50),
                             "p95": list(b.p95)} for name, b in self.bands.items()},
            "citations": list(self.citations),
            "low_confidence": self.low_confidence,
            "warnings": list(self.warnings),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Band:
        return cls(
            protocol=str(data["protocol"]),
            plan_start=dt.date.fromisoformat(data["plan_start"]),
            as_of=dt.date.fromisoformat(data["as_of"]),
            n_virtual=int(data["n_virtual"]),
            ess=float(data["ess"]),
            dates=tuple(dt.date.fromisoformat(d) for d in data["dates"]),
            bands={name: ObservableBand(str(b["unit"]), tuple(b["p05"]), tuple(b["p50"]),
                                        tuple(b["p95"])) for name, b in data["bands"].items()},
            citations=tuple(data["citations"]),
            low_confidence=bool(data["low_confidence"]),
            warnings=tuple(data["warnings"]),
        )


def _floor(observable: str) -> float:
    """Below this the log scale stops: a routine count's limit, else a tiny positive."""
    return ROUTINE_COUNT_LIMIT_M_PER_ML if observable == "sperm_concentration" else 1e-6


def unit_of(observable: str) -> str:
    """The model unit of an observable (UCUM), which is the lab layer's canonical unit."""
    return SPERM_UNIT if observable == "sperm_concentration" else analyte(observable).canonical_unit


def plan_regimen(protocol: Protocol, start_d: float) -> Regimen:
    """The protocol given from model day ``start_d`` (for ``PLAN_COURSE_D``)."""
    return protocol.regimen_from(start_d, PLAN_COURSE_D)


def weighted_quantiles(values: FloatArray, weights: FloatArray,
                       quantiles: Sequence[float]) -> FloatArray:
    """Quantiles of each row of ``values`` (T, N) with weights (N,): shape (len(q), T).

    The inverse of the weighted empirical CDF: the smallest value whose men carry at least
    the fraction q of the weight, so a man who carries all of it is the whole band.
    """
    w = np.asarray(weights, dtype=float) / float(np.sum(weights))
    q = np.asarray(quantiles, dtype=float)
    out = np.empty((q.size, values.shape[0]))
    for t, row in enumerate(values):
        order = np.argsort(row)
        cdf = np.cumsum(w[order])
        picks = np.minimum(np.searchsorted(cdf, q - 1e-12), row.size - 1)
        out[:, t] = row[order][picks]
    return out


def _round(x: float) -> float:
    if x == 0 or not math.isfinite(x):
        return x
    return round(x, _SIGNIFICANT - 1 - math.floor(math.log10(abs(x))))


def forecast_band(
    posterior: Posterior,
    protocol: Protocol,
    plan_start: dt.date,
    *,
    as_of: dt.date,
    horizon_weeks: int = 52,
    warnings: Sequence[str] = (),
) -> Band:
    """The band of his posterior on the protocol; ``posterior.history`` holds the plan."""
    start_d = float((plan_start - posterior.t0).days)
    days = np.arange(0, 7 * horizon_weeks + 1, GRID_DAYS, dtype=float)
    grid = start_d + days
    names = sorted(error_models())
    values = simulate_regimens(posterior.parameters(), [posterior.history] * posterior.n, grid,
                               names)
    bands = {}
    for name in names:
        q = weighted_quantiles(np.asarray(values[name]), posterior.weights_, QUANTILES)
        p05, p50, p95 = (tuple(_round(float(v)) for v in row) for row in q)
        bands[name] = ObservableBand(unit_of(name), p05, p50, p95)
    citations = sorted({*posterior.cohort.sources, *protocol.citations})
    return Band(
        protocol=protocol.id,
        plan_start=plan_start,
        as_of=as_of,
        n_virtual=posterior.n,
        ess=posterior.ess_,
        dates=tuple(plan_start + dt.timedelta(days=int(d)) for d in days),
        bands=bands,
        citations=tuple(citations),
        low_confidence=posterior.low_confidence,
        warnings=(*posterior.notices, *warnings),
    )
