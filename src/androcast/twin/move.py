"""The move of resample-move: Metropolis-Hastings steps that make resampled men distinct.

After resampling, a posterior of few effective men holds copies of the same few men, and
a later result cannot tell copies apart. Each sweep here proposes for every man a new
value and accepts it with the Metropolis-Hastings probability of prior x likelihood of
every result used so far (Gilks & Berzuini 2001, resample-move), so each man stays a draw
from the posterior and the copies spread over it. A man is a point of two parts: his
log-factors (the twin prior's) and his stream of the calibrated population's own
variability (a stream index; the fit's k_rg spread, cv 1.56, is wider than the twin's).
Each sweep gives every man, at random, one of three proposals:

- a Gaussian random-walk step on his log-factors;
- a draw from the prior (an independence proposal, so its acceptance is the likelihood
  ratio) of a fresh population stream and of the log-factors his results barely inform
  (those whose spread in the cloud is still at least LOOSE of their prior sd), plus one
  log-factor at random: it spreads the factors his results say nothing of (the pace of his
  reserve, k_rg and k_dg, which decide his forecast), which the random walk, scaled by the
  cloud's narrowing spread, left near the values of the few men that survived resampling;
  his results rarely tell streams or those factors apart, so most such draws are accepted;
- all his log-factors drawn at once from a Gaussian fitted to the cloud, its covariance
  inflated (an independence proposal fitted to the particles: South, Pettitt & Drovandi
  2019, SMC samplers with independent MCMC proposals): one accepted draw makes him a man
  unrelated to where he stood, the jump a random walk needs many sweeps for.

A mixture of kernels that each keep the posterior keeps it too.
A sweep simulates every man once (the caller's ``log_likelihood``, one batch). The step of
each parameter is scaled by the posterior spread: first the weighted spread of the men
before resampling, then the spread of the moved men after each sweep, kept between a
tenth of the prior sd (few heavy men have nearly no spread)
and the prior sd; a common factor is tuned between sweeps toward the acceptance rate
0.234 of random-walk samplers (Roberts, Gelman & Gilks 1997). The scales are learnt from
all men together, as adaptive SMC samplers do (Jasra et al. 2011).

How many sweeps: at least ``min_sweeps``, then until the men have left where they
started: nearly every man has moved at least once (the rule of Drovandi & Pettitt 2011:
enough sweeps that a man stays put with small probability) and the log-factors of the cloud
are on average no longer correlated with their values at the start beyond DECORRELATION
(or what chance leaves among N men); at most ``sweeps``. ``Moved.mixed`` says whether the
cloud forgot its start by then (the convergence diagnostic: a man who stays put on a sharp
peak of his posterior is no failure, a cloud that still remembers its copies is).
The prior is truncated at its guard (``prior.GUARD_SD``) or its own upper bound
(``GaussianPrior.bounds``): a step beyond is rejected without simulating that man.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from androcast.errors import SimulationError
from androcast.twin.prior import GaussianPrior

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: Target acceptance of a random-walk Metropolis sampler (Roberts, Gelman & Gilks 1997).
TARGET_ACCEPTANCE = 0.234
#: Shares of the proposals (flag G; bench/prognosis_seeds.py measures them): a random-walk
#: step, a prior draw of a stream and the loosely informed log-factors, every log-factor
#: drawn from the Gaussian fitted to the cloud.
KERNEL_SHARES = (0.3, 0.35, 0.35)
WALK, PRIOR_DRAW, FITTED = range(3)
#: A log-factor whose spread in the cloud is at least this share of its prior sd is
#: redrawn from its prior by every prior draw (flag G).
LOOSE = 0.7
#: Smallest step of a parameter, as a share of its prior sd.
STEP_FLOOR = 0.1
#: Variance inflation of the fitted independence proposal (flag G: wider than the cloud,
#: so its tails cover the posterior's; South et al. 2019 use a similar mixture inflation).
FITTED_INFLATION = 2.0
#: Share of men that may not have moved once when the sweeps stop (Drovandi & Pettitt
#: 2011 take 1 %; flag G: 5 %, each sweep costs a simulation of every man).
STILL_SHARE = 0.05
#: Largest mean |correlation| of the log-factors with their values at the start of the
#: sweeps when they stop (flag G), or 2 / sqrt(N) where N men cannot resolve less.
DECORRELATION = 0.2


@dataclass(frozen=True)
class Moved:
    """The men after the sweeps, and which sweep simulated each man's current values."""

    theta: FloatArray  # (N, d)
    log_likelihood: FloatArray  # (N,)
    index: IntArray  # (N,): the stream of each man's population variability
    origin: IntArray  # (N,): sweep (1, 2, ...) that simulated him, 0 = not moved
    acceptance: tuple[float, ...]  # share of random-walk men accepted, per sweep
    mixed: bool = True  # the cloud forgot its start (DECORRELATION) by the last sweep
    still: float = 0.0  # share of men never moved
    correlation: float = 0.0  # mean |correlation| of the log-factors with their start


def random_walk_moves(
    prior: GaussianPrior,
    theta: FloatArray,
    index: IntArray,
    log_lik: FloatArray,
    log_likelihood: Callable[[FloatArray, IntArray, int], FloatArray],
    fresh_index: Callable[[int], IntArray],
    spread: FloatArray,
    rng: np.random.Generator,
    *,
    sweeps: int,
    min_sweeps: int | None = None,
) -> Moved:
    """Metropolis-Hastings sweeps over every man (see module doc): ``min_sweeps`` (default
    ``sweeps``), then more until the men have mixed, at most ``sweeps``.

    ``log_likelihood(theta, index, sweep)`` simulates the men of a sweep and scores every
    result used so far; ``log_lik`` is that score of the starting men; ``fresh_index(sweep)``
    gives N population streams never used before; ``spread`` (d,) the posterior sd of each
    log-factor the first steps are scaled by.
    """
    n, d = theta.shape
    low, high = prior.bounds
    factor = 2.38 / math.sqrt(d)  # optimal scale for a Gaussian target (Roberts et al. 1997)
    log_post = prior.logpdf(theta) + log_lik
    origin = np.zeros(n, dtype=np.int64)
    acceptance: list[float] = []
    start, start_index = theta, index
    moved_once = np.zeros(n, dtype=bool)
    least = sweeps if min_sweeps is None else min(min_sweeps, sweeps)
    still, correlation, mixed = 1.0, 1.0, False
    for sweep in range(1, sweeps + 1):
        step_sd = np.clip(spread, STEP_FLOOR * prior.sd, prior.sd)
        kernel: IntArray = np.asarray(rng.choice(len(KERNEL_SHARES), size=n, p=KERNEL_SHARES))
        walk: NDArray[np.bool_] = np.asarray(kernel == WALK)
        step = factor * step_sd * rng.standard_normal((n, d))
        proposal = np.where(walk[:, None], theta + step, theta)
        drawn: NDArray[np.bool_] = np.asarray(kernel == PRIOR_DRAW)
        proposed_index = np.where(drawn, fresh_index(sweep), index)
        redraw = np.asarray(np.std(theta, axis=0) >= LOOSE * prior.sd)[None, :] \
            | (np.arange(d)[None, :] == np.asarray(rng.integers(d, size=n))[:, None])
        redraw &= drawn[:, None]
        from_prior = prior.mean + prior.sd * rng.standard_normal((n, d))
        proposal = np.where(redraw, from_prior, proposal)
        fitted: NDArray[np.bool_] = np.asarray(kernel == FITTED)
        proposal_q = _FittedGaussian.of(theta, prior)
        rows = np.flatnonzero(fitted)
        proposal[rows] = proposal_q.draw(rows.size, rng)
        inside = np.all((proposal >= low) & (proposal <= high), axis=1)
        # a man stepping past the guard is simulated where he stands (and rejected)
        proposal = np.where(inside[:, None], proposal, theta)
        proposed_lik, proposal, proposed_index, inside = _simulated(
            log_likelihood, sweep, theta, index, proposal, proposed_index, inside, walk)
        proposed_post = prior.logpdf(proposal) + proposed_lik
        # a factor drawn from its prior is accepted by the likelihood ratio (the prior
        # cancels against the proposal); the fitted draw by the posterior ratio over the
        # proposal's density ratio; the random walk by the posterior ratio
        log_ratio = np.where(drawn, proposed_lik - log_lik, proposed_post - log_post)
        if rows.size:
            log_ratio = np.where(fitted, log_ratio - proposal_q.logpdf(proposal)
                                 + proposal_q.logpdf(theta), log_ratio)
        log_u = np.log(rng.random(n))
        accept = inside & np.isfinite(proposed_post) & (log_u < log_ratio)
        theta = np.where(accept[:, None], proposal, theta)
        index = np.where(accept, proposed_index, index)
        log_lik = np.where(accept, proposed_lik, log_lik)
        log_post = np.where(accept, proposed_post, log_post)
        origin = np.where(accept, sweep, origin)
        moved_once |= accept & (np.any(theta != start, axis=1) | (index != start_index))
        rate = float(np.mean(accept[walk])) if walk.any() else TARGET_ACCEPTANCE
        acceptance.append(rate)
        factor *= math.exp(2.0 * (rate - TARGET_ACCEPTANCE)) if rate > 0 else 0.5
        spread = np.asarray(np.std(theta, axis=0))
        still = float(1.0 - np.mean(moved_once))
        correlation = mean_correlation(start, theta)
        mixed = correlation <= max(DECORRELATION, 2.0 / math.sqrt(n))
        if sweep >= least and mixed and still <= STILL_SHARE:
            break
    return Moved(theta=theta, index=index, log_likelihood=log_lik, origin=origin,
                 acceptance=tuple(acceptance), mixed=mixed, still=still,
                 correlation=correlation)


def _simulated(
    log_likelihood: Callable[[FloatArray, IntArray, int], FloatArray], sweep: int,
    theta: FloatArray, index: IntArray, proposal: FloatArray, proposed_index: IntArray,
    inside: NDArray[np.bool_], walk: NDArray[np.bool_],
) -> tuple[FloatArray, FloatArray, IntArray, NDArray[np.bool_]]:
    """The proposals' log-likelihoods, and the proposals as simulated.

    The independence proposals can combine values into a man without a drug-free steady
    state, and the engine then fails the whole batch. The sweep is then simulated again
    with those proposals withdrawn (the men stay where they stand, rejected), and if it
    still fails with every proposal withdrawn. A rejection that does not depend on a man's
    own proposal, or only rejects a man outside the model's domain (zero likelihood), keeps
    the posterior.
    """
    for keep in (None, walk, np.zeros_like(walk)):
        if keep is not None:
            proposal = np.where(keep[:, None], proposal, theta)
            proposed_index = np.where(keep, proposed_index, index)
            inside = inside & keep
        try:
            return log_likelihood(proposal, proposed_index, sweep), proposal, proposed_index, \
                inside
        except SimulationError:
            if keep is not None and not keep.any():
                raise
    raise AssertionError("unreachable")  # the last attempt returns or raises


def mean_correlation(start: FloatArray, now: FloatArray) -> float:
    """Mean |Pearson correlation| over log-factors between the men's values at the start
    and now (a log-factor that does not vary at the start or now counts as uncorrelated)."""
    a, b = start - start.mean(axis=0), now - now.mean(axis=0)
    norm = np.sqrt(np.sum(a**2, axis=0) * np.sum(b**2, axis=0))
    varies = norm > 0
    corr = np.zeros(start.shape[1])
    corr[varies] = np.sum(a * b, axis=0)[varies] / norm[varies]
    return float(np.mean(np.abs(corr)))


@dataclass(frozen=True)
class _FittedGaussian:
    """N(mean, FITTED_INFLATION x cov) of the men (each variance at least the step floor's)."""

    mean: FloatArray
    chol: FloatArray  # lower Cholesky factor of the covariance
    log_norm: float

    @classmethod
    def of(cls, theta: FloatArray, prior: GaussianPrior) -> _FittedGaussian:
        d = theta.shape[1]
        cov = np.cov(theta, rowvar=False).reshape(d, d) if theta.shape[0] > 1 \
            else np.zeros((d, d))
        cov = FITTED_INFLATION * (cov + np.diag((STEP_FLOOR * prior.sd) ** 2))
        chol = np.asarray(np.linalg.cholesky(cov), dtype=np.float64)
        log_norm = -float(np.sum(np.log(np.diag(chol)))) - 0.5 * d * math.log(2 * math.pi)
        return cls(np.asarray(theta.mean(axis=0), dtype=np.float64), chol, log_norm)

    def draw(self, k: int, rng: np.random.Generator) -> FloatArray:
        return np.asarray(self.mean + rng.standard_normal((k, self.mean.size)) @ self.chol.T)

    def logpdf(self, x: FloatArray) -> FloatArray:
        z = np.linalg.solve(self.chol, (x - self.mean).T)
        return np.asarray(self.log_norm - 0.5 * np.sum(z**2, axis=0))
