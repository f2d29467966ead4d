"""(e) Spermatogenesis: support, an Erlang chain with hormone-dependent losses, the
spermatogonial reserve and the epididymis (hpg-model.md 6.2(e)).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from androcast.model._math import Expr, MathNamespace
from androcast.model.parameters import Parameters
from androcast.model.terms.baseline import Baseline

N_STAGES: Final = 10  # Erlang chain length; parameters.yaml n_stages must agree
#: Keeps the FSH-limited entry finite for the reference man (c = 0) when FSH is zero (0/0);
#: far below any r² + c of a man with measurable FSH, so it changes no result.
_NO_ZERO_DIVISION: Final = 1e-9
#: The half point of the lossy-stage selector lies midway between two stages
_BETWEEN_STAGES: Final = 0.5


def spermatogenic_support(ITT: Expr, FSH_total: Expr, ref: Baseline, p: Parameters,
                          xp: MathNamespace) -> Expr:
    """stim = s_T·g_F, 1 at baseline: ITT and FSH support of spermatogenesis (6.2(e)).

    Each gonadotropin alone keeps part of spermatogenesis going (Seattle add-back series,
    evidence mechanisms-and-pathways.md 1): with FSH absent and ITT high (hCG) the support is
    floor_F (bremner1981, matsumoto1986); with ITT low and FSH present, FSH carries the share
    floor_TF of the ITT-dependent support (matsumoto1983). The FSH term is sigmoid around
    FSH0, so the residual FSH left by hCG's feedback (4-8 % of FSH0) supports almost nothing.
    """
    hill_up = xp.hill_up
    f_T = hill_up(ITT, p.EC50_ITT, p.n_ITT) / hill_up(p.ITT0, p.EC50_ITT, p.n_ITT)
    a_F = hill_up(FSH_total, p.K_F_sg, p.n_F_sg) / hill_up(ref.fsh_total0, p.K_F_sg, p.n_F_sg)
    s_T = f_T + (1 - f_T) * p.floor_TF * a_F
    g_F = p.floor_F + (1 - p.floor_F) * a_F
    return s_T * g_F


def transit_rate(p: Parameters) -> Expr:
    """k_tr = N/τ_sg: per-stage transit rate of the Erlang chain (τ_sg 64 d, 6.2(e))."""
    return p.n_stages / p.tau_sg


def germ_cell_loss(stim: Expr, p: Parameters, xp: MathNamespace) -> Expr:
    """μ = μ_max·H⁻(stim; K_μ, n_μ): meiotic/spermiogenic loss when support fails (6.2(e))."""
    return p.mu_max * xp.hill_down(stim, p.K_mu, p.n_mu)


def lossy_stages(p: Parameters, xp: MathNamespace) -> list[Expr]:
    """Stage selector: ≈ 0 before stage i_μ, ≈ 1 from it.

    Smooth, so i_μ may vary by patient; its half point lies midway between stages i_μ - 1
    and i_μ.
    """
    return [xp.hill_up(i + 1.0, p.first_loss_stage - _BETWEEN_STAGES, p.n_stage_select)
            for i in range(N_STAGES)]


def baseline_survival(k_tr: Expr, lossy: Sequence[Expr], p: Parameters,
                      xp: MathNamespace) -> Expr:
    """Share of entering cells that survive the chain at baseline (output = DSP0)."""
    mu0 = p.mu_max * xp.hill_down(1.0, p.K_mu, p.n_mu)
    surv0: Expr = 1.0
    for i in range(1, N_STAGES):
        surv0 = surv0 * k_tr / (k_tr + mu0 * lossy[i])
    return surv0


def fsh_limited_entry(FSH_total: Expr, ref: Baseline, p: Parameters) -> Expr:
    """r²(1 + c)/(r² + c) with r = FSH/FSH0 and c = fsh_need - 1 (1 for the reference man).

    Idiopathic oligozoospermia with normal FSH (chua2013, evidence
    mechanisms-and-pathways.md 6): a man needing more FSH than the reference man enters less
    of the reference flow, so a SERM's or FSH's rise lifts his output; c = 0 leaves every
    other man unchanged.
    """
    c_need = p.fsh_need - 1
    r_F2 = (FSH_total / ref.fsh_total0) ** 2
    return 1 - c_need * (1 - r_F2) / (r_F2 + c_need + _NO_ZERO_DIVISION)


def chain_entry(Rsg: Expr, stim: Expr, fsh_entry: Expr, surv0: Expr, p: Parameters) -> Expr:
    """J_in = DSP0·age_S·Rsg·stim·FSH entry/surv0: entry into the chain, M/d (6.2(e))."""
    return p.DSP0 * p.dsp_factor * Rsg * stim * fsh_entry / surv0


def erlang_chain(J_in: Expr, X: Sequence[Expr], k_tr: Expr, mu: Expr,
                 lossy: Sequence[Expr]) -> list[Expr]:
    """dX1 = J_in − k_tr·X1; dX_i = k_tr·X_{i−1} − (k_tr + μ_i)·X_i (6.2(e))."""
    d_X = [J_in - k_tr * X[0]]
    for i in range(1, N_STAGES):
        d_X.append(k_tr * X[i - 1] - (k_tr + mu * lossy[i]) * X[i])
    return d_X


def reserve_support(ITT: Expr, FSH_total: Expr, ref: Baseline, p: Parameters,
                    xp: MathNamespace) -> Expr:
    """S_rg = H⁺(D; K_Srg, n_Srg), 1 at baseline, with the reserve's drive
    D = [1 − (1 − w_T,rg·H_T)(1 − H_F)] / (the same at baseline), H_T = H⁺(ITT; EC50_ITT, n_T)
    and H_F = H⁺(FSH; K_F,sg, n_F,sg) (6.2(e)).

    FSH leads the reserve and ITT, with weight w_T_rg, keeps part of it alone; the output
    needs both (stim). One gonadotropin alone restarted output in every man of the Seattle
    series (bremner1981, matsumoto1983, matsumoto1984) and held it in 7 of 8 men for 13
    months (matsumoto1986): partial support caps the output, while a reserve read from the
    product of the supports ran down in the calibrated population's slow regenerators.
    """
    hill_up = xp.hill_up
    u_T = p.w_T_rg * hill_up(ITT, p.EC50_ITT, p.n_ITT)
    u_F = hill_up(FSH_total, p.K_F_sg, p.n_F_sg)
    u_T0 = p.w_T_rg * hill_up(p.ITT0, p.EC50_ITT, p.n_ITT)
    u_F0 = hill_up(ref.fsh_total0, p.K_F_sg, p.n_F_sg)
    drive = (1 - (1 - u_T) * (1 - u_F)) / (1 - (1 - u_T0) * (1 - u_F0))
    return hill_up(drive, p.K_Srg, p.n_Srg) / hill_up(1.0, p.K_Srg, p.n_Srg)


def reserve_regeneration(S_rg: Expr, Rsg: Expr, p: Parameters) -> Expr:
    """k_rg·S_rg·(1 − Rsg)·(1 − w_sr + w_sr·Rsg): partly by self-renewal of the surviving
    reserve, so deep depletion after long exposure recovers slowly (hpg-model.md 7, item 2)."""
    return p.k_rg * S_rg * (1 - Rsg) * (1 - p.w_sr + p.w_sr * Rsg)


def reserve_seeding(FSH_total: Expr, Rsg: Expr, p: Parameters, xp: MathNamespace) -> Expr:
    """FSH seeding of the reserve from a never-seeded prepubertal pool (congenital HH).

    Evidence mechanisms-and-pathways.md; liu2009, muir2024: a man who never went through
    puberty keeps a pool of undifferentiated spermatogonia (sg_pool, from his testis volume)
    that FSH seeds into the reserve; pre-treatment FSH seeds it before hCG. Men who went
    through puberty have no such pool (sg_pool = 0), so recovery after androgens is unchanged.
    """
    return p.k_seed * p.sg_pool * xp.hill_up(FSH_total, p.K_seed, 1) * (1 - Rsg)


def reserve_loss(S_rg: Expr, Rsg: Expr, p: Parameters) -> Expr:
    """k_dg·(1 − S_rg)·Rsg: loss of the reserve without support (6.2(e))."""
    return p.k_dg * (1 - S_rg) * Rsg


def sperm_per_ejaculate(Epi: Expr, p: Parameters) -> Expr:
    """Total count (M per ejaculate): epididymal output recovered over the abstinence."""
    return p.eta_ejac * p.abstinence * Epi / p.tau_epi
