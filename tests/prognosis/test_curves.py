"""Known answers of the recovery-curve code: weighted share, its Monte Carlo error and
interval, and the median."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import norm, t

from androcast.prognosis import weighted_curve


def test_probability_is_the_weighted_share_of_men_met_by_each_month() -> None:
    events = np.array([1.0, 2.5, np.nan, 4.0])  # NaN: not met within the follow-up
    weights = np.array([0.1, 0.2, 0.3, 0.4])
    curve = weighted_curve(events, weights, (1.0, 3.0, 6.0), np.linspace(0, 6, 61))
    assert curve.probability == pytest.approx((0.1, 0.3, 0.7))


def test_one_run_gives_the_error_of_independent_weighted_men() -> None:
    """One run, equal weights, 10 met men of 40: mc_se is the binomial sqrt(p (1 - p) / N)
    = sqrt(0.25 x 0.75 / 40) = 0.0685, the interval p +/- 1.645 se (normal quantile)."""
    events = np.array([1.0] * 10 + [np.nan] * 30)
    curve = weighted_curve(events, np.ones(40), (2.0,), np.linspace(0, 6, 61))
    se = np.sqrt(0.25 * 0.75 / 40)
    assert curve.mc_se[0] == pytest.approx(se, abs=1e-4)
    low, high = curve.interval_90[0]
    assert low == pytest.approx(0.25 - norm.ppf(0.95) * se, abs=1e-4)
    assert high == pytest.approx(0.25 + norm.ppf(0.95) * se, abs=1e-4)


def test_independent_runs_give_the_error_of_their_spread() -> None:
    """Four runs of 100 equal men, with 10, 40, 10 and 40 met (shares 0.1, 0.4, 0.1, 0.4):
    the pooled share is 0.25; the runs' sd is 0.1732 (ddof 1), so mc_se = 0.1732 / 2 =
    0.0866, above the 0.0217 of 400 independent men, and the interval is 0.25 +/- t(0.95, 3)
    x 0.0866 = 0.25 +/- 0.2038."""
    met = [10, 40, 10, 40]
    events = np.concatenate([[1.0] * m + [np.nan] * (100 - m) for m in met])
    islands = np.repeat(np.arange(4), 100)
    curve = weighted_curve(events, np.ones(400), (2.0,), np.linspace(0, 6, 61), islands)
    assert curve.probability[0] == pytest.approx(0.25)
    assert curve.mc_se[0] == pytest.approx(np.std([0.1, 0.4, 0.1, 0.4], ddof=1) / 2, abs=1e-4)
    low, high = curve.interval_90[0]
    assert high - 0.25 == pytest.approx(t.ppf(0.95, 3) * curve.mc_se[0], abs=2e-4)
    assert low == pytest.approx(0.25 - (high - 0.25), abs=2e-4)


def test_runs_that_agree_keep_the_error_of_independent_men() -> None:
    """Four runs with exactly the same share cannot claim a zero error: mc_se stays at
    the independent men's sqrt(0.25 x 0.75 / 400) = 0.0217."""
    events = np.tile([1.0] * 25 + [np.nan] * 75, 4)
    curve = weighted_curve(events, np.ones(400), (2.0,), np.linspace(0, 6, 61),
                           np.repeat(np.arange(4), 100))
    assert curve.mc_se[0] == pytest.approx(np.sqrt(0.25 * 0.75 / 400), abs=1e-4)


def test_median_is_interpolated_where_the_curve_crosses_one_half() -> None:
    """Met at 1, 1, 2, 2, 3 and never (weights 0.1, 0.1, 0.2, 0.2, 0.3, 0.1): the cumulative
    share on a whole-month grid is 0, 0.2, 0.6, 0.9 at 0-3 months, so 50 % is crossed at
    1 + (0.5 - 0.2) / (0.6 - 0.2) = 1.75 months."""
    events = np.array([1.0, 1.0, 2.0, 2.0, 3.0, np.nan])
    weights = np.array([0.1, 0.1, 0.2, 0.2, 0.3, 0.1])
    curve = weighted_curve(events, weights, (3.0,), np.arange(0.0, 7.0))
    assert curve.median_months == pytest.approx(1.75)


def test_median_is_none_when_half_the_men_are_never_met() -> None:
    events = np.array([1.0, np.nan, np.nan])
    curve = weighted_curve(events, np.ones(3), (3.0,), np.arange(0.0, 7.0))
    assert curve.median_months is None
