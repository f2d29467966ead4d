"""The sign and size of the model's feedback and binding terms, one behaviour per test.

Each test perturbs one thing and checks the direction the physiology requires (and, where a
source gives one, the size): a term whose sign is flipped, or a spermatogenic duration
mis-typed, fails here even when every calibration tolerance would absorb it (issue 21).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.integrate import solve_ivp

from androcast.model import STATE_NAMES, Inputs, reference_parameters, rhs, steady_state
from androcast.simulate import simulate

from ._calibration import mean, te200_year

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


def test_androgens_lower_shbg_and_raise_the_free_fraction() -> None:
    """Exogenous androgens suppress hepatic SHBG synthesis (design key
    androgens_lower_shbg): on TE 200 mg/week SHBG falls and a larger share of T is free."""
    tr = te200_year()
    shbg_0 = float(tr.observable("shbg")[0])
    free_share_0 = float(tr.observable("testosterone_free")[0] / tr.observable(
        "testosterone_total")[0])
    shbg_on = mean(tr, "shbg", 56, 84)
    free_share_on = mean(tr, "testosterone_free", 56, 84) / mean(tr, "testosterone_total", 56, 84)
    assert shbg_on < 0.95 * shbg_0
    assert free_share_on > free_share_0


def test_more_shbg_binds_more_testosterone_vermeulen1999() -> None:
    """At the same total T, more SHBG leaves less free T (mass action)."""
    p = reference_parameters()
    base = simulate(p, None, days=1)
    bound = simulate(p.replace(shbg_factor=1.5), None, days=1)
    assert float(bound.observable("shbg")[0]) > float(base.observable("shbg")[0])
    assert float(bound.observable("testosterone_free")[0]) < float(
        base.observable("testosterone_free")[0])


def test_less_inhibin_b_raises_fsh_inhibinb_neus() -> None:
    """Inhibin B is the Sertoli cells' negative feedback on FSH: a man who makes less of it
    (infertile men, inhibinb_neus) has a higher FSH and the same LH."""
    p = reference_parameters()
    base = simulate(p, None, days=1)
    low = simulate(p.replace(inhibin_factor=0.6), None, days=1)
    assert float(low.observable("inhibin_b")[0]) < float(base.observable("inhibin_b")[0])
    assert float(low.observable("fsh")[0]) > 1.1 * float(base.observable("fsh")[0])
    assert math.isclose(float(low.observable("lh")[0]), float(base.observable("lh")[0]),
                        rel_tol=0.02)
