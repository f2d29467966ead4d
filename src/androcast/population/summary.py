"""Per-patient summaries of a chunk of virtual men, and the cohort result built from them.

A chunk never returns trajectories: only each man's time to every outcome and the value of
each observable at the reporting months. Ten observables x 25 months x 10^5 men is 200 MB
at most; the usual 4 x 11 x 10^5 is 35 MB.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from androcast.conception import Couple, cumulative_conception, male_ratio
from androcast.errors import SimulationError
from androcast.population.cohort import DAYS_PER_MONTH, Cohort
from androcast.population.outcomes import OBSERVABLE_UNITS, Observable, time_to_event
from androcast.population.sampling import CohortSample, sample_patients
from androcast.population.survival import crossing_time, kaplan_meier_censored

FloatArray = NDArray[np.float64]

PERCENTILES = (5.0, 25.0, 50.0, 75.0, 95.0)
_UNITS = {str(k): v for k, v in OBSERVABLE_UNITS.items()}


class AbstractEngine(ABC):
    """Simulates a sample of virtual men and returns their observables on a time grid."""

    @abstractmethod
    def observe(
        self, cohort: Cohort, sample: CohortSample, t_d: FloatArray
    ) -> Mapping[Observable, FloatArray]:
        """Each observable at times ``t_d`` (days from time 0), shape (len(t_d), len(sample))."""


def sampling_times_d(cohort: Cohort) -> FloatArray:
    """Daily from time 0 to the end of follow-up, plus every reporting month."""
    daily = np.arange(0.0, cohort.follow_up_d, 1.0)
    months = np.asarray(cohort.months) * DAYS_PER_MONTH
    return np.unique(np.concatenate([daily, months, [cohort.follow_up_d]]))


@dataclass(frozen=True)
class ChunkSummary:
    """What one chunk of men sends back: times to outcomes and observables at the months."""

    start: int
    stop: int
    time_to_event_d: Mapping[str, FloatArray]  # outcome code -> (n,), NaN = censored
    at_months: Mapping[str, FloatArray]  # observable -> (n_months, n)
    # couple outcomes: each man's cumulative chance of conception at the months (n_months, n)
    chance_at_months: Mapping[str, FloatArray] | None = None
    failed: NDArray[np.bool_] | None = None  # (n,): men the engine could not simulate


def conception_by_month(cohort: Cohort, sample: CohortSample, t_d: FloatArray,
                        observed: Mapping[Observable, FloatArray]) -> FloatArray:
    """Each couple's cumulative chance of a natural conception by the end of each whole month
    of follow-up, shape (n_whole_months, n), from his semen at the middle of each month.

    The expected chance, not a drawn conception: the cohort's curve is then the mean over
    couples, and its Monte Carlo error is that of the men alone.
    """
    n_months = int(np.ceil(max(cohort.months)))
    mid = np.searchsorted(t_d, (np.arange(n_months) + 0.5) * DAYS_PER_MONTH)
    conc = observed[Observable.sperm_concentration][mid].T  # (n, n_months)
    tmsc = observed[Observable.tmsc][mid].T
    ages = sample.covariates["partner_age_years"]
    tried = sample.covariates.get("infertility_months", np.zeros(len(sample)))
    ratios = male_ratio(conc, tmsc)
    out = np.empty((n_months, len(sample)))
    for k in range(len(sample)):  # her age advances month by month along his own path
        out[:, k] = cumulative_conception(Couple(float(ages[k]), round(float(tried[k]))),
                                          ratios[k])
    # a man the engine could not simulate has no chance to report (NaN, as his semen)
    unknown = ~np.all(np.isfinite(conc) & np.isfinite(tmsc), axis=1)
    out[:, unknown] = np.nan
    return out


def _chance_at(cohort: Cohort, by_month: FloatArray) -> FloatArray:
    """Rows of ``by_month`` at the reporting months (month 0: nobody has conceived yet)."""
    nobody = np.where(np.isnan(by_month[0]), np.nan, 0.0)  # NaN stays NaN: not simulated
    rows = [by_month[int(np.ceil(m)) - 1] if m > 0 else nobody for m in cohort.months]
    return np.stack(rows)


def summarise_chunk(cohort: Cohort, engine: AbstractEngine, start: int, stop: int) -> ChunkSummary:
    """Sample men ``start..stop-1``, simulate them and keep only their summaries."""
    sample = sample_patients(cohort, start, stop)
    t_d = sampling_times_d(cohort)
    observed = engine.observe(cohort, sample, t_d)
    needed = {o.observable for o in cohort.outcomes}
    if any(o.is_conception for o in cohort.outcomes):
        needed |= {Observable.sperm_concentration, Observable.tmsc}
    missing = needed - set(observed)
    if missing:
        raise SimulationError(
            "engine", type(engine).__name__, f"observables {sorted(str(m) for m in missing)}"
        )
    month_rows = np.searchsorted(t_d, np.asarray(cohort.months) * DAYS_PER_MONTH)
    couple = [o for o in cohort.outcomes if o.is_conception]
    chance = None
    if couple:
        by_month = conception_by_month(cohort, sample, t_d, observed)
        chance = {o.code: _chance_at(cohort, by_month) for o in couple}
    # a man the engine could not integrate has no values (NaN), which must not read as a man
    # who never recovered: he is set aside and counted
    failed = np.zeros(len(sample), dtype=bool)
    for values in observed.values():
        failed |= ~np.all(np.isfinite(values), axis=0)
    admitted = np.ones(len(sample), dtype=bool)
    if cohort.entry is not None:
        # as real studies do: only men who meet the condition at time 0 are in the cohort
        admitted = cohort.entry.admits(observed[cohort.entry.observable][0])
    if chance is not None:
        chance = {code: values[:, admitted] for code, values in chance.items()}
    return ChunkSummary(
        start=start,
        stop=stop,
        time_to_event_d={
            o.code: time_to_event(o, t_d, observed[o.observable])[admitted]
            for o in cohort.outcomes if not o.is_conception
        },
        at_months={str(name): values[month_rows][:, admitted] for name, values in observed.items()},
        chance_at_months=chance,
        failed=failed[admitted],
    )


@dataclass(frozen=True)
class OutcomeCurve:
    """Cumulative probability of an outcome at each month, and the median time."""

    code: str
    description: str
    source: str
    months: tuple[float, ...]
    probability: tuple[float, ...]
    median_months: float | None


@dataclass(frozen=True)
class ObservableBands:
    """Percentiles of an observable across the cohort at each reporting month."""

    name: str
    unit: str
    months: tuple[float, ...]
    percentiles: Mapping[str, tuple[float, ...]]  # "p5", "p50", ... -> per month


@dataclass(frozen=True)
class CohortResult:
    cohort: str
    n: int
    seed: int
    outcomes: Mapping[str, OutcomeCurve]
    observables: Mapping[str, ObservableBands]
    time_to_event_months: Mapping[str, FloatArray]  # per man, NaN = not reached
    # couple outcomes: each couple's cumulative chance at the months, (n, n_months)
    chance_by_couple: Mapping[str, FloatArray] = field(default_factory=dict)
    n_failed: int = 0  # men the engine could not simulate, left out of every curve and band
    failed: NDArray[np.bool_] | None = None  # per man, which of them (pairs variants by man)

    def as_json(self) -> dict[str, Any]:
        """The DESIGN.md cohort shape: per outcome, months, probability, median_months."""
        shape: dict[str, Any] = {
            "cohort": self.cohort,
            "n": self.n,
            "seed": self.seed,
            "outcomes": {
                code: {
                    "months": list(c.months),
                    "probability": list(c.probability),
                    "median_months": c.median_months,
                }
                for code, c in self.outcomes.items()
            },
        }
        if self.n_failed:  # only then: the DESIGN.md shape stays exact when every man ran
            shape["n_failed"] = self.n_failed
        return shape


def combine(cohort: Cohort, n: int, chunks: Iterable[ChunkSummary]) -> CohortResult:
    """The cohort result from chunk summaries (any order; men are put back by number)."""
    ordered = sorted(chunks, key=lambda c: c.start)
    covered = [(c.start, c.stop) for c in ordered]
    expected = list(zip([0, *[b for _, b in covered[:-1]]], [b for _, b in covered], strict=True))
    if not ordered or covered != expected or covered[-1][1] != n:
        raise SimulationError("chunks", covered, f"chunks covering men 0-{n - 1} once")
    months = tuple(cohort.months)
    failed = np.concatenate([
        np.zeros(c.stop - c.start, dtype=bool) if c.failed is None else c.failed
        for c in ordered])
    kept = ~failed
    outcomes: dict[str, OutcomeCurve] = {}
    tte_months: dict[str, FloatArray] = {}
    chances: dict[str, FloatArray] = {}
    for outcome in cohort.outcomes:
        if outcome.is_conception:
            per_couple = np.concatenate(
                [(c.chance_at_months or {})[outcome.code] for c in ordered], axis=1).T
            mean = per_couple[kept].mean(axis=0)
            outcomes[outcome.code] = OutcomeCurve(
                code=outcome.code, description=outcome.describe(), source=outcome.source,
                months=months, probability=tuple(round(float(p), 6) for p in mean),
                median_months=_rounded(crossing_time(months, mean)))
            chances[outcome.code] = per_couple
            continue
        tte = np.concatenate([c.time_to_event_d[outcome.code] for c in ordered]) / DAYS_PER_MONTH
        km = kaplan_meier_censored(tte[kept], censor_at=cohort.follow_up_months)
        median = km.median()
        outcomes[outcome.code] = OutcomeCurve(
            code=outcome.code,
            description=outcome.describe(),
            source=outcome.source,
            months=months,
            probability=tuple(round(p, 6) for p in km.cumulative_probability(months)),
            median_months=None if median is None else round(median, 3),
        )
        tte_months[outcome.code] = tte
    bands: dict[str, ObservableBands] = {}
    for name in ordered[0].at_months:
        values = np.concatenate([c.at_months[name] for c in ordered], axis=1)[:, kept]
        pct = np.percentile(values, PERCENTILES, axis=1)
        bands[name] = ObservableBands(
            name=name,
            unit=_UNITS.get(name, ""),
            months=months,
            percentiles={
                f"p{p:g}": tuple(float(v) for v in row)
                for p, row in zip(PERCENTILES, pct, strict=True)
            },
        )
    # with an entry condition only the admitted men are the cohort
    return CohortResult(cohort.name, int(failed.size), cohort.seed, outcomes, bands, tte_months,
                        chances, n_failed=int(failed.sum()), failed=failed)


def _rounded(months: float | None) -> float | None:
    return None if months is None else round(months, 3)
