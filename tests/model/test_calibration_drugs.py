"""Drug responses of the typical man against published numbers (hpg-model.md 6.5 targets)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from androcast.model.parameters import reference_parameters
from androcast.population.engine import fitted_population
from androcast.simulate import SolverOptions, Trajectory, simulate

from ._calibration import (
    LOSS_OF_RESPONSE_FRACTION,
    T_RI,
    UNDETECTABLE_FRACTION,
    assert_matches,
    every,
    fold_change,
    mean,
    reference_interval,
    regimen,
    te200_year,
)


def test_fit_te200_suppression_by_week3_holds_coviello2005() -> None:
    tr = te200_year()
    for name, key, base in (("lh", "lh_fraction_week3", 4.5), ("fsh", "fsh_fraction_week3", 4.0),
                            ("itt", "itt_fraction_week3", 1200.0)):
        assert_matches("model_te200_suppression", key, mean(tr, name, 14, 21) / base)



def test_fit_steady_t_in_the_normal_range_suppresses_lh_and_fsh_as_handelsman1992() -> None:
    """Gel 100 mg/day (the label's top dose: 10 mg/d released at a constant rate) stands
    in for the implants' steady release; days 90-120. Measured: T 26.9 nmol/L, LH 7.2 %,
    FSH 7.6 % of baseline (before the feedback floor and steeper exponents: LH 14 %)."""
    tr = simulate(None, regimen(every("testosterone_gel", "100 mg", "transdermal", "1 d",
                                      "0 d", "120 d")), days=120)
    base = simulate(None, None, days=1)
    assert_matches("model_steady_t_suppression", "testosterone_total",
                   mean(tr, "testosterone_total", 90, 120))
    for name in ("lh", "fsh"):
        assert_matches("model_steady_t_suppression", f"{name}_fraction",
                       mean(tr, name, 90, 120) / float(base.observable(name)[0]))

@pytest.mark.parametrize("threshold", [10, 5, 3, 1])
def test_fit_sperm_suppression_times_hold_handelsman2005(threshold: int) -> None:
    tr = te200_year()
    below = tr.t_d[np.argmax(tr.observable("sperm_concentration") < threshold)]
    assert_matches("model_handelsman2005_suppression", f"weeks_to_{threshold}_m_per_ml",
                   below / 7.0)


def test_fit_inhibin_b_under_suppression_holds_matthiesson2003() -> None:
    tr = te200_year()
    assert_matches("model_inhibin_under_suppression", "inhibin_b_fraction_suppressed",
                   mean(tr, "inhibin_b", 56, 84) / 130.0)


def test_typical_recovery_after_te200_for_a_year_takes_a_few_months_liu2006() -> None:
    tr = simulate(None, regimen(every("testosterone_enanthate", "200 mg", "im", "7 d",
                                      "-365 d", "-7 d")), days=540)
    after = tr.t_d >= 0
    conc = tr.observable("sperm_concentration")[after]
    assert conc[0] < 1.0  # still suppressed at t0
    months = tr.t_d[after][np.argmax(conc >= 20.0)] / 30.44
    assert_matches("model_recovery_typical_man", "months_to_20_m_per_ml", months)


def test_fit_hcg_6000_biphasic_testosterone_holds_hcg_biphasic() -> None:
    tr = simulate(None, regimen({"drug": "hcg", "dose": "6000 IU", "route": "im",
                                 "start": "0 d"}),
                  days=7, start_d=-1, solver=SolverOptions(output_step_d=1 / 24))
    base = tr.at("testosterone_total", -0.5)
    fold = {h: tr.at("testosterone_total", h / 24) / base for h in range(0, 168)}
    assert_matches("model_hcg_biphasic", "t_fold_4h", fold[4])
    assert_matches("model_hcg_biphasic", "t_fold_peak_72_96h", max(fold[h] for h in range(72, 97)))
    assert_matches("model_hcg_biphasic", "t_fold_144h", tr.at("testosterone_total", 6) / base)
    assert min(fold[h] for h in range(12, 37)) < fold[4]  # the early dip: biphasic


@pytest.mark.parametrize("dose", [125, 250, 500])
def test_fit_hcg_itt_dose_response_on_te200_holds_coviello2005(dose: int) -> None:
    tr = simulate(None, regimen(every("testosterone_enanthate", "200 mg", "im", "7 d", "0 d",
                                      "21 d"),
                                every("hcg", f"{dose} IU", "sc", "2 d", "0 d", "22 d")),
                  days=21, solver=SolverOptions(output_step_d=0.25))
    change = 100.0 * (mean(tr, "itt", 14, 21) / 1200.0 - 1.0)
    assert_matches("model_coviello2005_hcg_itt", f"itt_change_{dose}iu", change)


def test_fit_rhfsh_3000_doubles_inhibin_b_within_72h_rhfsh_inhibin() -> None:
    tr = simulate(None, regimen({"drug": "fsh", "dose": "3000 IU", "route": "sc",
                                 "start": "0 d"}), days=3,
                  solver=SolverOptions(output_step_d=1 / 24))
    assert_matches("model_rhfsh_inhibin", "inhibin_b_fold_3000iu_72h",
                   float(tr.observable("inhibin_b").max()) / 130.0)
    low = simulate(None, regimen({"drug": "fsh", "dose": "225 IU", "route": "sc",
                                  "start": "0 d"}), days=3)
    assert_matches("model_rhfsh_inhibin", "inhibin_b_fold_225iu_max",
                   float(low.observable("inhibin_b").max()) / 130.0)


def test_fit_clomiphene_25mg_raises_lh_as_helo2017() -> None:
    assert_matches("model_clomiphene_helo2017", "lh_fold",
                   fold_change("clomiphene_citrate", "25 mg")["lh"])


def test_fit_tamoxifen_20mg_raises_lh_and_t_as_urol_int() -> None:
    folds = fold_change("tamoxifen", "20 mg")
    assert_matches("model_tamoxifen", "lh_fold", folds["lh"])
    assert_matches("model_tamoxifen", "t_fold", folds["testosterone_total"])


def test_fit_anastrozole_1mg_holds_leder2004() -> None:
    folds = fold_change("anastrozole", "1 mg")
    assert_matches("model_anastrozole_leder2004", "e2_fold", folds["estradiol"])
    assert_matches("model_anastrozole_leder2004", "lh_fold", folds["lh"])
    assert_matches("model_anastrozole_leder2004", "t_fold", folds["testosterone_total"])


def test_fit_letrozole_2_5mg_lowers_estradiol_as_tsjoen2005() -> None:
    assert_matches("model_letrozole_tsjoen2005", "e2_fold",
                   fold_change("letrozole", "2.5 mg")["estradiol"])


def test_fit_gonadorelin_pump_restores_testosterone_in_gnrh_deficiency_gnrh_pump1982() -> None:
    from androcast.model import reference_parameters

    deficient = reference_parameters().replace(gnrh_factor=0.01)
    untreated = simulate(deficient, None, days=1)
    tr = simulate(deficient, regimen(every("gonadorelin", "5 ug", "sc_pump", "90 min", "0 d",
                                           "60 d")), days=60)
    assert untreated.at("testosterone_total", 0) < reference_interval("testosterone_total", T_RI)[0]
    assert_matches("model_gnrh_pump_restores_lh", "testosterone_day60",
                   tr.at("testosterone_total", 59))


def test_continuous_gonadorelin_desensitises_unlike_the_pump_gnrh_textbook() -> None:
    from androcast.model import reference_parameters

    deficient = reference_parameters().replace(gnrh_factor=0.01)
    continuous = simulate(deficient, regimen(every("gonadorelin", "80 ug", "iv_infusion",
                                                   "1 d", "0 d", "20 d")), days=20,
                          solver=SolverOptions(output_step_d=0.25))
    lh = continuous.observable("lh")
    peak_day = continuous.t_d[np.argmax(lh)]
    assert peak_day < 2.0  # an initial rise ...
    assert continuous.at("lh", 19) < LOSS_OF_RESPONSE_FRACTION * float(lh.max())  # ... then lost


def _triptorelin() -> Trajectory:
    return simulate(None, regimen({"drug": "triptorelin", "dose": "3.75 mg", "route": "im",
                                   "start": "0 d"}), days=15,
                    solver=SolverOptions(output_step_d=0.25))


def test_fit_triptorelin_flare_tornoe2007() -> None:
    tr = _triptorelin()
    early = tr.t_d <= 3
    assert_matches("model_tornoe2007_triptorelin", "t_flare_fold_max_days_0_3",
                   float(tr.observable("testosterone_total")[early].max()) / 17.0)


def test_fit_triptorelin_castration_by_day_14_tornoe2007() -> None:
    assert_matches("model_tornoe2007_triptorelin", "t_day14_castrate",
                   _triptorelin().at("testosterone_total", 14))


def test_degarelix_rapid_castration_tornoe2007() -> None:
    tr = simulate(None, regimen({"drug": "degarelix", "dose": "240 mg", "route": "sc",
                                 "start": "0 d"}), days=4)
    assert_matches("model_tornoe2007_degarelix", "t_day3_castrate", tr.at("testosterone_total", 3))


def _add_back(drug: str, dose: str, route: str, interval: str) -> float:
    """TE 200 mg/wk for 16 weeks, then ``drug`` added with TE continued for a year: mean
    concentration of months 9-12 of add-back over the drug-free man's (the Seattle design)."""
    suppress, span = 112, 365
    tr = simulate(None, regimen(
        every("testosterone_enanthate", "200 mg", "im", "7 d", "0 d", f"{suppress + span} d"),
        every(drug, dose, route, interval, f"{suppress} d", f"{suppress + span} d")),
        days=suppress + span, solver=SolverOptions(output_step_d=1.0))
    control = float(simulate(None, None, days=1).observable("sperm_concentration")[0])
    return mean(tr, "sperm_concentration", suppress + 274, suppress + span) / control


def test_fit_of_fsh_absent_support_gives_bremner1981_hcg_added_to_te() -> None:
    assert_matches("model_gonadotropin_alone", "te_hcg_fraction",
                   _add_back("hcg", "5000 IU", "im", "2.333 d"))


def test_fit_of_fsh_carried_support_gives_matsumoto1983_fsh_added_to_te() -> None:
    assert_matches("model_gonadotropin_alone", "te_fsh_fraction",
                   _add_back("fsh", "100 IU", "sc", "1 d"))


def _add_back_period_mean(drug: str, dose: str, route: str, every_d: str, days: int) -> float:
    """TE 200 mg/wk for 16 weeks, then ``drug`` added with TE continued: mean concentration
    of the first ``days`` of add-back over the drug-free man's (the papers' period means)."""
    suppress = 112
    tr = simulate(None, regimen(
        every("testosterone_enanthate", "200 mg", "im", "7 d", "0 d", f"{suppress + days} d"),
        every(drug, dose, route, every_d, f"{suppress} d", f"{suppress + days} d")),
        days=suppress + days, solver=SolverOptions(output_step_d=1.0))
    control = float(simulate(None, None, days=1).observable("sperm_concentration")[0])
    return mean(tr, "sperm_concentration", suppress, suppress + days) / control


@pytest.mark.xfail(strict=True, reason=(
    "measured 2026-12-08: the first 94 days of FSH add-back average 0.085 of control "
    "against matsumoto1983's 0.35 +/- 0.087: the Erlang chain empties under TE (its entry "
    "scales with the support, tau_sg 64 d) and refills only after about 64 days, while the "
    "Seattle men's counts rose within the period; the plateau (months 9-12) is met"))
def test_fsh_added_to_te_restarts_within_its_period_matches_matsumoto1983() -> None:
    assert_matches("model_gonadotropin_restart", "te_fsh_period_mean_13wk",
                   _add_back_period_mean("fsh", "100 IU", "sc", "1 d", 94))


def test_fit_of_fsh_absent_support_gives_matsumoto1986_hcg_alone() -> None:
    """hCG alone suppresses his FSH through T and E2 (to under 10 %), so the count falls."""
    tr = simulate(None, regimen(every("hcg", "5000 IU", "im", "3.5 d", "0 d", "213 d")),
                  days=213, solver=SolverOptions(output_step_d=1.0))
    control = float(tr.observable("sperm_concentration")[0])
    assert mean(tr, "fsh", 91, 213) < UNDETECTABLE_FRACTION * float(tr.observable("fsh")[0])
    assert_matches("model_gonadotropin_alone", "hcg_alone_fraction",
                   mean(tr, "sperm_concentration", 91, 213) / control)


def test_one_gonadotropin_keeps_the_reserve_of_a_slow_regenerator() -> None:
    """hCG added to TE restarted sperm output in every man of bremner1981 (mean 43 % of
    control; TE alone 1 %), so the calibrated population's slow regenerators (k_rg at its
    10th centile, self-renewing reserve) must not lose their reserve on one gonadotropin:
    months 9-12 of add-back above 5 % of control. With the reserve read from the product of
    the two supports this man kept 3.7 % and was falling (2026-12-07); now 11.5 %."""
    population = fitted_population()
    k_rg_cv = population.variability["k_rg"]
    p10 = population.typical["k_rg"] * math.exp(
        -1.2816 * math.sqrt(math.log1p(k_rg_cv**2)))
    p = reference_parameters().replace(**{**population.typical, "k_rg": p10})
    suppress, span = 112, 365
    tr = simulate(p, regimen(
        every("testosterone_enanthate", "200 mg", "im", "7 d", "0 d", f"{suppress + span} d"),
        every("hcg", "5000 IU", "im", "2.333 d", f"{suppress} d", f"{suppress + span} d")),
        days=suppress + span, solver=SolverOptions(output_step_d=1.0))
    control = float(simulate(p, None, days=1).observable("sperm_concentration")[0])
    assert mean(tr, "sperm_concentration", suppress + 274, suppress + span) / control > 0.05
