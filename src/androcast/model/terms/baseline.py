"""The reference man's quantities every equation is normalised to (hpg-model.md 6.3).

The model is written relative to a baseline: each process is 1 (or its target value) in
the drug-free young eugonadal man. These are derived from the steady-state targets of the
parameter table, never fitted on their own.
"""

from __future__ import annotations

from dataclasses import dataclass

from androcast.model._math import Expr, MathNamespace
from androcast.model._units import MG_PER_PMOL_TIMES_G_PER_MOL, NMOL_PER_MG_OVER_G_PER_MOL
from androcast.model.parameters import Parameters


@dataclass(frozen=True)
class Baseline:
    """Reference-man values derived from the steady-state targets (hpg-model.md 6.3)."""

    mcr_t: Expr  # L/d: testosterone clearance that gives T0 from P_T0 + P_adr
    c_per: Expr  # 1: peripheral aromatisation, mg E2 per mg of testosterone produced
    c_test: Expr  # 1: testicular E2, mg per mg of gonadal testosterone
    rlh0: Expr  # 1: available Leydig LH receptor at LH0
    blk0: Expr  # 1: steroidogenic block at LH0
    leydig0: Expr  # 1: Tornøe LH -> T function at LH0
    Ca0: Expr  # 1: active GnRH-receptor complex at the baseline pulse pattern
    fsh_total0: Expr  # IU/L: the FSH Sertoli cells see at baseline
    Adf0: Expr  # 1: fast central androgen adaptation at the physiological signal (≈ 0)
    Adp0: Expr  # 1: slow central androgen adaptation at the physiological signal (≈ 0)
    itt_testis0: Expr  # nmol/L: the part of ITT0 made in the testis (the rest is serum T)


def baseline(p: Parameters, xp: MathNamespace) -> Baseline:
    """The reference man's values (hpg-model.md 6.3; 6.2(c) 80/20 split of E2 production)."""
    hill_up, log = xp.hill_up, xp.log
    mcr_t = (p.P_T0 + p.P_adr) * NMOL_PER_MG_OVER_G_PER_MOL / (p.MW_T * p.T0) * p.mcr_factor  # L/d
    e2_out0 = p.E2_0 * p.MCR_E2 * p.MW_E2 * MG_PER_PMOL_TIMES_G_PER_MOL  # mg/d of E2 at baseline
    blk0_on = p.k_blk * hill_up(p.LH0, p.K_blk, p.n_blk)
    occ0 = log(1 + p.m0) / (p.k_G * p.tau0)
    hold0 = log(1 + (p.m0 / p.z_rec) ** p.n_rec) / (p.n_rec * p.k_G * p.tau0)
    R0 = 1 / (1 + 2 * p.k_des * occ0 / (p.k_res * (1 - hold0) + p.k_R))
    adp_h0 = hill_up(1.0, p.K_adp, p.n_adp)
    # the slow adaptation's rest solves k_on·h·(ε + A)(1 − A) = k_off·(1 − h)·A (≈ 0): the
    # positive root of the quadratic, in its cancellation-free form
    slow_on = p.k_adp_on * adp_h0
    half_b = (slow_on * (1 - p.eps_adp) - p.k_adp_off * (1 - adp_h0)) / 2
    return Baseline(
        mcr_t=mcr_t,
        c_per=(1 - p.testis_E2_share) * e2_out0 / (p.P_T0 + p.P_adr),
        c_test=p.testis_E2_share * e2_out0 / p.P_T0,
        rlh0=p.k_rec / (p.k_rec + p.k_int * hill_up(p.LH0, p.K_occ, 1)),
        blk0=blk0_on / (blk0_on + p.k_blk_off),
        leydig0=p.b0 + p.Lmax * hill_up(p.LH0, p.L50, p.kappa),
        Ca0=occ0 * R0,
        fsh_total0=p.FSH0,
        Adf0=p.k_adf_on * adp_h0 / (p.k_adf_on * adp_h0 + p.k_adf_off * (1 - adp_h0)),
        Adp0=slow_on * p.eps_adp / (-half_b + xp.sqrt(half_b * half_b
                                                       + slow_on * slow_on * p.eps_adp)),
        itt_testis0=p.ITT0 - p.q_ITT * p.T0,
    )
