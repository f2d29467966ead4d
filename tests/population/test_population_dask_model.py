"""The real model on a local Dask cluster (2 workers) gives the in-process numbers.

A few virtual men on hCG for a month, so each worker compiles or loads the model's kernel
and integrates its chunk; chunks differ between the runs, which must not change any man's
result (each man's tolerances are his own).
"""

from __future__ import annotations

import numpy as np
import pytest

from androcast.population import DaskCluster, InProcess, parse_cohort, run_cohort
from androcast.population.engine import ModelEngine

COHORT = {
    "name": "hcg_month",
    "seed": 5,
    "follow_up_months": 1,
    "months": [0, 0.5, 1],
    "outcomes": ["concentration_ge_20m_per_ml", "lh_normal"],
    "covariates": {
        "age_years": {"distribution": "uniform", "low": 25, "high": 55},
        "baseline_concentration_m_per_ml": {"distribution": "lognormal", "median": 40,
                                            "cv": 0.6},
    },
    "regimen": [{"drug": "hcg", "dose": "1500 IU", "route": "sc", "every": "3 d",
                 "start": "0 d", "duration": "30 d"}],
}


def test_real_model_on_a_local_dask_cluster_matches_in_process() -> None:
    distributed = pytest.importorskip("distributed")
    cohort = parse_cohort(COHORT)
    engine = ModelEngine()
    ref = run_cohort(cohort, 6, engine, chunk_size=6, backend=InProcess())
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        got = run_cohort(cohort, 6, engine, chunk_size=2,
                         backend=DaskCluster(cluster.scheduler_address))
    assert got.as_json() == ref.as_json()
    assert got.observables == ref.observables
    for code, tte in ref.time_to_event_months.items():
        np.testing.assert_array_equal(got.time_to_event_months[code], tte)
    # hCG raises serum T in every man: the model ran, not an empty or constant engine
    t = ref.observables["testosterone_total"].percentiles["p50"]
    assert t[-1] > t[0]
