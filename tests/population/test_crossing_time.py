"""The one median of a sampled cumulative curve, by known answers.

A twin's recovery curve, a cohort's and a man's chance of conception all report their median
with ``crossing_time``; Kaplan-Meier cohorts keep the step median of their event times.
"""

from __future__ import annotations

import pytest

from androcast.population.survival import crossing_time


def test_linear_between_the_two_samples_around_the_level() -> None:
    # 0.4 at month 2, 0.6 at month 4: half-way is month 3
    assert crossing_time([0, 2, 4], [0.0, 0.4, 0.6]) == pytest.approx(3.0)
    # uneven: 0.2 at 1, 0.7 at 2 -> 1 + (0.5 - 0.2) / 0.5 = 1.6
    assert crossing_time([0, 1, 2], [0.0, 0.2, 0.7]) == pytest.approx(1.6)


def test_reached_exactly_at_a_sample_is_that_sample() -> None:
    assert crossing_time([0, 1, 2, 3], [0.0, 0.3, 0.5, 0.9]) == pytest.approx(2.0)


def test_never_reached_is_none_and_reached_at_once_is_the_first_time() -> None:
    assert crossing_time([0, 1, 2], [0.0, 0.2, 0.49]) is None
    assert crossing_time([3, 4], [0.8, 0.9]) == 3.0


def test_another_level() -> None:
    assert crossing_time([0, 10], [0.0, 1.0], level=0.9) == pytest.approx(9.0)
