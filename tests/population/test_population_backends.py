"""Backends give identical numbers: in-process, local processes, and a local Dask cluster.

The engine here is a closed-form test double (recovery as 1 - exp(-t/tau), with tau drawn
per man), so these tests check the plumbing, not the model; the model-backed engine is
tested in test_population_engine.py.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pytest

from androcast.errors import ParameterError, SimulationError
from androcast.population import (
    DAYS_PER_MONTH,
    AbstractEngine,
    Cohort,
    CohortSample,
    DaskCluster,
    InProcess,
    LocalProcesses,
    Observable,
    chunk_bounds,
    parse_cohort,
    run_cohort,
)

COHORT = {
    "name": "toy",
    "seed": 3,
    "follow_up_months": 12,
    "months": [0, 3, 6, 12],
    "outcomes": ["concentration_ge_20m_per_ml", "any_sperm"],
    "covariates": {
        "age_years": {"distribution": "uniform", "low": 20, "high": 50},
        "baseline_concentration_m_per_ml": {"distribution": "lognormal", "median": 50, "cv": 0.5},
    },
}


class ExponentialRecovery(AbstractEngine):
    """c(t) = c_base (1 - exp(-t / tau)), tau = age_years * 3 days (a test double)."""

    def observe(
        self, cohort: Cohort, sample: CohortSample, t_d: np.ndarray
    ) -> Mapping[Observable, np.ndarray]:
        tau = sample.covariates["age_years"] * 3.0
        base = sample.covariates["baseline_concentration_m_per_ml"]
        return {Observable.sperm_concentration: base * (1 - np.exp(-t_d[:, None] / tau))}


def _analytic_p20(cohort: Cohort, n: int, month: float) -> float:
    from androcast.population import sample_patients

    s = sample_patients(cohort, 0, n)
    base, tau = s.covariates["baseline_concentration_m_per_ml"], s.covariates["age_years"] * 3
    with np.errstate(invalid="ignore", divide="ignore"):
        t20 = np.where(base > 20, -tau * np.log(1 - 20 / base), np.inf)
    return float(np.mean(np.ceil(t20 - 1e-9) <= month * DAYS_PER_MONTH))


def test_in_process_curve_matches_the_closed_form() -> None:
    cohort = parse_cohort(COHORT)
    result = run_cohort(cohort, 300, ExponentialRecovery(), chunk_size=64)
    curve = result.outcomes["concentration_ge_20m_per_ml"]
    assert curve.months == (0, 3, 6, 12)
    for month, p in zip(curve.months, curve.probability, strict=True):
        # one man (1/n): an event within rounding of a sampled day may fall either side of it
        assert p == pytest.approx(_analytic_p20(cohort, 300, month), abs=1 / 300)
    assert result.as_json()["n"] == 300


def test_chunking_does_not_change_the_numbers() -> None:
    cohort = parse_cohort(COHORT)
    a = run_cohort(cohort, 120, ExponentialRecovery(), chunk_size=120)
    b = run_cohort(cohort, 120, ExponentialRecovery(), chunk_size=7)
    assert a.as_json() == b.as_json()
    np.testing.assert_array_equal(
        a.time_to_event_months["any_sperm"], b.time_to_event_months["any_sperm"]
    )


def test_local_processes_give_the_same_numbers_as_in_process() -> None:
    cohort = parse_cohort(COHORT)
    ref = run_cohort(cohort, 90, ExponentialRecovery(), chunk_size=30)
    par = run_cohort(
        cohort, 90, ExponentialRecovery(), chunk_size=20, backend=LocalProcesses(max_workers=2)
    )
    assert par.as_json() == ref.as_json()
    assert par.observables["sperm_concentration"] == ref.observables["sperm_concentration"]


def test_local_dask_cluster_with_two_workers_gives_the_same_numbers() -> None:
    distributed = pytest.importorskip("distributed")
    cohort = parse_cohort(COHORT)
    ref = run_cohort(cohort, 60, ExponentialRecovery(), chunk_size=60, backend=InProcess())
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        got = run_cohort(
            cohort,
            60,
            ExponentialRecovery(),
            chunk_size=15,
            backend=DaskCluster(cluster.scheduler_address),
        )
    assert got.as_json() == ref.as_json()


def test_progress_counts_every_man_once() -> None:
    seen: list[int] = []
    run_cohort(parse_cohort(COHORT), 50, ExponentialRecovery(), chunk_size=16, progress=seen.append)
    assert seen == [16, 16, 16, 2]


def test_chunk_bounds_refuse_an_empty_cohort() -> None:
    assert chunk_bounds(5, 2) == ((0, 2), (2, 4), (4, 5))
    with pytest.raises(ParameterError) as err:
        chunk_bounds(0, 10)
    assert str(err.value) == (
        "n: 0 is not a valid parameter; expected at least one virtual patient"
    )


def test_engine_without_the_outcome_observable_is_an_error() -> None:
    cohort = parse_cohort({**COHORT, "outcomes": ["lh_normal"]})
    with pytest.raises(SimulationError) as err:
        run_cohort(cohort, 5, ExponentialRecovery())
    assert str(err.value) == ("engine: 'ExponentialRecovery' failed; expected observables ['lh']")


class FailsOverForty(ExponentialRecovery):
    """As ExponentialRecovery, but men over 40 cannot be simulated (their values are NaN)."""

    def observe(
        self, cohort: Cohort, sample: CohortSample, t_d: np.ndarray
    ) -> Mapping[Observable, np.ndarray]:
        values = dict(super().observe(cohort, sample, t_d))
        c = values[Observable.sperm_concentration].copy()
        c[:, sample.covariates["age_years"] > 40] = np.nan
        values[Observable.sperm_concentration] = c
        return values


def test_men_who_cannot_be_simulated_are_counted_and_left_out_of_the_curves() -> None:
    from androcast.population import sample_patients

    cohort = parse_cohort(COHORT)
    n = 300
    result = run_cohort(cohort, n, FailsOverForty(), chunk_size=64)
    s = sample_patients(cohort, 0, n)
    over_forty = s.covariates["age_years"] > 40
    assert result.n_failed == int(over_forty.sum()) > 0
    assert result.as_json()["n_failed"] == result.n_failed
    base = s.covariates["baseline_concentration_m_per_ml"][~over_forty]
    tau = s.covariates["age_years"][~over_forty] * 3
    with np.errstate(invalid="ignore", divide="ignore"):
        t20 = np.where(base > 20, -tau * np.log(1 - 20 / base), np.inf)
    curve = result.outcomes["concentration_ge_20m_per_ml"]
    for month, p in zip(curve.months, curve.probability, strict=True):
        # the closed form over the men who were simulated, not a failed man counted as "never"
        want = float(np.mean(np.ceil(t20 - 1e-9) <= month * DAYS_PER_MONTH))
        assert p == pytest.approx(want, abs=1 / n)
    assert np.all(np.isfinite(result.observables["sperm_concentration"].percentiles["p50"]))
