"""Regular daily tablets as their mean rate (SolverOptions.oral_mean_rate), and first use
without a C compiler."""

from __future__ import annotations

import numpy as np
import pytest

from androcast.model import reference_parameters
from androcast.regimens import compile_regimen, parse_regimen
from androcast.simulate import SolverOptions, _batch_compiled
from androcast.simulate._mean_rate import mean_rate_orals
from androcast.simulate.batch import simulate_batch

REGIMEN = [
    {"drug": "clomiphene_citrate", "dose": "25 mg", "route": "oral", "every": "1 d",
     "start": "0 d", "duration": "10 d"},
    {"drug": "hcg", "dose": "1500 IU", "route": "sc", "every": "3 d", "start": "0 d",
     "duration": "10 d"},
    {"drug": "anastrozole", "dose": "1 mg", "route": "oral", "every": "3 d", "start": "0 d",
     "duration": "10 d"},
]


def test_daily_tablets_become_a_centred_rate_with_the_same_amount() -> None:
    schedule = compile_regimen(parse_regimen(REGIMEN), t_start_d=0.0, t_end_d=20.0)
    got = mean_rate_orals(schedule)
    tablets = [d for d in schedule.doses if d.drug == "clomiphene_citrate"]
    (rate,) = got.infusions
    half = [d for d in got.doses if d.drug == "clomiphene_citrate"]
    assert [d.amount for d in half] == [12.5] and half[0].t_d == 0.0
    assert rate.rate_per_d == 25.0 and rate.start_d == 0.0 and rate.stop_d == 9.5
    given = sum(d.amount for d in half) + rate.rate_per_d * (rate.stop_d - rate.start_d)
    assert given == pytest.approx(sum(d.amount for d in tablets))
    # injections and tablets three days apart stay doses
    assert [d for d in got.doses if d.drug != "clomiphene_citrate"] == [
        d for d in schedule.doses if d.drug != "clomiphene_citrate"]


def test_without_a_compiler_the_numpy_engine_runs_with_one_notice(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(_batch_compiled, "find_compiler", lambda: None)
    schedule = compile_regimen(parse_regimen(REGIMEN[1:2]), t_start_d=0.0, t_end_d=4.0)
    p = reference_parameters()
    t = np.array([1.0, 2.0, 3.0])
    got = simulate_batch(p, [schedule], t, t_start_d=0.0, control=SolverOptions(rtol=1e-4),
                         observables=("testosterone_total",))
    want = simulate_batch(p, [schedule], t, t_start_d=0.0, control=SolverOptions(rtol=1e-4),
                          engine="numpy", observables=("testosterone_total",))
    np.testing.assert_array_equal(got.values["testosterone_total"],
                                  want.values["testosterone_total"])
    err = capsys.readouterr().err
    assert err.count("no C compiler") == 1 and len(err.strip().splitlines()) == 1
