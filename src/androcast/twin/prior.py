"""The prior of one man's twin: the calibrated population with his covariates fixed.

His age and BMI enter through the model's ``personalise``, his age and ethnicity through the
calibrated population's covariate effects (both via the population engine's
``cohort_parameters``, so the stored calibration applies unchanged); what is not measured in
him (his sperm output before androgens, the pace of his axis) varies as in
``data/prior.yaml``; a man without androgen history gets the wider GnRH-drive spread of its
``no_androgen_history`` block (central hypogonadism), a man with it the spreads unchanged.
His androgen courses are his own history (``regimen_from_history``).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
from numpy.typing import NDArray

from androcast._yaml import load_data
from androcast.drugs import DrugKind, get_drug
from androcast.labs import Case
from androcast.model import Parameters
from androcast.population import Cohort, CohortSample, Variability, parse_outcomes
from androcast.population.distributions import Categorical, Distribution, Fixed, LogNormal
from androcast.population.engine import PopulationModel, cohort_parameters
from androcast.regimens import Regimen, regimen_from_history, restoration_history, time_zero

PRIOR_SOURCES = ("liu2006", "handelsman2005")
FloatArray = NDArray[np.float64]
#: Men stay within this many prior sd (extreme men have no steady state; the mass cut
#: is below 1e-4 of the prior per parameter).
GUARD_SD = 4.0


@dataclass(frozen=True)
class GaussianPrior:
    """Independent normals over the log-factors (the twin prior in log space), truncated at
    ``GUARD_SD`` sd or, where ``high`` is finite and lower, at ``high``."""

    mean: FloatArray
    sd: FloatArray
    high: FloatArray | None = None  # (d,) upper bound of each log-factor (inf: the guard)

    @property
    def bounds(self) -> tuple[FloatArray, FloatArray]:
        low, high = self.mean - GUARD_SD * self.sd, self.mean + GUARD_SD * self.sd
        return low, high if self.high is None else np.minimum(high, self.high)

    def logpdf(self, theta: FloatArray) -> FloatArray:
        z = (theta - self.mean) / self.sd
        return np.asarray(np.sum(-0.5 * z**2 - np.log(self.sd), axis=1)
                          - 0.5 * theta.shape[1] * math.log(2 * math.pi))


@cache
def _prior_table() -> dict[str, Any]:
    text = resources.files("androcast.twin").joinpath("data/prior.yaml").read_text("utf-8")
    data: dict[str, Any] = load_data(text)
    return data


def _carried() -> frozenset[str]:
    """Parameters whose between-man spread his factor carries instead of the population."""
    table = _prior_table()
    blocks = [table["variability"], *(table[b]["variability"] for b in
                                      ("androgen_history", "no_androgen_history"))]
    return frozenset(name for block in blocks for name, v in block.items()
                     if v.get("from_population"))


def twin_parameters(sample: CohortSample, cohort: Cohort,
                    population: PopulationModel) -> Parameters:
    """His men's parameters: the population's, without its draw of what the factors carry."""
    carried = _carried()
    own = replace(population, variability={
        name: cv for name, cv in population.variability.items() if name not in carried})
    return cohort_parameters(sample, cohort, own)


def twin_cohort(case: Case, *, seed: int, population: PopulationModel) -> Cohort:
    """A cohort of men like him: his covariates fixed, the rest drawn (seeded); a spread
    marked ``from_population`` is the calibrated population's CV when it has one."""
    table = _prior_table()
    baseline = table["baseline_concentration_m_per_ml"]
    for block in prior_blocks(case):
        baseline = table[block].get("baseline_concentration_m_per_ml", baseline)
    covariates: dict[str, Distribution] = {}
    if case.patient.age_years is not None:
        covariates["age_years"] = Fixed(float(case.patient.age_years))
    if case.patient.bmi is not None:
        covariates["bmi"] = Fixed(float(case.patient.bmi))
    if case.patient.ethnicity is not None:
        # the population's ethnicity effects apply to him (liu2006: Asian men recover
        # faster); unknown, he is a man of no stated group (no effect applies)
        covariates["ethnicity"] = Categorical((case.patient.ethnicity,), (1.0,))
    covariates["baseline_concentration_m_per_ml"] = LogNormal(
        float(baseline["median"]), float(baseline["cv"]))
    spreads = {**table["variability"]}
    for block in prior_blocks(case):
        spreads.update(table[block]["variability"])
    variability = {}
    for name, v in spreads.items():
        fitted = population.variability.get(name) if v.get("from_population") else None
        variability[name] = (
            Variability(float(v["cv"]), str(v["source"]), float(v.get("median", 1.0)))
            if fitted is None else Variability(float(fitted), population.sources.get(
                f"variability.{name}", "calibrate/data/fitted.yaml")))
    return Cohort(
        name=f"twin:{case.patient.id}",
        description="virtual men sharing the patient's covariates and androgen history",
        sources=PRIOR_SOURCES,
        seed=seed,
        follow_up_months=24.0,
        months=(0.0, 24.0),
        outcomes=parse_outcomes(["any_sperm"]),
        covariates=covariates,
        variability=variability,
        androgen_kind=androgen_kind(case),
    )


def androgen_kind(case: Case) -> str | None:
    """The kind of his androgen exposure as the population's effects name it: a history
    with any anabolic steroid is an AAS exposure (as population.engine reads a stack)."""
    kinds = {str(get_drug(use.agent).kind) for use in case.history.androgens}
    if not kinds:
        return None
    return str(DrugKind.aas) if str(DrugKind.aas) in kinds else kinds.pop()


def prior_block(case: Case) -> str:
    """The named block of ``data/prior.yaml`` for him: by the presence of androgen history."""
    return "androgen_history" if case.history.androgens else "no_androgen_history"


def fsh_limited(case: Case) -> bool:
    """Idiopathic oligozoospermia with normal FSH (prior.yaml ``fsh_limited_oligozoospermia``):
    no androgen history, latest concentration above zero and below the limit, latest FSH at
    most its limit (an FSH not measured does not qualify him)."""
    when = _prior_table()["fsh_limited_oligozoospermia"]["when"]
    if case.history.androgens:
        return False
    counts = sorted((s.date, s.concentration_m_per_ml) for s in case.semen
                    if s.concentration_m_per_ml is not None and s.concentration_censor is None)
    fsh = sorted((lab.date, lab.value) for lab in case.labs
                 if lab.analyte == "fsh" and lab.censor is None)
    if not counts or not fsh:
        return False
    concentration, latest_fsh = counts[-1][1], fsh[-1][1]
    return (0.0 < concentration < float(when["concentration_below_m_per_ml"])
            and latest_fsh <= float(when["fsh_at_most_iu_per_l"]))


def prior_blocks(case: Case) -> tuple[str, ...]:
    """Every named block of ``data/prior.yaml`` that applies to him, in order."""
    return (prior_block(case), *(("fsh_limited_oligozoospermia",) if fsh_limited(case) else ()))


def meaning(name: str) -> str:
    """A varied quantity of his prior in a clinician's words (``meaning``, prior.yaml)."""
    table = _prior_table()
    entries = [table.get(name, {}), table["variability"].get(name, {}),
               *(block.get("variability", {}).get(name, {}) for block in table.values()
                 if isinstance(block, dict))]
    return next((e["meaning"] for e in entries if isinstance(e, dict) and "meaning" in e), name)


def factor_maxima(case: Case) -> dict[str, float]:
    """Upper bounds of varied factors that his prior block declares (``max``, prior.yaml)."""
    block = _prior_table()[prior_block(case)]["variability"]
    return {name: float(v["max"]) for name, v in block.items() if "max" in v}


def case_time_zero(case: Case) -> dt.date:
    """Day 0 of the model: end of androgen exposure, else the date of his latest result."""
    t0 = time_zero(case)
    if t0 is not None:
        return t0
    return latest_result_date(case) or case.as_of


def latest_result_date(case: Case) -> dt.date | None:
    """The date of his most recent lab or semen result (None without results)."""
    dates = [lab.date for lab in case.labs] + [s.date for s in case.semen]
    return max(dates) if dates else None


def androgen_history(case: Case, *, treatment_start: dt.date | None = None) -> Regimen:
    """His dosing history: his androgen courses before time 0 (courses without a start need
    one: RegimenError), then the restoration drugs he takes now, on the same axis up to the
    assessment date (a drug he takes now is part of his state; G-CURRENT-MEDS).

    ``treatment_start``: the day a treatment (his adopted plan) takes over; his restoration
    drugs stop the day before it (``restoration_history``'s ``before``)."""
    return regimen_from_history(case).combine(
        restoration_history(case, case_time_zero(case), before=treatment_start))
