"""The scripted follow-up (issue 7): a post-TRT man on hCG + clomiphene, results at weeks
0, 6, 12 and 24 (``follow_up.yaml`` says what each visit shows and why). Run once, seeded,
with 48 virtual men."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from androcast.labs import Case, load_case
from androcast.monitoring import (
    StepResult,
    follow_up,
    monitor,
    start_monitoring,
    state_from_payload,
    state_to_payload,
)
from androcast.twin import error_models

CASE = Path(__file__).with_name("follow_up.yaml")
START = dt.date(2025, 9, 1)
WEEK_52 = START + dt.timedelta(weeks=52)


@pytest.fixture(scope="module")
def case() -> Case:
    return load_case(CASE, as_of=dt.date(2026, 6, 1))


@pytest.fixture(scope="module")
def result(case: Case) -> StepResult:
    return follow_up(case, "hcg_serm", START, n=48, seed=1)


def test_each_visit_raises_the_expected_alerts(result: StepResult) -> None:
    by_visit = {v.date: [(a.code, a.observable) for a in v.alerts] for v in result.visits}
    assert by_visit == {
        dt.date(2025, 10, 13): [("add_aromatase_inhibitor", "estradiol")],
        dt.date(2025, 11, 24): [("value_far_outside_forecast", "fsh"),
                                ("value_far_outside_forecast", "lh")],
        dt.date(2026, 2, 16): [("offer_cryopreservation", "sperm_concentration")],
    }


def test_alerts_carry_their_rule_and_citation(result: StepResult) -> None:
    rules = {a.code: (a.rule, a.citation) for a in result.alerts}
    assert rules == {
        "add_aromatase_inhibitor": ("ESC-AI", "raman2002; pavlovich2001; shoshany2017"),
        "value_far_outside_forecast": ("MON-FAR-OUTSIDE-BAND", "coward2013; coviello2005"),
        "offer_cryopreservation": ("CRYO", "wenker2015"),
    }


def test_the_band_narrows_as_results_arrive(result: StepResult) -> None:
    bands = [result.visits[0].band_before, *(v.band_after for v in result.visits)]
    # p95/p05 at week 52, as the band stores it (3 significant digits): over the follow-up it
    # narrows clearly. A single visit may keep it or widen it a little: a posterior predictive
    # need not narrow with every result, and 48 men carry Monte-Carlo noise (seeds 1-3 at 48
    # and 64 men: one visit widened testosterone by up to 12 %, seed 1 by 0.6 %; over the
    # follow-up it narrowed to 0.59-0.93 of its first width; LH narrows 2.5- to 15-fold at
    # the first visit).
    # Week 12 may leave it as it was: its LH and FSH are held out (far outside).
    t_width = [b.width("testosterone_total", WEEK_52) or 0.0 for b in bands]
    assert all(later <= 1.05 * earlier for earlier, later in itertools.pairwise(t_width))
    assert t_width[-1] < 0.85 * t_width[0]
    lh_width = [b.width("lh", WEEK_52) or 0.0 for b in bands]
    assert lh_width[1] < 0.5 * lh_width[0]
    assert lh_width[-1] < 0.5 * lh_width[0]


def test_results_far_outside_the_band_are_held_out_of_the_forecast(result: StepResult) -> None:
    week_12 = dt.date(2025, 11, 24)
    state = result.state
    assert state.held_out == {("fsh", week_12), ("lh", week_12)}
    assert not state.held_out & state.posterior.used_
    assert ("testosterone_total", week_12) in state.posterior.used_
    # with semen read as measured (within-man CV 0.39, an empty pellet below its limit), the
    # week-24 count of 3 M/mL after an empty pellet also sends the twin back to its prior
    # (seed 1, 48 men), which it says; the held-out results stay named
    assert "left out of the forecast until confirmed: fsh 2025-11-24, lh 2025-11-24" in (
        state.band.warnings)


def test_each_alert_is_judged_against_the_band_made_before_its_result(
        result: StepResult) -> None:
    for earlier, later in zip(result.visits, result.visits[1:], strict=False):
        assert later.band_before == earlier.band_after
        assert later.band_before.as_of == earlier.date


def test_the_band_payload_has_the_documented_shape(result: StepResult) -> None:
    payload = result.state.band.to_dict()
    assert list(payload) == ["protocol", "plan_start", "as_of", "n_virtual", "ess", "dates",
                             "bands", "citations", "low_confidence", "warnings"]
    assert (payload["protocol"], payload["plan_start"], payload["as_of"]) == (
        "hcg_serm", "2025-09-01", "2026-02-16")
    assert len(payload["dates"]) == 365 and payload["dates"][1] == "2025-09-02"  # daily
    assert set(payload["bands"]) == set(error_models())
    assert payload["bands"]["lh"]["unit"] == "[IU]/L"
    assert payload["bands"]["sperm_concentration"]["unit"] == "10*6/mL"
    for band in payload["bands"].values():
        assert np.all(np.array(band["p05"]) <= np.array(band["p50"]))
        assert np.all(np.array(band["p50"]) <= np.array(band["p95"]))
    assert {"wenker2015", "kohn2017", "liu2006"} <= set(payload["citations"])


def test_the_state_survives_a_json_round_trip(result: StepResult, case: Case) -> None:
    payload = json.loads(json.dumps(state_to_payload(result.state), allow_nan=False))
    restored = state_from_payload(payload, case)
    before, after = result.state.posterior, restored.posterior
    assert np.array_equal(before.log_weights_, after.log_weights_)
    assert before.used_ == after.used_ and before.history == after.history
    assert before.treatment == after.treatment is not None
    assert before.log_likelihood_ is not None and after.log_likelihood_ is not None
    assert np.array_equal(before.log_likelihood_, after.log_likelihood_)
    for name, values in before.sample_.parameter_factors.items():
        assert np.array_equal(values, after.sample_.parameter_factors[name])
    assert restored.band.to_dict() == result.state.band.to_dict()
    assert restored.held_out == result.state.held_out


def _up_to(case: Case, day: dt.date) -> Case:
    return replace(case, labs=tuple(r for r in case.labs if r.date <= day),
                   semen=tuple(s for s in case.semen if s.date <= day))


def test_a_restored_state_learns_as_the_one_kept_in_memory(case: Case) -> None:
    """The store keeps the payload between visits; continuing from it changes nothing."""
    week_6 = _up_to(case, dt.date(2025, 10, 13))
    state = start_monitoring(_up_to(case, START), "hcg_serm", START, n=16, seed=3)
    kept = monitor(state, week_6)
    payload = json.loads(json.dumps(state_to_payload(state), allow_nan=False))
    again = monitor(state_from_payload(payload, week_6), week_6)
    assert [a.to_dict() for a in again.alerts] == [a.to_dict() for a in kept.alerts]
    assert again.state.band.to_dict() == kept.state.band.to_dict()
    assert np.array_equal(again.state.posterior.log_weights_, kept.state.posterior.log_weights_)


def test_a_held_out_result_is_learnt_once_the_laboratory_confirms_it(case: Case) -> None:
    week_6_day = dt.date(2025, 10, 13)
    # LH 40 IU/L on hCG + clomiphene at week 6, a castrate man's LH in a man whose testes make
    # testosterone: far above his band whatever the model's version (0.07-1.98 IU/L at 16 men,
    # seed 3, after the two-timescale adaptation; 2.3-6.2 after the adaptive sampler; "< 0.1"
    # served before the first of these and lay inside the band after it)
    odd = tuple(replace(r, value=40.0, censor=None) if (r.analyte, r.date) == ("lh", week_6_day)
                else r for r in _up_to(case, week_6_day).labs)
    week_6 = replace(_up_to(case, week_6_day), labs=odd)
    first = monitor(start_monitoring(week_6, "hcg_serm", START, n=16, seed=3), week_6)
    assert ("value_far_outside_forecast", "lh") in [(a.code, a.observable) for a in first.alerts]
    assert ("lh", week_6_day) in first.state.held_out

    confirmed = replace(week_6, labs=tuple(replace(r, confirmed=True) if r.analyte == "lh"
                                           and r.date == week_6_day else r for r in odd))
    later = monitor(first.state, confirmed)
    assert later.alerts == ()  # judged once already
    assert ("lh", week_6_day) not in later.state.held_out
    assert ("lh", week_6_day) in later.state.posterior.used_


def test_a_posterior_personalised_again_stays_on_the_plan(case: Case) -> None:
    """Results his men cannot explain make twin.update start over: still on the plan."""
    week_6_day = dt.date(2025, 10, 13)
    week_6 = _up_to(case, week_6_day)
    # 32 men: at 16 the band's tails are so rough that his week-6 FSH fell outside them for
    # 4 of seeds 1-8 (and was held out); at 32 for 1 of 8 (seed 1)
    state = start_monitoring(_up_to(case, START), "hcg_serm", START, n=32, seed=3)
    # more effective men asked for than 32 men can give: the update has to start over
    strict = replace(state, posterior=replace(state.posterior, min_ess=33.0))
    later = monitor(strict, week_6)
    post = later.state.posterior
    assert ("new results outside the current posterior: personalised again from the prior"
            in later.state.band.warnings)
    assert post.treatment == state.posterior.treatment is not None
    assert post.history == state.posterior.history
    # his week-6 results are learnt, not held out
    assert later.state.held_out == frozenset()
    assert {("lh", week_6_day), ("testosterone_total", week_6_day)} <= post.used_
    # on hCG his testosterone is forecast well above the 8.7 nmol/L (250 ng/dL) at the start
    # (median 21.3-22.8 nmol/L for seeds 1-5 at 32 men)
    t_week_6 = later.state.band.at("testosterone_total", week_6_day)
    assert t_week_6 is not None and t_week_6[1] > 2 * 8.7


def test_the_band_shows_the_every_other_day_hcg_cycle_not_an_alias(result: StepResult) -> None:
    # hCG every 2 days: sampled daily, testosterone's median alternates day by day (a 2-day
    # cycle); sampled weekly (7 = 1 mod 2) the same cycle would read as a 2-week zigzag.
    p50 = np.array(result.state.band.to_dict()["bands"]["testosterone_total"]["p50"])
    settled = np.diff(p50[60:120])  # weeks 9-17, on the plan's steady state
    assert np.mean(np.sign(settled[1:]) != np.sign(settled[:-1])) > 0.9  # turns every day
    weekly = p50[60:120:7]
    assert np.ptp(weekly) > 0 and np.ptp(p50[60:120]) >= np.ptp(weekly)
