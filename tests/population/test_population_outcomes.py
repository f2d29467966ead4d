"""Outcome codes, time to event and Kaplan-Meier summaries."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from androcast.errors import UnknownCodeError
from androcast.population import (
    Observable,
    kaplan_meier,
    kaplan_meier_censored,
    parse_outcome,
    time_to_event,
)

REFERENCE = Path(__file__).parents[1] / "reference"


@pytest.mark.parametrize(
    ("code", "observable", "comparator", "threshold", "unit", "source"),
    [
        (
            "concentration_ge_20m_per_ml",
            Observable.sperm_concentration,
            ">=",
            20.0,
            "M/mL",
            "liu2006",
        ),
        (
            "concentration_ge_3m_per_ml",
            Observable.sperm_concentration,
            ">=",
            3.0,
            "M/mL",
            "user threshold",
        ),
        (
            "concentration_ge_0.5m_per_ml",
            Observable.sperm_concentration,
            ">=",
            0.5,
            "M/mL",
            "user threshold",
        ),
        ("tmsc_gt_5m", Observable.tmsc, ">", 5.0, "M", "kohn2017"),
        (
            "any_sperm",
            Observable.sperm_concentration,
            ">=",
            0.001,
            "M/mL",
            "asrm_azoo2018 (sperm in the centrifuged pellet is not azoospermia); limit G",
        ),
        ("lh_normal", Observable.lh, "within", 2.2, "IU/L", "famhes"),
    ],
)
def test_outcome_code_names_observable_threshold_and_unit(
    code: str, observable: Observable, comparator: str, threshold: float, unit: str, source: str
) -> None:
    outcome = parse_outcome(code)
    assert (outcome.observable, outcome.comparator, outcome.low, outcome.unit) == (
        observable,
        comparator,
        threshold,
        unit,
    )
    assert outcome.source == source


def test_testosterone_normal_is_bhasin2018_lower_limit_in_nmol_per_l() -> None:
    # 264 ng/dL (Endocrine Society 2018, CDC-harmonised) = 9.16 nmol/L (MW 288.42 g/mol)
    outcome = parse_outcome("testosterone_normal")
    # the conversion itself (a wrong molar mass, say 288.4, moves it by 7e-5): floating point only
    assert outcome.low == pytest.approx(264 * 10 / 288.42, rel=1e-12)
    assert outcome.source == "bhasin2018"


def test_lh_normal_holds_inside_the_famhes_interval_only() -> None:
    outcome = parse_outcome("lh_normal")
    assert outcome.holds(np.array([2.1, 2.2, 5.0, 11.6, 11.7])).tolist() == [
        False,
        True,
        True,
        True,
        False,
    ]


def test_unknown_outcome_code_lists_the_forms() -> None:
    with pytest.raises(UnknownCodeError) as err:
        parse_outcome("concentration_gt_20")
    assert str(err.value) == (
        "outcome: 'concentration_gt_20' is not a known code; expected one of any_sperm, "
        "concentration_ge_<X>m_per_ml, tmsc_gt_<X>m, lh_normal, testosterone_normal, "
        "pregnancy_natural"
    )


def test_time_to_event_is_first_sample_where_outcome_holds_nan_if_censored() -> None:
    outcome = parse_outcome("concentration_ge_20m_per_ml")
    t_d = np.array([0.0, 30.0, 60.0, 90.0])
    values = np.array([[0.0, 25.0, 0.0], [10.0, 1.0, 0.0], [21.0, 1.0, 5.0], [19.0, 30.0, 5.0]])
    np.testing.assert_array_equal(time_to_event(outcome, t_d, values), [60.0, 0.0, np.nan])


def test_kaplan_meier_matches_freireich1963_6mp_arm_kleinbaum_table() -> None:
    ref = yaml.safe_load((REFERENCE / "population_km_freireich1963.yaml").read_text())
    km = kaplan_meier(np.array(ref["times_weeks"], float), np.array(ref["observed"], bool))
    tol = ref["survival"]["tolerance"]
    for week, expected in ref["survival"]["value"].items():
        assert km.survival_at(float(week)) == pytest.approx(expected, abs=tol), week
    assert km.median() == ref["median_weeks"]["value"]
    assert km.survival_at(5.99) == 1.0


def test_kaplan_meier_without_censoring_is_the_empirical_distribution() -> None:
    times = np.array([1.0, 2.0, 2.0, 4.0, np.nan])
    km = kaplan_meier_censored(times, censor_at=10.0)
    assert km.cumulative_probability([0.5, 1.0, 2.0, 3.0, 10.0]) == pytest.approx(
        (0.0, 0.2, 0.6, 0.6, 0.8)
    )
    assert km.median() == 2.0
    assert kaplan_meier_censored(np.array([np.nan, np.nan]), censor_at=3.0).median() is None
