"""Known answers of the recovery-curve code: weighted share, its Monte Carlo error and
interval, and the median."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import norm, t

from androcast.prognosis import weighted_curve
from androcast.prognosis.curves import interval_90, monte_carlo_error
from androcast.twin.prior import GaussianPrior
from androcast.twin.tempering import tempered_smc


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


def test_two_runs_use_the_t_quantile_with_one_degree_of_freedom_per_month() -> None:
    """Two runs of 100 equal men: at month 1 they meet 10 and 40 (shares 0.1, 0.4), at
    month 2 both meet 50. Month 1: the runs' sd is 0.2121 (ddof 1), mc_se = 0.2121 / sqrt 2
    = 0.15, above the 0.0306 of 200 independent men; the interval 0.25 +/- t(0.95, 1) x 0.15
    = 0.25 +/- 0.947 is kept within [0, 1]. Month 2: the runs agree, so the error stays
    that of 200 independent men, sqrt(0.25 / 200) = 0.0354, each month its own spread."""
    run_a = [1.0] * 10 + [2.0] * 40 + [np.nan] * 50
    run_b = [1.0] * 40 + [2.0] * 10 + [np.nan] * 50
    events = np.array(run_a + run_b)
    curve = weighted_curve(events, np.ones(200), (1.0, 2.0), np.linspace(0, 6, 61),
                           np.repeat(np.arange(2), 100))
    assert curve.months == (1.0, 2.0)
    assert curve.probability == pytest.approx((0.25, 0.5))
    assert curve.mc_se[0] == pytest.approx(0.15, abs=1e-4)
    assert curve.mc_se[1] == pytest.approx(np.sqrt(0.25 / 200), abs=1e-4)
    assert 0.25 + t.ppf(0.95, 1) * 0.15 > 1 and 0.25 - t.ppf(0.95, 1) * 0.15 < 0
    assert curve.interval_90[0] == (0.0, 1.0)
    half = t.ppf(0.95, 1) * np.sqrt(0.25 / 200)
    assert curve.interval_90[1] == pytest.approx((0.5 - half, 0.5 + half), abs=2e-4)


def test_runs_labelled_as_one_give_the_error_of_one_run() -> None:
    events = np.array([1.0] * 10 + [np.nan] * 30)
    one = weighted_curve(events, np.ones(40), (2.0,), np.linspace(0, 6, 61))
    labelled = weighted_curve(events, np.ones(40), (2.0,), np.linspace(0, 6, 61),
                              np.zeros(40, dtype=np.int64))
    assert labelled == one


@pytest.mark.parametrize(("met", "bound"), [(1, "low"), (19, "high")])
def test_the_interval_is_kept_within_zero_and_one(met: int, bound: str) -> None:
    """1 or 19 of 20 equal men: p = 0.05 or 0.95, se = sqrt(0.05 x 0.95 / 20) = 0.0487 and
    p -/+ 1.645 se would pass 0 or 1."""
    events = np.array([1.0] * met + [np.nan] * (20 - met))
    curve = weighted_curve(events, np.ones(20), (2.0,), np.linspace(0, 6, 61))
    low, high = curve.interval_90[0]
    half = norm.ppf(0.95) * np.sqrt(0.05 * 0.95 / 20)
    if bound == "low":
        assert (low, high) == pytest.approx((0.0, 0.05 + half), abs=1e-4)
    else:
        assert (low, high) == pytest.approx((0.95 - half, 1.0), abs=1e-4)


def test_probabilities_and_errors_are_given_to_4_decimals_the_median_to_2() -> None:
    """One of 3 equal men met at 1 month, two at 2: the share by month 1 is 1/3, reported
    as 0.3333, its 3-man binomial error sqrt(2/9 / 3) = 0.2722; 50 % is crossed between
    1/3 at 1 month and 1 at 2 months, at 1 + (0.5 - 1/3) / (2/3) = 1.25 months."""
    events = np.array([1.0, 2.0, 2.0])
    curve = weighted_curve(events, np.ones(3), (1.0,), np.arange(0.0, 4.0))
    assert curve.probability == (0.3333,)
    assert curve.mc_se == (0.2722,)
    assert curve.interval_90[0] == (0.0, round(1 / 3 + norm.ppf(0.95) * np.sqrt(2 / 27), 4))
    assert curve.median_months == 1.25
    # 10 of 40 met: both ends of the interval given to 4 decimals
    ten = weighted_curve(np.array([1.0] * 10 + [np.nan] * 30), np.ones(40), (2.0,),
                         np.linspace(0, 6, 61))
    half = norm.ppf(0.95) * np.sqrt(0.25 * 0.75 / 40)
    assert ten.interval_90[0] == (round(0.25 - half, 4), round(0.25 + half, 4))
    # 2 of 5 met at 1 month, 3 at 2: crossed at 1 + (0.5 - 0.4) / 0.6 = 1.1667, given as 1.17
    later = weighted_curve(np.array([1.0, 1.0, 2.0, 2.0, 2.0]), np.ones(5), (1.0,),
                           np.arange(0.0, 4.0))
    assert later.median_months == 1.17


def test_men_of_one_lineage_count_as_one_cluster() -> None:
    """Two islands of 40 equal men, each in four lineages of 10 whose men all met or all did
    not (met, not, met, not): both islands read 0.5, so their spread is 0. Each lineage's
    sum of w (x - p_j) is 10 x (+/-0.5) / 40 = +/-0.125; V_j = 4 / 3 x 4 x 0.125^2 =
    0.08333, and mc_se = sqrt(0.08333 / 2) = 0.2041, not the 0.0559 of 80 independent men;
    6 degrees of freedom (3 per island)."""
    met = np.tile(np.repeat([1.0, np.nan, 1.0, np.nan], 10), 2)
    islands = np.repeat([0, 1], 40)
    lineages = np.tile(np.repeat(np.arange(4), 10), 2)
    curve = weighted_curve(met, np.ones(80), (2.0,), np.linspace(0, 6, 61), islands, lineages)
    assert curve.probability[0] == pytest.approx(0.5)
    assert curve.mc_se[0] == pytest.approx(np.sqrt(4 / 3 * 4 * 0.125**2 / 2), abs=1e-4)
    error = monte_carlo_error(np.nan_to_num(met)[None, :], np.full(80, 1 / 80), islands,
                              lineages)
    assert error.df is not None and error.df[0] == pytest.approx(6.0)
    low, high = curve.interval_90[0]
    assert high - 0.5 == pytest.approx(t.ppf(0.95, 6) * curve.mc_se[0], abs=2e-4)
    assert 0.5 - low == pytest.approx(high - 0.5, abs=2e-4)


def test_islands_apart_beyond_their_lineages_add_their_spread() -> None:
    """Island 0's four lineages of 10 read met, met, met, not (p_0 = 0.75), island 1's met,
    not, not, not (p_1 = 0.25). V_j = 4 / 3 x (3 x 0.0625^2 + 0.1875^2) = 0.0625 each; the
    islands' spread is s^2 = 0.5^2 / 2 = 0.125, tau^2 = 0.125 - 0.0625 = 0.0625, so
    mc_se = sqrt((0.0625 + 0.0625) / 2) = 0.25, with Welch-Satterthwaite's
    0.0625^2 / (0.03125^2 / 6 + 0.03125^2 / 1) = 24 / 7 degrees of freedom."""
    met = np.concatenate([np.repeat([1.0, 1.0, 1.0, np.nan], 10),
                          np.repeat([1.0, np.nan, np.nan, np.nan], 10)])
    islands = np.repeat([0, 1], 40)
    lineages = np.tile(np.repeat(np.arange(4), 10), 2)
    error = monte_carlo_error(np.nan_to_num(met)[None, :], np.full(80, 1 / 80), islands,
                              lineages)
    assert error.se[0] == pytest.approx(0.25)
    assert error.df is not None and error.df[0] == pytest.approx(24 / 7)


def test_islands_stuck_in_two_places_report_their_spread() -> None:
    """Every man of island 0 not met, every man of island 1 met, each in eight lineages:
    no lineage varies (V_j = 0), so the error is the islands' own, sqrt(0.5 / 2) = 0.5,
    with 1 degree of freedom; the lineages alone would claim none at all."""
    met = np.concatenate([[np.nan] * 40, [1.0] * 40])
    islands = np.repeat([0, 1], 40)
    lineages = np.tile(np.repeat(np.arange(8), 5), 2)
    curve = weighted_curve(met, np.ones(80), (2.0,), np.linspace(0, 6, 61), islands, lineages)
    assert curve.mc_se[0] == pytest.approx(0.5)
    assert curve.interval_90[0] == (0.0, 1.0)


#: Replicates of the two-island sampler on the conjugate target (flag G: 80 replicates
#: measure the spread of an estimate to about 8 % and a coverage to about 0.03).
REPLICATES = 80


def test_the_lineage_error_of_two_islands_matches_the_spread_of_replicates() -> None:
    """The tempered SMC sampler (two independent runs of 64 men, pooled, as the twin's
    default) on the conjugate Gaussian target of tests/twin/test_tempering.py, whose posterior
    is a closed form: the share of men with theta_0 above the posterior mean + 0.3 sd
    estimates 1 - Phi(0.3) = 0.3821. Over REPLICATES independent replicates the reported
    mc_se (rms) lies within 0.8-1.3 times the estimates' own rms error (that error is known
    to about 8 % here; the random-effects part over two islands adds on average up to a
    fifth by design, max(1, chi^2_1) having mean 1.48), and the 90 % interval covers the
    truth at least 80 % of the time. The two islands' spread alone (one degree of freedom)
    reports under half the real error in more than a fifth of the replicates; with the
    lineages almost never (at most 3 %)."""
    y, s = 1.2, 0.05
    prior = GaussianPrior(np.zeros(2), np.ones(2))
    mean, sd = y / (1 + s**2), s / np.sqrt(1 + s**2)
    truth = 1.0 - float(norm.cdf(0.3))

    def score(theta: np.ndarray, index: np.ndarray, tag: int) -> tuple[np.ndarray, np.ndarray]:
        return np.zeros(len(theta)), np.asarray(-0.5 * ((y - theta[:, 0]) / s) ** 2)

    men = 64
    estimates, reported, islands_only, covered = [], [], [], []
    for r in range(REPLICATES):
        theta, lineage = [], []
        for j in range(2):
            rng = np.random.default_rng([r, j])
            first = j * 10**6
            run = tempered_smc(
                prior, rng.standard_normal((men, 2)), np.arange(men, dtype=np.int64) + first,
                score, lambda tag, first=first: np.arange(men, dtype=np.int64)
                + first + (tag + 1) * men, rng)
            theta.append(run.theta)
            lineage.append(run.lineage)
        x = (np.concatenate(theta)[:, 0] > mean + 0.3 * sd).astype(float)[None, :]
        w = np.full(2 * men, 1.0 / (2 * men))
        island = np.repeat([0, 1], men)
        p = x @ w
        error = monte_carlo_error(x, w, island, np.concatenate(lineage))
        se = error.se
        low, high = interval_90(p, error)
        estimates.append(float(p[0]))
        reported.append(float(se[0]))
        per_island = [float(np.mean(x[0, island == j])) for j in (0, 1)]
        islands_only.append(abs(per_island[0] - per_island[1]) / 2)
        covered.append(bool(low[0] <= truth <= high[0]))
    error = float(np.sqrt(np.mean((np.array(estimates) - truth) ** 2)))
    rms_reported = float(np.sqrt(np.mean(np.square(reported))))
    assert 0.8 * error <= rms_reported <= 1.3 * error, (rms_reported, error)
    assert np.mean(covered) >= 0.8
    assert np.mean(np.array(islands_only) < 0.5 * error) > 0.2
    assert np.mean(np.array(reported) < 0.5 * error) <= 0.03
