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
from typing import Literal

from androcast._yaml import load_data
from androcast.labs import Case
from androcast.population.outcomes import ANY_SPERM_DETECTION_LIMIT_M_PER_ML

Censor = Literal["<", ">"]


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
    value: float  # model units
    censor: Censor | None

    @property
    def key(self) -> tuple[str, dt.date]:
        return (self.observable, self.date)


@cache
def error_models() -> Mapping[str, ErrorModel]:
    """Measurement error per observable (``data/measurement.yaml``)."""
    text = resources.files("androcast.twin").joinpath("data/measurement.yaml").read_text("utf-8")
    data = load_data(text)
    table = {**data["analytes"], **data["semen"]}
    return {name: ErrorModel(float(e["cv"]), str(e["source"])) for name, e in table.items()}


def observations(case: Case, t0: dt.date) -> tuple[Observation, ...]:
    """The case's model-relevant results, oldest first; ``t0`` is day 0."""
    models = error_models()
    out: list[Observation] = []
    for lab in case.labs:
        if lab.analyte in models:
            out.append(Observation(lab.analyte, lab.date, float((lab.date - t0).days),
                                   lab.value, lab.censor))
    for semen in case.semen:
        value = semen.concentration_m_per_ml
        if value is None:
            continue
        censor = semen.concentration_censor
        if value <= ANY_SPERM_DETECTION_LIMIT_M_PER_ML and censor is None:
            # no sperm seen: below the detection limit, not a true zero
            value, censor = ANY_SPERM_DETECTION_LIMIT_M_PER_ML, "<"
        out.append(Observation("sperm_concentration", semen.date,
                               float((semen.date - t0).days), value, censor))
    return tuple(sorted(out, key=lambda o: (o.day, o.observable)))
