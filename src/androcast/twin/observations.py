"""A case's results as observations of the model, with their measurement error.

Every lab the model predicts (``data/measurement.yaml``) and every semen concentration
becomes an :class:`Observation` on the model's time axis (days from time 0, the end of
androgen exposure; Handelsman 2005). Results are already in the model's units: the lab
layer stores testosterone and SHBG in nmol/L, LH and FSH in IU/L, estradiol in pmol/L and
inhibin B in ng/L, as the model does.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

from androcast._yaml import load_data
from androcast.labs import Case, SemenAnalysis
from androcast.population.outcomes import PELLET_LIMIT_M_PER_ML, ROUTINE_COUNT_LIMIT_M_PER_ML

#: "<" / ">": beyond an assay limit; "in": between ``low`` and ``value`` (sperm seen only in
#: the centrifuged pellet)
Censor = Literal["<", ">", "in"]


@dataclass(frozen=True)
class ErrorModel:
    """Log-normal measurement error of one observable."""

    cv: float
    source: str

    @property
    def sigma(self) -> float:
        return math.sqrt(math.log1p(self.cv**2))


@dataclass(frozen=True)
class Observation:
    """One result: ``observable`` on ``day`` (from time 0), exact or censored at ``value``."""

    observable: str  # a model observable, e.g. "lh", "sperm_concentration"
    date: dt.date
    day: float
    value: float  # model units (semen: adjusted to the model's abstinence)
    censor: Censor | None
    low: float = 0.0  # lower end of an interval-censored result ("in")

    @property
    def key(self) -> tuple[str, dt.date]:
        return (self.observable, self.date)


@cache
def error_models() -> Mapping[str, ErrorModel]:
    """Measurement error per observable (``data/measurement.yaml``)."""
    data = _measurement_table()
    table = {**data["analytes"], **data["semen"]}
    return {name: ErrorModel(float(e["cv"]), str(e["source"])) for name, e in table.items()}


@dataclass(frozen=True)
class SemenMeasurement:
    """How a semen analysis relates to the model's concentration (``data/measurement.yaml``)."""

    reference_days: float
    per_day: float
    low_days: float
    high_days: float
    pellet_limit: float  # M/mL: lowest concentration a centrifuged pellet finds

    def abstinence_factor(self, days: float | None) -> float:
        """Measured / model concentration after ``days`` of abstinence (1 when unknown)."""
        if days is None:
            return 1.0
        held = min(max(days, self.low_days), self.high_days)
        return 1.0 + self.per_day * (held - self.reference_days)


@cache
def _measurement_table() -> Mapping[str, Any]:
    text = resources.files("androcast.twin").joinpath("data/measurement.yaml").read_text("utf-8")
    data: Mapping[str, Any] = load_data(text)
    return data


@cache
def semen_measurement() -> SemenMeasurement:
    """Abstinence and pellet terms of the semen observation (``data/measurement.yaml``)."""
    table = _measurement_table()
    a = table["abstinence"]
    return SemenMeasurement(float(a["reference_days"]), float(a["per_day"]),
                            float(a["low_days"]), float(a["high_days"]), PELLET_LIMIT_M_PER_ML)


def semen_observation(semen: SemenAnalysis, day: float) -> Observation | None:
    """One semen analysis as an observation of the model's concentration.

    A count is compared at the model's abstinence (his result divided by the abstinence
    factor); no sperm on the routine count is below its detection limit, or between the
    pellet's limit and it when the pellet held sperm, or below the pellet's limit when the
    pellet was searched and empty. A low count that was seen (0.05 M/mL) stays exact.
    """
    value = semen.concentration_m_per_ml
    if value is None:
        return None
    m = semen_measurement()
    factor = m.abstinence_factor(semen.abstinence_days)
    censor: Censor | None = semen.concentration_censor
    routine = ROUTINE_COUNT_LIMIT_M_PER_ML
    if value <= 0.0 and censor is None:
        # no sperm on the routine count: the pellet decides how far below its limit
        if semen.pellet_sperm_seen:
            return Observation("sperm_concentration", semen.date, day, routine / factor, "in",
                               m.pellet_limit / factor)
        limit = m.pellet_limit if semen.pellet_sperm_seen is False else routine
        return Observation("sperm_concentration", semen.date, day, limit / factor, "<")
    return Observation("sperm_concentration", semen.date, day, value / factor, censor)


def observations(case: Case, t0: dt.date) -> tuple[Observation, ...]:
    """The case's model-relevant results, oldest first; ``t0`` is day 0."""
    models = error_models()
    out: list[Observation] = []
    for lab in case.labs:
        if lab.analyte in models:
            out.append(Observation(lab.analyte, lab.date, float((lab.date - t0).days),
                                   lab.value, lab.censor))
    for semen in case.semen:
        o = semen_observation(semen, float((semen.date - t0).days))
        if o is not None:
            out.append(o)
    return tuple(sorted(out, key=lambda o: (o.day, o.observable)))
