"""Drug-free steady state and pulse statistics against published baseline values."""

from __future__ import annotations

import numpy as np
import pytest

from androcast.model import Covariates, Inputs, personalise, reference_parameters, rhs
from androcast.simulate import SolverOptions, simulate

from ._calibration import assert_matches


@pytest.fixture(scope="module")
def baseline() -> dict[str, float]:
    tr = simulate(None, None, days=5)
    return {name: float(tr.observable(name)[-1]) for name in tr.values}


@pytest.mark.parametrize(
    "name", ["testosterone_total", "estradiol", "lh", "fsh", "inhibin_b", "itt", "shbg"]
)
def test_fit_steady_state_holds_reference_values(baseline: dict[str, float], name: str) -> None:
    assert_matches("model_steady_state", name, baseline[name])


def test_fit_free_testosterone_fraction_holds_sodergard1982(baseline: dict[str, float]) -> None:
    fraction = baseline["testosterone_free"] / 1000.0 / baseline["testosterone_total"]
    assert_matches("model_steady_state", "free_testosterone_fraction", fraction)


@pytest.fixture(scope="module")
def pulsatile() -> tuple[np.ndarray, np.ndarray]:
    tr = simulate(None, None, days=2.0, mode="pulsatile",
                  solver=SolverOptions(output_step_d=1.0 / 1440.0))
    keep = tr.t_d >= 1.0
    return tr.t_d[keep], tr.observable("lh")[keep]


def test_fit_lh_pulse_interval_holds_veldhuis1987(pulsatile: tuple[np.ndarray, np.ndarray]) -> None:
    t, lh = pulsatile
    peaks = [t[i] for i in range(1, lh.size - 1) if lh[i] > lh[i - 1] and lh[i] >= lh[i + 1]]
    assert_matches("model_lh_pulse_amplitude", "lh_pulse_interval",
                   float(np.mean(np.diff(peaks))) * 1440.0)


def test_fit_lh_pulse_amplitude_holds_veldhuis_sampling(
    pulsatile: tuple[np.ndarray, np.ndarray],
) -> None:
    _, lh = pulsatile
    assert_matches("model_lh_pulse_amplitude", "lh_pulse_amplitude_above_nadir",
                   float(lh.max() / lh.min() - 1.0))


def test_pulse_resolved_daily_means_agree_with_averaged_mode() -> None:
    """The averaged mode reproduces the daily means of the pulse-resolved mode (3 %)."""
    pulsed = simulate(None, None, days=2.0, mode="pulsatile",
                      solver=SolverOptions(output_step_d=1.0 / 1440.0))
    averaged = simulate(None, None, days=2.0)
    day2 = pulsed.t_d >= 1.0
    for name in ("lh", "fsh", "testosterone_total", "estradiol", "inhibin_b"):
        daily = float(np.mean(pulsed.observable(name)[day2]))
        assert daily == pytest.approx(averaged.at(name, 2.0), rel=0.03), name


@pytest.mark.xfail(strict=True, reason=(
    "issue 21, measured 2026-12-08: total T falls 0.47 %/yr from 30 to 70 y against the "
    "1.0-1.6 %/yr of parameters.modifiers.T_age_decline; free T falls 1.3 %/yr and LH is "
    "x2.15 at 70, and more Leydig loss (leydig_age_decline 0.03: 0.87 %/yr) drives LH to "
    "x3.4; it passed only the former 1.3 +/- 1.0 %/yr. The target has no citable source: "
    "the parameter table gives it provenance null, flag U, and hpg-model.md 6.2(f) flags "
    "the same range U; the evidence folder's one verified age slope of T is "
    "gonzalezsales2016's 2.4 %/decade (0.24 %/yr) in 859 hypogonadal men, another "
    "population (hpg-model.md 1.5)"))
def test_fit_ageing_lowers_testosterone_as_published() -> None:
    young = simulate(None, None, days=1)
    old = simulate(Covariates(age_years=70), None, days=1)
    per_year = 1 - (old.at("testosterone_total", 0) / young.at("testosterone_total", 0)) ** (1 / 40)
    assert_matches("model_ageing", "t_decline_per_year", per_year)


def test_fit_ageing_raises_lh_and_shbg_and_lowers_sperm_output_as_published() -> None:
    young = simulate(None, None, days=1)
    old = simulate(Covariates(age_years=70), None, days=1)
    assert old.at("testosterone_total", 0) < young.at("testosterone_total", 0)
    assert old.at("lh", 0) > young.at("lh", 0)  # LH and SHBG rise with age (6.5 target 10)
    assert old.at("shbg", 0) > young.at("shbg", 0)
    p45 = personalise(reference_parameters(), Covariates(age_years=45))
    p65 = personalise(reference_parameters(), Covariates(age_years=65))
    assert_matches("model_ageing", "dsp_lower_after_50", 1 - p65.dsp_factor / p45.dsp_factor)


def test_rhs_is_vectorised_over_virtual_patients() -> None:
    from androcast.model import reference_state

    p = reference_parameters()
    y = reference_state(p)
    many = p.replace(LH0=np.array([4.0, 4.5, 5.0]))
    stacked = np.repeat(y[:, None], 3, axis=1)
    out = rhs(0.0, stacked, many, Inputs())
    for i, lh0 in enumerate((4.0, 4.5, 5.0)):
        single = rhs(0.0, y, p.replace(LH0=lh0), Inputs())
        np.testing.assert_allclose(out[:, i], single, rtol=1e-12, atol=1e-12)


def test_infertile_mens_lower_inhibin_b_raises_their_fsh_inhibinb_neus() -> None:
    """inhibin_factor 0.59 (infertile 78 against fertile 132 pg/mL, inhibinb_neus) gives
    their inhibin B (65-93 pg/mL, the study's interval) and an FSH inside the 4.9-7.6 IU/L at
    which idiopathic OAT men started their SERM trials (tamoxifen_oligo, tamoxifen_urolint).
    Measured: 81.7 pg/mL, FSH 5.55 IU/L."""
    tr = simulate(reference_parameters().replace(inhibin_factor=0.59), None, days=1)
    assert 65.0 <= tr.at("inhibin_b", 0.0) <= 93.0
    assert 4.9 <= tr.at("fsh", 0.0) <= 7.6
