"""(b) Pituitary: GnRH receptor (Röblitz 2013 topology, male re-fit), LH and FSH synthesis and
release (hpg-model.md 6.2(b); roblitz2013, tornoe2007).

Two modes share these terms. ``w = 1`` (pulse-resolved): GnRH arrives as kicks of the portal
state G and occupancy is instantaneous. ``w = 0`` (pulse-averaged): the receptor sees the
closed-form cycle mean of the occupancy of exponentially cleared pulses,
``ln(1 + m/K)/(k_G τ)``; release and desensitisation are linear in occupancy, so the averaged
mode reproduces the daily means of the pulse-resolved mode (tested).
"""

from __future__ import annotations

from androcast.model._math import Expr, MathNamespace
from androcast.model.parameters import Parameters
from androcast.model.pharmacology import DrugEffects


def continuous_agonist(gnrh_infusion_ug_per_d: Expr, drug: DrugEffects, p: Parameters) -> Expr:
    """Sustained receptor drive (K_G units): GnRH agonists and infused gonadorelin."""
    return drug.gnrh_agonist_drive + p.gamma_GnRH * gnrh_infusion_ug_per_d / p.k_G


def receptor_occupancy(G: Expr, w: Expr, c_cont: Expr, a_antagonist: Expr, pulse_mass: Expr,
                       pulse_interval: Expr, pump_pulse_ug: Expr, pump_frequency_per_d: Expr,
                       p: Parameters, xp: MathNamespace) -> Expr:
    """Occupied share of the GnRH receptor: instantaneous (w = 1) or cycle mean (w = 0).

    Fast competitive binding of GnRH, agonist and antagonist (load = 1 + c + a, K_G units);
    the averaged mode adds the closed-form means of endogenous and pump pulses.
    """
    log = xp.log
    load = 1 + c_cont + a_antagonist  # competitive denominator, K_G units
    occ_pulsed = (G + c_cont) / (G + load)  # instantaneous occupancy (fast binding)
    occ_mean = (c_cont / load + log(1 + pulse_mass / load) / (p.k_G * pulse_interval)
                + pump_frequency_per_d * log(1 + p.gamma_GnRH * pump_pulse_ug / load) / p.k_G)
    return w * occ_pulsed + (1 - w) * occ_mean  # cycle-mean occupancy in averaged mode


def receptor_hold(G: Expr, w: Expr, c_cont: Expr, a_antagonist: Expr, pulse_mass: Expr,
                  pulse_interval: Expr, pump_pulse_ug: Expr, pump_frequency_per_d: Expr,
                  p: Parameters, xp: MathNamespace) -> Expr:
    """Share of time resensitisation is blocked (gnrh_textbook; Tornøe agonist arm).

    Resensitisation needs the receptor free of agonist: 'hold' is the share of time the
    agonist/antagonist-free ratio (G + c)/(1 + a) stays above z_rec. Brief pulses leave
    time to recover; sustained agonist does not.
    """
    hill_up, log = xp.hill_up, xp.log
    c_bg = c_cont / (1 + a_antagonist)
    hold_bg = hill_up(c_bg, p.z_rec, p.n_rec)
    hold_pulsed = hill_up((G + c_cont) / (1 + a_antagonist), p.z_rec, p.n_rec)
    hold_mean = hold_bg + (1 - hold_bg) * (
        log(1 + (pulse_mass / ((1 + a_antagonist) * p.z_rec)) ** p.n_rec)
        / (p.n_rec * p.k_G * pulse_interval)
        + pump_frequency_per_d * log(
            1 + (p.gamma_GnRH * pump_pulse_ug / ((1 + a_antagonist) * p.z_rec)) ** p.n_rec)
        / (p.n_rec * p.k_G))
    return w * hold_pulsed + (1 - w) * hold_mean


def lh_synthesis(Fp: Expr, Fa_s: Expr, ca: Expr, p: Parameters) -> Expr:
    """s_LH·H_pit(E2, T)·g_syn(Ca): pool synthesis under steroid feedback (6.2(b); Bi 2018
    total-T feedback)."""
    H_pitL = (1 + p.K_pit) / (1 + p.K_pit * Fp**p.nE_pit * Fa_s**p.nA_pit)
    return p.k_LH * p.LH0 * H_pitL * (p.beta_LH + ca) / (p.beta_LH + 1)


def lh_release(ca: Expr, p: Parameters) -> Expr:
    """r_LH(Ca) = k_rel·(b_LH + Ca)/(b_LH + 1): GnRH-driven pool release (tornoe2007 k_rel)."""
    return p.k_rel_LH * (p.b_LH + ca) / (p.b_LH + 1)


def frequency_preference(pulse_interval: Expr, p: Parameters) -> Expr:
    """Low GnRH pulse frequency favours FSH synthesis, 1 at τ0 (roblitz2013)."""
    return (1 + (1 / (p.tau0 * p.K_freq)) ** p.n_freq) / (
        1 + (1 / (pulse_interval * p.K_freq)) ** p.n_freq)


def fsh_synthesis(InhB: Expr, Fa_F: Expr, Fp: Expr, f_pref: Expr, ca: Expr,
                  p: Parameters) -> Expr:
    """s_FSH·H_pitF(InhB, T, E2)·f_pref·g_syn(Ca): inhibin B, steroid and frequency control
    of FSH synthesis (6.2(b); roblitz2013)."""
    H_pitF = (1 + p.K_pitF) / (
        1 + p.K_pitF * (InhB / p.InhB0) ** p.nI_F * Fa_F**p.nA_F * Fp**p.nE_F)
    return p.k_FSH * p.FSH0 * H_pitF * f_pref * (p.beta_FSH + ca) / (p.beta_FSH + 1)


def fsh_release(ca: Expr, p: Parameters) -> Expr:
    """r_FSH(Ca) = k_rel·(b_FSH + Ca)/(b_FSH + 1): GnRH-driven pool release (6.2(b))."""
    return p.k_rel_FSH * (p.b_FSH + ca) / (p.b_FSH + 1)
