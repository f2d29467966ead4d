"""Cohorts the targets run on: the shipped ones, calibration-only ones, and their variants.

A variant changes covariates or the androgen exposure of a cohort and keeps its seed, so
the two variants of a direction target are the same men differing only in that covariate.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from importlib import resources
from typing import Any

from androcast._yaml import load_data
from androcast.errors import UnknownCodeError
from androcast.population import Cohort, cohort_names, parse_cohort


def calibration_cohort_names() -> tuple[str, ...]:
    """Cohorts that exist only for calibration (``calibrate/data/cohorts``)."""
    folder = resources.files("androcast.calibrate").joinpath("data/cohorts")
    return tuple(sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml")))


def cohort_data(name: str) -> dict[str, Any]:
    """The parsed YAML of a shipped or calibration cohort."""
    if name in cohort_names():
        folder = resources.files("androcast.population").joinpath("cohorts")
    elif name in calibration_cohort_names():
        folder = resources.files("androcast.calibrate").joinpath("data/cohorts")
    else:
        known = (*cohort_names(), *calibration_cohort_names())
        raise UnknownCodeError("cohort", name, "one of " + ", ".join(known))
    data = load_data(folder.joinpath(f"{name}.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def cohort_variant(name: str, change: Mapping[str, Any] | None = None,
                   outcomes: list[str] | None = None) -> Cohort:
    """Cohort ``name`` with covariates / androgen entries replaced by ``change``."""
    data = copy.deepcopy(cohort_data(name))
    for section, values in (change or {}).items():
        if isinstance(values, Mapping) and isinstance(data.get(section), dict):
            data[section].update(copy.deepcopy(dict(values)))
        else:
            data[section] = copy.deepcopy(values)
    if outcomes:
        data["outcomes"] = list(outcomes)
    return parse_cohort(data, source=f"{name}.yaml")
