"""Gonadorelin in the batch engine: a pump and a continuous infusion, pulse-averaged.

The batch engine gives gonadorelin as the one-patient simulator's averaged mode does (the
same ``Inputs`` of the same rhs: a continuous rate, or a pump's pulse and frequency), so the
two agree to solver tolerance: 1e-4 relative here (measured about 1e-6). The averaged pump
itself is checked against the model's pulse-resolved mode, in which each pulse is a kick of
portal GnRH: the averaged mode is the model's reference for months-long runs because it
reproduces those daily means (rhs docstring; 3 % for the endogenous pulses in
tests/model/test_calibration_baseline.py).
"""

from __future__ import annotations

import ctypes

import numpy as np
import pytest
from kernel_checks import assert_kernel_equals_rhs
from numpy.typing import NDArray

from androcast.model import Inputs, build_species, reference_parameters, reference_state
from androcast.regimens import Regimen, compile_regimen, parse_regimen
from androcast.simulate import SolverOptions, Trajectory, simulate
from androcast.simulate import _batch_compiled as compiled
from androcast.simulate._batch_inputs import parameter_matrix
from androcast.simulate._batch_methods import ROS3
from androcast.simulate.batch import simulate_batch, uses_gnrh

OBSERVABLES = ("lh", "fsh", "testosterone_total", "sperm_concentration")
FloatArray = NDArray[np.float64]
DEFICIENT = 0.01  # GnRH pulse mass 1 % of normal (the calibration tests' deficient man)


def pump(days: float) -> Regimen:
    return parse_regimen([{"drug": "gonadorelin", "dose": "5 ug", "route": "sc_pump",
                           "every": "90 min", "start": "0 d", "stop": f"{days:g} d"}])


def continuous(days: float) -> Regimen:
    return parse_regimen([{"drug": "gonadorelin", "dose": "80 ug", "route": "iv_infusion",
                           "every": "1 d", "start": "0 d", "stop": f"{days:g} d"}])


def test_batch_matches_the_one_patient_averaged_mode_on_pump_and_infusion() -> None:
    days = 14.0
    factors = (DEFICIENT, 0.3)
    p0 = reference_parameters()
    regimens = (pump(days), continuous(days))
    schedules = [compile_regimen(r, t_start_d=0.0, t_end_d=days) for r in regimens]
    t = np.arange(0.5, days, 0.5)
    got = simulate_batch(p0.replace(gnrh_factor=np.array(factors * 2)),
                         [schedules[0], schedules[0], schedules[1], schedules[1]], t,
                         t_start_d=0.0, control=SolverOptions(rtol=1e-6, atol=1e-8),
                         observables=OBSERVABLES)
    for k, (regimen, factor) in enumerate((r, f) for r in regimens for f in factors):
        ref = simulate(p0.replace(gnrh_factor=factor), regimen, days=days,
                       solver=SolverOptions(rtol=1e-9, atol=1e-11, output_step_d=0.5))
        for name in OBSERVABLES:
            expected = np.array([ref.at(name, x) for x in t])
            np.testing.assert_allclose(got.values[name][:, k], expected, rtol=1e-4,
                                       err_msg=f"man {k}, {name}")


def test_numpy_engine_agrees_with_the_compiled_one_on_gonadorelin() -> None:
    days = 0.5
    p = reference_parameters().replace(gnrh_factor=DEFICIENT)
    schedules = [compile_regimen(r, t_start_d=0.0, t_end_d=days)
                 for r in (pump(days), continuous(days))]
    t = np.array([0.25, 0.5])  # the runs end at the last output (a breakpoint there)
    control = SolverOptions(rtol=1e-6, atol=1e-8)
    fast = simulate_batch(p, schedules, t, t_start_d=0.0, control=control)
    slow = simulate_batch(p, schedules, t, t_start_d=0.0, control=control, engine="numpy")
    for name in (*OBSERVABLES, "occupancy", "receptor_hold"):
        np.testing.assert_allclose(slow.values[name], fast.values[name], rtol=1e-3,
                                   err_msg=name)


@pytest.fixture(scope="module")
def starting_pump() -> tuple[Trajectory, FloatArray, dict[str, FloatArray]]:
    """A deficient man's first five days on the pump: pulse-resolved, and batch hourly."""
    p = reference_parameters().replace(gnrh_factor=DEFICIENT)
    pulsed = simulate(p, pump(6.0), days=5.0, mode="pulsatile",
                      solver=SolverOptions(output_step_d=1.0 / 1440.0))
    hourly = np.arange(1.0, 5.0, 1.0 / 24.0)
    batch = simulate_batch(p, [compile_regimen(pump(6.0), t_start_d=0.0, t_end_d=6.0)], hourly,
                           t_start_d=0.0, observables=OBSERVABLES,
                           control=SolverOptions(rtol=1e-6, atol=1e-8))
    return pulsed, hourly, {name: v[:, 0] for name, v in batch.values.items()}


@pytest.mark.parametrize(("name", "tolerance"), [
    ("lh", 0.02), ("fsh", 0.06), ("testosterone_total", 0.04),
    ("sperm_concentration", 0.01)])
def test_averaged_pump_reproduces_the_pulse_resolved_daily_means(
        starting_pump: tuple[Trajectory, FloatArray, dict[str, FloatArray]], name: str,
        tolerance: float) -> None:
    """Days 2-5 of a deficient man starting the pump (day 1 is the onset transient).

    Measured: LH within 0.3 %, FSH 4.6 % (its synthesis is non-linear in the active
    complex), T 2.5 %; sperm output barely moves in five days.
    """
    pulsed, hourly, batch = starting_pump
    for day in (1.0, 2.0, 3.0, 4.0):
        inside = (pulsed.t_d >= day) & (pulsed.t_d < day + 1.0)
        resolved = float(np.mean(pulsed.observable(name)[inside]))
        averaged = float(np.mean(batch[name][(hourly >= day) & (hourly < day + 1.0)]))
        assert averaged == pytest.approx(resolved, rel=tolerance), (name, day)


def test_gonadorelin_needs_its_inputs_only_where_it_is_given() -> None:
    on_pump = compile_regimen(pump(1.0), t_start_d=0.0, t_end_d=1.0)
    nothing = compile_regimen(Regimen(), t_start_d=0.0, t_end_d=1.0)
    assert uses_gnrh([nothing, on_pump]) and not uses_gnrh([nothing])


def test_gnrh_kernel_derivatives_and_jacobian_equal_the_model_rhs() -> None:
    """The gonadorelin inputs follow the species' infusions in U (here hCG's), and the
    generated code with them is the model's rhs with the same Inputs."""
    p = reference_parameters().replace(gnrh_factor=DEFICIENT)
    species = build_species({"hcg"}, p)
    kernel = compiled.kernel(species, ROS3, gnrh=True)
    active = list(kernel.active)
    y = np.concatenate([reference_state(p), np.zeros(4 * len(species))])
    y[active] *= np.random.default_rng(3).uniform(0.5, 1.5, len(active))  # off steady state
    u = np.array([2.0, 40.0, 5.0, 16.0])  # hCG infusion; gonadorelin rate, pulse, frequency
    inputs = Inputs(pulsatile=0.0, infusion=(2.0,), gnrh_infusion_ug_per_d=40.0,
                    pump_pulse_ug=5.0, pump_frequency_per_d=16.0)
    m = len(active)
    f, jac, obs = np.zeros(m), np.zeros(m * m), np.zeros(len(kernel.observables))
    params = parameter_matrix(kernel, p, species, 1)[0]
    z = y[active].copy()
    kernel.library.probe(*[a.ctypes.data_as(ctypes.c_void_p)
                           for a in (params, z, u, f, jac, obs)])

    assert_kernel_equals_rhs(kernel, f, jac, obs, y, p, inputs, species, active)
