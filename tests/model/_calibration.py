"""Shared helpers of the calibration tests: the published numbers and short simulations."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from androcast.regimens import Regimen, parse_regimen
from androcast.simulate import SolverOptions, Trajectory, simulate

_REFERENCE = Path(__file__).parents[1] / "reference" / "model_calibration.yaml"


@cache
def reference() -> dict[str, Any]:
    return yaml.safe_load(_REFERENCE.read_text(encoding="utf-8"))


def target(group: str, name: str) -> tuple[float, float]:
    """(value, tolerance) of one published number."""
    entry = reference()[group][name]
    return float(entry["value"]), float(entry["tolerance"])


def assert_matches(group: str, name: str, simulated: float) -> None:
    value, tolerance = target(group, name)
    assert abs(simulated - value) <= tolerance, (
        f"{group}.{name}: simulated {simulated:.4g}, published {value:g} +/- {tolerance:g} "
        f"({reference()[group][name]['source']})"
    )


def regimen(*entries: dict[str, str]) -> Regimen:
    return parse_regimen(list(entries))


def every(drug: str, dose: str, route: str, interval: str, start: str, stop: str
          ) -> dict[str, str]:
    return {"drug": drug, "dose": dose, "route": route, "every": interval,
            "start": start, "stop": stop}


def mean(tr: Trajectory, name: str, start_d: float, stop_d: float) -> float:
    mask = (tr.t_d >= start_d) & (tr.t_d < stop_d)
    return float(np.mean(tr.observable(name)[mask]))


@cache
def te200_year() -> Trajectory:
    """TE 200 mg i.m. weekly from day 0 for a year (6-hourly output)."""
    return simulate(None, regimen(every("testosterone_enanthate", "200 mg", "im", "7 d",
                                        "0 d", "365 d")),
                    days=300, solver=SolverOptions(output_step_d=0.25))


def fold_change(drug: str, dose: str) -> dict[str, float]:
    """Mean of days 60-90 of daily oral dosing over the drug-free baseline."""
    tr = simulate(None, regimen(every(drug, dose, "oral", "1 d", "0 d", "90 d")), days=90)
    return {name: mean(tr, name, 60, 90) / tr.observable(name)[0]
            for name in ("testosterone_total", "lh", "fsh", "estradiol")}
