"""Compiling regimens into dose events: counts, spacing, windows and breakpoints."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from androcast.errors import RegimenError
from androcast.regimens import Dose, Infusion, Regimen, RegimenEntry, compile_regimen

PUMP = RegimenEntry("gonadorelin", 5.0, "ug", "sc_pump", 90 / 1440, 0.0, 28.0)


def test_pump_gives_one_bolus_per_pulse() -> None:
    schedule = compile_regimen(Regimen((PUMP,)), t_start_d=0.0, t_end_d=28.0)
    assert len(schedule.doses) == 28 * 16  # 16 pulses a day at 90-min intervals
    assert schedule.doses[1].t_d == pytest.approx(0.0625)
    assert all(d.amount == 5.0 and d.unit == "ug" for d in schedule.doses)
    assert schedule.infusions == ()


def test_stop_is_exclusive_and_window_clips_doses() -> None:
    weekly = RegimenEntry("testosterone_enanthate", 200.0, "mg", "im", 7.0, -70.0, 0.0)
    full = compile_regimen(Regimen((weekly,)), t_start_d=-100.0, t_end_d=10.0)
    assert [d.t_d for d in full.doses] == [-70.0 + 7 * k for k in range(10)]  # last at -7
    window = compile_regimen(Regimen((weekly,)), t_start_d=-30.0, t_end_d=-13.0)
    assert [d.t_d for d in window.doses] == [-28.0, -21.0, -14.0]


def test_single_dose_is_given_once() -> None:
    once = RegimenEntry("hcg", 6000.0, "IU", "im", None, 2.0, 2.0)
    schedule = compile_regimen(Regimen((once,)), t_start_d=0.0, t_end_d=10.0)
    assert schedule.doses == (Dose(2.0, "hcg", "im", 6000.0, "IU"),)


def test_infusion_is_clipped_to_the_window_and_switches_rate() -> None:
    infusion = RegimenEntry("gonadorelin", 80.0, "ug", "iv_infusion", 1.0, 5.0, 15.0)
    schedule = compile_regimen(Regimen((infusion,)), t_start_d=0.0, t_end_d=10.0)
    assert schedule.infusions == (Infusion("gonadorelin", "iv_infusion", 5.0, 10.0, 80.0, "ug"),)
    assert schedule.doses == ()
    assert schedule.infusion_rate("gonadorelin", "iv_infusion", 4.999) == 0.0
    assert schedule.infusion_rate("gonadorelin", "iv_infusion", 5.0) == 80.0
    assert schedule.infusion_rate("gonadorelin", "iv_infusion", 10.0) == 0.0


def test_breakpoints_are_sorted_unique_dose_times_and_infusion_edges() -> None:
    regimen = Regimen(
        (
            RegimenEntry("hcg", 1500.0, "IU", "sc", 2.0, 0.0, 6.0),
            RegimenEntry("anastrozole", 1.0, "mg", "oral", 1.0, 0.0, 3.0),
            RegimenEntry("gonadorelin", 80.0, "ug", "sc_infusion", 1.0, 1.5, 2.5),
        )
    )
    schedule = compile_regimen(regimen, t_start_d=0.0, t_end_d=10.0)
    assert schedule.breakpoints() == (0.0, 1.0, 1.5, 2.0, 2.5, 4.0)
    assert [d.t_d for d in schedule.doses] == sorted(d.t_d for d in schedule.doses)


def test_empty_window_is_refused() -> None:
    with pytest.raises(RegimenError) as err:
        compile_regimen(Regimen(()), t_start_d=5.0, t_end_d=5.0)
    assert str(err.value) == (
        "t_end_d: 5.0 is not a valid regimen entry; expected a time after t_start_d (5 d)"
    )


@settings(max_examples=100, deadline=None)
@given(
    start=st.floats(-800, 800, allow_nan=False),
    every=st.floats(0.04, 30.0, allow_nan=False),
    duration=st.floats(0.0, 400.0, allow_nan=False),
)
def test_dose_count_and_mass_balance_for_any_schedule(
    start: float, every: float, duration: float
) -> None:
    entry = RegimenEntry("hcg", 1500.0, "IU", "sc", every, start, start + duration)
    doses = compile_regimen(Regimen((entry,)), t_start_d=-2000.0, t_end_d=2000.0).doses
    expected = math.ceil(duration / every - 1e-9) if duration > 1e-9 else 0
    assert abs(len(doses) - expected) <= 1  # floating-point edge at the stop time
    assert sum(d.amount for d in doses) == pytest.approx(1500.0 * len(doses))
    assert all(start - 1e-9 <= d.t_d < start + duration for d in doses)
    gaps = [b.t_d - a.t_d for a, b in itertools.pairwise(doses)]
    assert all(g == pytest.approx(every, rel=1e-9, abs=1e-9) for g in gaps)


def test_compiled_doses_are_the_records_the_constructor_builds() -> None:
    # compile_regimen fills each Dose's fields at once, bypassing the dataclass __init__:
    # that is only sound while Dose has exactly these fields and no __post_init__
    import dataclasses

    assert [f.name for f in dataclasses.fields(Dose)] == ["t_d", "drug", "route", "amount",
                                                         "unit"]
    assert not hasattr(Dose, "__post_init__")
    weekly = RegimenEntry("testosterone_enanthate", 200.0, "mg", "im", 7.0, 0.0, 21.0)
    doses = compile_regimen(Regimen((weekly,)), t_start_d=0.0, t_end_d=21.0).doses
    for dose in doses:
        built = Dose(dose.t_d, "testosterone_enanthate", "im", 200.0, "mg")
        assert dose == built and hash(dose) == hash(built) and repr(dose) == repr(built)
        with pytest.raises(dataclasses.FrozenInstanceError):
            dose.amount = 1.0  # type: ignore[misc]


def _gel(dose: float, start: float, stop: float) -> RegimenEntry:
    return RegimenEntry("testosterone_gel", dose, "mg", "transdermal", 1.0, start, stop)


def _gel_rates(*entries: RegimenEntry, t_start_d: float = -10.0,
               t_end_d: float = 20.0) -> list[tuple[float, float, float]]:
    schedule = compile_regimen(Regimen(entries), t_start_d=t_start_d, t_end_d=t_end_d)
    assert schedule.doses == ()  # zero order: released as a rate, never a bolus
    assert all((i.drug, i.route, i.unit) == ("testosterone_gel", "transdermal", "mg")
               for i in schedule.infusions)
    return [(i.start_d, i.stop_d, i.rate_per_d) for i in schedule.infusions]


def test_daily_gel_is_one_infusion_at_the_daily_amount() -> None:
    # each 50 mg application is released over the 24 h of androgel_label: 50 mg/d
    assert _gel_rates(_gel(50.0, 0.0, 3.0)) == [(0.0, 3.0, 50.0)]


def test_a_missed_day_of_gel_splits_the_infusion() -> None:
    rates = _gel_rates(_gel(50.0, 0.0, 2.0), _gel(50.0, 3.0, 5.0))
    assert rates == [(0.0, 2.0, 50.0), (3.0, 5.0, 50.0)]


def test_a_gel_dose_change_gives_two_rates() -> None:
    rates = _gel_rates(_gel(50.0, 0.0, 2.0), _gel(75.0, 2.0, 4.0))
    assert rates == [(0.0, 2.0, 50.0), (2.0, 4.0, 75.0)]


def test_overlapping_gel_releases_add_up() -> None:
    # a single extra application at 1.5 d overlaps the daily ones for 24 h
    extra = RegimenEntry("testosterone_gel", 25.0, "mg", "transdermal", None, 1.5, 1.5)
    rates = _gel_rates(_gel(50.0, 0.0, 3.0), extra)
    assert rates == [(0.0, 1.5, 50.0), (1.5, 2.5, 75.0), (2.5, 3.0, 50.0)]


def test_gel_window_clips_the_release_of_applications_before_and_after() -> None:
    # the application at day 1 is still being released at 1.5 d: its rest is in the window
    rates = _gel_rates(_gel(50.0, 0.0, 4.0), t_start_d=1.5, t_end_d=3.25)
    assert rates == [(1.5, 3.25, 50.0)]
    # the last application (day 3) is released until day 4, past the entry's stop
    assert _gel_rates(_gel(50.0, 0.0, 3.5)) == [(0.0, 4.0, 50.0)]


def test_years_of_daily_gel_are_one_infusion_despite_round_off() -> None:
    # -995.3 + k x 1 d is not exact in binary: stops and next starts differ by ulps
    entry = _gel(50.0, -995.3, 0.7)
    (segment,) = _gel_rates(entry, t_start_d=-1000.0)
    assert segment[0] == -995.3 and segment[1] == pytest.approx(0.7, abs=1e-9)
    assert segment[2] == 50.0
    schedule = compile_regimen(Regimen((entry,)), t_start_d=-1000.0, t_end_d=20.0)
    assert len(schedule.breakpoints()) == 2


def test_continuous_infusions_are_not_merged_with_zero_order_ones() -> None:
    infusion = RegimenEntry("gonadorelin", 80.0, "ug", "iv_infusion", 1.0, 0.0, 2.0)
    twice = RegimenEntry("gonadorelin", 80.0, "ug", "iv_infusion", 1.0, 2.0, 4.0)
    schedule = compile_regimen(Regimen((infusion, twice, _gel(50.0, 0.0, 2.0))),
                               t_start_d=0.0, t_end_d=10.0)
    assert schedule.infusions == (
        Infusion("gonadorelin", "iv_infusion", 0.0, 2.0, 80.0, "ug"),
        Infusion("testosterone_gel", "transdermal", 0.0, 2.0, 50.0, "mg"),
        Infusion("gonadorelin", "iv_infusion", 2.0, 4.0, 80.0, "ug"),
    )
