"""How the stored parameters were obtained from the published points (and can be re-derived).

Each fit solves for exactly as many parameters as it has published points, so the stored
values reproduce those points; the points listed under ``validation`` in the data file were
never used here. ``tests/conception/test_conception_model.py`` re-runs these fits against
the stored values.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
from scipy.optimize import brentq, fsolve

from androcast.conception.model import Couple, cumulative_at
from androcast.conception.parameters import (
    ConceptionParameters,
    conception_parameters,
    parameter_table,
)
from androcast.evidence import evidence


def _point(ref: dict[str, Any]) -> float:
    """A published proportion named in the data file by evidence key and label."""
    value = evidence(str(ref["evidence"])).value
    return float(value[ref["label"]]) if "label" in ref else float(value)


def fit_heterogeneity(params: ConceptionParameters) -> tuple[float, float]:
    """Beta(a, b) of the reference stratum from its 6- and 12-cycle cumulative proportions."""
    targets = parameter_table()["heterogeneity"]["fitted_to"]

    def residual(log_ab: Any) -> list[float]:
        a, b = np.exp(log_ab)
        p = replace(params, beta_a=float(a), beta_b=float(b))
        return [cumulative_at(Couple(float(t["female_age_years"])), int(t["cycles"]), 1.0, p)
                - _point(t) for t in targets]

    a, b = np.exp(fsolve(residual, [0.0, 1.0], xtol=1e-12))
    return float(a), float(b)


def fit_age_anchor(params: ConceptionParameters, anchor: dict[str, Any]) -> float:
    """The ratio at one age anchor that reproduces its stratum's cumulative proportion."""
    target = anchor["fitted_to"]
    index = params.age_anchor_years.index(float(anchor["age_years"]))

    def gap(ratio: float) -> float:
        ratios = list(params.age_anchor_ratios)
        ratios[index] = ratio
        p = replace(params, age_anchor_ratios=tuple(ratios))
        return cumulative_at(Couple(float(target["female_age_years"])), int(target["cycles"]),
                             1.0, p) - _point(target)

    return float(brentq(gap, 1e-4, 1.0, xtol=1e-12))


def fit_male_ratio(params: ConceptionParameters, target: dict[str, Any]) -> float:
    """A male ratio reproducing a published proportion (absolute, or relative to ``versus``)."""
    couple = Couple(float(target["female_age_years"]), int(target.get("months_tried_before", 0)))
    cycles = int(target["cycles"])
    goal = _point(target)
    if "versus" in target:
        goal = goal / _point(target["versus"]) * cumulative_at(couple, cycles, 1.0, params)
    return float(brentq(lambda r: cumulative_at(couple, cycles, r, params) - goal, 1e-4, 1.0,
                        xtol=1e-12))


def refit() -> dict[str, float]:
    """Every fitted parameter, re-derived from the evidence in the data file's order."""
    t = parameter_table()
    p = conception_parameters()
    a, b = fit_heterogeneity(p)
    p = replace(p, beta_a=a, beta_b=b)
    out = {"beta_a": a, "beta_b": b}
    for anchor in t["female_age"]["anchors"]:
        if "fitted_to" in anchor:
            out[f"age_{anchor['age_years']}"] = fit_age_anchor(p, anchor)
    out["below_plateau_ratio"] = fit_male_ratio(p, t["male"]["below_plateau_ratio"]["fitted_to"])
    for band in t["male"]["tmsc_bands"]:
        out[f"tmsc_below_{band['below_m']}"] = fit_male_ratio(p, band["fitted_to"])
    return out
