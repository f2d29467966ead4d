"""Weighted recovery curves of a twin's men: probability, Monte Carlo error, median time.

The probability by month m is the posterior-weighted share of men whose outcome has been
met by then. Its Monte Carlo standard error (``mc_se``) treats the men as clusters of
correlated men, independent between clusters: a cluster-robust (batch-means) variance,
G / (G - 1) x sum over clusters of (sum of w_i (x_i - p) over its men)^2. The clusters are
the men's lineages where known: the men of the twin's first prior draw each man descends
from through every resampling (Chan & Lai 2013's estimator of an SMC estimate's variance;
Lee & Whiteley 2018; consistent for adaptive SMC samplers, Du & Guyader 2021). Men of one
lineage are correlated however the moves spread them, so their deviations are summed
before squaring; lineages never cross the twin's independent SMC runs (islands), so the
spread between islands is counted too. Without lineages the islands are the clusters, and
the estimator is the spread of the islands' own estimates over sqrt(k). A bootstrap of the
pooled men would treat them all as independent and understate the error. Two islands
alone give one degree of freedom (a 90 % t interval of +/- 6.3 mc_se, and an mc_se that is
near 0 a fifth of the time); their twelve to twenty lineages give more. It is never taken
below the error of independent weighted men (sum w_i^2 (x_i - p)^2), all that a run without
clusters can give. The 90 % interval is p +/- t x mc_se, Student's t with the effective
number of clusters less one degrees of freedom (Kish's 1 / sum c_g^2 of the clusters'
weights c_g: G for equal clusters), the normal quantile without clusters; kept within
[0, 1].
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
    lineages: IntArray | None = None,
) -> Curve:
    """Curve of men with event times ``event_months`` (NaN = not by the end), weights,
    independent runs ``islands`` and ``lineages`` (each man's; None: one run, not known)."""
    w = weights / weights.sum()
    met = (np.nan_to_num(event_months, nan=np.inf)[None, :]
           <= np.asarray(months)[:, None]).astype(float)
    probability = met @ w
    clusters = error_clusters(islands, lineages)
    se = monte_carlo_se(met, w, clusters)
    low, high = interval_90(probability, se, w, clusters)
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


def error_clusters(islands: IntArray | None, lineages: IntArray | None) -> IntArray | None:
    """The clusters of the Monte Carlo error (module doc): each man's lineage within his
    island where known, else his island (None: one run, each man his own cluster)."""
    if lineages is not None:
        runs = np.zeros_like(lineages) if islands is None else islands
        _, labels = np.unique(np.column_stack([runs, lineages]), axis=0, return_inverse=True)
        return np.asarray(labels.ravel(), dtype=np.int64)
    return islands


def degrees_of_freedom(w: FloatArray, clusters: IntArray | None) -> float | None:
    """Kish's effective number of clusters by their weight, less one (None: no clusters,
    or one)."""
    if clusters is None:
        return None
    weight = np.bincount(np.unique(clusters, return_inverse=True)[1].ravel(), weights=w)
    effective = float(np.sum(weight) ** 2 / np.sum(weight**2))
    return effective - 1.0 if np.unique(clusters).size > 1 else None


def interval_90(probability: FloatArray, se: FloatArray, w: FloatArray,
                clusters: IntArray | None) -> tuple[FloatArray, FloatArray]:
    """p +/- t x mc_se (Student's t with ``degrees_of_freedom``; normal without clusters),
    kept within [0, 1]."""
    df = degrees_of_freedom(w / w.sum(), clusters)
    quantile = float(t.ppf(0.95, df)) if df is not None else float(norm.ppf(0.95))
    return (np.clip(probability - quantile * se, 0.0, 1.0),
            np.clip(probability + quantile * se, 0.0, 1.0))


def monte_carlo_se(values: FloatArray, w: FloatArray, clusters: IntArray | None) -> FloatArray:
    """Monte Carlo standard error of ``values @ w`` (values: (k, N); w sums to 1), see the
    module doc: cluster-robust over ``clusters`` (each man's), at least that of
    independent weighted men."""
    mean = values @ w
    deviation = (values - mean[:, None]) * w
    within = np.sqrt(np.sum(deviation**2, axis=1))
    if clusters is None:
        return np.asarray(within)
    labels = np.unique(clusters, return_inverse=True)[1].ravel()
    g = int(labels.max()) + 1
    if g < 2:
        return np.asarray(within)
    sums = np.stack([np.bincount(labels, weights=row, minlength=g) for row in deviation])
    between = np.sqrt(g / (g - 1) * np.sum(sums**2, axis=1))
    return np.asarray(np.maximum(between, within))


def _median(grid: FloatArray, cumulative: FloatArray) -> float | None:
    """The one median of a sampled cumulative curve (``population.survival.crossing_time``)."""
    t_m = crossing_time(grid, cumulative)
    return round(t_m, 2) if t_m is not None and math.isfinite(t_m) else None
