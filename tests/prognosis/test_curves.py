"""Known answers of the recovery-curve code: weighted share, its interval and the median."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import beta

from androcast.prognosis import weighted_curve


def test_probability_is_the_weighted_share_of_men_met_by_each_month() -> None:
    events = np.array([1.0, 2.5, np.nan, 4.0])  # NaN: not met within the follow-up
    weights = np.array([0.1, 0.2, 0.3, 0.4])
    curve = weighted_curve(events, weights, (1.0, 3.0, 6.0), np.linspace(0, 6, 61),
                           np.random.default_rng(1))
    assert curve.probability == pytest.approx((0.1, 0.3, 0.7))


def test_interval_is_the_90_percent_bayesian_bootstrap_of_the_men_rubin1981() -> None:
    """Equal weights: the Bayesian bootstrap's share of 10 met men of 40 is Beta(10, 30)
    (Rubin 1981), so the 90 % interval is its 5th and 95th percentiles. Tolerance: 0.015,
    about four standard errors of a percentile estimated from 400 draws."""
    events = np.array([1.0] * 10 + [np.nan] * 30)
    curve = weighted_curve(events, np.ones(40), (2.0,), np.linspace(0, 6, 61),
                           np.random.default_rng(7))
    low, high = curve.interval_90[0]
    expected_low, expected_high = beta.ppf([0.05, 0.95], 10, 30)
    assert low == pytest.approx(expected_low, abs=0.015)
    assert high == pytest.approx(expected_high, abs=0.015)


def test_median_is_interpolated_where_the_curve_crosses_one_half() -> None:
    """Met at 1, 1, 2, 2, 3 and never (weights 0.1, 0.1, 0.2, 0.2, 0.3, 0.1): the cumulative
    share on a whole-month grid is 0, 0.2, 0.6, 0.9 at 0-3 months, so 50 % is crossed at
    1 + (0.5 - 0.2) / (0.6 - 0.2) = 1.75 months."""
    events = np.array([1.0, 1.0, 2.0, 2.0, 3.0, np.nan])
    weights = np.array([0.1, 0.1, 0.2, 0.2, 0.3, 0.1])
    curve = weighted_curve(events, weights, (3.0,), np.arange(0.0, 7.0),
                           np.random.default_rng(1))
    assert curve.median_months == pytest.approx(1.75)


def test_median_is_none_when_half_the_men_are_never_met() -> None:
    events = np.array([1.0, np.nan, np.nan])
    curve = weighted_curve(events, np.ones(3), (3.0,), np.arange(0.0, 7.0),
                           np.random.default_rng(1))
    assert curve.median_months is None
