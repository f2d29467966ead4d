"""Shared helpers of the calibration tests: the published numbers and short simulations."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from androcast.evidence import evidence
from androcast.regimens import Regimen, parse_regimen
from androcast.simulate import SolverOptions, Trajectory, simulate

_REFERENCE = Path(__file__).parents[1] / "reference" / "model_calibration.yaml"


@cache
def reference() -> dict[str, Any]:
    return yaml.safe_load(_REFERENCE.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Margin:
    """A named margin around a published number that has no interval of its own."""

    why: str
    relative: float = 0.0
    absolute: float = 0.0


#: The named margins of tests/reference/model_calibration.yaml (issue 21: every scientific
#: assertion states its source interval or a named margin, and why).
MARGINS: dict[str, Margin] = {
    "fold_of_a_cohort_mean": Margin(
        "two standard errors of a fold change of a cohort mean: about 20 men with a hormone "
        "CV of ~35 % give SE = fold x 0.35 x sqrt(2)/sqrt(20) = 0.11 x fold", relative=0.2),
    "point_without_interval": Margin(
        "a published point value with no interval: read within +/-15 %, about the "
        "between-laboratory CV of the hormone and semen methods behind such values",
        relative=0.15),
    "near_assay_floor": Margin(
        "fractions of baseline published as single numbers near the assays' floor (LH 0.2 IU/L "
        "at 5 % of baseline): within 3 % of baseline, about the assays' resolution there",
        absolute=0.03),
    "undetectable": Margin(
        "'undetectable' (handelsman1992) read as 0-10 % of baseline: the assays' floor, "
        "0.3-0.5 IU/L, is about 10 % of baseline LH and FSH", absolute=0.05),
    "castrate": Margin(
        "castrate is T <= 50 ng/dL = 1.73 nmol/L, the level the agonist and antagonist "
        "trials use", absolute=1.73),
    "itt_change_of_a_small_arm": Margin(
        "intratesticular T by aspiration varies about 2-fold between men and coviello2005 "
        "had 6-8 men per arm: its percent changes are read within 35 points", absolute=35.0),
    "one_man_not_the_cohort": Margin(
        "the reference man is one man, not Liu 2006's cohort (whose median and CI the "
        "population calibration tests): only the order of his recovery, +/-2 months",
        absolute=2.0),
    "no_interval_in_the_abstract": Margin(
        "the abstracts give no interval (issue 16): +/-30 % of the mean", relative=0.3),
}


#: 'Undetectable' gonadotropins read as below 10 % of baseline: the assays' floor, 0.3-0.5
#: IU/L, is about 10 % of baseline LH and FSH (the margin "undetectable" above).
UNDETECTABLE_FRACTION = 0.10
#: Loss of response to continuous GnRH read as LH under a quarter of its peak: gnrh_textbook
#: gives the direction only (a design choice: three quarters of the response lost).
LOSS_OF_RESPONSE_FRACTION = 0.25


#: The Endocrine Society 2018 harmonised reference interval of total T (bhasin2018).
T_RI = "es2018_harmonized_range_p2_5_p97_5"


def reference_interval(analyte: str, key: str) -> tuple[float, float]:
    """A cited reference interval of the evidence tables, in the model's unit (SI where the
    entry gives both): e.g. ("testosterone_total", "es2018_harmonized_range_p2_5_p97_5")."""
    raw = evidence(f"{analyte}.{key}").raw
    low, high = raw.get("si_value", raw["value"])
    return float(low), float(high)


def interval(group: str, name: str) -> tuple[float, float]:
    """The interval a simulated number must fall in (see the file's header)."""
    entry = reference()[group][name]
    if "interval" in entry:
        published: Any = evidence(entry.get("interval_key", entry["source"])).raw
        for part in str(entry["interval"]).split("."):
            published = published[part]
        low, high = published
        return float(low), float(high)
    value = float(entry["value"])
    if "margin" in entry:
        margin = MARGINS[entry["margin"]]
        half = margin.absolute + margin.relative * abs(value)
    else:
        half = float(entry["tolerance"])
    return value - half, value + half


def assert_matches(group: str, name: str, simulated: float) -> None:
    low, high = interval(group, name)
    entry = reference()[group][name]
    basis = entry.get("interval") or entry.get("margin") or entry.get("tolerance_basis")
    assert low <= simulated <= high, (
        f"{group}.{name}: simulated {simulated:.4g}, published {entry['value']:g} in "
        f"[{low:.4g}, {high:.4g}] ({basis}; {entry['source']})"
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
