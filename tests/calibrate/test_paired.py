"""The paired effect of a direction target and its Monte Carlo SE, by known answers.

Two runs of the same men (common random numbers) differ man by man; the SE is that of the
mean of those differences, so identical runs give exactly 0 and a shift shared by every man
carries no noise. Numbers are worked by hand in each test.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from androcast.calibrate import TargetResult, select_targets
from androcast.calibrate.paired import DIRECTION_Z, paired_effect
from androcast.calibrate.targets import Statistic
from androcast.errors import SimulationError
from androcast.population import CohortResult

NAN = math.nan


def _run(months: list[float], failed: list[bool] | None = None) -> CohortResult:
    return CohortResult("synthetic", len(months), 1, {}, {}, {"o": np.array(months)},
                        failed=None if failed is None else np.array(failed))


def test_probability_effect_is_the_mean_paired_difference_and_se_its_sd_over_root_n() -> None:
    # reached by 2.5 months: a 1 1 0 0, b 0 0 0 1 -> differences 1 1 0 -1
    a, b = _run([1, 2, NAN, 5]), _run([3, NAN, NAN, 1])
    p = paired_effect(a, b, "o", Statistic("probability", 2.5))
    assert p.effect == pytest.approx(1 / 4)
    # deviations 3/4 3/4 -1/4 -5/4: sum of squares 11/4 over 3, sd over sqrt(4)
    assert p.se == pytest.approx(math.sqrt(11 / 12) / 2)
    assert p.z == pytest.approx((1 / 4) / (math.sqrt(11 / 12) / 2))
    assert p.men == 4


def test_same_men_unchanged_have_no_monte_carlo_error() -> None:
    a = _run([1, 2, NAN, 5, 0.5])
    p = paired_effect(a, a, "o", Statistic("probability", 3))
    assert (p.effect, p.se, p.z) == (0.0, 0.0, None)


def test_a_man_not_simulated_in_either_variant_leaves_the_pair() -> None:
    a = _run([1, 1, 4], failed=[False, False, False])
    b = _run([NAN, 4, 1], failed=[False, True, False])
    p = paired_effect(a, b, "o", Statistic("probability", 2))
    # men 0 and 2 remain: differences 1 - 0 and 0 - 1
    assert (p.men, p.effect) == (2, 0.0)
    assert p.se == pytest.approx(1.0)  # sd of 1 and -1 is sqrt 2, over sqrt 2 men


def test_median_effect_is_b_minus_a_and_a_shift_shared_by_every_man_has_no_error() -> None:
    b = _run([1, 2, 3, 4, 5])
    a = _run([2, 3, 4, 5, 6])  # every man a month slower in variant a
    p = paired_effect(a, b, "o", Statistic("median"))
    assert p.effect == pytest.approx(-1.0)  # Kaplan-Meier medians 3 (b) and 4 (a)
    assert p.se == 0.0


def test_variants_of_different_men_are_refused() -> None:
    with pytest.raises(SimulationError, match="same men"):
        paired_effect(_run([1, 2]), _run([1, 2, 3]), "o", Statistic("probability", 2))


def test_a_direction_passes_only_above_its_minimum_and_its_z_bar() -> None:
    (t,) = select_targets(["liu2006_older_faster"])
    above = 2 * t.min_effect
    # clear of both bars
    assert TargetResult(t, above, above / (2 * DIRECTION_Z), 160, ()).passed
    # above the stated minimum, within DIRECTION_Z SE of no effect
    se = above / DIRECTION_Z * 1.01
    assert not TargetResult(t, above, se, 160, ()).passed
    assert TargetResult(t, above, se, 160, ()).z == pytest.approx(above / se)
    # many SE from zero but below the stated minimum
    below = t.min_effect / 2
    assert not TargetResult(t, below, below / (10 * DIRECTION_Z), 160, ()).passed
