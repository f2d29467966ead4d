"""Tempered adaptive importance sampling (population Monte Carlo) for the twin.

Plain importance sampling from a wide prior wastes its men when several results at once
pin a man down (ESS near 1). Each round here raises the power beta <= 1 of the likelihood as far as
keeps half of the round's effective men, fits a Gaussian to the tempered
weighted log-factors, and draws the next round from a defensive mixture of that Gaussian
(inflated) and the prior (Cappe et al. 2004, population Monte Carlo; Hesterberg 1995,
defensive mixtures). The last round's men carry weights
likelihood x prior / proposal, so the result is an ordinary importance sample of the
posterior whose ESS is reported.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.special import logsumexp
from scipy.stats import multivariate_normal

FloatArray = NDArray[np.float64]

#: Share of each proposal drawn from the prior (defensive mixture; flag G).
DEFENSIVE_SHARE = 0.15
#: Inflation of the fitted covariance (flag G): wider proposals keep tails covered.
INFLATION = 2.0
MAX_ROUNDS = 8
#: Men stay within this many prior sd (extreme men have no steady state; the mass cut
#: is below 1e-4 of the prior per parameter).
GUARD_SD = 4.0


@dataclass(frozen=True)
class GaussianPrior:
    """Independent normals over the log-factors (the twin prior in log space), truncated at
    ``GUARD_SD`` sd or, where ``high`` is finite and lower, at ``high``."""

    mean: FloatArray
    sd: FloatArray
    high: FloatArray | None = None  # (d,) upper bound of each log-factor (inf: the guard)

    @property
    def bounds(self) -> tuple[FloatArray, FloatArray]:
        low, high = self.mean - GUARD_SD * self.sd, self.mean + GUARD_SD * self.sd
        return low, high if self.high is None else np.minimum(high, self.high)

    def logpdf(self, theta: FloatArray) -> FloatArray:
        z = (theta - self.mean) / self.sd
        return np.asarray(np.sum(-0.5 * z**2 - np.log(self.sd), axis=1)
                          - 0.5 * theta.shape[1] * math.log(2 * math.pi))


@dataclass(frozen=True)
class Round:
    """The men of the last round: log-factors, log-likelihood and normalised log-weights."""

    theta: FloatArray  # (N, d)
    log_likelihood: FloatArray  # (N,)
    log_weights: FloatArray  # (N,), logsumexp = 0
    rounds: int


def ess(log_w: FloatArray) -> float:
    w = np.exp(log_w - logsumexp(log_w))
    return float(1.0 / np.sum(w**2))


def _temper(log_w0: FloatArray, log_lik: FloatArray, beta0: float, floor: float) -> float:
    """Largest beta in [beta0, 1] keeping half the ESS at beta0 (bisection), and at least
    ``floor`` (beta0 itself when even beta0 keeps less)."""
    target = max(0.5 * ess(log_w0 + beta0 * log_lik), floor)
    if ess(log_w0 + log_lik) >= target:
        return 1.0
    low, high = beta0, 1.0
    for _ in range(40):
        mid = 0.5 * (low + high)
        if ess(log_w0 + mid * log_lik) >= target:
            low = mid
        else:
            high = mid
    return low


def adaptive_importance_sample(
    prior: GaussianPrior,
    theta0: FloatArray,
    log_likelihood: Callable[[FloatArray, int], FloatArray],
    rng: np.random.Generator,
    *,
    max_rounds: int = MAX_ROUNDS,
    min_round_ess: float = 0.0,
) -> Round:
    """Rounds of tempered, adapted proposals from prior draws ``theta0`` (see module doc).

    ``log_likelihood(theta, round)`` simulates the men of a round and scores their results.
    ``min_round_ess`` > 0: a round raises beta only as far as keeps this ESS, and men drawn
    for the full likelihood whose weights keep less are fitted again while rounds remain
    (for results far out in a wide prior, whose rounds would otherwise jump to beta = 1 on
    one man and stop there; 0 keeps the plain scheme).
    """
    n, d = theta0.shape
    theta = theta0
    log_q = prior.logpdf(theta)  # proposal density of the current men
    log_lik = log_likelihood(theta, 0)
    beta = 0.0
    rounds = 0
    while rounds < max_rounds:
        log_w0 = prior.logpdf(theta) - log_q
        if beta >= 1.0 and ess(log_w0 + log_lik) >= 0.5 * n:
            break  # the men drawn for the full likelihood already fit it well
        beta = _temper(log_w0, log_lik, beta, min_round_ess)
        rounds += 1
        log_w = log_w0 + beta * log_lik
        w = np.exp(log_w - logsumexp(log_w))
        mean = w @ theta
        cov = (theta - mean).T @ ((theta - mean) * w[:, None])
        # floor: a few men cannot fix a covariance; keep a tenth of the prior sd
        cov = INFLATION * cov + 0.01 * np.diag(prior.sd**2)
        fitted = multivariate_normal(mean, cov, allow_singular=True)
        from_prior: NDArray[np.bool_] = np.asarray(rng.random(n) < DEFENSIVE_SHARE)
        theta = np.where(
            from_prior[:, None],
            prior.mean + prior.sd * rng.standard_normal((n, d)),
            rng.multivariate_normal(mean, cov, size=n, method="cholesky"),
        )
        theta = np.clip(theta, *prior.bounds)
        log_q = np.logaddexp(math.log(DEFENSIVE_SHARE) + prior.logpdf(theta),
                             math.log(1 - DEFENSIVE_SHARE) + fitted.logpdf(theta))
        log_lik = log_likelihood(theta, rounds)
        if beta >= 1.0 and (min_round_ess <= 0.0
                            or ess(prior.logpdf(theta) - log_q + log_lik) >= min_round_ess):
            break  # drawn from the fit to the full posterior: take these weights
    log_w = prior.logpdf(theta) - log_q + log_lik
    log_w = np.where(np.isfinite(log_w), log_w, -np.inf)
    if not np.any(np.isfinite(log_w)):
        log_w = np.zeros(n)
    return Round(theta, log_lik, np.asarray(log_w - logsumexp(log_w)), rounds)
