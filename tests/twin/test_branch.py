"""Branching every protocol from one simulated history equals re-simulating it all.

The solution of an initial-value problem does not depend on where it is cut, so the
branched curves equal the full re-simulation (history then protocol, one run per protocol)
to the solver's tolerance. At the history's control (``twin.simulate.CONTROL``, rtol 1e-3)
two runs cut at different places may differ by a few of those steps' errors, so agreement
is asked to 1e-3, the batch engine's accuracy target (issue 5). The branches of a forecast
run at ``FORECAST`` (issue 17), whose budget is set on outcomes, not trajectories: there the
first weeks at an outcome must hold. Four men from the twin prior of a 26-week user, 16
weeks of three protocols, keep it small.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pytest
from numpy.typing import NDArray
from twin_cases import post_trt_case

from androcast.population import parse_outcomes, time_to_event
from androcast.prognosis import get_protocol, start_day
from androcast.twin import (
    Posterior,
    history_state,
    personalise,
    resample_move,
    simulate_branches,
    simulate_regimens,
)
from androcast.twin import branch as twin_branch
from androcast.twin.simulate import CONTROL

PROTOCOLS = ("watchful_waiting", "serm_clomiphene", "hcg")
NAMES = ("lh", "sperm_concentration", "testosterone_total")
START_D = 35.0
GRID = START_D + np.arange(0.0, 16 * 7.0 + 1.0, 7.0)
(OUTCOME,) = parse_outcomes(["concentration_ge_5m_per_ml"])
N = 4


@pytest.fixture(scope="module")
def setup() -> tuple[object, object, list[object], list[dict[str, NDArray[np.float64]]]]:
    post = personalise(post_trt_case(weeks=26), n=N)  # no results: the prior's men
    p = post.parameters()
    regimens = [post.history.combine(get_protocol(i).regimen_from(START_D, 120.0))
                for i in PROTOCOLS]
    full = [simulate_regimens(p, [r] * N, GRID, NAMES) for r in regimens]
    return p, history_state(p, post.history, N, START_D), regimens, full


@pytest.fixture
def at_history_control(monkeypatch: pytest.MonkeyPatch) -> None:
    """Branches at the history's control, so they can equal the full run to 1e-3."""
    monkeypatch.setattr(twin_branch, "BRANCH_CONTROL", CONTROL)


def _met(values: Mapping[str, NDArray[np.float64]]) -> NDArray[np.bool_]:
    return np.asarray(OUTCOME.holds(values["sperm_concentration"]).any(axis=0))


@pytest.mark.usefixtures("at_history_control")
def test_branches_equal_the_full_re_simulation_within_1e_3(setup: tuple) -> None:
    p, state, regimens, full = setup
    branched = simulate_branches(p, state, regimens, GRID, NAMES)
    for whole, branch in zip(full, branched, strict=True):
        for name in NAMES:
            err = np.max(np.abs(branch[name] - whole[name]) / whole[name])
            assert err <= 1e-3, (name, err)


@pytest.mark.usefixtures("at_history_control")
def test_men_stopped_at_their_outcome_keep_their_first_times(setup: tuple) -> None:
    p, state, regimens, full = setup
    # cuts every 3 weeks fall on hCG dose days: a dose given on both sides of a cut shows
    stopped = simulate_branches(p, state, regimens, GRID, NAMES, done=_met, segment=3)
    segment_end = np.append(GRID[2::3], GRID[-1])
    lasts = [GRID[~np.isnan(b["lh"][:, k])][-1] for b in stopped for k in range(N)][1:]
    for whole, branch in zip(full, stopped, strict=True):
        event = time_to_event(OUTCOME, GRID, whole["sperm_concentration"])
        assert np.array_equal(event, time_to_event(OUTCOME, GRID, branch["sperm_concentration"]),
                              equal_nan=True)
        ran = ~np.isnan(branch["lh"])
        for name in NAMES:
            err = np.max(np.abs(branch[name][ran] - whole[name][ran]) / whole[name][ran])
            assert err <= 1e-3, (name, err)
        for k in range(N):
            # he runs to the end of the segment of his first time, and no further
            last = GRID[ran[:, k]][-1]
            own = GRID[-1] if np.isnan(event[k]) else segment_end[
                np.searchsorted(segment_end, event[k])]
            if branch is stopped[0] and k == 0:  # the batch's first man runs while any man
                assert last == max(own, *lasts)
            else:
                assert last == own
    assert np.isnan(stopped[1]["lh"]).any()  # some man did stop early


def test_forecast_branches_keep_the_first_weeks_of_the_full_run(setup: tuple) -> None:
    """At FORECAST each man's first week at 5 M/mL is that of the full run at the history's
    control, or the next output week (the budget is a day; a crossing a day before an
    output time may land after it), and cutting the run into segments (tablets as their
    mean rate, cut at each segment's end) gives exactly the first weeks of one run."""
    p, state, regimens, full = setup
    assert twin_branch.BRANCH_CONTROL.oral_mean_rate  # the forecast's control
    whole = simulate_branches(p, state, regimens, GRID, NAMES)
    cut = simulate_branches(p, state, regimens, GRID, NAMES, done=_met, segment=3)
    met = 0
    for reference, one, segmented in zip(full, whole, cut, strict=True):
        want = time_to_event(OUTCOME, GRID, reference["sperm_concentration"])
        got = time_to_event(OUTCOME, GRID, one["sperm_concentration"])
        assert np.array_equal(got, time_to_event(OUTCOME, GRID,
                                                 segmented["sperm_concentration"]),
                              equal_nan=True)
        assert np.array_equal(np.isnan(got), np.isnan(want))
        reached = ~np.isnan(want)
        met += int(reached.sum())
        assert np.all(np.abs(got[reached] - want[reached]) <= 7.0), (got, want)
    assert met > 0  # some man reaches 5 M/mL within the 16 weeks


def test_the_split_over_threads_does_not_change_a_number(setup: tuple) -> None:
    p, state, regimens, _ = setup
    one = simulate_branches(p, state, regimens, GRID, NAMES, done=_met, segment=3, threads=1)
    two = simulate_branches(p, state, regimens, GRID, NAMES, done=_met, segment=3, threads=3)
    for a, b in zip(one, two, strict=True):
        for name in NAMES:
            assert np.array_equal(a[name], b[name], equal_nan=True)


# min_ess 2: the moved men keep the weight; above N: too unusual, the prior's men
@pytest.mark.parametrize(("n", "min_ess", "fell_back"), [(4, 2.0, False), (6, 7.0, True)])
def test_personalisation_keeps_the_state_of_its_final_men_on_his_latest_result(
        n: int, min_ess: float, fell_back: bool) -> None:
    post = personalise(post_trt_case(weeks=26, labs=[(35, "lh", 0.4, "IU/L")]), n=n,
                       min_ess=min_ess)
    assert post.fell_back_ is fell_back and post.resamples_ == 0
    day = start_day(post)
    _assert_state_kept(post, day)
    assert post.history_state_ is not None
    assert not post.history_state_.is_of(post.parameters(), day + 1.0)
    # resample-move: other men, each with the state of the sweep that last simulated him
    moved = resample_move(post)
    assert moved.resamples_ == 1 and not np.array_equal(moved.sample_.index, post.sample_.index)
    _assert_state_kept(moved, day)


def _assert_state_kept(post: Posterior, day: float) -> None:
    p = post.parameters()
    kept = post.history_state_
    assert kept is not None and kept.is_of(p, day)
    fresh = history_state(p, post.history, post.n, day)
    big = np.abs(fresh.y) > 1e-6 * np.max(np.abs(fresh.y), axis=1, keepdims=True)
    assert np.max(np.abs(kept.state.y - fresh.y)[big] / np.abs(fresh.y)[big]) <= 1e-3
