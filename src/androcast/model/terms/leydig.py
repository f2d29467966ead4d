"""(c) Leydig cell: LH/hCG receptor, steroidogenesis and its slow states (hpg-model.md 6.2(c)).

Gonadal testosterone follows Tornøe 2007's LH -> T Hill function [tornoe2007], weighted by
the available receptor, a transient steroidogenic block (the 24-h dip after hCG), enzyme
induction (the delayed 72-96 h peak) and Leydig mass (slow atrophy without LH).
"""

from __future__ import annotations

from androcast.model._math import Expr, MathNamespace
from androcast.model.parameters import Parameters
from androcast.model.terms.baseline import Baseline


def lh_receptor_drive(LH: Expr, hcg_iu_per_l: Expr, p: Parameters) -> Expr:
    """X = LH + φ_hCG·hCG: LH-equivalent drive on the LH/hCG receptor, IU/L (6.2(c), 6.4)."""
    return LH + p.phi_hCG * hcg_iu_per_l


def receptor_weighted_drive(Rlh: Expr, X_LH: Expr, ref: Baseline) -> Expr:
    """X·Rlh/Rlh0: the drive the available receptor passes on (1 x LH0 at baseline)."""
    return Rlh / ref.rlh0 * X_LH


def gonadal_testosterone(drive: Expr, Blk: Expr, Lenz: Expr, Lmass: Expr, ref: Baseline,
                         p: Parameters, xp: MathNamespace) -> Expr:
    """P_T (mg/d) = P_T0·Lcap·Lenz·Lmass·block·[b0 + Lmax·H⁺(X; L50, κ)]/norm (6.2(c);
    tornoe2007 LH->T function)."""
    leydig = (p.b0 + p.Lmax * xp.hill_up(drive, p.L50, p.kappa)) / ref.leydig0  # Tornøe Hill
    block = (1 - Blk) / (1 - ref.blk0)  # transient steroidogenic block, 1 at baseline
    return p.P_T0 * p.leydig_factor * Lenz * Lmass * block * leydig


def receptor_downregulation(X_LH: Expr, p: Parameters, xp: MathNamespace) -> Expr:
    """k_int·H⁺(X; K_occ, 1): per-day internalisation of the LH/hCG receptor (6.2(c))."""
    return p.k_int * xp.hill_up(X_LH, p.K_occ, 1)


def block_onset(X_LH: Expr, p: Parameters, xp: MathNamespace) -> Expr:
    """k_blk·H⁺(X; K_blk, n_blk): onset rate of the 17,20-lyase block (6.2(c))."""
    return p.k_blk * xp.hill_up(X_LH, p.K_blk, p.n_blk)


def enzyme_target(drive: Expr, p: Parameters, xp: MathNamespace) -> Expr:
    """Steroidogenic-enzyme level the drive induces, 1 at LH0 (the delayed hCG peak)."""
    return (1 + p.enz_max * xp.hill_up(drive, p.K_enz, p.n_enz)) / (
        1 + p.enz_max * xp.hill_up(p.LH0, p.K_enz, p.n_enz))


def leydig_mass_target(drive: Expr, p: Parameters, xp: MathNamespace) -> Expr:
    """Leydig mass the drive sustains, 1 at LH0, floor_Lm-weighted without LH (atrophy)."""
    return (p.floor_Lm + xp.hill_up(drive, p.K_Lm, 1)) / (
        p.floor_Lm + xp.hill_up(p.LH0, p.K_Lm, 1))
