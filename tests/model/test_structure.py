"""Structural properties the model must have (directions from the cited sources)."""

from __future__ import annotations

import numpy as np

from androcast.regimens import compile_regimen
from androcast.simulate import simulate

from ._calibration import T_RI, every, reference_interval, regimen
from ._directions import FloatArray, assert_direction, men, run, steady


def test_nandrolone_suppresses_but_is_invisible_to_the_t_assay_mcbride2016() -> None:
    tr = simulate(None, regimen(every("nandrolone_decanoate", "400 mg", "im", "7 d", "0 d",
                                      "60 d")), days=56)
    # androgen feedback suppresses LH below its reference interval (famhes) ...
    assert tr.at("lh", 56) < reference_interval("lh", "famhes_ri")[0]
    # ... and measured serum T falls below its reference interval (Endocrine Society 2018):
    # the nandrolone that suppresses it is not measured by T assays
    assert tr.at("testosterone_total", 56) < reference_interval("testosterone_total", T_RI)[0]


def test_hyperprolactinaemia_lowers_lh_and_testosterone() -> None:
    """Prolactin lengthens the GnRH pulse interval and lowers the pulse mass (hpg-model.md
    6.2(f)): at 80 ng/mL, LH and T fall in the same men (direction at its MC error)."""
    normal, high = steady({}), steady({"prl": 80.0})
    for name in ("lh", "testosterone_total"):
        assert_direction(np.log(high.values[name][0] / normal.values[name][0]), -1, name)


#: Follow-up after the last dose of a recovery run, days (18 months: Liu 2006's cohort
#: mostly reaches 20 M/mL within a year)
FOLLOW_UP_D = 540.0


def _months_to_20(duration_d: int) -> FloatArray:
    """Each man's months from the end of TE 200 mg weekly (taken for ``duration_d``) to
    20 M/mL, restricted to the follow-up (a man not there by then counts its length)."""
    schedule = compile_regimen(
        regimen(every("testosterone_enanthate", "200 mg", "im", "7 d", f"-{duration_d} d",
                      "-7 d")), t_start_d=-float(duration_d), t_end_d=FOLLOW_UP_D + 1.0)
    t = np.arange(0.0, FOLLOW_UP_D + 1e-9, 1.0)
    conc = run(men(), schedule, t, t_start_d=-float(duration_d),
               observables=["sperm_concentration"]).values["sperm_concentration"]
    reached = conc >= 20.0
    return np.where(reached.any(axis=0), t[np.argmax(reached, axis=0)], FOLLOW_UP_D) / 30.44


def test_longer_exposure_recovers_more_slowly_liu2006_direction() -> None:
    """Liu 2006: longer treatment, slower recovery (direction only). Two years against six
    months of TE 200 mg weekly in the same men; restricting to the follow-up only shortens
    the difference of a man still below 20 M/mL after two years, so the test is conservative."""
    assert_direction(_months_to_20(730) - _months_to_20(182), +1, "months to 20 M/mL")
