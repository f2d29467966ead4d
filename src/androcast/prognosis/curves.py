"""Weighted recovery curves of a twin's men: probability, Monte Carlo error, median time.

The probability by month m is the posterior-weighted share of men whose outcome has been
met by then. Its Monte Carlo standard error (``mc_se``) comes from the independent SMC
runs (islands) the twin pools: the spread of their own estimates, over sqrt(k), says how
far a run of this size lands from the converged value, correlation between one run's men
included (resampling and moves leave copies and near-copies; a bootstrap of the pooled
men would treat them as independent and understate it). It is never taken below the
error of that many independent weighted men (the importance-sampling variance
sum w_i^2 (x_i - p)^2), which is all a single run can give. The 90 % interval is
p +/- t x mc_se (Student's t with k - 1 degrees of freedom, the normal quantile for one
run), kept within [0, 1].
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.stats import norm, t

from androcast.population.survival import crossing_time

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class Curve:
    """Cumulative probability of the outcome by each month, with its error and interval."""

    months: tuple[float, ...]
    probability: tuple[float, ...]
    interval_90: tuple[tuple[float, float], ...]
    median_months: float | None  # None: not reached within the follow-up
    mc_se: tuple[float, ...] = ()  # Monte Carlo standard error of each month's probability


def weighted_curve(
    event_months: FloatArray,
    weights: FloatArray,
    months: tuple[float, ...],
    grid_months: FloatArray,
    islands: IntArray | None = None,
) -> Curve:
    """Curve of men with event times ``event_months`` (NaN = not by the end), weights and
    independent runs ``islands`` (each man's; None: one run)."""
    w = weights / weights.sum()
    met = (np.nan_to_num(event_months, nan=np.inf)[None, :]
           <= np.asarray(months)[:, None]).astype(float)
    probability = met @ w
    se = monte_carlo_se(met, w, islands)
    low, high = interval_90(probability, se, islands)
    on_grid = (np.nan_to_num(event_months, nan=np.inf)[None, :]
               <= grid_months[:, None]).astype(float) @ w
    return Curve(
        months=months,
        probability=tuple(round(float(p), 4) for p in probability),
        interval_90=tuple((round(float(a), 4), round(float(b), 4)) for a, b in zip(low, high,
                                                                                 strict=True)),
        median_months=_median(grid_months, on_grid),
        mc_se=tuple(round(float(s), 4) for s in se),
    )


def interval_90(probability: FloatArray, se: FloatArray,
                islands: IntArray | None) -> tuple[FloatArray, FloatArray]:
    """p +/- t x mc_se (Student's t with runs - 1 degrees of freedom; normal for one run),
    kept within [0, 1]."""
    k = 1 if islands is None else int(np.unique(islands).size)
    quantile = float(t.ppf(0.95, k - 1)) if k > 1 else float(norm.ppf(0.95))
    return (np.clip(probability - quantile * se, 0.0, 1.0),
            np.clip(probability + quantile * se, 0.0, 1.0))


def monte_carlo_se(values: FloatArray, w: FloatArray, islands: IntArray | None) -> FloatArray:
    """Monte Carlo standard error of ``values @ w`` (values: (k, N); w sums to 1), see the
    module doc: between independent runs, at least that of independent weighted men."""
    mean = values @ w
    within = np.sqrt(((values - mean[:, None]) ** 2) @ (w**2))
    if islands is None:
        return np.asarray(within)
    labels = np.unique(islands)
    if labels.size < 2:
        return np.asarray(within)
    per_run = np.array([values[:, islands == j] @ (w[islands == j] / w[islands == j].sum())
                        for j in labels])  # (runs, k)
    between = per_run.std(axis=0, ddof=1) / math.sqrt(labels.size)
    return np.asarray(np.maximum(between, within))


def _median(grid: FloatArray, cumulative: FloatArray) -> float | None:
    """The one median of a sampled cumulative curve (``population.survival.crossing_time``)."""
    t_m = crossing_time(grid, cumulative)
    return round(t_m, 2) if t_m is not None and math.isfinite(t_m) else None
