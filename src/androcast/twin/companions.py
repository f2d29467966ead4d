"""Forecast men: each man of his posterior with companions that share his informed values.

A forecast is the posterior mean of an outcome indicator (has his mean concentration
reached 20 M/mL by month 12?). His results pin some of a man's log-factors (the feedback
pace k_fb after TRT) and say little of others (the pace of his spermatogonial reserve, k_rg
and k_dg, and his concentration before androgens), yet those decide when he recovers. A
prognosis from the posterior's N men alone then carries the sampling error of N draws of
what the results do not inform: on the README man the 12-month probability moved by sd
0.035-0.078 with the seed at 128 men (bench/prognosis.py, issue 17).

Each man x_0 = (a, b_0) of the posterior (a: his ``informed`` log-factors and population
stream, b: the ``spread`` ones) gets K - 1 companions (a, b_j): in the uniform scale of a
proposal q (per log-factor a normal fitted to the weighted cloud, its sd inflated by
INFLATION and never wider than the prior's, truncated where the prior is), the K points form
a Latin hypercube through his own b_0 (each log-factor's strata shifted so that one holds
b_0, the others assigned to the companions by a random permutation). The K men share a and
weigh, within him, in proportion to prior(b_j) x likelihood(a, b_j) / q(b_j). This is the
multiple-proposal construction of Tjelmeland (2004) and Calderhead (2014): the K points are
exchangeable, each with marginal q, so given the set, the probability that b_j was the
posterior draw is proportional to pi(a, b_j) / q(b_j); averaging the outcome over the set
with those weights is a Rao-Blackwellisation of the one draw he was, exact for any q and
any choice of the spread log-factors (a poor choice costs precision, never correctness).
The hypercube stratifies each spread log-factor over its range, so an outcome monotone in
k_rg is averaged over k_rg's quantiles instead of sampled at one. Each companion's history
is simulated once (its likelihood, and its state for the branches); the men keep their
island, so the Monte Carlo error between islands (``prognosis.curves``) still counts
everything.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from numpy.typing import NDArray
from scipy.special import ndtr, ndtri

from androcast.twin.branch import combine_states
from androcast.twin.observations import observations
from androcast.twin.posterior import (
    Posterior,
    _concat,
    _gaussian_prior,
    _history_loglik,
    _normalise,
    _take,
    _theta,
    _theta_names,
    _with_theta,
)
from androcast.twin.prior import factor_maxima, twin_parameters

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: Men per posterior man in a forecast, himself included (flag G: bench/prognosis.py
#: measures the precision and the time; the branches of each cost about three times the
#: simulation of his history).
FORECAST_MEN = 8
#: Most men a forecast runs: a posterior of more men than FORECAST_BUDGET / FORECAST_MEN gets
#: fewer companions each, none from FORECAST_BUDGET / 2 men on (flag G: the default 128 men
#: get 7 companions each; a forecast of many posterior men costs what it did without them).
FORECAST_BUDGET = 1024
#: The log-factors his companions spread over (flag G: those the results of a man after
#: androgens barely inform and the forecast depends on; any choice is exact).
SPREAD = ("k_rg", "k_dg", "baseline_concentration_m_per_ml")
#: The proposal's sd: the cloud's times this, at most the prior's (flag G).
INFLATION = 1.3


def men_per_man(n: int) -> int:
    """Men forecast per man of a posterior of ``n`` men (FORECAST_MEN within the budget)."""
    return max(1, min(FORECAST_MEN, FORECAST_BUDGET // max(n, 1)))


def with_companions(post: Posterior, per_man: int | None = None) -> Posterior:
    """His posterior's men, each with ``per_man - 1`` companions (module doc; default
    ``men_per_man(n)``); the companions follow the men, man i's at
    ``n + i * (per_man - 1) + j``."""
    per_man = men_per_man(post.n) if per_man is None else per_man
    if per_man < 2:
        return post
    names = _theta_names(post.cohort)
    spread = np.array([names.index(k) for k in SPREAD if k in names], dtype=np.int64)
    if spread.size == 0:
        return post
    n, m = post.n, per_man - 1
    prior = _gaussian_prior(post.cohort, names, factor_maxima(post.case))
    theta = _theta(post.sample_, names)
    w = post.weights_
    centre = w @ theta
    q_mean = centre[spread]
    q_sd = np.minimum(INFLATION * np.sqrt(w @ (theta - centre) ** 2)[spread],
                      prior.sd[spread])
    q_sd = np.maximum(q_sd, 1e-3 * prior.sd[spread])
    low, high = (b[spread] for b in prior.bounds)
    u_low, u_high = ndtr((low - q_mean) / q_sd), ndtr((high - q_mean) / q_sd)
    rng = np.random.default_rng([post.cohort.seed, 17, post.resamples_])
    own = theta[:, spread]
    u_own = np.clip((ndtr((own - q_mean) / q_sd) - u_low) / (u_high - u_low), 0.0, 1.0)
    u = _hypercube_through(u_own, per_man, rng)  # (n, m, d)
    values = q_mean + q_sd * ndtri(np.clip(u_low + u * (u_high - u_low), 1e-15, 1 - 1e-15))
    values = np.clip(values, low, high)
    theta_c = np.repeat(theta, m, axis=0)
    theta_c[:, spread] = values.reshape(n * m, spread.size)
    base = _take(post.sample_, np.repeat(np.arange(n), m))
    companions = _with_theta(base, names, theta_c)

    obs = [o for o in observations(post.case, post.t0) if o.key in post.used_]
    scored = bool(obs) and not post.fell_back_
    if scored:
        p = twin_parameters(companions, post.cohort, post.population)
        lik_c, state_c = _history_loglik(post.history, p, n * m, obs)
        lik_own = post.log_likelihood_
        state_own = post.history_state_
        if lik_own is None:  # not known (e.g. a stored posterior): simulate him too
            lik_own, state_own = _history_loglik(post.history, post.parameters(), n, obs)
    else:  # the prior's men (no result, or a fall-back): the likelihood is not used
        lik_c, state_c = np.zeros(n * m), None
        lik_own, state_own = np.zeros(n), None

    def log_ratio(x: FloatArray) -> FloatArray:  # log prior(b) - log q(b), up to constants
        return np.asarray(np.sum(-0.5 * ((x - prior.mean[spread]) / prior.sd[spread]) ** 2
                                 + 0.5 * ((x - q_mean) / q_sd) ** 2, axis=-1))

    score = np.concatenate([(lik_own + log_ratio(own))[:, None],
                            (lik_c + log_ratio(theta_c[:, spread])).reshape(n, m)], axis=1)
    score = np.where(np.isfinite(score), score, -np.inf)
    top = np.max(score, axis=1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    within = np.exp(score - top)
    total = within.sum(axis=1, keepdims=True)
    # a man none of whose points the model can score keeps his own weight on himself
    within = np.where(total > 0, within / np.where(total > 0, total, 1.0),
                      np.eye(1, per_man, 0))
    with np.errstate(divide="ignore"):
        log_w = np.concatenate([post.log_weights_ + np.log(within[:, 0]),
                                (post.log_weights_[:, None] + np.log(within[:, 1:])).ravel()])
    state = None
    if state_own is not None and state_c is not None:
        state = combine_states([state_own, state_c],
                               np.repeat([0, 1], [n, n * m]).astype(np.int64),
                               columns=np.concatenate([np.arange(n), np.arange(n * m)]))
    return replace(
        post, sample_=_concat([post.sample_, companions]), log_weights_=_normalise(log_w),
        island_=np.concatenate([post.islands, np.repeat(post.islands, m)]),
        lineage_=np.concatenate([post.lineages, np.repeat(post.lineages, m)]),
        history_state_=state,
        log_likelihood_=np.concatenate([lik_own, lik_c]) if scored else None)


def _hypercube_through(u_own: FloatArray, k: int, rng: np.random.Generator) -> FloatArray:
    """For each man (row of ``u_own``, (n, d) in [0, 1]): the other k - 1 points of a Latin
    hypercube of k points through his own, shape (n, k - 1, d)."""
    n, d = u_own.shape
    stratum = np.minimum(np.floor(u_own * k), k - 1)
    offset = u_own - stratum / k  # the shift every point of his hypercube shares
    # the other strata of each log-factor, in a random order per man and log-factor
    others = np.argsort(rng.random((n, d, k)) + (np.arange(k)[None, None, :]
                                                  == stratum[:, :, None]) * 2.0, axis=2)
    chosen = others[:, :, : k - 1].transpose(0, 2, 1).astype(float)  # (n, k - 1, d)
    return np.asarray(offset[:, None, :] + chosen / k)

