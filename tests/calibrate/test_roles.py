"""Fit targets and validation targets are told apart, and the stored verdicts say which."""

from __future__ import annotations

from importlib import resources

import yaml

from androcast.calibrate import roles, select_targets
from androcast.population.engine import fitted_population

#: Fitted by `calibrate fit` (objective), by a cohort parameter, or sized to a direction.
FIT = {
    "liu2006_p6", "liu2006_p12", "liu2006_p24", "liu2006_median", "kohn2017_p12",
    "wenker2015_regain", "wenker2015_mean_time", "chua2013_concentration",
    "liu2006_older_faster", "liu2006_asian_faster", "kohn2017_older_slower",
    "aas_slower_than_trt", "aas_less_complete_than_trt", "liu2009_first_sperm",
    "muir2024_any_sperm", "muir2024_5m_per_ml", "muir2024_20m_per_ml", "aas_sn2020_lh",
    "aas_sn2019_fsh", "aas_christou2017_lh", "aas_christou2017_fsh",
}


def test_fit_targets_are_those_a_fit_used() -> None:
    role = roles(select_targets(), fitted_population())
    assert {k for k, r in role.items() if r == "fit"} == FIT
    # liu2002's induction times and chua2013's FSH were never fitted, nor was the sperm
    # output after anabolic steroids (the short-course hormone times are: s_adf, s_adf_F)
    assert role["liu2002_first_sperm"] == role["chua2013_fsh"] == "validation"
    assert role["aas_sn2020_sperm_output"] == "validation"


def test_stored_verdicts_carry_the_roles() -> None:
    text = resources.files("androcast").joinpath("calibrate/data/verdicts.yaml").read_text(
        encoding="utf-8")
    stored = yaml.safe_load(text)["targets"]
    role = roles(select_targets(), fitted_population())
    assert {k: v["role"] for k, v in stored.items()} == dict(role)
    # every fit target passes in the stored report (issue 16: fits hold)
    assert all(v["passed"] for k, v in stored.items() if v["role"] == "fit")
