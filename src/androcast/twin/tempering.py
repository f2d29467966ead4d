"""Tempered sequential Monte Carlo for the twin (SMC sampler with adaptive tempering).

Used twice: personalisation tempers every result in from prior draws; an update tempers
its new results in from the weighted men of the last posterior (data tempering).

The men start as draws of the prior, each simulated once. Each stage raises the power
beta <= 1 of the likelihood as far as keeps half of the men effective (bisection on the
ESS of the incremental weights; Jasra et al. 2011, adaptive tempering), resamples them
(systematic) and moves every man by Metropolis-Hastings sweeps that target
prior x likelihood^beta (:func:`androcast.twin.move.random_walk_moves`; Del Moral, Doucet &
Jasra 2006, SMC samplers; Chopin 2002). Reweighting needs no simulation; each sweep
simulates every man once. The men thus walk to where the results point in steps the
weights can follow, instead of being weighted from where the prior put them (plain
importance sampling, ESS near 1 when several results pin a man down) or from a Gaussian
fitted to a few heavy men (population Monte Carlo, which failed the same way on a narrow
ridge of the feedback pace).

The men a forecast uses are always moved at beta = 1, with more sweeps allowed, until they
have mixed (:class:`androcast.twin.adapt.Mixing`), even when the step to beta = 1 alone kept
half of them effective: the diagnostic judges those moves. The ESS counts copies of one man
(moves rejected after resampling) as one man, so copies that carry the weight at beta = 1
are resampled and moved again, like any stage. Results the
prior cannot reach within ``max_stages`` stages take the rest of the way by reweighting
alone; the ESS then says how unusual they are (few effective men, not N).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.special import logsumexp

from androcast.twin.adapt import STEP_FLOOR, Scale
from androcast.twin.move import random_walk_moves
from androcast.twin.prior import GaussianPrior

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: Share of the men a stage keeps effective (the usual choice of adaptive tempering).
ESS_FRACTION = 0.5
#: Metropolis-Hastings sweeps after each resampling: at least MIN_SWEEPS, then until the
#: men have mixed (``adapt.Mixing``), at most MAX_SWEEPS on the way to beta = 1 and
#: FINAL_SWEEPS x that on the last stage, whose men the forecast uses (flag G: each sweep
#: simulates every man once; bench/prognosis.py measures the cost and the gain).
MIN_SWEEPS = 2
MAX_SWEEPS = 8
FINAL_SWEEPS = 2
#: Stages before the rest of the way to beta = 1 is taken by reweighting alone (flag G).
MAX_STAGES = 10
#: Tags of the simulations of stage s are s * STAGE_TAGS + sweep (0: the prior's men).
STAGE_TAGS = 100


@dataclass(frozen=True)
class Particles:
    """The men at beta = 1, and where each man's current values were simulated."""

    theta: FloatArray  # (N, d) log-factors
    index: IntArray  # (N,) streams of the calibrated population's own variability
    log_likelihood: FloatArray  # (N,) of every result (beta = 1)
    log_weights: FloatArray  # (N,), logsumexp = 0
    tag: IntArray  # (N,) the simulation (stage * STAGE_TAGS + sweep) of his current values
    column: IntArray  # (N,) his column in that simulation's batch
    lineage: IntArray  # (N,) the starting man he descends from through the resamplings
    betas: tuple[float, ...]  # beta after each stage
    acceptance: tuple[float, ...]  # share of random-walk moves accepted, per sweep
    sweeps: tuple[int, ...] = ()  # sweeps of each stage's moves
    mixed: tuple[bool, ...] = ()  # whether each stage's moves met the mixing rule
    forced: bool = False  # the stages ran out: the last step to beta = 1 reweighted alone

    @property
    def converged(self) -> bool:
        """Beta reached 1 by stages, not by reweighting, and the last stage's moves (those
        that leave the men a forecast uses) mixed; without resampling there are no moves."""
        return not self.forced and (not self.mixed or self.mixed[-1])

    @property
    def ess(self) -> float:
        """Kish's ESS with the copies of one man counted as one man."""
        return distinct_ess(self.theta, self.index, self.log_weights)


#: ``log_likelihood(theta, index, tag)``: simulate these men (tag names the run) and score
#: them: (results already in the target, results tempered in).
LogLikelihood = Callable[[FloatArray, IntArray, int], tuple[FloatArray, FloatArray]]


def ess(log_w: FloatArray) -> float:
    """Kish's ESS of (unnormalised) log-weights."""
    w = np.exp(log_w - logsumexp(log_w))
    return float(1.0 / np.sum(w**2))


def distinct_ess(theta: FloatArray, index: IntArray, log_w: FloatArray) -> float:
    """Kish's ESS of normalised log-weights, the copies of one man merged into one man."""
    rows = np.column_stack([theta, index.astype(float)])
    _, group = np.unique(rows, axis=0, return_inverse=True)
    merged = np.bincount(group.ravel(), weights=np.exp(log_w))
    return float(1.0 / np.sum(merged**2))


def next_beta(log_w: FloatArray, log_lik: FloatArray, beta: float, target: float) -> float:
    """Largest beta' in (beta, 1] whose incremental weights keep ``target`` effective men."""
    if ess(log_w + (1.0 - beta) * log_lik) >= target:
        return 1.0
    low, high = beta, 1.0
    for _ in range(50):
        mid = 0.5 * (low + high)
        if ess(log_w + (mid - beta) * log_lik) >= target:
            low = mid
        else:
            high = mid
    return max(low, beta + 1e-9)  # a step however small: men of zero weight go at resampling


def systematic_resample(weights: FloatArray, rng: np.random.Generator) -> IntArray:
    """Parents of N men drawn by systematic resampling of these weights (sum 1)."""
    n = weights.size
    positions = (rng.random() + np.arange(n)) / n
    return np.minimum(np.searchsorted(np.cumsum(weights), positions), n - 1).astype(np.int64)


def tempered_smc(
    prior: GaussianPrior,
    theta0: FloatArray,
    index0: IntArray,
    log_likelihood: LogLikelihood,
    fresh_index: Callable[[int], IntArray],
    rng: np.random.Generator,
    *,
    log_w0: FloatArray | None = None,
    start: tuple[FloatArray, FloatArray] | None = None,
    min_sweeps: int = MIN_SWEEPS,
    max_sweeps: int = MAX_SWEEPS,
    max_stages: int = MAX_STAGES,
) -> Particles:
    """Men of the posterior from men ``theta0`` with streams ``index0`` (module doc).

    The target at power beta is prior x known x new^beta: ``log_likelihood(theta, index,
    tag)`` simulates the men and returns the log-likelihoods (known, new) of the results
    already in the target and of those tempered in. From prior draws, known is 0; an update
    starts from the weighted men of the last posterior (``log_w0``, normalised; default
    equal weights) and tempers in its new results. ``start``: (known, new) of the men
    ``theta0`` when already simulated (else they are simulated with tag 0).
    ``fresh_index(tag)`` gives N population streams never used before.
    """
    n = theta0.shape[0]
    theta, index = theta0, index0
    known, log_lik = start if start is not None else log_likelihood(theta, index, 0)
    tag = np.zeros(n, dtype=np.int64)
    column = np.arange(n, dtype=np.int64)
    lineage = np.arange(n, dtype=np.int64)
    log_w = np.full(n, -math.log(n)) if log_w0 is None else log_w0
    beta = 0.0
    betas: list[float] = []
    acceptance: list[float] = []
    sweeps: list[int] = []
    mixed: list[bool] = []
    forced = False
    final = False  # the last moves were at beta = 1
    for stage in range(1, max_stages + 2):
        finite = np.where(np.isfinite(log_lik), log_lik, -np.inf)
        step_to = 1.0 if stage > max_stages else next_beta(log_w, finite, beta, ESS_FRACTION * n)
        log_w = log_w + (step_to - beta) * finite
        log_w = np.asarray(log_w - logsumexp(log_w)) if np.any(np.isfinite(log_w)) \
            else np.full(n, -math.log(n))
        forced = forced or (stage > max_stages and beta < 1.0)
        beta = step_to
        if not final:  # after moves at beta = 1 it stays 1: not a new temperature
            betas.append(beta)
        # the men a forecast uses are moved at beta = 1 (until mixed, adapt.Mixing, or the
        # cap; Particles.converged says which); copies those moves left carrying the weight
        # are moved again
        if stage > max_stages or (
                final and distinct_ess(theta, index, log_w) >= ESS_FRACTION * n):
            break
        w = np.exp(log_w)
        ess_start = distinct_ess(theta, index, log_w)
        # the step's shape: the weighted cloud before resampling (copies shrink it after)
        scale = Scale.of_cloud(theta, w, STEP_FLOOR * prior.sd)
        parents = systematic_resample(w, rng)
        theta, index, known, log_lik = theta[parents], index[parents], known[parents], \
            log_lik[parents]
        tag, column, lineage = tag[parents], column[parents], lineage[parents]
        log_w = np.full(n, -math.log(n))
        raw: dict[int, tuple[FloatArray, FloatArray]] = {}

        def tempered(th: FloatArray, ix: IntArray, sweep: int, stage: int = stage,
                     power: float = beta,
                     raw: dict[int, tuple[FloatArray, FloatArray]] = raw) -> FloatArray:
            raw[sweep] = log_likelihood(th, ix, stage * STAGE_TAGS + sweep)
            return raw[sweep][0] + power * raw[sweep][1]

        def fresh(sweep: int, stage: int = stage) -> IntArray:
            return fresh_index(stage * STAGE_TAGS + sweep)

        # on the way the copies need only be separated; the last stage's men must also have
        # forgotten where resampling put them (adapt.Mixing), with more sweeps allowed
        final = beta >= 1.0
        moved = random_walk_moves(prior, theta, index, known + beta * log_lik, tempered, fresh,
                                  scale, rng, min_sweeps=min_sweeps, decorrelate=final,
                                  ess_start=ess_start,
                                  sweeps=max_sweeps * (FINAL_SWEEPS if final else 1))
        for sweep, (values_known, values) in raw.items():
            mine = moved.origin == sweep
            known = np.where(mine, values_known, known)
            log_lik = np.where(mine, values, log_lik)
            tag = np.where(mine, stage * STAGE_TAGS + sweep, tag)
            column = np.where(mine, np.arange(n), column)
        theta, index = moved.theta, moved.index
        acceptance.extend(moved.acceptance)
        sweeps.append(len(moved.acceptance))
        mixed.append(moved.mixed)
    return Particles(theta=theta, index=index, log_likelihood=known + log_lik,
                     log_weights=log_w, tag=tag, column=column, lineage=lineage, betas=tuple(betas),
                     acceptance=tuple(acceptance), sweeps=tuple(sweeps), mixed=tuple(mixed),
                     forced=forced)
