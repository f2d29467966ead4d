"""The move of resample-move: Metropolis-Hastings steps that make resampled men distinct.

After resampling, a posterior of few effective men holds copies of the same few men, and
a later result cannot tell copies apart. Each sweep here proposes for every man a new
value and accepts it with the Metropolis-Hastings probability of prior x likelihood of
every result used so far (Gilks & Berzuini 2001, resample-move), so each man stays a draw
from the posterior and the copies spread over it. A man is a point of two parts: his
log-factors (the twin prior's) and his stream of the calibrated population's own
variability (a stream index; the fit's k_rg spread, cv 1.56, is wider than the twin's).
Each sweep gives every man, at random, one of three proposals:

- a random-walk step on his log-factors shaped by the cloud's covariance
  (:class:`androcast.twin.adapt.Scale`);
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
A sweep simulates every man once (the caller's ``log_likelihood``, one batch). The walk's
shape and size adapt between sweeps, learnt from all men together as adaptive SMC samplers
do (Jasra et al. 2011): :mod:`androcast.twin.adapt` says how and why.

How many sweeps: at least ``min_sweeps``, then until the men have mixed
(:class:`androcast.twin.adapt.Mixing`: the copies resampling made are separated, and with
``decorrelate`` the cloud forgot its start), at most ``sweeps``. ``Moved.mixing`` is the
diagnostic after the last sweep.
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
from androcast.twin.adapt import (
    STEP_FLOOR,
    TARGET_ACCEPTANCE,
    Mixing,
    Scale,
    copies,
    correlation,
)
from androcast.twin.prior import GaussianPrior

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: Shares of the proposals in a stage's first sweep, then weighted by their acceptance
#: (``kernel_shares``; flag G): a random-walk step, a prior draw of a stream and the loosely
#: informed log-factors, every log-factor drawn from the Gaussian fitted to the cloud.
KERNEL_SHARES = (0.3, 0.35, 0.35)
WALK, PRIOR_DRAW, FITTED = range(3)
#: Added to each proposal's acceptance when its share adapts (flag G: a proposal never
#: accepted keeps about 1/20 of the weight of one always accepted).
SHARE_FLOOR = 0.05
#: Pseudo-men at the sweep's overall acceptance each proposal's own acceptance is shrunk by
#: (flag G: a proposal tried on 10 men moves its share halfway).
SHARE_PRIOR_MEN = 10.0
#: A log-factor whose spread in the cloud is at least this share of its prior sd is
#: redrawn from its prior by every prior draw (flag G).
LOOSE = 0.7
#: Variance inflation of the fitted independence proposal (flag G: wider than the cloud,
#: so its tails cover the posterior's; South et al. 2019 use a similar mixture inflation).
FITTED_INFLATION = 2.0


@dataclass(frozen=True)
class Moved:
    """The men after the sweeps, and which sweep simulated each man's current values."""

    theta: FloatArray  # (N, d)
    log_likelihood: FloatArray  # (N,)
    index: IntArray  # (N,): the stream of each man's population variability
    origin: IntArray  # (N,): sweep (1, 2, ...) that simulated him, 0 = not moved
    acceptance: tuple[float, ...]  # share of random-walk men accepted, per sweep
    mixing: Mixing | None = None  # the diagnostic after the last sweep (None: no sweep)

    @property
    def mixed(self) -> bool:
        """The men left where they started (``adapt.Mixing``), or nothing was asked."""
        return self.mixing is None or self.mixing.mixed


def random_walk_moves(
    prior: GaussianPrior,
    theta: FloatArray,
    index: IntArray,
    log_lik: FloatArray,
    log_likelihood: Callable[[FloatArray, IntArray, int], FloatArray],
    fresh_index: Callable[[int], IntArray],
    scale: Scale,
    rng: np.random.Generator,
    *,
    sweeps: int,
    min_sweeps: int | None = None,
    decorrelate: bool = True,
    ess_start: float | None = None,
) -> Moved:
    """Metropolis-Hastings sweeps over every man (see module doc): ``min_sweeps`` (default
    ``sweeps``), then more until the men have mixed, at most ``sweeps``.

    ``log_likelihood(theta, index, sweep)`` simulates the men of a sweep and scores every
    result used so far; ``log_lik`` is that score of the starting men; ``fresh_index(sweep)``
    gives N population streams never used before; ``scale`` the random walk's first step
    (``adapt.Scale.of_cloud`` of the weighted men before resampling). ``decorrelate``: stop
    only once the cloud is also worth nearly N independent men (else once the copies are
    separated); ``ess_start``: the effective size of the weights the men were resampled from
    (default: the distinct men among them).
    """
    n, d = theta.shape
    low, high = prior.bounds
    floor_sd = STEP_FLOOR * prior.sd
    log_post = prior.logpdf(theta) + log_lik
    origin = np.zeros(n, dtype=np.int64)
    acceptance: list[float] = []
    start, start_index = theta, index
    moved_once = np.zeros(n, dtype=bool)
    least = sweeps if min_sweeps is None else min(min_sweeps, sweeps)
    mixing: Mixing | None = None
    ess_start = ess_start if ess_start is not None else n * (1.0 - copies(theta, index))
    shares = np.asarray(KERNEL_SHARES)
    for sweep in range(1, sweeps + 1):
        kernel: IntArray = np.asarray(rng.choice(len(KERNEL_SHARES), size=n, p=shares))
        walk: NDArray[np.bool_] = np.asarray(kernel == WALK)
        proposal = np.where(walk[:, None], theta + scale.steps(n, rng), theta)
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
        # the shape of the moved men, the size toward the target acceptance (adapt doc)
        scale = Scale.of_cloud(theta, np.full(n, 1.0 / n), floor_sd, scale.factor).tuned(rate)
        shares = kernel_shares(kernel, accept)
        mixing = Mixing(sweep, float(1.0 - np.mean(moved_once)), copies(theta, index),
                        correlation(start, theta), n, ess_start)
        if sweep >= least and (mixing.mixed if decorrelate else mixing.distinct):
            break
    return Moved(theta=theta, index=index, log_likelihood=log_lik, origin=origin,
                 acceptance=tuple(acceptance), mixing=mixing)


def kernel_shares(kernel: IntArray, accept: NDArray[np.bool_]) -> FloatArray:
    """The proposals' shares for the next sweep: KERNEL_SHARES weighted by each one's
    acceptance in this sweep (shrunk toward the sweep's overall acceptance by SHARE_PRIOR_MEN
    pseudo-men, so a share tried on few men moves little; plus SHARE_FLOOR, so none is
    dropped).

    Near beta = 1 the posterior of the axis is skewed (a long tail of men whose feedback
    lets go slowly) and the Gaussian fitted to the cloud is rarely accepted there, while
    early stages accept it most; the share follows what moves men, learnt from all men
    together like the walk's scale. Every proposal keeps the posterior, so any shares do.
    """
    overall = float(np.mean(accept))
    tried = np.bincount(kernel, minlength=len(KERNEL_SHARES)).astype(float)
    taken = np.bincount(kernel, weights=accept.astype(float), minlength=len(KERNEL_SHARES))
    rate = (taken + SHARE_PRIOR_MEN * overall) / (tried + SHARE_PRIOR_MEN)
    weights = np.asarray(KERNEL_SHARES) * (rate + SHARE_FLOOR)
    return np.asarray(weights / weights.sum())


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
