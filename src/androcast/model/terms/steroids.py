"""Serum T, its binding, E2, intratesticular T and SHBG (hpg-model.md 6.2(c)).

Serum T, free T, E2 and ITT are quasi-steady (plasma half-lives about 1 h:
parameters.steroids.T_plasma_halflife, E2_halflife): production over clearance.
"""

from __future__ import annotations

from androcast.binding import albumin_term, free_testosterone_molar
from androcast.model._math import Expr, MathNamespace
from androcast.model._units import (
    MOL_PER_NMOL,
    NMOL_PER_MG_OVER_G_PER_MOL,
    NMOL_PER_MOL,
    PMOL_PER_MG_OVER_G_PER_MOL,
)
from androcast.model.parameters import Parameters
from androcast.model.terms.baseline import Baseline


def serum_testosterone(P_T: Expr, R_exo: Expr, ref: Baseline, p: Parameters) -> Expr:
    """Total T (nmol/L) = (P_T + P_adr + R_exo)/(MW_T·MCR_T): secretion over clearance."""
    return (P_T + p.P_adr + R_exo) * NMOL_PER_MG_OVER_G_PER_MOL / (p.MW_T * ref.mcr_t)


def androgen_t_equivalent(R_aas: Expr, ref: Baseline, p: Parameters) -> Expr:
    """Non-T androgens as T-equivalent nmol/L, cleared like T (invisible to T assays)."""
    return R_aas * NMOL_PER_MG_OVER_G_PER_MOL / (p.MW_T * ref.mcr_t)


def free_testosterone(T: Expr, SHBG: Expr, p: Parameters, xp: MathNamespace) -> Expr:
    """Free T (nmol/L) from total T, SHBG and albumin: Vermeulen 1999 (androcast.binding)."""
    n_alb = albumin_term(p.K_alb, p.albumin / p.MW_alb)
    return free_testosterone_molar(T * MOL_PER_NMOL, SHBG * MOL_PER_NMOL, n_alb, p.K_SHBG,
                                   xp.sqrt) * NMOL_PER_MOL


def aromatase_inhibition(aromatase_load: Expr, p: Parameters) -> Expr:
    """I_AI = Imax·A/(A50 + A), with A/A50 summed over inhibitors (6.2(c), Emax form)."""
    return p.I_max_AI * aromatase_load / (1 + aromatase_load)


def estradiol(P_T: Expr, R_exo: Expr, I_AI: Expr, ref: Baseline, p: Parameters) -> Expr:
    """Serum E2 (pmol/L): peripheral (80 % at baseline) and testicular (20 %) aromatisation,
    both inhibited by I_AI, over E2 clearance (6.2(c))."""
    E2_out = (1 - I_AI) * (ref.c_per * p.aromatase_factor * (P_T + p.P_adr + R_exo)
                           + ref.c_test * P_T)
    return E2_out * PMOL_PER_MG_OVER_G_PER_MOL / (p.MW_E2 * p.MCR_E2)


def intratesticular_testosterone(P_T: Expr, T: Expr, ref: Baseline, p: Parameters) -> Expr:
    """ITT (nmol/L) = ITT_testis0·P_T/P_T0 + q·T (6.2(c); q from coviello2005's 72 nmol/L)."""
    return ref.itt_testis0 * P_T / p.P_T0 + p.q_ITT * T


def shbg_target(Fa: Expr, p: Parameters) -> Expr:
    """SHBG (nmol/L) its synthesis sustains: SHBG0·factor·Fa^(-nA_SHBG); androgens lower it."""
    return p.SHBG0 * p.shbg_factor * Fa ** (-p.nA_SHBG)
