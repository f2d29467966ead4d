"""The equations of the androcast HPG-axis model: one right-hand side for both modes.

Time is in days. Section numbers refer to ``hpg-model.md`` (section 6.2) and the model
reference (``docs/model-reference.md``, generated from this file). Doses never appear here:
the simulator applies them as jumps of depot states; ``u`` only carries piecewise-constant
inputs between events (infusion rates, the pump's averaged pulses, the mode switch).

Two modes share every equation. ``u.pulsatile = 1``: GnRH arrives as discrete kicks of the
portal state ``G`` (applied by the simulator every pulse interval) and serum LH is a state.
``u.pulsatile = 0`` (pulse-averaged): the receptor sees the closed-form cycle mean of the
occupancy of exponentially cleared pulses, ``ln(1 + m/K)/(k_G τ)``, and serum LH is in
quasi-steady state with its pool; ``G`` and the LH state are frozen. Because release and
desensitisation are linear in occupancy, the averaged mode reproduces the daily means of the
pulse-resolved mode (tested). Serum T, free T, E2, ITT and inhibin B are quasi-steady in both
modes (plasma half-lives about 1 h: parameters.steroids.T_plasma_halflife, E2_halflife).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from androcast.model._math import NUMPY, Expr, MathNamespace
from androcast.model.parameters import Parameters
from androcast.model.pharmacology import Species, drug_terms
from androcast.model.terms.baseline import baseline
from androcast.model.terms.hypothalamus import (
    adaptation_drive,
    fast_adaptation_rate,
    feedback_signals,
    gnrh_pulse_interval,
    gnrh_pulse_mass,
    prolactin_slowing,
    signal_as_read,
    slow_adaptation_rate,
    steroid_feedback_on_pulse_mass,
)
from androcast.model.terms.leydig import (
    block_onset,
    enzyme_target,
    gonadal_testosterone,
    leydig_mass_target,
    lh_receptor_drive,
    receptor_downregulation,
    receptor_weighted_drive,
)
from androcast.model.terms.pituitary import (
    continuous_agonist,
    frequency_preference,
    fsh_release,
    fsh_synthesis,
    lh_release,
    lh_synthesis,
    receptor_hold,
    receptor_occupancy,
)
from androcast.model.terms.sertoli import inhibin_b, sertoli_drive
from androcast.model.terms.spermatogenesis import (
    N_STAGES,
    baseline_survival,
    chain_entry,
    erlang_chain,
    fsh_limited_entry,
    germ_cell_loss,
    lossy_stages,
    reserve_loss,
    reserve_regeneration,
    reserve_seeding,
    reserve_support,
    sperm_per_ejaculate,
    spermatogenic_support,
    transit_rate,
)
from androcast.model.terms.steroids import (
    androgen_t_equivalent,
    aromatase_inhibition,
    estradiol,
    free_testosterone,
    intratesticular_testosterone,
    serum_testosterone,
    shbg_target,
)

__all__ = ["N_PHYSIOLOGY", "N_STAGES", "STATE_NAMES", "Inputs", "rhs"]

#: Physiological states, in order; drug species follow (4 states each).
STATE_NAMES: tuple[str, ...] = (
    "G", "R", "Ci", "LHp", "LH", "FSHp", "FSH", "Rlh", "Blk", "Lenz", "Lmass", "Sfun",
    "SHBG", "Rsg", "Fa", "Fe", "Fp", *(f"X{i}" for i in range(1, N_STAGES + 1)), "Epi", "Adp",
    "Adf",
)
N_PHYSIOLOGY = len(STATE_NAMES)
_X1 = STATE_NAMES.index("X1")  # the chain follows the 17 hormonal and testis states
_ADF = STATE_NAMES.index("Adf")  # the fast adaptation, added after the slow one


@dataclass(frozen=True)
class Inputs:
    """Piecewise-constant inputs between dose events."""

    pulsatile: float = 0.0  # 1 = pulse-resolved mode, 0 = pulse-averaged mode
    gnrh_infusion_ug_per_d: float = 0.0  # continuous gonadorelin (i.v./s.c. infusion)
    pump_pulse_ug: float = 0.0  # averaged mode: gonadorelin per pump pulse
    pump_frequency_per_d: float = 0.0  # averaged mode: pump pulses per day
    infusion: tuple[float, ...] = field(default_factory=tuple)  # per species, amount/d


def rhs(
    t: Expr,
    y: Expr,
    p: Parameters,
    u: Inputs,
    drugs: Sequence[Species] = (),
    xp: MathNamespace = NUMPY,
    observe: bool = False,
) -> Expr:
    """dy/dt of the HPG model; with ``observe=True`` also the algebraic quantities.

    Each state's derivative is one line below: the sum of its processes, each a function of
    :mod:`androcast.model.terms` (or :func:`androcast.model.pharmacology.drug_terms`) whose
    docstring names the equation (``hpg-model.md`` 6.2) and its source.
    """
    G, R, Ci, LHp, LH, FSHp, FSH, Rlh, Blk, Lenz, Lmass, Sfun, SHBG, Rsg, Fa, Fe, Fp = y[:_X1]
    X = [y[_X1 + i] for i in range(N_STAGES)]
    Epi = y[_X1 + N_STAGES]
    Adp = y[_X1 + N_STAGES + 1]
    Adf = y[_ADF]
    w = u.pulsatile

    # drugs: PK compartments and what each species does, by role
    drug, d_drugs = drug_terms(y[N_PHYSIOLOGY:], drugs, u.infusion, p, xp, zero=0.0 * G)
    ref = baseline(p, xp)  # the reference man every term is normalised to (6.3)

    # (c) Leydig cell: LH/hCG drive, gonadal testosterone
    X_LH = lh_receptor_drive(LH, drug.hcg_iu_per_l, p)
    drive = receptor_weighted_drive(Rlh, X_LH, ref)
    P_T = gonadal_testosterone(drive, Blk, Lenz, Lmass, ref, p, xp)  # mg/d

    # serum steroids and binding, quasi-steady (6.2(c))
    R_exo = drug.testosterone_mg_per_d  # exogenous testosterone entering serum, mg/d
    T = serum_testosterone(P_T, R_exo, ref, p)  # nmol/L
    A_eq = androgen_t_equivalent(drug.androgen_mg_teq_per_d, ref, p)  # T-eq nmol/L
    FT = free_testosterone(T, SHBG, p, xp)  # nmol/L
    I_AI = aromatase_inhibition(drug.aromatase_load, p)
    E2 = estradiol(P_T, R_exo, I_AI, ref, p)  # pmol/L
    ITT = intratesticular_testosterone(P_T, T, ref, p)  # nmol/L

    # (a) hypothalamus: delayed feedback signals, adaptation, GnRH pulses
    signal = feedback_signals(T, A_eq, E2, drug, p)
    adp_drive = adaptation_drive(Fa, p, xp)
    # androgen signal as the sites read it, and as FSH synthesis reads it (fast and slow gains)
    Fa_s = signal_as_read(Fa, Adf, Adp, p.s_adf, p.s_adp, ref.Adf0, ref.Adp0)
    Fa_F = signal_as_read(Fa, Adf, Adp, p.s_adf_F, p.s_adp_F, ref.Adf0, ref.Adp0)
    prl_f = prolactin_slowing(p, xp)
    pulse_mass = gnrh_pulse_mass(steroid_feedback_on_pulse_mass(Fe, Fa_s, p), prl_f, p)
    pulse_interval = gnrh_pulse_interval(prl_f, p)

    # (b) pituitary GnRH receptor, LH and FSH
    c_cont = continuous_agonist(u.gnrh_infusion_ug_per_d, drug, p)
    a_antagonist = drug.gnrh_antagonist_load
    occ = receptor_occupancy(G, w, c_cont, a_antagonist, pulse_mass, pulse_interval,
                             u.pump_pulse_ug, u.pump_frequency_per_d, p, xp)
    hold = receptor_hold(G, w, c_cont, a_antagonist, pulse_mass, pulse_interval,
                         u.pump_pulse_ug, u.pump_frequency_per_d, p, xp)
    ca = occ * R / ref.Ca0  # active complex relative to baseline
    syn_LH, rel_LH = lh_synthesis(Fp, Fa_s, ca, p), lh_release(ca, p)
    FSH_total = FSH + drug.fsh_iu_per_l  # what Sertoli cells (and the assay) see
    InhB = inhibin_b(Sfun, FSH_total, ref, p, xp)  # ng/L
    syn_FSH = fsh_synthesis(InhB, Fa_F, Fp, frequency_preference(pulse_interval, p), ca, p)
    rel_FSH = fsh_release(ca, p)

    # (e) spermatogenesis
    stim = spermatogenic_support(ITT, FSH_total, ref, p, xp)
    k_tr = transit_rate(p)
    lossy = lossy_stages(p, xp)
    J_in = chain_entry(Rsg, stim, fsh_limited_entry(FSH_total, ref, p),
                       baseline_survival(k_tr, lossy, p, xp), p)  # M/d
    S_rg = reserve_support(ITT, FSH_total, ref, p, xp)

    # the derivatives, one per state (hpg-model.md 6.2 section in brackets)
    d_G = w * (p.gamma_GnRH * u.gnrh_infusion_ug_per_d - p.k_G * G)  # (a) kicks are events
    d_R = p.k_R * (1 - R - Ci) - p.k_des * occ * R + p.k_res * (1 - hold) * Ci  # (b) Röblitz
    d_Ci = p.k_des * occ * R - p.k_res * (1 - hold) * Ci - p.k_R * Ci  # (b) desensitised
    d_LHp = syn_LH - rel_LH * LHp  # (b) pituitary LH pool
    d_LH = rel_LH * LHp - p.k_LH * LH  # (b) serum LH
    d_FSHp = syn_FSH - rel_FSH * FSHp  # (b) pituitary FSH pool
    d_FSH = rel_FSH * FSHp - p.k_FSH * FSH  # (b) serum FSH
    d_Rlh = p.k_rec * (1 - Rlh) - receptor_downregulation(X_LH, p, xp) * Rlh  # (c)
    d_Blk = block_onset(X_LH, p, xp) * (1 - Blk) - p.k_blk_off * Blk  # (c) 24-h dip
    d_Lenz = p.k_enz * (enzyme_target(drive, p, xp) - Lenz)  # (c) delayed hCG peak
    d_Lmass = p.k_Lm * (leydig_mass_target(drive, p, xp) - Lmass)  # (c) slow atrophy
    d_Sfun = p.k_S * (sertoli_drive(FSH_total, ITT, ref, p, xp) - Sfun)  # (d)
    d_SHBG = p.k_SHBG * (shbg_target(Fa, p) - SHBG)  # (c) androgens lower SHBG synthesis
    d_Rsg = (reserve_regeneration(S_rg, Rsg, p) + reserve_seeding(FSH_total, Rsg, p, xp)
             - reserve_loss(S_rg, Rsg, p))  # (e) spermatogonial reserve
    # feedback sites follow the steroid signals with a short delay (Keenan 1998); without it
    # instantaneous T would make successive pulses alternate in size
    d_Fa = p.k_fb * (signal.androgen - Fa)  # (a)
    d_Fe = p.k_fb * (signal.er_hypothalamus - Fe)  # (a)
    d_Fp = p.k_fb * (signal.e2_pituitary - Fp)  # (a)
    d_X = erlang_chain(J_in, X, k_tr, germ_cell_loss(stim, p, xp), lossy)  # (e) transit
    d_Epi = k_tr * X[N_STAGES - 1] - Epi / p.tau_epi  # (e) epididymal transit
    d_Adp = slow_adaptation_rate(adp_drive, Adp, p)  # (a) built only by long use
    d_Adf = fast_adaptation_rate(adp_drive, Adf, p)  # (a) weeks to build and to fade

    dy = [d_G, d_R, d_Ci, d_LHp, d_LH, d_FSHp, d_FSH, d_Rlh, d_Blk, d_Lenz, d_Lmass, d_Sfun,
          d_SHBG, d_Rsg, d_Fa, d_Fe, d_Fp, *d_X, d_Epi, d_Adp, d_Adf,
          *d_drugs]
    out = xp.stack(dy)
    if not observe:
        return out
    count = sperm_per_ejaculate(Epi, p)  # M per ejaculate
    observed = {
        "testosterone_total": T, "testosterone_free": FT, "estradiol": E2, "lh": LH,
        "fsh": FSH_total, "inhibin_b": InhB, "itt": ITT, "shbg": SHBG,
        "sperm_total_count": count, "sperm_concentration": count / p.semen_volume,
        "tmsc": count * p.progressive_fraction, "hcg": drug.hcg_iu_per_l,
        "androgen_t_equivalent": A_eq, "pulse_mass": pulse_mass,
        "pulse_interval": pulse_interval, "occupancy": occ, "receptor_hold": hold,
        "testosterone_production": P_T, "aromatase_inhibition": I_AI,
        "er_block": drug.er_block,
    }
    return out, observed
