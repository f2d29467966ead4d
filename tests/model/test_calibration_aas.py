"""The slow central adaptation after anabolic steroids against Shankara-Narayana 2020/2019:
months until past users' mean LH and FSH reach the non-users' mean, within 30 % (issue 16;
the abstracts give no interval). A fit: k_adp_off, s_adp and s_adp_F were tuned to these
numbers (model_calibration_roles.yaml), so the tests are named as fits."""

from __future__ import annotations

from importlib import resources

import pytest
import yaml

from androcast.calibrate.cohorts import cohort_variant
from androcast.calibrate.evaluate import mean_recovery
from androcast.calibrate.targets import targets
from androcast.population.engine import ModelEngine

from ._calibration import assert_matches

_GROUP = {"aas_sn2020_lh": "lh_months", "aas_sn2019_fsh": "fsh_months"}


def _stored() -> dict[str, dict[str, float]]:
    text = resources.files("androcast").joinpath("calibrate/data/verdicts.yaml").read_text("utf-8")
    return dict(yaml.safe_load(text)["targets"])


@pytest.mark.parametrize("key", sorted(_GROUP))
def test_fit_of_the_central_adaptation_holds_shankaranarayana_in_the_stored_run(key: str) -> None:
    """The stored calibration run (n = 160, seed 1)."""
    assert_matches("model_aas_recovery", _GROUP[key], float(_stored()[key]["simulated"]))


@pytest.mark.parametrize("key", sorted(_GROUP))
def test_fit_of_the_central_adaptation_holds_shankaranarayana_in_a_small_seeded_run(
        key: str) -> None:
    """Eight seeded men reproduce it from the code as it is now (not only a stored file)."""
    result = mean_recovery(targets()[key], ModelEngine(), n=8, seed=1)
    assert result.simulated is not None
    assert_matches("model_aas_recovery", _GROUP[key], result.simulated)


def test_years_of_use_do_not_slow_lh_recovery_shankaranarayana2020() -> None:
    """Duration of use slowed sperm output, not hormones: LH recovers within a month of the
    same time after 2 and after 8 years (the adaptation saturates within the first year;
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
