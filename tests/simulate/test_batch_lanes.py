"""The lockstep lanes (several men per vector, ``_batch_lanes``) against one man at a time.

Each lane keeps its man's own steps, events and accept/reject, and the vector arithmetic is
the one-man arithmetic lane by lane, so the two loops must agree to the bit: outputs, steps,
refused steps, status and final states, for men on different regimens, a man who fails his
step budget, more men than lanes (a lane is refilled) and fewer (idle lanes).
"""

from __future__ import annotations

import ctypes

import numpy as np
import pytest

from androcast.model import reference_parameters
from androcast.regimens import compile_regimen, parse_regimen
from androcast.simulate import FORECAST, SolverOptions
from androcast.simulate import _batch_compiled as compiled
from androcast.simulate._batch_methods import RODAS4, ROS3
from androcast.simulate.batch import BatchTrajectory, batch_species, simulate_batch

END_D = 60.0
TRT = {"drug": "testosterone_enanthate", "dose": "200 mg", "route": "im", "every": "7 d",
       "start": "0 d", "duration": "28 d"}
CLOMIPHENE = {"drug": "clomiphene_citrate", "dose": "25 mg", "route": "oral", "every": "1 d",
              "start": "28 d", "duration": "21 d"}
HCG = {"drug": "hcg", "dose": "1500 IU", "route": "sc", "every": "56 h", "start": "28 d",
       "duration": "21 d"}
REGIMENS = ([], [TRT], [TRT, CLOMIPHENE, HCG], [CLOMIPHENE], [TRT, HCG])


def _men(n: int) -> tuple[object, list[object]]:
    rng = np.random.default_rng(7)
    p0 = reference_parameters()
    p = p0.replace(leydig_factor=rng.uniform(0.6, 1.4, n), DSP0=p0.DSP0 * rng.uniform(0.7, 1.3, n),
                   tau_sg=rng.uniform(60.0, 80.0, n))
    schedules = [compile_regimen(parse_regimen(REGIMENS[k % len(REGIMENS)]), t_start_d=0.0,
                                 t_end_d=END_D) for k in range(n)]
    return p, schedules


def _both(n: int, control: SolverOptions, **kwargs: object) -> tuple[BatchTrajectory, ...]:
    p, schedules = _men(n)
    t = np.arange(1.0, END_D + 0.5, 1.0)
    return tuple(simulate_batch(p, schedules, t, t_start_d=0.0, control=control, threads=1,
                                throw=False, lockstep=lockstep, **kwargs)  # type: ignore[arg-type]
                 for lockstep in (True, False))


def _assert_identical(lanes: BatchTrajectory, one: BatchTrajectory) -> None:
    for name, values in one.values.items():
        np.testing.assert_array_equal(lanes.values[name], values, err_msg=name)
    for field in ("steps", "rejected", "status"):
        np.testing.assert_array_equal(getattr(lanes, field), getattr(one, field), err_msg=field)
    assert lanes.final is not None and one.final is not None
    np.testing.assert_array_equal(lanes.final.y, one.final.y)


@pytest.mark.skipif(compiled.find_compiler() is None, reason="needs a C compiler")
@pytest.mark.parametrize("n", [2 * compiled.lanes() + 3, compiled.lanes() // 2 + 1])
def test_lanes_are_bit_identical_to_one_man_at_a_time(n: int) -> None:
    """More men than lanes (lanes refilled as men finish) and fewer (idle lanes), on five
    regimens, with the forecast's control (dense output, mean-rate tablets, rtol 1e-2)."""
    p, schedules = _men(n)
    kernel = compiled.kernel(batch_species(p, schedules), ROS3)
    assert kernel.lanes == compiled.lanes() > 1  # the kernel has its lockstep loop
    lanes, one = _both(n, FORECAST)
    assert lanes.steps is not None and np.all(lanes.steps > 0)
    _assert_identical(lanes, one)


@pytest.mark.skipif(compiled.find_compiler() is None, reason="needs a C compiler")
def test_a_man_failing_in_a_lane_fails_as_alone_and_the_others_are_kept() -> None:
    """Step budget between the drug-free man's need and the injecting men's: the budget's
    failures (status 2, NaN outputs) are the same men in both loops, the rest bit-identical;
    outputs on the step grid (no dense output), RODAS4."""
    n = compiled.lanes() + 2
    full, _ = _both(n, SolverOptions(rtol=1e-4))
    assert full.steps is not None
    budget = int(np.median(full.steps))
    lanes, one = _both(n, SolverOptions(rtol=1e-4, max_steps=budget))
    assert lanes.status is not None and 0 < int(np.sum(lanes.status == 2)) < n
    _assert_identical(lanes, one)
    rodas = _both(n, SolverOptions(rtol=1e-5), method=RODAS4)
    _assert_identical(*rodas)


@pytest.mark.skipif(compiled.find_compiler() is None, reason="needs a C compiler")
def test_kernel_powers_agree_with_numpy_and_lanes_with_one_man() -> None:
    """The kernels' own x**n (``xpow``: exp(n log x) in plain arithmetic, so the lanes can
    take it on vectors) against numpy's power: relative error within (|n ln x| + 2) 2^-51,
    the bound of its two series (measured up to 1.07 of (|n ln x| + 2) 2^-52), on x over 60
    decades and the model's exponents (kappa 1.9, -nA_SHBG -0.3, the controller's -1/3);
    zero, subnormal, negative, infinite and NaN x go to pow(); the lanes' vector version
    gives the same bits."""
    p, schedules = _men(2)
    kernel = compiled.kernel(batch_species(p, schedules), ROS3)
    rng = np.random.default_rng(17)
    x = 10.0 ** rng.uniform(-30.0, 30.0, 20_000)
    n = np.concatenate([np.full(5_000, 1.9), np.full(5_000, -0.3), np.full(5_000, -1.0 / 3.0),
                        rng.uniform(-3.0, 3.0, 5_000)])
    special = np.array([0.0, 5e-310, -2.0, np.inf, np.nan, 1.0, np.finfo(float).max, 1e-300])
    x = np.concatenate([x, special, special])
    n = np.concatenate([n, np.full(special.size, 1.9), np.full(special.size, -0.3)])

    def powers(name: str) -> np.ndarray:
        out = np.empty_like(x)
        getattr(kernel.library, name)(ctypes.c_long(x.size),
                                      *[a.ctypes.data_as(ctypes.c_void_p) for a in (x, n, out)])
        return out

    one, lanes = powers("probe_pow"), powers("probe_pow_lanes")
    np.testing.assert_array_equal(lanes, one)
    with np.errstate(all="ignore"):
        want = np.power(x, n)
        bound = (np.abs(n * np.log(x)) + 2.0) * 2.0**-51
    normal = np.isfinite(want) & (want > 0) & (x >= np.finfo(float).tiny)
    assert np.all(np.abs(one[normal] - want[normal]) <= bound[normal] * want[normal])
    np.testing.assert_array_equal(one[~normal], want[~normal])
