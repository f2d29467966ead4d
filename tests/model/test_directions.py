"""The sign and size of the model's feedback and binding terms, one behaviour per test.

Each test perturbs one thing and checks the direction the physiology requires (and, where a
source gives one, the size): a term whose sign is flipped, or a spermatogenic duration
mis-typed, fails here even when every calibration tolerance would absorb it (issue 21).

Directions are tested on a sample of the calibrated population at a Monte Carlo error they
compute (``tests/model/_directions.py``); no effect threshold is chosen: a size is asserted
only where a source gives one.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
from scipy.integrate import solve_ivp

from androcast.evidence import evidence
from androcast.model import STATE_NAMES, Inputs, reference_parameters, rhs, steady_state
from androcast.regimens import compile_regimen, parse_regimen
from androcast.simulate.batch import BatchTrajectory

from ._calibration import every
from ._directions import STEADY_STATE_TOLERANCE, assert_direction, men, run, steady

#: misell2006 (heavy-water labelling, 11 healthy men): newly made sperm reach the ejaculate
#: after 64 +/- 8 days (mean +/- sd). Tolerance: the 95 % interval of that mean, 2 sd/sqrt(11).
MISELL2006_MEAN_D, MISELL2006_SD_D, MISELL2006_N = 64.0, 8.0, 11


def test_spermatogenic_transit_to_the_ejaculate_matches_misell2006() -> None:
    """Mean time from spermatogonial entry to the ejaculate: the first moment of the
    ejaculate's response to a small pulse of cells entering the chain at steady state."""
    p = reference_parameters()
    y0 = steady_state(p)
    entry, ejaculate = STATE_NAMES.index("X1"), STATE_NAMES.index("Epi")
    pulse = y0.copy()
    pulse[entry] *= 1.01
    t = np.linspace(0.0, 250.0, 2501)

    def run(y: np.ndarray) -> np.ndarray:
        sol = solve_ivp(lambda _t, x: np.asarray(rhs(_t, x, p, Inputs()), float), (0, 250), y,
                        method="LSODA", t_eval=t, rtol=1e-10, atol=1e-12)
        return np.asarray(sol.y[ejaculate])

    released = (run(pulse) - run(y0)) / p.tau_epi
    transit_d = float(np.trapezoid(released * t, t) / np.trapezoid(released, t))
    tolerance = 2 * MISELL2006_SD_D / math.sqrt(MISELL2006_N)
    assert abs(transit_d - MISELL2006_MEAN_D) <= tolerance, transit_d


@cache
def _te200() -> BatchTrajectory:
    """The men on TE 200 mg i.m. weekly from day 0, 6-hourly for 12 weeks."""
    schedule = compile_regimen(
        parse_regimen([every("testosterone_enanthate", "200 mg", "im", "7 d", "0 d", "365 d")]),
        t_start_d=0.0, t_end_d=90.0)
    return run(men(), schedule, np.arange(0.0, 84.0 + 1e-9, 0.25))


def test_androgens_lower_shbg_and_raise_the_free_fraction() -> None:
    """Exogenous androgens suppress hepatic SHBG synthesis (design key
    androgens_lower_shbg; the sources give the direction): on TE 200 mg/week SHBG falls
    and a larger share of T is free (weeks 8-12 against each man's baseline)."""
    tr = _te200()
    on = (tr.t_d >= 56) & (tr.t_d < 84)
    shbg = tr.values["shbg"]
    assert_direction(np.log(shbg[on].mean(axis=0) / shbg[0]), -1, "log SHBG on TE")
    share = tr.values["testosterone_free"] / tr.values["testosterone_total"]
    assert_direction(share[on].mean(axis=0) - share[0], +1, "free share of T on TE")


def test_more_shbg_binds_more_testosterone_vermeulen1999() -> None:
    """At the same total T, more SHBG leaves less free T (mass action, vermeulen1999)."""
    base, more = steady({}), steady({"shbg_factor": men().shbg_factor * 1.5})
    assert_direction(np.log(more.values["shbg"][0] / base.values["shbg"][0]), +1, "log SHBG")
    total = np.log(more.values["testosterone_total"][0] / base.values["testosterone_total"][0])
    assert np.all(np.abs(total) < STEADY_STATE_TOLERANCE)  # total T is not fed back by SHBG
    assert_direction(np.log(more.values["testosterone_free"][0]
                            / base.values["testosterone_free"][0]), -1, "log free T")


#: inhibinb_neus: inhibin B of fertile men 132 (95 % CI 114-155) and infertile men 78 (65-93)
NEUS = evidence("inhibin_b.fertile_vs_infertile_neus").raw["value"]


def test_less_inhibin_b_raises_fsh_inhibinb_neus() -> None:
    """Inhibin B is the Sertoli cells' negative feedback on FSH: men who make less of it
    (infertile men, inhibinb_neus) have a higher FSH and the same LH.

    Their inhibin B falls less than their output per Sertoli function (the higher FSH
    stimulates it back), so its ratio to the fertile men's lies within the ratio the two
    published intervals allow (infertile low / fertile high to infertile high / fertile
    low)."""
    f_low, f_high = NEUS["fertile_ci"]
    i_low, i_high = NEUS["infertile_ci"]
    base, low = steady({}), steady({"inhibin_factor": NEUS["infertile_mean"]
                                      / NEUS["fertile_mean"]})
    ratio = low.values["inhibin_b"][0] / base.values["inhibin_b"][0]
    assert_direction(np.log(ratio), -1, "log inhibin B")
    assert i_low / f_high <= float(np.exp(np.mean(np.log(ratio)))) <= i_high / f_low
    assert_direction(np.log(low.values["fsh"][0] / base.values["fsh"][0]), +1, "log FSH")
    # inhibin B acts on FSH synthesis only (hpg-model.md 6.2(b)): LH has no path from it
    lh = np.log(low.values["lh"][0] / base.values["lh"][0])
    assert np.all(np.abs(lh) < STEADY_STATE_TOLERANCE), float(np.max(np.abs(lh)))
