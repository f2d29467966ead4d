"""A virtual population's event table: N IDs, seeded, each man's own doses and observables."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from androcast.errors import ExportError
from androcast.io.nonmem import population_events
from androcast.population import Cohort, load_cohort, sample_patients
from androcast.population.engine import ModelEngine
from androcast.regimens import compile_regimen

N = 3
DAYS = (0.0, 90.0, 180.0)


@pytest.fixture(scope="module")
def cohort() -> Cohort:
    return load_cohort("trt_hcg_combo_wenker2015")


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_one_id_per_man_with_his_compiled_doses_and_covariates(cohort: Cohort) -> None:
    table = population_events(cohort, N, days=DAYS)
    written = rows(table.csv_text())
    assert sorted({int(r["ID"]) for r in written}) == [1, 2, 3]
    sample = sample_patients(cohort, 0, N)
    drug_of = {c.cmt: c.code for c in table.compartments if c.kind == "dose"}
    for k in range(N):
        # the engine integrates from the earliest start to a day past the last output
        schedule = compile_regimen(sample.regimen(cohort, k), t_start_d=-1e5,
                                   t_end_d=DAYS[-1] + 1.0)
        expected = sorted((d.t_d, d.drug, d.amount) for d in schedule.doses)
        mine = [r for r in written if r["ID"] == str(k + 1)]
        got = sorted((float(r["TIME"]), drug_of[int(r["CMT"])], float(r["AMT"]))
                     for r in mine if r["EVID"] == "1")
        assert got == expected
        assert float(mine[0]["AGE_YEARS"]) == float(sample.covariates["age_years"][k])
        assert {r["ANDROGEN"] for r in mine} == {sample.regimen(cohort, k).entries[0].drug}
        observed = [r for r in mine if r["EVID"] == "0"]
        assert len(observed) == len(DAYS) * 4 and {float(r["TIME"]) for r in observed} == set(DAYS)


def test_observables_are_the_simulation_in_canonical_units(cohort: Cohort) -> None:
    table = population_events(cohort, N, days=DAYS)
    trajectory = ModelEngine().trajectory(cohort, sample_patients(cohort, 0, N),
                                          np.array(DAYS), ["testosterone_total", "lh"])
    units = {c.code: c.unit for c in table.compartments}
    assert (units["testosterone_total"], units["lh"]) == ("nmol/L", "[IU]/L")
    for r in rows(table.csv_text()):
        if r["CODE"] in ("testosterone_total", "lh"):
            j, k = DAYS.index(float(r["TIME"])), int(r["ID"]) - 1
            assert float(r["DV"]) == pytest.approx(trajectory.values[r["CODE"]][j, k], rel=1e-12)
    # after TRT, LH is suppressed at time 0 and rises on hCG + SERM (wenker2015 arm)
    lh = {(r["ID"], float(r["TIME"])): float(r["DV"]) for r in rows(table.csv_text())
          if r["CODE"] == "lh"}
    assert all(lh[(str(i), 0.0)] < lh[(str(i), 90.0)] for i in range(1, N + 1))


def test_the_seed_reproduces_the_table_and_another_seed_changes_it(cohort: Cohort) -> None:
    first = population_events(cohort, N, days=DAYS).csv_text()
    assert population_events(cohort, N, days=DAYS).csv_text() == first
    other = population_events(replace(cohort, seed=cohort.seed + 1), N, days=DAYS).csv_text()
    assert other != first


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"n": 0}, "n: 0 cannot be exported; expected a whole number of virtual men, at least 1"),
    ({"n": 2, "days": [-7.0]},
     "days: [-7.0] cannot be exported; expected one or more days at or after time 0"),
])
def test_bad_population_requests_are_exact_errors(cohort: Cohort, kwargs: dict[str, Any],
                                         message: str) -> None:
    with pytest.raises(ExportError) as err:
        population_events(cohort, **kwargs)
    assert str(err.value) == message
