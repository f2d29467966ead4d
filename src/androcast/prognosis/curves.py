"""Weighted recovery curves of a twin's men: probability, Monte Carlo error, median time.

The probability by month m is the posterior-weighted share of men whose outcome has been
met by then, pooled over the twin's independent SMC runs (islands) with their weights.

Its Monte Carlo standard error (``mc_se``) is that of a random-effects pooling of the
islands (DerSimonian & Laird 1986's moment estimator). Within island j, men descended from
one man of the first prior draw (his lineage) are correlated however the moves spread
them, and lineages are nearly independent: the variance of the island's estimate is the
cluster-robust (batch-means) V_j = G / (G - 1) x sum over lineages of (sum of w_i (x_i -
p_j))^2 (Chan & Lai 2013's estimator of an SMC estimate's variance; Lee & Whiteley 2018;
consistent for adaptive SMC samplers, Du & Guyader 2021). Its degrees of freedom: Kish's
effective number of lineages by weight, less one. An island stuck where its lineages agree
(one mode of several) reports a small V_j, so the islands' own spread s^2 is the check:
what it shows beyond their lineages, tau^2 = max(0, s^2 - mean V_j), is added, and
mc_se^2 = (mean V_j + tau^2) / k. The 90 % interval is p +/- t x mc_se, with
Welch-Satterthwaite's degrees of freedom of that sum (the lineages' sum of df for the first
part, k - 1 for tau^2; two islands alone give one, an interval of +/- 6.3 mc_se), kept
within [0, 1]. Without lineages each man is his own (the islands' spread alone for several
islands, independent weighted men for one; the normal quantile then). mc_se is never taken
below the error of independent weighted men, sum w_i^2 (x_i - p)^2. A bootstrap of the
pooled men would treat them all as independent and understate the error.
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
    error = monte_carlo_error(met, w, islands, lineages)
    low, high = interval_90(probability, error)
    on_grid = (np.nan_to_num(event_months, nan=np.inf)[None, :]
               <= grid_months[:, None]).astype(float) @ w
    return Curve(
        months=months,
        probability=tuple(round(float(p), 4) for p in probability),
        interval_90=tuple((round(float(a), 4), round(float(b), 4)) for a, b in zip(low, high,
                                                                                 strict=True)),
        median_months=_median(grid_months, on_grid),
        mc_se=tuple(round(float(s), 4) for s in error.se),
    )


@dataclass(frozen=True)
class MonteCarloError:
    """Standard error of each row's weighted mean and its degrees of freedom (module doc)."""

    se: FloatArray
    df: FloatArray | None  # None: the normal quantile (independent men)

    def quantile_90(self) -> FloatArray:
        """The two-sided 90 % quantile of each row (Student's t with at least one degree
        of freedom, or the normal)."""
        if self.df is None:
            return np.full(self.se.shape, float(norm.ppf(0.95)))
        return np.asarray(t.ppf(0.95, np.maximum(self.df, 1.0)))


def lineage_variance(values: FloatArray, w: FloatArray,
                     lineages: IntArray) -> tuple[FloatArray, float]:
    """Cluster-robust variance of each row's ``values @ w`` over ``lineages`` (w sums to 1),
    and its degrees of freedom, Kish's effective number of lineages less one (module doc)."""
    labels = np.unique(lineages, return_inverse=True)[1].ravel()
    g = int(labels.max()) + 1
    if g < 2:
        return np.zeros(values.shape[0]), 0.0
    deviation = (values - (values @ w)[:, None]) * w
    sums = np.stack([np.bincount(labels, weights=row, minlength=g) for row in deviation])
    weight = np.bincount(labels, weights=w, minlength=g)
    return g / (g - 1) * np.sum(sums**2, axis=1), float(1.0 / np.sum(weight**2) - 1.0)


def monte_carlo_error(values: FloatArray, w: FloatArray, islands: IntArray | None = None,
                      lineages: IntArray | None = None) -> MonteCarloError:
    """Monte Carlo error of each row of ``values @ w`` (values: (k, N); w sums to 1) from
    each man's island and lineage (None: one island; each man his own lineage): see the
    module doc."""
    mean = values @ w
    within = np.sqrt(((values - mean[:, None]) ** 2) @ (w**2))
    island = np.zeros(w.size, dtype=np.int64) if islands is None else islands
    runs = np.unique(island)
    k = runs.size
    if lineages is None and k < 2:
        return MonteCarloError(np.asarray(within), None)
    per_run, variance, df_lineages = [], [], 0.0
    for j in runs:
        mine = island == j
        share = w[mine] / w[mine].sum()
        per_run.append(values[:, mine] @ share)
        if lineages is None:
            variance.append(np.zeros(values.shape[0]))
        else:
            v, df_run = lineage_variance(values[:, mine], share, lineages[mine])
            variance.append(v)
            df_lineages += df_run
    mean_v = np.mean(variance, axis=0)
    spread = np.var(per_run, axis=0, ddof=1) if k > 1 else np.zeros(values.shape[0])
    a = mean_v / k  # the lineages' part
    b = np.maximum(spread - mean_v, 0.0) / k  # what the islands show beyond it (tau^2 / k)
    with np.errstate(divide="ignore", invalid="ignore"):
        df = (a + b) ** 2 / (np.where(a > 0, a**2 / max(df_lineages, 1e-12), 0.0)
                             + np.where(b > 0, b**2 / max(k - 1, 1), 0.0))
    df = np.where(np.isfinite(df), df, max(df_lineages, k - 1.0, 1.0))
    return MonteCarloError(np.asarray(np.maximum(np.sqrt(a + b), within)), np.asarray(df))


def interval_90(probability: FloatArray, error: MonteCarloError) -> tuple[FloatArray, FloatArray]:
    """p +/- t x mc_se (module doc), kept within [0, 1]."""
    half = error.quantile_90() * error.se
    return np.clip(probability - half, 0.0, 1.0), np.clip(probability + half, 0.0, 1.0)


def _median(grid: FloatArray, cumulative: FloatArray) -> float | None:
    """The one median of a sampled cumulative curve (``population.survival.crossing_time``)."""
    t_m = crossing_time(grid, cumulative)
    return round(t_m, 2) if t_m is not None and math.isfinite(t_m) else None
