"""The SBML writer's events and rate rules, run in libroadrunner, against closed-form PK.

A one-compartment model with first-order absorption (Bateman function) and a constant-rate
infusion have exact solutions; the catalogue's hCG and gonadorelin parameters
(hcg_label, gonadorelin_label) drive them.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy

from androcast.drugs import get_drug
from androcast.errors import SimulationError
from androcast.io.sbml import Jump, Quantity, build_document, formula, infusion_switches
from androcast.regimens import compile_regimen, parse_regimen

roadrunner = pytest.importorskip("roadrunner")


def _one_compartment(code: str, route: str) -> tuple[dict[str, object], float, float, float]:
    drug = get_drug(code)
    ka = drug.ka_per_d(route) or 0.0
    ke = drug.pk["ke_per_d"].value
    f = drug.route(route).bioavailability
    depot, central, k_a, k_e, rate = sympy.symbols("depot central ka ke infusion_rate")
    rates = {depot: -k_a * depot, central: k_a * depot - k_e * central + rate}
    return {str(k): v for k, v in rates.items()}, ka, ke, f


def _run(sbml: str, t_end: float, n: int) -> np.ndarray:
    rr = roadrunner.RoadRunner(sbml)
    rr.integrator.relative_tolerance = 1e-10
    rr.integrator.absolute_tolerance = 1e-12
    result = rr.simulate(0.0, t_end, n, ["time", "central"])
    return np.asarray(result)


def test_repeated_hcg_boluses_match_the_bateman_sum() -> None:
    regimen = parse_regimen(
        [{"drug": "hcg", "dose": "1500 IU", "route": "sc", "every": "56 h", "duration": "3 wk"}]
    )
    schedule = compile_regimen(regimen, t_start_d=0.0, t_end_d=30.0)
    rates, ka, ke, f = _one_compartment("hcg", "sc")
    sbml = build_document(
        model_id="hcg_pk",
        states=[Quantity("depot", 0.0), Quantity("central", 0.0)],
        parameters=[
            Quantity("ka", ka, "1/d", "parameters.gonadotropin_drugs.hCG_terminal_halflife_sc"),
            Quantity("ke", ke, "1/d", "hCG CL / Vss"),
            Quantity("infusion_rate", 0.0, "IU/d"),
        ],
        rates=rates,
        schedule=schedule,
        jump=lambda dose: [Jump("depot", f * dose.amount)],
        switches=infusion_switches(schedule.infusions, lambda infusion: "infusion_rate"),
    )
    out = _run(sbml, 30.0, 601)
    t = out[:, 0]
    expected = np.zeros_like(t)
    for dose in schedule.doses:
        dt = np.clip(t - dose.t_d, 0.0, None)
        expected += f * dose.amount * ka / (ka - ke) * (np.exp(-ke * dt) - np.exp(-ka * dt))
    assert len(schedule.doses) == 9
    np.testing.assert_allclose(out[:, 1], expected, rtol=1e-5, atol=1e-6)


def test_switched_infusion_matches_the_closed_form() -> None:
    regimen = parse_regimen(
        [{"drug": "gonadorelin", "rate": "80 ug/d", "route": "iv_infusion", "start": "1 d",
          "duration": "2 d"}]
    )  # fmt: skip
    schedule = compile_regimen(regimen, t_start_d=0.0, t_end_d=5.0)
    rates, ka, ke, _ = _one_compartment("gonadorelin", "iv_infusion")
    sbml = build_document(
        model_id="gonadorelin_infusion",
        states=[Quantity("depot", 0.0), Quantity("central", 0.0)],
        parameters=[Quantity("ka", ka), Quantity("ke", ke), Quantity("infusion_rate", 0.0)],
        rates=rates,
        schedule=schedule,
        jump=lambda dose: [Jump("depot", dose.amount)],
        switches=infusion_switches(schedule.infusions, lambda infusion: "infusion_rate"),
    )
    out = _run(sbml, 5.0, 501)
    t = out[:, 0]
    rise = 80.0 / ke * (1 - np.exp(-ke * np.clip(t - 1.0, 0.0, 2.0)))
    expected = np.where(t <= 3.0, rise, rise * np.exp(-ke * np.clip(t - 3.0, 0.0, None)))
    np.testing.assert_allclose(out[:, 1], expected, rtol=1e-5, atol=1e-6)


def test_parameters_carry_their_sources_in_notes() -> None:
    x = sympy.Symbol("x")
    schedule = compile_regimen(parse_regimen([]), t_start_d=0.0, t_end_d=1.0)
    sbml = build_document(
        model_id="m",
        states=[Quantity("x", 1.0)],
        parameters=[Quantity("k", 2.0, "1/d", "tornoe2007")],
        rates={"x": -sympy.Symbol("k") * x},
        schedule=schedule,
        jump=lambda dose: [Jump("x", 0.0)],
    )
    assert "1/d tornoe2007" in sbml and 'level="3"' in sbml


def test_formula_prints_powers_for_libsbml() -> None:
    x, k = sympy.symbols("x k")
    assert formula(x**2 / (k**2 + x**2)) == "x^2/(k^2 + x^2)"
    assert math.isclose(float(sympy.sympify("2**0.5")), 2**0.5)


def test_every_state_needs_a_rate_law() -> None:
    schedule = compile_regimen(parse_regimen([]), t_start_d=0.0, t_end_d=1.0)
    with pytest.raises(SimulationError) as err:
        build_document(
            model_id="m",
            states=[Quantity("x", 1.0), Quantity("y", 0.0)],
            parameters=[],
            rates={"x": sympy.Integer(0)},
            schedule=schedule,
            jump=lambda dose: [Jump("x", 0.0)],
        )
    assert str(err.value) == "sbml: 'y' failed; expected a rate law for every state"


def test_log_is_the_natural_logarithm_in_sbml() -> None:
    # regression: libsbml's L3 parser reads log(x) as log10 by default; sympy's log is ln.
    # dx/dt = log(k) with k = e**2 gives x(1) = 2 (it would be 0.8686 with log10).
    x, k = sympy.symbols("x k")
    schedule = compile_regimen(parse_regimen([]), t_start_d=0.0, t_end_d=1.0)
    sbml = build_document(
        model_id="m",
        states=[Quantity("x", 0.0)],
        parameters=[Quantity("k", math.e**2)],
        rates={"x": sympy.log(k) + 0 * x},
        schedule=schedule,
        jump=lambda dose: [],
    )
    out = roadrunner.RoadRunner(sbml).simulate(0.0, 1.0, 2, ["time", "x"])
    assert out[-1, 1] == pytest.approx(2.0, rel=1e-9)
