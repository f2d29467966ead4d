"""Personalisation by sequential Monte Carlo over the population prior.

``personalise(case)`` draws N virtual men who share his covariates and androgen history
(:mod:`androcast.twin.prior`), simulates each through that history, and scores each by the
likelihood of every lab and semen result so far (log-normal measurement error, censored
results through the CDF; :mod:`androcast.twin.observations`). Tempered stages of
reweighting, resampling and Metropolis-Hastings moves (:mod:`androcast.twin.tempering`)
bring the men from the prior to the posterior. The effective sample size (Kish, copies of
one man counted once) says how many men carry the weight; below ``min_ess`` the data are
too unusual for the prior and the posterior falls back to the prior, with a warning.
``update(posterior, case)`` adds results not yet used: it reweights the same men, and when
that leaves fewer than half of N effective it tempers the new results in from those
weighted men by the same stages (target prior x results so far x new results^beta), so
the men follow the posterior instead of copying its few heavy men. A posterior whose ESS
is below half of N after personalising (the stages ran out) is resampled (systematic) and
moved by a few Metropolis-Hastings sweeps targeting prior x likelihood of every result used
so far (resample-move, Gilks & Berzuini 2001; :mod:`androcast.twin.move`).
Only results the current men cannot explain at all make an update start over.
``treatment`` (keyword of ``personalise``) is what he has been given since his androgens,
e.g. an adopted plan: it is part of the history every man is simulated through, and a
posterior personalised again (by ``update``) keeps it.
When the men kept are the men last simulated, their states on his latest result are kept
too (``history_state_``), so a prognosis branches from them without simulating the history
again (:mod:`androcast.twin.branch`).

Islands: personalisation runs ``islands`` independent tempered SMC samplers, each over its
own share of the men (own prior draws, own random numbers, own population streams), and
pools their men with equal weight per island. One run's men are correlated through the
resamplings and moves they share, so their spread understates the Monte Carlo error of a
forecast; the spread of independent runs does not (Whiteley, Lee & Heine 2016 on
independent particle systems). Each man also carries his lineage (``lineage_``: the man of
the first prior draw he descends from), and the error a prognosis reports, ``basis.mc_se``,
counts the men of one lineage as one cluster within each island and adds what the islands'
spread shows beyond that (``prognosis.curves``). An update tempers new results into each
island on its own, and resample-move resamples within each island, so the islands stay
independent.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.special import log_ndtr

from androcast.errors import ParameterError
from androcast.labs import Case
from androcast.model import Parameters
from androcast.population import Cohort, CohortSample, sample_patients
from androcast.population.distributions import LogNormal
from androcast.population.engine import PopulationModel, fitted_population
from androcast.regimens import Regimen
from androcast.twin.adapt import STEP_FLOOR, Scale
from androcast.twin.branch import HistoryState, combine_states, simulate_history
from androcast.twin.move import random_walk_moves
from androcast.twin.observations import Observation, error_models, observations
from androcast.twin.prior import (
    GaussianPrior,
    androgen_history,
    case_time_zero,
    factor_maxima,
    meaning,
    twin_cohort,
    twin_parameters,
)
from androcast.twin.tempering import MAX_SWEEPS, Particles, distinct_ess, tempered_smc

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: Metropolis-Hastings sweeps after each resampling (flag G: each simulates every man's
#: history once; bench/prognosis.py measures the cost).
MOVE_SWEEPS = 3
#: The population streams of resample-moves start at multiples of this, beyond the
#: streams of personalisation's own moves (from SMC_STREAMS).
MOVE_STREAMS = 1 << 40
SMC_STREAMS = 1 << 32
_BASELINE = "baseline_concentration_m_per_ml"
#: Below this ESS a posterior is labelled low confidence (flag G: fewer than ten men).
LOW_CONFIDENCE_ESS = 10.0
#: A varied quantity is at the edge of his prior when more than EDGE_SHARE of the posterior
#: weight lies beyond EDGE_SD prior sd (flag G): the prior puts 2e-4 of its mass there, so
#: his results are explained only by men the calibrated population barely contains, and the
#: forecast follows the guard at GUARD_SD rather than the data (c02: sperm after five years
#: of TRT piles the reserve-loss rate k_dg at its lower guard, and its 3-month forecast
#: reads far above liu2006's).
EDGE_SD = 3.5
EDGE_SHARE = 0.5
#: Independent SMC runs a personalisation pools (flag G), each of at least ISLAND_MEN men
#: (fewer men: fewer islands). An SMC run of few men is biased (its tempering and
#: resampling lose the long tail of men whose feedback lets go slowly): islands of 32 men
#: put the README man's 12-month probabilities 0.04 below the converged value
#: (tests/reference/prognosis_reference.json), of 64 men within 0.015 (bench/prognosis.py,
#: seeds 1-5; issue 17), so the default 128 men run as two islands.
ISLANDS = 4
ISLAND_MEN = 64
#: Population streams of island j start at SMC_STREAMS + j * ISLAND_STREAMS (a run takes
#: at most (MAX_STAGES + 2) * STAGE_TAGS * N streams).
ISLAND_STREAMS = 1 << 27


@dataclass(frozen=True)
class Posterior:
    """Weighted virtual men for one patient (fitted attributes end in ``_``)."""

    case: Case
    t0: dt.date  # day 0 of the model (end of androgen exposure)
    cohort: Cohort
    population: PopulationModel
    sample_: CohortSample
    log_weights_: FloatArray  # normalised: logsumexp = 0
    used_: frozenset[tuple[str, dt.date]]
    ess_: float
    fell_back_: bool
    warnings_: tuple[str, ...]
    n_observations_: int
    min_ess: float
    resamples_: int = 0
    history: Regimen = field(default_factory=Regimen)  # androgens, then ``treatment``
    treatment: Regimen | None = None  # given since his androgens (e.g. the adopted plan)
    treatment_start: dt.date | None = None  # the treatment replaces his drugs from this day
    # each man's log-likelihood of every result used (None: not known, e.g. restored)
    log_likelihood_: FloatArray | None = None
    acceptance_: tuple[float, ...] = ()  # of the last moves, per sweep
    stages_: tuple[float, ...] = ()  # beta after each stage of the tempered SMC
    # the men's states on the day of the last simulation of their history (his latest
    # result), for a prognosis to branch from instead of simulating the history again
    history_state_: HistoryState | None = None
    island_: IntArray | None = None  # each man's independent SMC run (None: one run)
    # the man of the first prior draws each man descends from through every resampling
    # (None: each man his own; prognosis.curves clusters the Monte Carlo error by it)
    lineage_: IntArray | None = None
    converged_: bool = True  # every run's moves mixed and reached beta = 1 by stages
    sweeps_: tuple[int, ...] = ()  # move sweeps of each stage, run after run

    @property
    def n(self) -> int:
        return len(self.sample_)

    @property
    def weights_(self) -> FloatArray:
        return np.exp(self.log_weights_)

    @property
    def low_confidence(self) -> bool:
        """No usable result, results too unusual for the prior, few men carry the weight, or
        the sampler has not converged."""
        return (self.fell_back_ or self.n_observations_ == 0 or self.ess_ < LOW_CONFIDENCE_ESS
                or not self.converged_ or bool(self.at_prior_edge))

    @cached_property
    def at_prior_edge(self) -> tuple[str, ...]:
        """The varied quantities (log-factors of his prior) where more than EDGE_SHARE of the
        weight lies beyond EDGE_SD prior sd: his results sit at the edge of what the
        calibrated population explains (none after a fall-back to the prior)."""
        if self.fell_back_ or self.n_observations_ == 0:
            return ()
        names = _theta_names(self.cohort)
        prior = _gaussian_prior(self.cohort, names, {})
        beyond = np.abs((_theta(self.sample_, names) - prior.mean) / prior.sd) > EDGE_SD
        share = self.weights_ @ beyond
        return tuple(name for name, s in zip(names, share, strict=True) if s > EDGE_SHARE)

    @property
    def notices(self) -> tuple[str, ...]:
        """Warnings of the personalisation, then one per quantity at the edge of his prior."""
        return (*self.warnings_, *(
            f"his results sit at the edge of the calibrated population: {meaning(name)} "
            f"({name}) lies beyond {EDGE_SD:g} prior sd in most of his twin's weight, so the "
            "forecast follows the prior's guard rather than his data (low confidence)"
            for name in self.at_prior_edge))

    @property
    def islands(self) -> IntArray:
        """Each man's independent SMC run (0 for every man of a single run)."""
        return self.island_ if self.island_ is not None else np.zeros(self.n, dtype=np.int64)

    @property
    def lineages(self) -> IntArray:
        """Each man's ancestor among the first prior draws (his own index if not known)."""
        return self.lineage_ if self.lineage_ is not None else np.arange(self.n, dtype=np.int64)

    def parameters(self) -> Parameters:
        """Each man's model parameters, as (N,) arrays."""
        return twin_parameters(self.sample_, self.cohort, self.population)

    def mean_log_factor(self, name: str) -> float:
        """Posterior mean of log(factor) of a varied parameter (or the baseline covariate)."""
        values = (self.sample_.covariates[name] if name == _BASELINE
                  else self.sample_.parameter_factors[name])
        return float(np.sum(self.weights_ * np.log(values)))


def effective_sample_size(log_weights: FloatArray) -> float:
    """Kish's ESS of normalised log-weights: 1 / sum(w^2)."""
    return float(1.0 / np.sum(np.exp(2.0 * log_weights)))


def _normalise(log_w: FloatArray) -> FloatArray:
    top = float(np.max(log_w))
    return np.asarray(log_w - (top + math.log(float(np.sum(np.exp(log_w - top))))))


def log_likelihood(obs: Sequence[Observation], predicted: Mapping[str, FloatArray],
                   days: FloatArray) -> FloatArray:
    """Sum over results of log p(result | man), shape (N,); ``predicted[name]`` is (days, N)."""
    models = error_models()
    total = np.zeros(next(iter(predicted.values())).shape[1])
    for o in obs:
        row = int(np.searchsorted(days, o.day))
        model = np.maximum(predicted[o.observable][row], 1e-12)
        sigma = models[o.observable].sigma
        z = (math.log(max(o.value, 1e-12)) - np.log(model)) / sigma
        if o.censor == "<":
            total += log_ndtr(z)
        elif o.censor == "in":
            # between low and value: P(z_low < Z < z), computed stably in log space
            z_low = (math.log(max(o.low, 1e-12)) - np.log(model)) / sigma
            total += log_ndtr(z) + np.log1p(-np.exp(np.minimum(log_ndtr(z_low) - log_ndtr(z),
                                                              -1e-12)))
        elif o.censor == ">":
            total += log_ndtr(-z)
        else:
            total += -0.5 * z**2 - math.log(sigma)
    return total


def _history_loglik(history: Regimen, p: Parameters, n: int,
                    obs: Sequence[Observation]) -> tuple[FloatArray, HistoryState | None]:
    _, lik, state = _history_logliks(history, p, n, [], obs)
    return lik, state


def _history_logliks(history: Regimen, p: Parameters, n: int, known: Sequence[Observation],
                     new: Sequence[Observation],
                     ) -> tuple[FloatArray, FloatArray, HistoryState | None]:
    """One simulation of the men's history: log-likelihoods of the ``known`` results, of the
    ``new`` ones, and their states on the last result's day."""
    obs = [*known, *new]
    if not obs:
        return np.zeros(n), np.zeros(n), None
    days = np.unique(np.array([o.day for o in obs], dtype=float))
    names = sorted({o.observable for o in obs})
    predicted, state = simulate_history(p, history, n, days, names)
    known_lik = log_likelihood(known, predicted, days) if known else np.zeros(n)
    return known_lik, log_likelihood(new, predicted, days), state


def personalise(
    case: Case,
    *,
    n: int = 128,
    seed: int = 1,
    min_ess: float = 2.0,
    population: PopulationModel | None = None,
    treatment: Regimen | None = None,
    treatment_start: dt.date | None = None,
    islands: int = ISLANDS,
    max_sweeps: int = MAX_SWEEPS,
) -> Posterior:
    """The posterior of his virtual twin given every result so far (see module doc).

    ``treatment``: what he has been given since his androgens (model days from time 0),
    simulated after them. ``treatment_start``: the day it replaces the restoration drugs
    of his history (an adopted plan; its drugs on his chart are not dosed again).
    ``islands``: independent SMC runs the ``n`` men are split over (at most one per
    ISLAND_MEN men); ``max_sweeps``: cap of the move sweeps per stage.
    """
    if n < 2:
        raise ParameterError("n", n, "at least 2 virtual men")
    population = population if population is not None else fitted_population()
    cohort = twin_cohort(case, seed=seed, population=population)
    t0 = case_time_zero(case)
    history = androgen_history(case, treatment_start=treatment_start)
    if treatment is not None:
        history = history.combine(treatment)
    names = _theta_names(cohort)
    gaussian = _gaussian_prior(cohort, names, factor_maxima(case))
    sample = sample_patients(cohort, 0, n)
    if gaussian.high is not None:  # his prior is bounded above: its own men too
        sample = _with_theta(sample, names, np.clip(_theta(sample, names), *gaussian.bounds))
    prior = Posterior(
        case=case, t0=t0, cohort=cohort, population=population, sample_=sample,
        log_weights_=np.full(n, -math.log(n)), used_=frozenset(), ess_=float(n),
        fell_back_=False, warnings_=(), n_observations_=0, min_ess=min_ess, history=history,
        treatment=treatment, treatment_start=treatment_start,
    )
    obs = observations(case, t0)
    if not obs:
        return _assimilate(prior, obs)

    k = max(1, min(islands, n // ISLAND_MEN))
    prior = replace(prior, island_=np.repeat(np.arange(k), [len(a) for a in
                                                           np.array_split(np.arange(n), k)]))
    run = _islands_mc(prior, [], obs, lambda j: np.random.default_rng([seed, 7, j]),
                      SMC_STREAMS, max_sweeps=max_sweeps)
    final = replace(prior, sample_=run.men, history_state_=run.state,
                    log_likelihood_=run.log_likelihood, acceptance_=run.acceptance,
                    stages_=run.betas, converged_=run.converged, sweeps_=run.sweeps,
                    lineage_=run.lineage)
    # a fall-back to the prior keeps the prior's men, simulated first
    prior = replace(prior, history_state_=run.first_state)
    return _settle(_weigh(final, obs, run.log_weights, prior, ess=run.ess))


@dataclass(frozen=True)
class _Run:
    """A tempered SMC run over a posterior's men: the particles, the men, their states."""

    particles: Particles
    men: CohortSample
    state: HistoryState | None  # every man's state on his latest result (if known)
    first_state: HistoryState | None  # the starting men's


def _sequential_mc(post: Posterior, known: Sequence[Observation], new: Sequence[Observation],
                   rng: np.random.Generator, first_stream: int, *,
                   log_w0: FloatArray | None = None,
                   start: tuple[FloatArray, FloatArray, HistoryState | None] | None = None,
                   max_sweeps: int = MAX_SWEEPS) -> _Run:
    """Temper ``new`` results into a target that holds the ``known`` ones, from the men of
    ``post`` (weights ``log_w0``; ``start``: their log-likelihoods and state, if simulated).

    Moved men take population streams from ``first_stream`` on.
    """
    names = _theta_names(post.cohort)
    gaussian = _gaussian_prior(post.cohort, names, factor_maxima(post.case))
    sample, n = post.sample_, post.n
    states: dict[int, HistoryState | None] = {}  # per simulation tag (0: the starting men)

    def score(theta: FloatArray, index: IntArray, tag: int) -> tuple[FloatArray, FloatArray]:
        men = sample if tag == 0 else _with_theta(replace(sample, index=index), names, theta)
        p = twin_parameters(men, post.cohort, post.population)
        known_lik, new_lik, states[tag] = _history_logliks(post.history, p, n, known, new)
        return known_lik, new_lik

    def fresh_index(tag: int) -> IntArray:
        first = first_stream + tag * n
        return np.arange(first, first + n, dtype=np.int64)

    if start is not None:
        states[0] = start[2]
    particles = tempered_smc(gaussian, _theta(sample, names), sample.index, score, fresh_index,
                             rng, log_w0=log_w0, max_sweeps=max_sweeps,
                             start=None if start is None else (start[0], start[1]))
    tags = np.unique(particles.tag)
    needed = [states.get(int(t)) for t in tags]
    state = None if any(s is None for s in needed) else combine_states(
        [s for s in needed if s is not None], np.searchsorted(tags, particles.tag),
        columns=particles.column)
    men = _with_theta(replace(sample, index=particles.index), names, particles.theta)
    return _Run(particles, men, state, states.get(0))


@dataclass(frozen=True)
class _Pooled:
    """Independent runs (islands) pooled: the men of all, each island weighing 1 / k."""

    men: CohortSample
    log_weights: FloatArray
    log_likelihood: FloatArray
    ess: float  # distinct ESS of the pooled men
    state: HistoryState | None
    first_state: HistoryState | None
    acceptance: tuple[float, ...]
    betas: tuple[float, ...]  # of the first island
    lineage: IntArray  # each man's ancestor among the starting men (their positions)
    sweeps: tuple[int, ...]
    converged: bool


def _islands_mc(post: Posterior, known: Sequence[Observation], new: Sequence[Observation],
                rng: Callable[[int], np.random.Generator], first_stream: int, *,
                log_w0: FloatArray | None = None,
                start: tuple[FloatArray, FloatArray, HistoryState | None] | None = None,
                max_sweeps: int = MAX_SWEEPS) -> _Pooled:
    """``_sequential_mc`` on each island of ``post`` on its own (``rng(j)`` its random
    numbers, its streams from ``first_stream + j * ISLAND_STREAMS``), the men pooled."""
    island = post.islands
    k = int(island.max()) + 1
    parts = [np.flatnonzero(island == j) for j in range(k)]
    runs = []
    for j, part in enumerate(parts):
        sub = replace(post, sample_=_take(post.sample_, part), island_=None)
        w0 = None if log_w0 is None else _normalise(log_w0[part])
        sub_start = None if start is None else (
            start[0][part], start[1][part],
            None if start[2] is None else combine_states([start[2]], np.zeros(part.size,
                                                         dtype=np.int64), columns=part))
        runs.append(_sequential_mc(sub, known, new, rng(j), first_stream + j * ISLAND_STREAMS,
                                   log_w0=w0, start=sub_start, max_sweeps=max_sweeps))
    order = np.concatenate(parts)  # pooled men in island order: post's own order
    back = np.argsort(order)
    men = _take(_concat([r.men for r in runs]), back)
    log_w = np.concatenate([r.particles.log_weights - math.log(k) for r in runs])[back]
    theta = np.concatenate([r.particles.theta for r in runs])[back]
    index = np.concatenate([r.particles.index for r in runs])[back]
    return _Pooled(
        men=men, log_weights=log_w,
        log_likelihood=np.concatenate([r.particles.log_likelihood for r in runs])[back],
        ess=distinct_ess(theta, index, log_w),
        state=_pool_states([r.state for r in runs], parts),
        first_state=_pool_states([r.first_state for r in runs], parts),
        acceptance=tuple(a for r in runs for a in r.particles.acceptance),
        betas=runs[0].particles.betas,
        sweeps=tuple(s for r in runs for s in r.particles.sweeps),
        converged=all(r.particles.converged for r in runs),
        lineage=np.concatenate([part[r.particles.lineage] for r, part in zip(
            runs, parts, strict=True)])[back])


def _pool_states(states: Sequence[HistoryState | None],
                 parts: Sequence[IntArray]) -> HistoryState | None:
    """The islands' states (island j's men at ``parts[j]`` of the pool) as one state."""
    if any(s is None for s in states):
        return None
    n = sum(p.size for p in parts)
    pick, columns = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
    for j, part in enumerate(parts):
        pick[part], columns[part] = j, np.arange(part.size)
    return combine_states([s for s in states if s is not None], pick, columns=columns)


def _settle(posterior: Posterior) -> Posterior:
    """Resample and move when few men carry the weight, so updates have distinct men."""
    if not posterior.fell_back_ and posterior.ess_ < 0.5 * posterior.n:
        return resample_move(posterior)
    return posterior


def _theta_names(cohort: Cohort) -> tuple[str, ...]:
    return (*sorted(cohort.variability), _BASELINE)


def _gaussian_prior(cohort: Cohort, names: Sequence[str],
                    maxima: Mapping[str, float]) -> GaussianPrior:
    """The prior in log space; ``maxima``: upper bounds of factors (none: the guard only)."""
    baseline = cohort.covariates[_BASELINE]
    assert isinstance(baseline, LogNormal)
    mean = [math.log(cohort.variability[k].median) for k in names[:-1]] + [
        math.log(baseline.median)]
    sd = [LogNormal(1.0, cohort.variability[k].cv).sigma for k in names[:-1]] + [baseline.sigma]
    high = np.array([math.log(maxima[k]) if k in maxima else math.inf for k in names])
    return GaussianPrior(np.array(mean), np.array(sd), high if maxima else None)


def _theta(sample: CohortSample, names: Sequence[str]) -> FloatArray:
    columns = [np.log(sample.parameter_factors[k]) for k in names[:-1]]
    columns.append(np.log(sample.covariates[_BASELINE]))
    return np.column_stack(columns)


def _with_theta(sample: CohortSample, names: Sequence[str], theta: FloatArray) -> CohortSample:
    """The same men (population-IIV streams, categories) with these log-factors."""
    return CohortSample(
        index=sample.index,
        covariates={**sample.covariates, _BASELINE: np.exp(theta[:, -1])},
        categories=sample.categories,
        androgen_option=None,
        androgen_doses=None,
        parameter_factors={k: np.exp(theta[:, j]) for j, k in enumerate(names[:-1])},
    )


def _weigh(posterior: Posterior, obs: Sequence[Observation], log_w: FloatArray,
           prior: Posterior, *, ess: float) -> Posterior:
    used = frozenset(o.key for o in obs)
    if ess < posterior.min_ess:
        return _fallback(prior, ess, used, len(obs))  # the prior's own men, equal weights
    return replace(posterior, log_weights_=log_w, ess_=ess, used_=used,
                   n_observations_=len(obs), fell_back_=False, warnings_=())


def _fallback(posterior: Posterior, ess: float, used: frozenset[tuple[str, dt.date]],
              n_obs: int) -> Posterior:
    return replace(
        posterior, log_weights_=np.full(posterior.n, -math.log(posterior.n)),
        ess_=float(posterior.n), fell_back_=True, used_=used, n_observations_=n_obs,
        warnings_=(f"results too unusual for the prior (effective sample size {ess:.1f} "
                   f"< {posterior.min_ess:g}): prognosis from the prior alone "
                   "(low confidence)",),
    )


def update(posterior: Posterior, case: Case) -> Posterior:
    """Add the results of ``case`` not used yet, reweighting the same men (see module doc)."""
    new = [o for o in observations(case, posterior.t0) if o.key not in posterior.used_]
    if not new:
        return posterior
    return _assimilate(replace(posterior, case=case), new)


def _assimilate(posterior: Posterior, new: Sequence[Observation]) -> Posterior:
    if not new:
        if posterior.n_observations_ == 0:
            return replace(posterior, warnings_=(
                "no lab or semen result the model predicts: prognosis from the prior alone "
                "(low confidence)",))
        return posterior
    p = posterior.parameters()
    known_obs = [o for o in observations(posterior.case, posterior.t0) if o.key in posterior.used_]
    known, log_lik, state = _history_logliks(posterior.history, p, posterior.n, known_obs, new)
    log_w = posterior.log_weights_ + log_lik
    if not np.all(np.isfinite(log_w)) and not np.any(np.isfinite(log_w)):
        log_w = np.zeros(posterior.n)
    log_w = _normalise(np.where(np.isfinite(log_w), log_w, -np.inf))
    ess = effective_sample_size(log_w)
    used = posterior.used_ | {o.key for o in new}
    n_obs = posterior.n_observations_ + len(new)
    if ess < posterior.min_ess:
        # the men so far cannot explain the new results: personalise again from the prior
        # with every result (the only case where an update starts over; it says so)
        again = personalise(posterior.case, n=posterior.n, seed=posterior.cohort.seed,
                            min_ess=posterior.min_ess, population=posterior.population,
                            treatment=posterior.treatment,
                            treatment_start=posterior.treatment_start)
        return replace(again, warnings_=(*again.warnings_,
                       "new results outside the current posterior: personalised again "
                       "from the prior"))
    out = replace(posterior, used_=used, n_observations_=n_obs, fell_back_=False, warnings_=())
    if ess >= 0.5 * posterior.n:  # the same men, reweighted
        return replace(out, log_weights_=log_w, ess_=ess, history_state_=state,
                       log_likelihood_=known + log_lik)
    # few men carry the new results: temper them in from the current men (resample-move
    # stages), so the men follow the posterior instead of copying its few heavy men
    resamples = posterior.resamples_ + 1
    run = _islands_mc(
        posterior, known_obs, new,
        lambda j: np.random.default_rng([posterior.cohort.seed, 7, resamples, j]),
        MOVE_STREAMS * resamples, log_w0=posterior.log_weights_, start=(known, log_lik, state))
    return replace(out, sample_=run.men, log_weights_=run.log_weights, ess_=run.ess,
                   history_state_=run.state, log_likelihood_=run.log_likelihood,
                   acceptance_=run.acceptance, stages_=run.betas, resamples_=resamples,
                   converged_=run.converged, sweeps_=run.sweeps,
                   lineage_=posterior.lineages[run.lineage])


def resample_move(posterior: Posterior, *, sweeps: int = MOVE_SWEEPS) -> Posterior:
    """Systematic resampling, then ``sweeps`` Metropolis-Hastings sweeps (module doc).

    Weights become uniform; ``ess_`` keeps the ESS of the weights the men came from.
    """
    n = posterior.n
    rng = np.random.default_rng([posterior.cohort.seed, posterior.resamples_ + 1])
    parents = _island_parents(posterior.weights_, posterior.islands, rng)
    names = _theta_names(posterior.cohort)
    prior = _gaussian_prior(posterior.cohort, names, factor_maxima(posterior.case))
    theta_all = _theta(posterior.sample_, names)
    scale = Scale.of_cloud(theta_all, posterior.weights_, STEP_FLOOR * prior.sd)
    sample = _take(posterior.sample_, parents)
    obs = [o for o in observations(posterior.case, posterior.t0) if o.key in posterior.used_]
    island = posterior.islands
    k = int(island.max()) + 1
    # each island keeps weight 1 / k over its own men
    log_w = -np.log(k * np.bincount(island, minlength=k)[island].astype(float))
    resampled = replace(posterior, sample_=sample, log_weights_=log_w,
                        resamples_=posterior.resamples_ + 1, history_state_=None,
                        log_likelihood_=None, lineage_=posterior.lineages[parents])
    if not obs or sweeps == 0:
        return resampled
    states: dict[int, HistoryState | None] = {}

    def score(theta: FloatArray, index: IntArray, sweep: int) -> FloatArray:
        men = _with_theta(replace(sample, index=index), names, theta)
        p = twin_parameters(men, posterior.cohort, posterior.population)
        log_lik, states[sweep] = _history_loglik(posterior.history, p, n, obs)
        return log_lik

    def fresh_index(sweep: int) -> IntArray:
        # streams apart from the prior's, personalisation's (SMC_STREAMS) and other moves'
        first = MOVE_STREAMS * (posterior.resamples_ + 1) + sweep * n
        return np.arange(first, first + n, dtype=np.int64)

    theta = theta_all[parents]
    if posterior.log_likelihood_ is None:
        log_lik = score(theta, sample.index, 0)
    else:  # the parents' states, if they are of these results' last day
        log_lik = posterior.log_likelihood_[parents]
        known = posterior.history_state_
        states[0] = None if known is None else combine_states(
            [known], np.zeros(n, dtype=np.int64), columns=parents)
    moved = random_walk_moves(prior, theta, sample.index, log_lik, score, fresh_index, scale,
                              rng, sweeps=sweeps, ess_start=posterior.ess_)
    # each man's state from the sweep that simulated his current values
    origins = np.unique(moved.origin)
    needed = [states.get(int(k)) for k in origins]
    state = None if any(s is None for s in needed) else combine_states(
        [s for s in needed if s is not None], np.searchsorted(origins, moved.origin))
    men = _with_theta(replace(sample, index=moved.index), names, moved.theta)
    return replace(resampled, sample_=men,
                   log_likelihood_=moved.log_likelihood, history_state_=state,
                   acceptance_=moved.acceptance)


def _island_parents(weights: FloatArray, island: IntArray,
                    rng: np.random.Generator) -> IntArray:
    """Systematic resampling within each island: as many men as it has, from its own men."""
    parents = np.empty(weights.size, dtype=np.int64)
    for j in range(int(island.max()) + 1):
        mine = np.flatnonzero(island == j)
        w = weights[mine] / weights[mine].sum()
        positions = (rng.random() + np.arange(mine.size)) / mine.size
        parents[mine] = mine[np.minimum(np.searchsorted(np.cumsum(w), positions),
                                        mine.size - 1)]
    return parents


def _concat(samples: Sequence[CohortSample]) -> CohortSample:
    """The men of several samples of one cohort, one after the other."""
    first = samples[0]
    return CohortSample(
        index=np.concatenate([s.index for s in samples]),
        covariates={k: np.concatenate([s.covariates[k] for s in samples])
                    for k in first.covariates},
        categories={k: tuple(c for s in samples for c in s.categories[k])
                    for k in first.categories},
        androgen_option=None if first.androgen_option is None
        else np.concatenate([_given(s.androgen_option) for s in samples]),
        androgen_doses=None if first.androgen_doses is None
        else np.concatenate([_given(s.androgen_doses) for s in samples]),
        parameter_factors={k: np.concatenate([s.parameter_factors[k] for s in samples])
                           for k in first.parameter_factors},
    )


def _given(values: NDArray[Any] | None) -> NDArray[Any]:
    assert values is not None  # samples of one cohort all hold them or none does
    return values


def _take(sample: CohortSample, parents: IntArray) -> CohortSample:
    """The men ``parents`` of a sample (with repeats)."""
    return CohortSample(
        index=sample.index[parents],
        covariates={k: v[parents] for k, v in sample.covariates.items()},
        categories={k: tuple(v[int(j)] for j in parents) for k, v in sample.categories.items()},
        androgen_option=None if sample.androgen_option is None else sample.androgen_option[parents],
        androgen_doses=None if sample.androgen_doses is None else sample.androgen_doses[parents],
        parameter_factors={k: v[parents] for k, v in sample.parameter_factors.items()},
    )
