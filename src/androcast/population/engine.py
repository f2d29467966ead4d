"""The model-backed engine: a sample of virtual men -> parameters -> ``simulate_batch``.

Covariates enter through the model's own ``personalise`` (age, BMI); the baseline sperm
concentration scales daily sperm production relative to the reference man; the cohort's
variability multiplies named parameters by each man's lognormal factor. Ethnicity is
sampled but has no model effect yet (Liu 2006 gives only the direction; calibration work).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from androcast.model.parameters import (
    Covariates,
    Parameters,
    personalise,
    reference_parameters,
)
from androcast.model.rhs import Inputs, rhs
from androcast.model.steady_state import reference_state
from androcast.population.cohort import Cohort
from androcast.population.outcomes import Observable
from androcast.population.sampling import CohortSample
from androcast.population.summary import AbstractEngine
from androcast.regimens import compile_regimen
from androcast.simulate.batch import StepControl, simulate_batch

FloatArray = NDArray[np.float64]

_MODIFIERS = (
    "leydig_factor",
    "shbg_factor",
    "dsp_factor",
    "gnrh_factor",
    "aromatase_factor",
    "prl",
)


def reference_concentration_m_per_ml(p: Parameters) -> float:
    """Sperm concentration of the reference man at steady state (from the model's observe)."""
    _, observed = rhs(0.0, reference_state(p), p, Inputs(pulsatile=0.0), observe=True)
    return float(observed["sperm_concentration"])


def cohort_parameters(sample: CohortSample) -> Parameters:
    """Parameters of every man of a sample, as (N,) arrays where men differ."""
    ref = reference_parameters()
    n = len(sample)
    age = sample.covariates.get("age_years")
    bmi = sample.covariates.get("bmi")
    columns: dict[str, list[float]] = {name: [] for name in _MODIFIERS}
    for k in range(n):
        personal = personalise(
            ref,
            Covariates(
                age_years=None if age is None else float(age[k]),
                bmi=None if bmi is None else float(bmi[k]),
            ),
        )
        for name in _MODIFIERS:
            columns[name].append(float(getattr(personal, name)))
    changes: dict[str, FloatArray] = {name: np.array(v) for name, v in columns.items()}
    baseline = sample.covariates.get("baseline_concentration_m_per_ml")
    if baseline is not None:
        changes["dsp_factor"] = (
            changes["dsp_factor"] * baseline / (reference_concentration_m_per_ml(ref))
        )
    for name, factor in sample.parameter_factors.items():
        changes[name] = changes.get(name, np.full(n, float(getattr(ref, name)))) * factor
    return ref.replace(**changes)


@dataclass(frozen=True)
class ModelEngine(AbstractEngine):
    """The HPG model in the pulse-averaged mode, integrated by ``simulate_batch``."""

    rtol: float = 1e-4
    atol: float = 1e-6

    def observe(
        self, cohort: Cohort, sample: CohortSample, t_d: FloatArray
    ) -> Mapping[Observable, FloatArray]:
        regimens = [sample.regimen(cohort, k) for k in range(len(sample))]
        starts = [e.start_d for r in regimens for e in r.entries]
        t_start = min([0.0, *starts])
        t_end = float(t_d[-1]) + 1.0
        schedules = [compile_regimen(r, t_start_d=t_start, t_end_d=t_end) for r in regimens]
        trajectory = simulate_batch(
            cohort_parameters(sample),
            schedules,
            t_d,
            t_start_d=t_start,
            control=StepControl(rtol=self.rtol, atol=self.atol),
        )
        return {o: trajectory.values[str(o)] for o in Observable}
