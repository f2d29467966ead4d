"""The central adaptation after anabolic steroids. Its slow component against
Shankara-Narayana 2020/2019: months until past users of years reach the non-users' mean LH
and FSH, within 30 % (issue 16; the abstracts give no interval). Its fast component against
Christou 2017: LH and FSH back 13-24 weeks after a course of weeks to months. Both are fits
(k_adp_off, s_adp, s_adp_F and s_adf, s_adf_F were tuned to these numbers;
model_calibration_roles.yaml), so the tests are named as fits."""

from __future__ import annotations

from importlib import resources

import pytest
import yaml

from androcast.calibrate.cohorts import cohort_variant
from androcast.calibrate.evaluate import mean_recovery
from androcast.calibrate.targets import targets
from androcast.population.engine import ModelEngine

from ._calibration import assert_matches

_LONG_USE = {"aas_sn2020_lh": "lh_months", "aas_sn2019_fsh": "fsh_months"}
_SHORT_COURSE = {"aas_christou2017_lh": "lh_months", "aas_christou2017_fsh": "fsh_months"}


def _stored() -> dict[str, dict[str, float]]:
    text = resources.files("androcast").joinpath("calibrate/data/verdicts.yaml").read_text("utf-8")
    return dict(yaml.safe_load(text)["targets"])


def _small_run(key: str) -> float:
    """Eight seeded men, from the code as it is now (not only a stored file)."""
    result = mean_recovery(targets()[key], ModelEngine(), n=8, seed=1)
    assert result.simulated is not None
    return result.simulated


@pytest.mark.parametrize("key", sorted(_LONG_USE))
def test_fit_of_the_slow_adaptation_holds_shankaranarayana_in_the_stored_run(key: str) -> None:
    """The stored calibration run (n = 160, seed 1)."""
    assert_matches("model_aas_recovery", _LONG_USE[key], float(_stored()[key]["simulated"]))


@pytest.mark.parametrize("key", sorted(_LONG_USE))
def test_fit_of_the_slow_adaptation_holds_shankaranarayana_in_a_small_seeded_run(
        key: str) -> None:
    assert_matches("model_aas_recovery", _LONG_USE[key], _small_run(key))


@pytest.mark.parametrize("key", sorted(_SHORT_COURSE))
def test_fit_of_the_fast_adaptation_holds_christou2017_in_the_stored_run(key: str) -> None:
    """The stored calibration run (n = 160, seed 1)."""
    assert_matches("model_aas_short_course", _SHORT_COURSE[key],
                   float(_stored()[key]["simulated"]))


@pytest.mark.parametrize("key", sorted(_SHORT_COURSE))
def test_fit_of_the_fast_adaptation_holds_christou2017_in_a_small_seeded_run(key: str) -> None:
    assert_matches("model_aas_short_course", _SHORT_COURSE[key], _small_run(key))


def test_years_of_use_do_not_slow_lh_recovery_shankaranarayana2020() -> None:
    """Duration of use slowed sperm output, not hormones: LH recovers within a month of the
    same time after 2 and after 8 years (the slow adaptation saturates within two years;
    one month is our tolerance, the paper gives the direction only)."""
    target = targets()["aas_sn2020_lh"]
    times = []
    for weeks in (104, 416):
        cohort = cohort_variant(target.cohort, {
            "androgen": {"duration_weeks": {"distribution": "fixed", "value": weeks}}})
        engine = ModelEngine()
        result = mean_recovery(target, engine, n=6, seed=1, cohort=cohort)
        assert result.simulated is not None
        times.append(result.simulated)
    assert abs(times[0] - times[1]) <= 1.0, times
