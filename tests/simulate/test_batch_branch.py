"""Branching the batch engine from a given state, and drugs with metabolites (tamoxifen).

Branching is checked against the unbranched run of the same schedule: the solution of an
initial-value problem does not depend on where it is cut, so the two agree to the solver's
tolerance. Tamoxifen (whose endoxifen is formed in the body, never dosed) is checked against
the one-patient simulator at tight tolerances, the engine's issue-5 accuracy target (1e-3).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from androcast.errors import ParameterError
from androcast.model import reference_parameters
from androcast.regimens import compile_regimen, parse_regimen
from androcast.simulate import BatchState, SolverOptions, simulate
from androcast.simulate.batch import Engine, simulate_batch

HORMONES = ("testosterone_total", "lh", "fsh")
TIGHT = SolverOptions(rtol=1e-10, atol=1e-12)
HISTORY = [{"drug": "testosterone_enanthate", "dose": "250 mg", "route": "im", "every": "7 d",
            "start": "0 d", "duration": "21 d"}]
PROTOCOL = [{"drug": "hcg", "dose": "2000 IU", "route": "sc", "every": "3 d", "start": "30 d",
             "duration": "15 d"},
            {"drug": "clomiphene_citrate", "dose": "25 mg", "route": "oral", "every": "1 d",
             "start": "30 d", "duration": "15 d"}]
BRANCH_D, END_D = 30.0, 50.0


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("kernels")


def _two_men() -> object:
    p0 = reference_parameters()
    return p0.replace(DSP0=np.array([p0.DSP0, p0.DSP0 * 1.3]),
                      leydig_factor=np.array([1.0, 0.7]))


# compiled only: the numpy fallback at rtol 1e-10 takes over ten minutes on this schedule
@pytest.mark.parametrize("engine", ["compiled"])
def test_branch_from_final_state_equals_one_run_within_1e_6(engine: Engine,
                                                            cache: Path) -> None:
    p = _two_men()
    whole = compile_regimen(parse_regimen(HISTORY + PROTOCOL), t_start_d=0.0, t_end_d=END_D)
    history = compile_regimen(parse_regimen(HISTORY), t_start_d=0.0, t_end_d=BRANCH_D)
    protocol = compile_regimen(parse_regimen(PROTOCOL), t_start_d=BRANCH_D, t_end_d=END_D)
    t_after = np.arange(BRANCH_D + 1.0, END_D + 0.5, 1.0)
    run = {"control": TIGHT, "engine": engine, "cache_dir": cache}
    one = simulate_batch(p, [whole] * 2, np.concatenate([[BRANCH_D], t_after]),  # type: ignore[arg-type]
                         t_start_d=0.0, observables=HORMONES, **run)
    before = simulate_batch(p, [history] * 2, np.array([BRANCH_D]), t_start_d=0.0,  # type: ignore[arg-type]
                            observables=HORMONES, **run)
    assert before.final is not None and before.final.t_d == BRANCH_D
    branch = simulate_batch(p, [protocol] * 2, t_after, t_start_d=BRANCH_D,  # type: ignore[arg-type]
                            y0=before.final, observables=HORMONES, **run)
    assert branch.species[0] == "testosterone_enanthate"  # the depot still in the body
    for name in HORMONES:
        want = one.values[name][1:]
        err = np.max(np.abs(branch.values[name] - want) / want)
        assert err <= 1e-6, (name, err)


def test_y0_of_the_wrong_shape_or_time_is_refused(cache: Path) -> None:
    p = reference_parameters()
    history = compile_regimen(parse_regimen(HISTORY), t_start_d=0.0, t_end_d=BRANCH_D)
    before = simulate_batch(p, [history], np.array([BRANCH_D]), t_start_d=0.0, cache_dir=cache)
    assert before.final is not None
    state = before.final
    n_states = state.y.shape[0]
    later = np.array([END_D])
    with pytest.raises(ParameterError) as err:
        simulate_batch(p, [history], later, t_start_d=BRANCH_D, cache_dir=cache,
                       y0=BatchState(BRANCH_D, np.zeros((n_states, 3)), state.species))
    assert str(err.value) == (
        f"y0.y: ({n_states}, 3) is not a valid parameter; "
        f"expected shape ({n_states}, 1) or ({n_states},)")
    with pytest.raises(ParameterError) as err:
        simulate_batch(p, [history], later, t_start_d=BRANCH_D + 1.0, cache_dir=cache, y0=state)
    assert str(err.value) == (
        "y0.t_d: 30.0 is not a valid parameter; expected the start of this run, 31 d")
    # one man's state (n_states,) is tiled over the batch
    tiled = simulate_batch(p, [history, history], later, t_start_d=BRANCH_D, cache_dir=cache,
                           y0=BatchState(BRANCH_D, state.y[:, 0], state.species))
    assert np.allclose(tiled.values["lh"][0, 0], tiled.values["lh"][0, 1], rtol=1e-12)


def test_tamoxifen_20mg_daily_60d_compiled_matches_one_patient_within_1e_3(
        cache: Path) -> None:
    p = reference_parameters()
    regimen = [{"drug": "tamoxifen", "dose": "20 mg", "route": "oral", "every": "1 d",
                "start": "0 d", "duration": "60 d"}]
    schedule = compile_regimen(parse_regimen(regimen), t_start_d=0.0, t_end_d=60.0)
    t = np.arange(0.0, 60.5, 1.0)
    got = simulate_batch(p, [schedule], t, t_start_d=0.0, observables=HORMONES,
                         control=SolverOptions(rtol=1e-3, atol=1e-5), cache_dir=cache)
    assert got.species == ("tamoxifen", "endoxifen")
    ref = simulate(p, schedule, days=60.0, start_d=0.0,
                   solver=SolverOptions(method="LSODA", rtol=1e-10, atol=1e-12))
    assert ref.values["lh"][-1] > 1.2 * ref.values["lh"][0]  # the drug does act
    for name in HORMONES:
        err = np.max(np.abs(got.values[name][:, 0] - ref.values[name]) / ref.values[name])
        assert err <= 1e-3, (name, err)
