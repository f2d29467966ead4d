"""A regimen's times lie within the model's horizon and are finite; its doses are counted."""

from __future__ import annotations

import time

import pytest

from androcast.errors import RegimenError
from androcast.regimens import parse_regimen

TC = {"drug": "testosterone_cypionate", "dose": "200 mg", "every": "7 d"}


@pytest.mark.parametrize(
    "start", ["-1e12 d", "-100000 d", "-1e999 d", "nan d", "inf d", "-51 yr", "1" * 5000]
)
def test_a_start_outside_the_horizon_is_refused_at_once(start: str) -> None:
    began = time.perf_counter()
    with pytest.raises(RegimenError) as refused:
        parse_regimen([{**TC, "start": start, "stop": "0 d"}])
    assert refused.value.field == "regimen[0].start"
    assert "50 years before time 0" in refused.value.expected or "time such as" in (
        refused.value.expected)
    assert time.perf_counter() - began < 3.0  # parsing only: no simulation is started


def test_a_stop_beyond_twenty_years_and_too_many_doses_are_refused() -> None:
    with pytest.raises(RegimenError) as late:
        parse_regimen([{**TC, "start": "7000 d", "duration": "400 d"}])
    assert late.value.field == "regimen[0].stop"
    pump = {"drug": "gonadorelin", "dose": "5 ug", "route": "sc_pump", "every": "90 min"}
    with pytest.raises(RegimenError) as many:
        parse_regimen([{**pump, "start": "0 d", "duration": "7000 d"}])
    assert "doses" in many.value.expected


def test_a_long_history_within_the_horizon_is_accepted() -> None:
    regimen = parse_regimen([{**TC, "start": "-18000 d", "stop": "0 d"}])
    assert regimen.entries[0].start_d == -18000.0
