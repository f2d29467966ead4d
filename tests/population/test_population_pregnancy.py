"""Outcome pregnancy_natural for cohorts: the couple's chance of a natural conception.

The cohort curve is the mean of each couple's chance from his monthly semen
(``androcast.conception``); a test double with constant semen must give the conception
model's own value, which reproduces the published PRESTO points it was fitted to
(wesselink2017: 62.0 % by 6 cycles at 28-30 years).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pytest

from androcast.conception import Couple, cumulative_at
from androcast.errors import ParameterError
from androcast.evidence import evidence
from androcast.population import (
    AbstractEngine,
    Cohort,
    CohortSample,
    Observable,
    parse_cohort,
    run_cohort,
    sample_patients,
)

#: half the last digit of a proportion published to three decimals (0.620)
PUBLISHED_ROUNDING = 0.0005


class ConstantSemen(AbstractEngine):
    """Every man at ``concentration`` M/mL and ``tmsc`` M from time 0 (a test double)."""

    def __init__(self, concentration: float, tmsc: float) -> None:
        self.concentration, self.tmsc = concentration, tmsc

    def observe(self, cohort: Cohort, sample: CohortSample, t_d: np.ndarray
                ) -> Mapping[Observable, np.ndarray]:
        shape = (t_d.size, len(sample))
        return {Observable.sperm_concentration: np.full(shape, self.concentration),
                Observable.tmsc: np.full(shape, self.tmsc)}


def _cohort(partner: Any = 29, **extra: Any) -> dict[str, Any]:
    covariates: dict[str, Any] = {
        "age_years": {"distribution": "uniform", "low": 25, "high": 45}}
    if partner is not None:
        covariates["partner_age_years"] = (
            {"distribution": "fixed", "value": partner} if isinstance(partner, int | float)
            else partner)
    return {"name": "couples", "seed": 3, "follow_up_months": 12, "months": [0, 3, 6, 12],
            "outcomes": ["pregnancy_natural"], "covariates": covariates, **extra}


def test_a_cohort_without_the_partners_age_is_refused_naming_the_field() -> None:
    with pytest.raises(ParameterError) as err:
        parse_cohort(_cohort(partner=None), source="couples.yaml")
    assert err.value.field == "couples.yaml: covariates.partner_age_years"
    assert "pregnancy_natural" in str(err.value)


def test_asking_a_partnerless_cohort_for_pregnancy_is_refused_naming_the_field() -> None:
    data = _cohort(partner=None)
    data["outcomes"] = ["any_sperm"]
    cohort = parse_cohort(data, source="couples.yaml")
    with pytest.raises(ParameterError) as err:
        cohort.with_outcomes(["any_sperm", "pregnancy_natural"])
    assert err.value.field.endswith("covariates.partner_age_years")


def test_constant_normal_semen_reproduces_presto_at_28_to_30() -> None:
    """wesselink2017: 62.0 % conceived by 6 cycles at 28-30, a point the conception model
    was fitted to: a fit is read within the published rounding (0.620: +/- 0.0005)."""
    published = float(evidence("fecundability.wesselink2017.pregnant_6_cycles").value["28-30"])
    result = run_cohort(parse_cohort(_cohort()), 20, ConstantSemen(60.0, 80.0))
    curve = result.outcomes["pregnancy_natural"]
    assert curve.months == (0, 3, 6, 12)
    assert curve.probability[0] == 0.0
    assert curve.probability[2] == pytest.approx(published, abs=PUBLISHED_ROUNDING)
    # 12 months: the model's own value (a validation point elsewhere: 79.3 % at 25-27)
    assert curve.probability[3] == pytest.approx(cumulative_at(Couple(29.0), 12), abs=1e-6)
    # more than half by 6 cycles (published), so the median lies before month 6; it is the
    # crossing of 0.5 interpolated between the sampled months 3 and 6 (crossing_time),
    # reported to 3 decimals of a month
    p3, p6 = curve.probability[1], curve.probability[2]
    assert p3 < 0.5 < published
    assert curve.median_months == pytest.approx(3 + 3 * (0.5 - p3) / (p6 - p3), abs=5e-4)


def test_the_curve_is_the_mean_over_couples_and_falls_with_her_age() -> None:
    ages = {"distribution": "uniform", "low": 25, "high": 43}
    result = run_cohort(parse_cohort(_cohort(partner=ages)), 30, ConstantSemen(60.0, 80.0))
    sample = sample_patients(parse_cohort(_cohort(partner=ages)), 0, 30)
    expected = np.mean([cumulative_at(Couple(float(a)), 6)
                        for a in sample.covariates["partner_age_years"]])
    assert result.outcomes["pregnancy_natural"].probability[2] == pytest.approx(expected, 1e-5)
    by_couple = result.chance_by_couple["pregnancy_natural"][:, 2]
    order = np.argsort(sample.covariates["partner_age_years"])
    assert np.all(np.diff(by_couple[order]) <= 1e-12)


def test_months_tried_before_lower_the_chance_and_no_sperm_gives_none() -> None:
    fresh = run_cohort(parse_cohort(_cohort()), 5, ConstantSemen(60.0, 80.0))
    data = _cohort()
    data["covariates"]["infertility_months"] = {"distribution": "fixed", "value": 24}
    tried = parse_cohort(data)
    late = run_cohort(tried, 5, ConstantSemen(60.0, 80.0))
    assert (late.outcomes["pregnancy_natural"].probability[3]
            < fresh.outcomes["pregnancy_natural"].probability[3])
    none = run_cohort(parse_cohort(_cohort()), 5, ConstantSemen(0.0, 0.0))
    assert none.outcomes["pregnancy_natural"].probability == (0.0, 0.0, 0.0, 0.0)


def test_the_partner_leaves_the_men_unchanged() -> None:
    """Couple covariates draw from their own stream: the same men with or without them."""
    data = _cohort(partner={"distribution": "uniform", "low": 25, "high": 40})
    data["variability"] = {"inhibin_factor": {"cv": 0.2, "source": "test"}}
    with_partner = sample_patients(parse_cohort(data), 0, 10)
    data["covariates"].pop("partner_age_years")
    data["outcomes"] = ["any_sperm"]
    without = sample_patients(parse_cohort(data), 0, 10)
    np.testing.assert_array_equal(with_partner.covariates["age_years"],
                                  without.covariates["age_years"])
    np.testing.assert_array_equal(with_partner.parameter_factors["inhibin_factor"],
                                  without.parameter_factors["inhibin_factor"])


class FirstManFails(ConstantSemen):
    """Man 0 cannot be simulated (NaN, as simulate_batch reports a failed man)."""

    def observe(self, cohort: Cohort, sample: CohortSample, t_d: np.ndarray
                ) -> Mapping[Observable, np.ndarray]:
        out = dict(super().observe(cohort, sample, t_d))
        for values in out.values():
            values[:, sample.index == 0] = np.nan
        return out


def test_a_man_the_engine_could_not_simulate_is_left_out_of_the_pregnancy_curve() -> None:
    result = run_cohort(parse_cohort(_cohort()), 6, FirstManFails(60.0, 80.0))
    assert result.n_failed == 1
    assert result.outcomes["pregnancy_natural"].probability[3] == pytest.approx(
        cumulative_at(Couple(29.0), 12), abs=1e-6)
    assert np.isnan(result.chance_by_couple["pregnancy_natural"][0]).all()
