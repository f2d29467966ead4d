"""Known answers for the parts of the couple's curve (issue 21: the mutation run of
prognosis/pregnancy.py left 39 survivors in these functions)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from twin_cases import post_trt_case

from androcast.conception import Couple, cumulative_conception, male_ratio
from androcast.labs import Partner, Reproductive
from androcast.population import DAYS_PER_MONTH
from androcast.population.survival import crossing_time
from androcast.prognosis.curves import monte_carlo_error
from androcast.prognosis.pregnancy import (
    CAVEAT,
    CAVEAT_OVER_40,
    caveats,
    couple_of,
    monthly_semen,
    pregnancy_curve,
    shows_pregnancy,
)


def test_the_over_40_caveat_starts_at_40() -> None:
    """wesselink2017's under-prediction is for women of 40-45: from 40 on, not before."""
    assert caveats(Couple(39.9)) == (CAVEAT,)
    assert caveats(Couple(40.0)) == (CAVEAT, CAVEAT_OVER_40)


def test_the_couples_curve_shows_when_he_wants_a_child_and_her_age_is_known() -> None:
    case = post_trt_case()
    with_age = dataclasses.replace(case, partner=Partner(age_years=33))
    assert shows_pregnancy(with_age)
    assert not shows_pregnancy(case)  # no partner
    assert not shows_pregnancy(dataclasses.replace(case, partner=Partner(age_years=None)))
    assert not shows_pregnancy(dataclasses.replace(with_age, goal="testosterone"))
    assert shows_pregnancy(dataclasses.replace(with_age, goal="both"))


def test_the_couple_counts_the_months_already_tried() -> None:
    case = dataclasses.replace(post_trt_case(), partner=Partner(age_years=31.5))
    assert couple_of(case) == Couple(31.5, 0)  # no reproductive history: none tried
    tried = dataclasses.replace(case, history=dataclasses.replace(
        case.history, reproductive=Reproductive(infertility_months=14.6)))
    assert couple_of(tried) == Couple(31.5, 15)  # whole months
    none = dataclasses.replace(case, history=dataclasses.replace(
        case.history, reproductive=Reproductive(children=0)))
    assert couple_of(none) == Couple(31.5, 0)


def test_semen_is_read_at_the_middle_of_each_month_from_the_start() -> None:
    """Each man's value at start + (k + 1/2) months, linear between grid points."""
    grid = np.arange(0.0, 200.0, 1.0)
    block = {"sperm_concentration": np.column_stack([grid, 2 * grid]),
             "tmsc": np.column_stack([grid + 1, 3 * grid])}
    conc, tmsc = monthly_semen(block, grid, 10.0, 3)
    mid = 10.0 + (np.arange(3) + 0.5) * DAYS_PER_MONTH
    assert conc.shape == tmsc.shape == (2, 3)
    assert conc == pytest.approx(np.stack([mid, 2 * mid]))
    assert tmsc == pytest.approx(np.stack([mid + 1, 3 * mid]))


def test_a_month_between_whole_months_reads_the_month_it_ends_in_and_the_median_is_linear(
) -> None:
    """One man whose count rises month by month: P by 2.5 months is P by the end of month 3;
    the median is where the monthly cumulative chance crosses 1/2 (from 0 at month 0)."""
    grid = np.arange(0.0, 13 * DAYS_PER_MONTH, 1.0)
    rising = np.clip(grid / DAYS_PER_MONTH * 6.0, 0.0, 60.0)[:, None]
    block = {"sperm_concentration": rising, "tmsc": rising}
    couple = Couple(30.0)
    curve = pregnancy_curve(block, grid, 0.0, couple, np.array([1.0]), (2.5, 3.0, 12.0))
    conc, tmsc = monthly_semen(block, grid, 0.0, 12)
    per_man = cumulative_conception(couple, male_ratio(conc, tmsc))[0]
    assert curve.probability == pytest.approx([per_man[2], per_man[2], per_man[11]], abs=1e-4)
    median = crossing_time(np.arange(13.0), np.concatenate([[0.0], per_man]))
    assert median is not None and curve.median_months == pytest.approx(median, abs=0.01)
    assert 0 < curve.median_months < 12


def _rising() -> tuple[dict[str, np.ndarray], np.ndarray]:
    grid = np.arange(0.0, 13 * DAYS_PER_MONTH, 1.0)
    rising = np.clip(grid / DAYS_PER_MONTH * 6.0, 0.0, 60.0)[:, None]
    return {"sperm_concentration": np.hstack([rising, rising / 2]),
            "tmsc": np.hstack([rising, rising / 2])}, grid


def test_month_one_is_the_first_months_chance_and_the_median_month_may_be_the_last() -> None:
    """Month 1 reads the end of the first month (not the second); a horizon that ends in the
    month the chance crosses 1/2 still finds that median."""
    block, grid = _rising()
    couple = Couple(30.0)
    w = np.array([0.5, 0.5])
    conc, tmsc = monthly_semen(block, grid, 0.0, 12)
    by_month = w @ cumulative_conception(couple, male_ratio(conc, tmsc))
    crossing = int(np.argmax(by_month >= 0.5)) + 1  # the month it ends in
    curve = pregnancy_curve(block, grid, 0.0, couple, w, (1.0, float(crossing)))
    assert curve.probability[0] == pytest.approx(by_month[0], abs=1e-4)
    expected = crossing_time(np.arange(crossing + 1.0), np.concatenate([[0.0],
                                                                       by_month[:crossing]]))
    assert curve.median_months == pytest.approx(expected, abs=0.01)


def _four() -> tuple[dict[str, np.ndarray], np.ndarray]:
    grid = np.arange(0.0, 13 * DAYS_PER_MONTH, 1.0)
    rising = np.clip(grid / DAYS_PER_MONTH * 6.0, 0.0, 60.0)[:, None]
    scale = np.array([[1.0, 0.5, 0.2, 0.05]])
    return {"sperm_concentration": rising * scale, "tmsc": rising * scale}, grid


def test_its_error_counts_his_runs_and_lineages_as_the_recovery_curves_do() -> None:
    block, grid = _four()
    couple, w = Couple(30.0), np.array([0.4, 0.3, 0.2, 0.1])
    islands, lineages = np.array([0, 1, 0, 1]), np.array([0, 1, 2, 3])
    months = (3.0, 6.0)
    curve = pregnancy_curve(block, grid, 0.0, couple, w, months, islands=islands,
                            lineages=lineages)
    conc, tmsc = monthly_semen(block, grid, 0.0, 6)
    at = cumulative_conception(couple, male_ratio(conc, tmsc))[:, [2, 5]].T
    want = monte_carlo_error(at, w, islands, lineages).se
    assert curve.mc_se == pytest.approx(want, abs=1e-4)
    for other in (monte_carlo_error(at, w, None, lineages).se,
                  monte_carlo_error(at, w, islands, None).se):
        assert not np.allclose(curve.mc_se, np.round(other, 4), atol=1e-4)


def test_the_curve_is_reported_to_four_decimals_and_its_median_to_two() -> None:
    block, grid = _four()
    curve = pregnancy_curve(block, grid, 0.0, Couple(30.0), np.array([0.3, 0.3, 0.3, 0.1]),
                            (2.0, 3.0, 4.0), islands=np.array([0, 0, 1, 1]),
                            lineages=np.array([0, 1, 2, 3]))
    values = [*curve.probability, *curve.mc_se, *(v for pair in curve.interval_90 for v in pair)]
    assert all(0.0 < v < 1.0 for v in values)
    assert all(v == round(v, 4) for v in values)
    assert curve.median_months is None or curve.median_months == round(curve.median_months, 2)
