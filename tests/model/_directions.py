"""Direction tests on the calibrated population at a Monte Carlo error they compute.

A direction is tested on a sample of men, not on one chosen man: the same ``N_MEN`` men
with and without the perturbation (common random numbers), and the mean paired effect must
lie ``Z`` of its own Monte Carlo standard errors (sd of the paired effects over sqrt(n))
from zero, on the side the physiology requires (issue 21: no chosen seed or threshold).
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
from numpy.typing import NDArray

from androcast.model import Parameters
from androcast.population import load_cohort, sample_patients
from androcast.population.engine import cohort_parameters, fitted_population
from androcast.regimens import DoseSchedule, compile_regimen, parse_regimen
from androcast.simulate.batch import BatchTrajectory, simulate_batch

FloatArray = NDArray[np.float64]

#: Men of the calibrated population per direction (Liu 2006's cohort: its covariates and the
#: fitted inter-individual variability; seeded by the cohort file), the same men in both
#: arms (common random numbers).
N_MEN = 40
#: A direction holds when the mean paired effect is at least Z Monte Carlo standard errors
#: from zero: a one-sided false direction then passes with probability below 0.0013.
Z = 3.0
#: The drug-free steady state is solved to a Newton tolerance of 1e-10 (simulate_batch); a
#: quantity with no path from the perturbation may move by no more than that, relatively.
STEADY_STATE_TOLERANCE = 1e-8


@cache
def men() -> Parameters:
    cohort = load_cohort("contraception_liu2006")
    return cohort_parameters(sample_patients(cohort, 0, N_MEN), cohort, fitted_population())


def run(p: Parameters, schedule: DoseSchedule, t_d: FloatArray, t_start_d: float = 0.0,
        observables: list[str] | None = None) -> BatchTrajectory:
    """The men on one schedule; every man must integrate."""
    out = simulate_batch(p, [schedule] * N_MEN, t_d, t_start_d=t_start_d, throw=False,
                         observables=observables)
    assert not out.failed.any(), f"{int(out.failed.sum())} men failed to integrate"
    return out


def steady(changes: dict[str, object]) -> BatchTrajectory:
    """The men's drug-free steady state (day 1 of a run without doses)."""
    none = compile_regimen(parse_regimen(None), t_start_d=0.0, t_end_d=2.0)
    return run(men().replace(**changes), none, np.array([1.0]))  # type: ignore[arg-type]


def assert_direction(effect: FloatArray, sign: int, what: str) -> float:
    """Mean paired effect has ``sign`` and is at least Z Monte Carlo SEs from zero."""
    mean = float(np.mean(effect))
    se = float(np.std(effect, ddof=1) / math.sqrt(effect.size))
    assert sign * mean > Z * se, f"{what}: mean paired effect {mean:.4g}, MC SE {se:.2g}"
    return mean
