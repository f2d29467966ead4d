"""A virtual population's event table: one ID per man, his doses and simulated observables.

The men, their covariates and their doses are the population layer's own
(``sample_patients`` and ``ModelEngine.schedules``, seeded by the cohort), so the table
holds the very events the batch simulation integrates.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from androcast.errors import ExportError
from androcast.io.nonmem._records import compartments, dose_rows, observation_cmt
from androcast.io.nonmem._table import EventRow, EventTable, sort_rows
from androcast.population import DAYS_PER_MONTH, Cohort, CohortSample, sample_patients
from androcast.population.engine import ModelEngine
from androcast.units import convert

#: Model observable -> (analyte or semen key, unit the batch simulation returns it in).
MODEL_OBSERVABLES: dict[str, tuple[str, str]] = {
    "testosterone_total": ("testosterone_total", "nmol/L"),
    "lh": ("lh", "IU/L"),
    "fsh": ("fsh", "IU/L"),
    "estradiol": ("estradiol", "pmol/L"),
    "inhibin_b": ("inhibin_b", "ng/L"),
    "shbg": ("shbg", "nmol/L"),
    "sperm_concentration": ("concentration_m_per_ml", "M/mL"),
}
DEFAULT_OBSERVABLES = ("testosterone_total", "lh", "fsh", "sperm_concentration")


def default_days(cohort: Cohort) -> tuple[float, ...]:
    """Day 0 and every reporting month of the cohort."""
    return tuple(sorted({0.0, *(m * DAYS_PER_MONTH for m in cohort.months)}))


def population_events(
    cohort: Cohort,
    n: int,
    *,
    days: Sequence[float] | None = None,
    observables: Sequence[str] = DEFAULT_OBSERVABLES,
    engine: ModelEngine | None = None,
) -> EventTable:
    """Men 0..n-1 of ``cohort``: ID = number + 1, observations at ``days`` (from time 0).

    Observables are model outputs (pulse-averaged), in the labs catalogue's canonical
    units; none is censored. Covariate columns: the cohort's sampled covariates
    (upper-case keys), and with an androgen exposure its drug (ANDROGEN) and length
    (ANDROGEN_WEEKS).
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ExportError("n", n, "a whole number of virtual men, at least 1")
    for name in observables:
        if name not in MODEL_OBSERVABLES:
            raise ExportError("observable", name, "one of " + ", ".join(MODEL_OBSERVABLES))
    t_d = np.array(sorted(set(days if days is not None else default_days(cohort))), float)
    if t_d.size == 0 or t_d[0] < 0.0:
        raise ExportError("days", list(days or ()), "one or more days at or after time 0")
    engine = engine or ModelEngine()
    sample = sample_patients(cohort, 0, n)
    _, schedules = engine.schedules(cohort, sample, float(t_d[-1]))
    trajectory = engine.trajectory(cohort, sample, t_d, list(observables))
    codes = [MODEL_OBSERVABLES[name][0] for name in observables]
    cmts = compartments(schedules, codes)
    cmt_of = observation_cmt(cmts)
    rows: list[EventRow] = []
    for k, schedule in enumerate(schedules):
        subject = int(sample.index[k]) + 1
        rows += dose_rows(subject, schedule, cmts)
        for name in observables:
            code, unit = MODEL_OBSERVABLES[name]
            canonical = next(c.unit for c in cmts if c.code == code)
            for j, day in enumerate(t_d):
                value = convert(float(trajectory.values[name][j, k]), unit, canonical,
                                analyte=code if code != "concentration_m_per_ml" else None)
                rows.append(EventRow(subject, float(day), 0, cmt_of[code], code, dv=value))
    return EventTable(
        rows=sort_rows(rows), compartments=cmts, covariates=_covariates(cohort, sample),
        subjects={int(i) + 1: f"virtual man {int(i)} of {cohort.name}" for i in sample.index},
        source=f"cohort {cohort.name}, seed {cohort.seed}, n = {n}; simulated by the "
               "pulse-averaged HPG model (androcast.simulate.batch)",
        notes=("dose rows are the regimen compiler's events of each man's regimen "
               "(androgen history, then the cohort's treatment)",),
    )


def _covariates(cohort: Cohort, sample: CohortSample) -> dict[int, dict[str, float | str]]:
    out: dict[int, dict[str, float | str]] = {}
    for k, index in enumerate(sample.index):
        values: dict[str, float | str] = {
            name.upper(): float(column[k]) for name, column in sample.covariates.items()}
        values.update({name.upper(): column[k] for name, column in sample.categories.items()})
        if cohort.androgen is not None and sample.androgen_option is not None:
            assert sample.androgen_doses is not None
            entry = cohort.androgen.options[int(sample.androgen_option[k])].entry
            values["ANDROGEN"] = entry.drug
            values["ANDROGEN_WEEKS"] = int(sample.androgen_doses[k]) * (entry.every_d or 0) / 7
        out[int(index) + 1] = values
    return out
