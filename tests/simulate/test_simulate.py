"""simulate(): inputs, errors, status, units, CSV; property tests over random regimens."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from androcast.errors import SimulationError
from androcast.evidence import evidence
from androcast.labs import load_case
from androcast.model import N_PHYSIOLOGY, reference_parameters, steady_state
from androcast.regimens import Dose, DoseSchedule, parse_regimen
from androcast.simulate import SolverOptions, Status, simulate

EXAMPLES = Path(__file__).parents[2] / "examples"


def test_unknown_mode_is_a_simulation_error_with_exact_message() -> None:
    with pytest.raises(SimulationError) as err:
        simulate(None, None, days=5, mode="weekly")  # type: ignore[arg-type]
    assert str(err.value) == "mode: 'weekly' failed; expected averaged or pulsatile"


def test_solver_options_reject_bad_tolerance_with_exact_message() -> None:
    with pytest.raises(SimulationError) as err:
        SolverOptions(rtol=2.0)
    assert str(err.value) == "solver.rtol: 2.0 failed; expected a tolerance between 0 and 1"


def test_solver_options_reject_bad_batch_fields_with_exact_message() -> None:
    # one options object for both integrators: the batch engine's fields are checked too
    with pytest.raises(SimulationError) as err:
        SolverOptions(max_steps=0)
    assert str(err.value) == "solver.max_steps: 0 failed; expected a count >= 1"
    with pytest.raises(SimulationError) as err:
        SolverOptions(max_step_d=0.0)
    assert str(err.value) == "solver.max_step_d: 0.0 failed; expected a step > 0 days"


def test_status_members_carry_their_remedy() -> None:
    assert Status.success.remedy == ""
    for status in (Status.step_failed, Status.nonfinite, Status.negative):
        assert "use" in status.remedy or "tighten" in status.remedy
        assert str(status.error(3.0)).startswith(f"simulation: '{status.name} at t = 3 d' failed")


def test_throw_false_returns_partial_trajectory_with_status() -> None:
    broken = reference_parameters().replace(K_enclomiphene=0.0)  # division by zero once dosed
    clomiphene = parse_regimen([{"drug": "clomiphene_citrate", "dose": "25 mg",
                                 "route": "oral", "every": "1 d", "start": "5 d",
                                 "stop": "30 d"}])
    tr = simulate(broken, clomiphene, days=30, throw=False)
    assert tr.status in (Status.step_failed, Status.nonfinite)
    assert 4 <= tr.t_d[-1] < 30  # output up to the failure at day 5
    with pytest.raises(SimulationError, match=r"^simulation: '(step_failed|nonfinite) at t = 5"):
        simulate(broken, clomiphene, days=30)


def test_testosterone_in_ng_dl_uses_the_unit_registry() -> None:
    tr = simulate(None, None, days=2)
    assert tr.observable("testosterone_total", "ng/dL")[0] == pytest.approx(17.0 * 28.842, rel=1e-3)


GEL_50 = [{"drug": "testosterone_gel", "dose": "50 mg", "route": "transdermal", "every": "1 d",
           "start": "0 d", "stop": "100 d"}]


def test_daily_gel_keeps_serum_t_in_the_normal_range_without_a_daily_swing() -> None:
    tr = simulate(None, parse_regimen(GEL_50), days=100,
                  solver=SolverOptions(output_step_d=1 / 48))
    t = tr.observable("testosterone_total", "ng/dL")
    day = (tr.t_d >= 98) & (tr.t_d < 99)  # a day at steady state on 50 mg/d
    low, high = evidence("testosterone_total.es2018_harmonized_range_p2_5_p97_5").value
    assert low <= t[day].mean() <= high  # bhasin2018: 264-916 ng/dL (measured 617)
    # released at a constant rate over each day (androgel_label: over 24 h): no daily peak
    assert (t[day].max() - t[day].min()) / t[day].mean() < 0.01


def test_gel_adds_its_absorbed_amount_per_day_to_serum_t() -> None:
    """At the end of the last release, serum T (quasi-steady) falls by what 10 % of 50 mg
    a day (parameters.testosterone_products.gel_bioavailability) adds: T0 x 5 / 6.5 at the
    reference man's testosterone clearance (6.5 mg/d gives T0)."""
    p = reference_parameters()
    tr = simulate(p, parse_regimen(GEL_50), days=100.5,
                  solver=SolverOptions(output_step_d=1 / 1440))
    t = tr.observable("testosterone_total")
    before, after = tr.t_d < 100 - 1e-9, tr.t_d >= 100 - 1e-9
    drop = t[before][-1] - t[after][0]
    f = evidence("parameters.testosterone_products.gel_bioavailability").value
    assert drop == pytest.approx(p.T0 * 50 * f / (p.P_T0 + p.P_adr), rel=1e-4)



def test_a_hand_built_gel_bolus_is_refused_not_silently_lost() -> None:
    """A zero-order route has no depot: its doses exist only as compile_regimen's
    infusions, so a bolus of it in a hand-built schedule would never be absorbed."""
    schedule = DoseSchedule((Dose(0.0, "testosterone_gel", "transdermal", 50.0, "mg"),), ())
    with pytest.raises(SimulationError, match=r"schedule\.doses.*testosterone_gel transdermal"):
        simulate(None, schedule, days=2)

def test_case_covariates_and_history_enter_the_simulation() -> None:
    case = load_case(EXAMPLES / "cases" / "post_trt.yaml")
    tr = simulate(case, None, days=30)
    assert tr.t_d[0] < -500
    assert tr.at("lh", 0) < 0.5  # suppressed at t0 by 18 months of cypionate
    assert tr.at("sperm_concentration", 0) < 1.0


_DRUGS = [
    ("testosterone_enanthate", "mg", "im", (50, 300), 7),
    ("testosterone_gel", "mg", "transdermal", (25, 100), 1),
    ("nandrolone_decanoate", "mg", "im", (50, 300), 7),
    ("hcg", "IU", "sc", (500, 5000), 3),
    ("clomiphene_citrate", "mg", "oral", (12.5, 50), 1),
    ("anastrozole", "mg", "oral", (0.5, 1), 1),
    ("fsh", "IU", "sc", (75, 225), 2),
    ("tamoxifen", "mg", "oral", (10, 20), 1),
]


@st.composite
def regimens(draw: st.DrawFn) -> list[dict[str, str]]:
    entries = []
    for i in draw(st.sets(st.integers(0, len(_DRUGS) - 1), min_size=1, max_size=3)):
        drug, unit, route, (low, high), every = _DRUGS[i]
        dose = draw(st.floats(low, high))
        start = draw(st.integers(0, 20))
        entries.append({"drug": drug, "dose": f"{dose:.4g} {unit}", "route": route,
                        "every": f"{every} d", "start": f"{start} d",
                        "stop": f"{start + draw(st.integers(every, 60))} d"})
    return entries


@settings(max_examples=3, deadline=None)
@given(regimens())
def test_states_stay_non_negative_and_finite_under_random_regimens(
    entries: list[dict[str, str]],
) -> None:
    tr = simulate(None, parse_regimen(entries), days=60)
    assert tr.status is Status.success
    assert np.all(np.isfinite(tr.states)) and np.all(tr.states >= 0.0)
    for name in tr.values:
        assert np.all(np.isfinite(tr.observable(name))) and np.all(tr.observable(name) >= 0)


@settings(max_examples=3, deadline=None)
@given(regimens())
def test_without_drugs_the_model_returns_to_steady_state(entries: list[dict[str, str]]) -> None:
    tr = simulate(None, parse_regimen(entries), days=900)
    y_ss = steady_state(reference_parameters())
    end = tr.states[:N_PHYSIOLOGY, -1]
    np.testing.assert_allclose(end[1:], y_ss[1:], rtol=0.02, atol=1e-6)


@settings(max_examples=3, deadline=None)
@given(st.floats(500, 6000), st.sampled_from(["sc", "im"]))
def test_depot_conserves_mass_dose_in_equals_absorbed_plus_remaining(
    dose_iu: float, route: str,
) -> None:
    """hCG: F x dose = depot + central + eliminated (eliminated = ∫ ke·central dt)."""
    from androcast.drugs import get_drug

    tr = simulate(None, parse_regimen([{"drug": "hcg", "dose": f"{dose_iu} IU",
                                        "route": route, "start": "0 d"}]),
                  days=6, solver=SolverOptions(output_step_d=1 / 96, rtol=1e-8, atol=1e-8))
    names = list(tr.state_names)
    depot, central = (tr.states[names.index(f"hcg.{c}")] for c in ("depot", "central"))
    ke = get_drug("hcg").pk["ke_per_d"].value
    eliminated = np.concatenate([[0.0], np.cumsum(np.diff(tr.t_d) * ke
                                                   * (central[1:] + central[:-1]) / 2)])
    dosed = dose_iu * get_drug("hcg").route(route).bioavailability
    np.testing.assert_allclose(depot + central + eliminated, dosed, rtol=2e-3)
