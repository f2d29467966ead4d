"""(a) Hypothalamus: steroid feedback signals, central adaptation, GnRH pulse mass and interval
(hpg-model.md 6.2(a)).
"""

from __future__ import annotations

from typing import NamedTuple

from androcast.model._math import Expr, MathNamespace
from androcast.model.parameters import Parameters
from androcast.model.pharmacology import DrugEffects


class FeedbackSignals(NamedTuple):
    """Steroid signals the feedback sites follow (1 at baseline)."""

    androgen: Expr  # (T + AAS T-equivalent)/T0: total-T based, as in bi2018
    er_hypothalamus: Expr  # hypothalamic oestrogen-receptor signal after SERMs
    e2_pituitary: Expr  # E2/E2_0 at the pituitary


def feedback_signals(T: Expr, A_eq: Expr, E2: Expr, drug: DrugEffects,
                     p: Parameters) -> FeedbackSignals:
    """The signals behind the delayed feedback states Fa, Fe, Fp (6.2(a)).

    SERM action: E2_eff = (E2/E2_0 + ε_Z·Z)/(1 + Σ C/K + Z), competitive blockade at the
    hypothalamic ER with zuclomiphene Z a partial agonist (hpg-model.md 6.2(a)).
    """
    return FeedbackSignals(
        androgen=(T + A_eq) / p.T0,
        er_hypothalamus=(E2 / p.E2_0 + drug.zuclomiphene_efficacy * drug.zuclomiphene) / (
            1 + drug.er_block + drug.zuclomiphene),
        e2_pituitary=E2 / p.E2_0,
    )


def adaptation_drive(Fa: Expr, p: Parameters, xp: MathNamespace) -> Expr:
    """H⁺(Fa; K_adp, n_adp): how far the androgen signal drives central adaptation.

    Central adaptation to supraphysiological androgens (anabolic steroids) builds while the
    androgen signal is several times the physiological (K_adp: testosterone therapy, hCG
    and SERMs barely adapt) and fades once it is not (shankaranarayana2020, christou2017).
    """
    return xp.hill_up(Fa, p.K_adp, p.n_adp)


def fast_adaptation_rate(drive: Expr, Adf: Expr, p: Parameters) -> Expr:
    """dAdf/dt = k_adf,on·drive·(1 − Adf) − k_adf,off·(1 − drive)·Adf.

    The fast component builds and fades within weeks, so after a course of weeks to months
    LH and FSH are back in 13-24 weeks (christou2017).
    """
    return p.k_adf_on * drive * (1 - Adf) - p.k_adf_off * (1 - drive) * Adf


def slow_adaptation_rate(drive: Expr, Adp: Expr, p: Parameters) -> Expr:
    """dAdp/dt = k_adp,on·drive·(ε_adp + Adp)·(1 − Adp) − k_adp,off·(1 − drive)·Adp.

    The slow component's build-up is self-reinforcing from the seed ε_adp: half-built after
    about ln(1/ε_adp)/k_adp,on of sustained excess, so a short course barely starts it while
    2 and 8 years of use both saturate it (shankaranarayana2020: years of use do not slow
    hormone recovery; past users take 10.7 months for LH, longer for FSH).
    """
    return p.k_adp_on * drive * (p.eps_adp + Adp) * (1 - Adp) - p.k_adp_off * (1 - drive) * Adp


def signal_as_read(Fa: Expr, Adf: Expr, Adp: Expr, fast: Expr, slow: Expr, Adf0: Expr,
                   Adp0: Expr) -> Expr:
    """The androgen signal as an adapted feedback site reads it (shankaranarayana2020):
    Fa·(1 + s_f·Adf + s_s·Adp)/(1 + s_f·Adf0 + s_s·Adp0).

    Adaptation lowers the set point (LH and T both low, as after AAS); GnRH and LH synthesis
    read it with the gains s_adf, s_adp and FSH synthesis with its own s_adf_F, s_adp_F
    (past users: 10.7 months for LH, longer for FSH).
    """
    return Fa * (1 + fast * Adf + slow * Adp) / (1 + fast * Adf0 + slow * Adp0)


def steroid_feedback_on_pulse_mass(Fe: Expr, Fa_s: Expr, p: Parameters) -> Expr:
    """H_hyp: share of the baseline GnRH pulse mass left by steroid feedback (6.2(a)).

    Steep near the normal steroid level, flat at the floor h_hyp above it, and led by
    oestrogen (nE_hyp > nA_hyp): steady T kept in the normal range suppresses LH and FSH
    below 10 % (handelsman1992), an aromatase inhibitor raises T by two-thirds (leder2004),
    clomiphene still lifts LH on hCG, and TE 200 mg leaves LH at 4 % (coviello2005).
    """
    return p.h_hyp + (1 - p.h_hyp) * (1 + p.K_hyp) / (
        1 + p.K_hyp * Fe**p.nE_hyp * Fa_s**p.nA_hyp)


def prolactin_slowing(p: Parameters, xp: MathNamespace) -> Expr:
    """1 + a_PRL·H⁺(PRL; K_PRL, n_PRL), 1 at PRL0: lengthens the pulse interval and lowers
    the pulse mass (6.2(a), 6.2(f))."""
    return (1 + p.a_PRL * xp.hill_up(p.prl, p.K_PRL, p.n_PRL)) / (
        1 + p.a_PRL * xp.hill_up(p.PRL0, p.K_PRL, p.n_PRL))


def gnrh_pulse_mass(H_hyp: Expr, prl_f: Expr, p: Parameters) -> Expr:
    """m = m0·age_G·H_hyp/PRL effect, in K_G units (6.2(a))."""
    return p.m0 * p.gnrh_factor * H_hyp / prl_f


def gnrh_pulse_interval(prl_f: Expr, p: Parameters) -> Expr:
    """τ = τ0·PRL effect, days (6.2(a))."""
    return p.tau0 * prl_f
