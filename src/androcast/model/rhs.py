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

from androcast.binding import albumin_term, free_testosterone_molar
from androcast.model._math import NUMPY, Expr, MathNamespace
from androcast.model._units import (
    MG_PER_PMOL_TIMES_G_PER_MOL,
    MOL_PER_NMOL,
    NMOL_PER_MG_OVER_G_PER_MOL,
    NMOL_PER_MOL,
    PMOL_PER_MG_OVER_G_PER_MOL,
)
from androcast.model.parameters import Parameters
from androcast.model.pharmacology import Species, drug_terms

#: Physiological states, in order; drug species follow (4 states each).
STATE_NAMES: tuple[str, ...] = (
    "G", "R", "Ci", "LHp", "LH", "FSHp", "FSH", "Rlh", "Blk", "Lenz", "Lmass", "Sfun",
    "SHBG", "Rsg", "Fa", "Fe", "Fp", *(f"X{i}" for i in range(1, 11)), "Epi", "Adp",
)
N_PHYSIOLOGY = len(STATE_NAMES)
N_STAGES = 10  # Erlang chain length; parameters.yaml n_stages must agree
#: Keeps the FSH-limited entry finite for the reference man (c = 0) when FSH is zero (0/0);
#: far below any r² + c of a man with measurable FSH, so it changes no result.
_NO_ZERO_DIVISION = 1e-9


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
    """dy/dt of the HPG model; with ``observe=True`` also the algebraic quantities."""
    hill_up, hill_down, log, sqrt = xp.hill_up, xp.hill_down, xp.log, xp.sqrt
    G, R, Ci, LHp, LH, FSHp, FSH, Rlh, Blk, Lenz, Lmass, Sfun, SHBG, Rsg, Fa, Fe, Fp = y[:17]
    X = [y[17 + i] for i in range(N_STAGES)]
    Epi = y[17 + N_STAGES]
    Adp = y[18 + N_STAGES]
    w = u.pulsatile

    # --- drugs: PK compartments and what each species does, by role (pharmacology.drug_terms)
    zero = 0.0 * G
    drug, d_drugs = drug_terms(y[N_PHYSIOLOGY:], drugs, u.infusion, p, xp, zero)
    R_exo = drug.testosterone_mg_per_d  # exogenous testosterone entering serum, mg/d
    R_aas = drug.androgen_mg_teq_per_d  # non-T androgens, mg testosterone-equivalent/d
    er_block = drug.er_block  # sum of C/K of ER antagonists at the hypothalamus
    zuc = drug.zuclomiphene  # zuclomiphene C/K (partial agonist)
    zuc_eff = drug.zuclomiphene_efficacy
    ai = drug.aromatase_load  # sum of amount/A50 of aromatase inhibitors
    hcg = drug.hcg_iu_per_l  # serum hCG, IU/L
    fsh_exo = drug.fsh_iu_per_l  # serum exogenous FSH, IU/L
    c_agonist = drug.gnrh_agonist_drive  # GnRH-agonist receptor drive in K_G units
    a_antagonist = drug.gnrh_antagonist_load  # GnRH-antagonist competitive load in K_G units

    # --- reference-man constants derived from the steady-state targets (6.3)
    mcr_t = (p.P_T0 + p.P_adr) * NMOL_PER_MG_OVER_G_PER_MOL / (p.MW_T * p.T0) * p.mcr_factor  # L/d
    e2_out0 = p.E2_0 * p.MCR_E2 * p.MW_E2 * MG_PER_PMOL_TIMES_G_PER_MOL  # mg/d of E2 at baseline
    c_per = (1 - p.testis_E2_share) * e2_out0 / (p.P_T0 + p.P_adr)  # peripheral aromatisation
    c_test = p.testis_E2_share * e2_out0 / p.P_T0  # testicular E2 per mg of gonadal T
    rlh0 = p.k_rec / (p.k_rec + p.k_int * hill_up(p.LH0, p.K_occ, 1))
    blk0_on = p.k_blk * hill_up(p.LH0, p.K_blk, p.n_blk)
    blk0 = blk0_on / (blk0_on + p.k_blk_off)
    leydig0 = p.b0 + p.Lmax * hill_up(p.LH0, p.L50, p.kappa)
    occ0 = log(1 + p.m0) / (p.k_G * p.tau0)
    hold0 = log(1 + (p.m0 / p.z_rec) ** p.n_rec) / (p.n_rec * p.k_G * p.tau0)
    R0 = 1 / (1 + 2 * p.k_des * occ0 / (p.k_res * (1 - hold0) + p.k_R))
    Ca0 = occ0 * R0
    fsh_total0 = p.FSH0
    adp_h0 = hill_up(1.0, p.K_adp, p.n_adp)
    Adp0 = p.k_adp_on * adp_h0 / (p.k_adp_on * adp_h0 + p.k_adp_off * (1 - adp_h0))  # ≈ 0
    itt_testis0 = p.ITT0 - p.q_ITT * p.T0

    # --- (c) Leydig cell [tornoe2007 LH->T function; hpg-model.md 6.2(c)] ------------------
    X_LH = LH + p.phi_hCG * hcg  # LH-equivalent drive on the LH/hCG receptor, IU/L
    drive = Rlh / rlh0 * X_LH  # receptor-weighted drive (1 x LH0 at baseline)
    leydig = (p.b0 + p.Lmax * hill_up(drive, p.L50, p.kappa)) / leydig0  # Tornøe Hill
    block = (1 - Blk) / (1 - blk0)  # transient steroidogenic block, 1 at baseline
    P_T = p.P_T0 * p.leydig_factor * Lenz * Lmass * block * leydig  # gonadal T, mg/d
    d_Rlh = p.k_rec * (1 - Rlh) - p.k_int * hill_up(X_LH, p.K_occ, 1) * Rlh  # down-regulation
    d_Blk = p.k_blk * hill_up(X_LH, p.K_blk, p.n_blk) * (1 - Blk) - p.k_blk_off * Blk  # 24-h dip
    enz_target = (1 + p.enz_max * hill_up(drive, p.K_enz, p.n_enz)) / (
        1 + p.enz_max * hill_up(p.LH0, p.K_enz, p.n_enz))
    d_Lenz = p.k_enz * (enz_target - Lenz)  # enzyme induction: delayed hCG peak at 72-96 h
    mass_target = (p.floor_Lm + hill_up(drive, p.K_Lm, 1)) / (
        p.floor_Lm + hill_up(p.LH0, p.K_Lm, 1))
    d_Lmass = p.k_Lm * (mass_target - Lmass)  # Leydig atrophy under LH deprivation (slow)

    # --- serum T, binding, ITT, E2 (quasi-steady; 6.2(c)) -----------------------------------
    T = (P_T + p.P_adr + R_exo) * NMOL_PER_MG_OVER_G_PER_MOL / (p.MW_T * mcr_t)  # total T, nmol/L
    A_eq = R_aas * NMOL_PER_MG_OVER_G_PER_MOL / (p.MW_T * mcr_t)  # non-T androgens, T-eq nmol/L
    n_alb = albumin_term(p.K_alb, p.albumin / p.MW_alb)  # Vermeulen 1999 (androcast.binding)
    FT = free_testosterone_molar(T * MOL_PER_NMOL, SHBG * MOL_PER_NMOL, n_alb, p.K_SHBG,
                                 sqrt) * NMOL_PER_MOL  # free T, nmol/L
    I_AI = p.I_max_AI * ai / (1 + ai)  # aromatase inhibition (Emax in A/A50)
    E2_out = (1 - I_AI) * (c_per * p.aromatase_factor * (P_T + p.P_adr + R_exo) + c_test * P_T)
    # serum E2, pmol/L (at baseline 80 % from peripheral aromatisation, 20 % from the testis)
    E2 = E2_out * PMOL_PER_MG_OVER_G_PER_MOL / (p.MW_E2 * p.MCR_E2)
    ITT = itt_testis0 * P_T / p.P_T0 + p.q_ITT * T  # intratesticular T, nmol/L [coviello2005]

    # --- (a) hypothalamus: GnRH pulse mass and interval -------------------------------------
    a_sig = (T + A_eq) / p.T0  # androgen feedback signal (total-T based, as in bi2018)
    e_hyp = (E2 / p.E2_0 + zuc_eff * zuc) / (1 + er_block + zuc)  # ER signal after SERMs
    e_pit = E2 / p.E2_0  # pituitary E2 signal
    # feedback sites see the steroid signals through a short delay (Keenan 1998: delayed
    # feedback); without it instantaneous T would make successive pulses alternate in size
    d_Fa = p.k_fb * (a_sig - Fa)
    d_Fe = p.k_fb * (e_hyp - Fe)
    d_Fp = p.k_fb * (e_pit - Fp)
    # slow central adaptation to supraphysiological androgens (anabolic steroids): it builds
    # over months while the androgen signal is several times the physiological (K_adp) and
    # fades over months once it is not; meanwhile the feedback sites read androgens as
    # stronger (a lowered set point: LH and T both low, as after AAS), FSH synthesis more so
    # (s_adp_F): past users take 10.7 months for LH and longer for FSH (shankaranarayana2020,
    # shankaranarayana2019). It saturates, so hormone recovery does not depend on how many
    # years he used; the depleted spermatogonial reserve (Rsg) makes sperm slower with duration
    adp_drive = hill_up(Fa, p.K_adp, p.n_adp)
    d_Adp = p.k_adp_on * adp_drive * (1 - Adp) - p.k_adp_off * (1 - adp_drive) * Adp
    Fa_s = Fa * (1 + p.s_adp * Adp) / (1 + p.s_adp * Adp0)  # androgen signal as read
    Fa_F = Fa * (1 + p.s_adp_F * Adp) / (1 + p.s_adp_F * Adp0)  # as read by FSH synthesis
    # steep near the normal steroid level, flat at the floor h_hyp above it, and led by
    # oestrogen (nE_hyp > nA_hyp): steady T kept in the normal range suppresses LH and FSH
    # below 10 % (handelsman1992), an aromatase inhibitor raises T by two-thirds (leder2004),
    # clomiphene still lifts LH on hCG, and TE 200 mg leaves LH at 4 % (coviello2005)
    H_hyp = p.h_hyp + (1 - p.h_hyp) * (1 + p.K_hyp) / (
        1 + p.K_hyp * Fe**p.nE_hyp * Fa_s**p.nA_hyp)
    prl_f = (1 + p.a_PRL * hill_up(p.prl, p.K_PRL, p.n_PRL)) / (
        1 + p.a_PRL * hill_up(p.PRL0, p.K_PRL, p.n_PRL))
    pulse_mass = p.m0 * p.gnrh_factor * H_hyp / prl_f  # K_G units
    pulse_interval = p.tau0 * prl_f  # d

    # --- (b) pituitary GnRH receptor (Röblitz 2013 topology, male re-fit) -------------------
    c_cont = c_agonist + p.gamma_GnRH * u.gnrh_infusion_ug_per_d / p.k_G  # continuous agonists
    load = 1 + c_cont + a_antagonist  # competitive denominator, K_G units
    occ_pulsed = (G + c_cont) / (G + load)  # instantaneous occupancy (fast binding)
    occ_mean = (c_cont / load + log(1 + pulse_mass / load) / (p.k_G * pulse_interval)
                + u.pump_frequency_per_d * log(1 + p.gamma_GnRH * u.pump_pulse_ug / load) / p.k_G)
    occ = w * occ_pulsed + (1 - w) * occ_mean  # cycle-mean occupancy in averaged mode
    # resensitisation needs the receptor free of agonist: 'hold' is the share of time the
    # agonist/antagonist-free ratio (G + c)/(1 + a) stays above z_rec. Brief pulses leave
    # time to recover; sustained agonist does not (gnrh_textbook; Tornøe agonist arm).
    c_bg = c_cont / (1 + a_antagonist)
    hold_bg = hill_up(c_bg, p.z_rec, p.n_rec)
    hold_pulsed = hill_up((G + c_cont) / (1 + a_antagonist), p.z_rec, p.n_rec)
    hold_mean = hold_bg + (1 - hold_bg) * (
        log(1 + (pulse_mass / ((1 + a_antagonist) * p.z_rec)) ** p.n_rec)
        / (p.n_rec * p.k_G * pulse_interval)
        + u.pump_frequency_per_d * log(
            1 + (p.gamma_GnRH * u.pump_pulse_ug / ((1 + a_antagonist) * p.z_rec)) ** p.n_rec)
        / (p.n_rec * p.k_G))
    hold = w * hold_pulsed + (1 - w) * hold_mean
    d_G = w * (p.gamma_GnRH * u.gnrh_infusion_ug_per_d - p.k_G * G)  # kicks are events
    d_R = p.k_R * (1 - R - Ci) - p.k_des * occ * R + p.k_res * (1 - hold) * Ci
    d_Ci = p.k_des * occ * R - p.k_res * (1 - hold) * Ci - p.k_R * Ci
    ca = occ * R / Ca0  # active complex relative to baseline

    # --- LH: pool synthesis under steroid feedback, GnRH-driven release [tornoe2007 k_rel]
    H_pitL = (1 + p.K_pit) / (1 + p.K_pit * Fp**p.nE_pit * Fa_s**p.nA_pit)
    syn_LH = p.k_LH * p.LH0 * H_pitL * (p.beta_LH + ca) / (p.beta_LH + 1)
    rel_LH = p.k_rel_LH * (p.b_LH + ca) / (p.b_LH + 1)
    d_LHp = syn_LH - rel_LH * LHp
    d_LH = rel_LH * LHp - p.k_LH * LH

    # --- FSH: inhibin B, steroids, frequency preference [roblitz2013] ------------------------
    InhB_f = (p.beta_inh + hill_up(FSH + fsh_exo, p.K_inhF, p.n_inhF)) / (
        p.beta_inh + hill_up(fsh_total0, p.K_inhF, p.n_inhF))
    # ng/L (quasi-steady; acute FSH stimulation, rhfsh_inhibin); infertile men make less
    InhB = p.InhB0 * p.inhibin_factor * Sfun * InhB_f
    f_pref = (1 + (1 / (p.tau0 * p.K_freq)) ** p.n_freq) / (
        1 + (1 / (pulse_interval * p.K_freq)) ** p.n_freq)  # low frequency favours FSH
    H_pitF = (1 + p.K_pitF) / (
        1 + p.K_pitF * (InhB / p.InhB0) ** p.nI_F * Fa_F**p.nA_F * Fp**p.nE_F)
    syn_FSH = p.k_FSH * p.FSH0 * H_pitF * f_pref * (p.beta_FSH + ca) / (p.beta_FSH + 1)
    rel_FSH = p.k_rel_FSH * (p.b_FSH + ca) / (p.b_FSH + 1)
    d_FSHp = syn_FSH - rel_FSH * FSHp
    d_FSH = rel_FSH * FSHp - p.k_FSH * FSH
    FSH_total = FSH + fsh_exo  # what Sertoli cells (and the assay) see

    # --- (d) Sertoli function ----------------------------------------------------------------
    sertoli_drive = (1 - p.w_S) + p.w_S * (
        p.w_F * hill_up(FSH_total, p.K_FS, 1) / hill_up(fsh_total0, p.K_FS, 1)
        + (1 - p.w_F) * hill_up(ITT, p.K_IS, 1) / hill_up(p.ITT0, p.K_IS, 1))
    d_Sfun = p.k_S * (sertoli_drive - Sfun)

    # --- (e) spermatogenesis: Erlang chain with hormone-dependent losses ----------------------
    # each gonadotropin alone keeps part of spermatogenesis going (Seattle add-back series,
    # evidence mechanisms-and-pathways.md 1): with FSH absent and ITT high (hCG) the support is
    # floor_F (bremner1981, matsumoto1986); with ITT low and FSH present, FSH carries the share
    # floor_TF of the ITT-dependent support (matsumoto1983). The FSH term is sigmoid around
    # FSH0, so the residual FSH left by hCG's feedback (4-8 % of FSH0) supports almost nothing
    f_T = hill_up(ITT, p.EC50_ITT, p.n_ITT) / hill_up(p.ITT0, p.EC50_ITT, p.n_ITT)
    a_F = hill_up(FSH_total, p.K_F_sg, p.n_F_sg) / hill_up(fsh_total0, p.K_F_sg, p.n_F_sg)
    s_T = f_T + (1 - f_T) * p.floor_TF * a_F
    g_F = p.floor_F + (1 - p.floor_F) * a_F
    stim = s_T * g_F  # spermatogenic support, 1 at baseline
    k_tr = p.n_stages / p.tau_sg
    mu = p.mu_max * hill_down(stim, p.K_mu, p.n_mu)  # meiotic/spermiogenic loss when support fails
    mu0 = p.mu_max * hill_down(1.0, p.K_mu, p.n_mu)
    # stage selector: ≈ 0 before stage i_μ, ≈ 1 from it (smooth, so i_μ may vary by patient);
    # its half point lies midway between stages i_μ - 1 and i_μ
    lossy = [hill_up(i + 1.0, p.first_loss_stage - 0.5, p.n_stage_select) for i in range(N_STAGES)]
    surv0 = 1.0
    for i in range(1, N_STAGES):
        surv0 = surv0 * k_tr / (k_tr + mu0 * lossy[i])  # baseline survival: output = DSP0
    # FSH-limited entry (idiopathic oligozoospermia with normal FSH; chua2013, evidence
    # mechanisms-and-pathways.md 6): a man needing more FSH than the reference man
    # (fsh_need = 1 + c) enters r²(1 + c)/(r² + c) of the reference flow at FSH r x FSH0, so
    # a SERM's or FSH's rise lifts his output; c = 0 leaves every other man unchanged
    c_need = p.fsh_need - 1
    r_F2 = (FSH_total / fsh_total0) ** 2
    fsh_entry = 1 - c_need * (1 - r_F2) / (r_F2 + c_need + _NO_ZERO_DIVISION)
    J_in = p.DSP0 * p.dsp_factor * Rsg * stim * fsh_entry / surv0  # entry into the chain, M/d
    d_X = [J_in - k_tr * X[0]]
    for i in range(1, N_STAGES):
        d_X.append(k_tr * X[i - 1] - (k_tr + mu * lossy[i]) * X[i])
    S_rg = hill_up(stim, p.K_Srg, p.n_Srg) / hill_up(1.0, p.K_Srg, p.n_Srg)  # reserve support
    # regeneration partly by self-renewal of the surviving reserve (share w_sr): deep
    # depletion after long exposure then recovers slowly (hpg-model.md 7, item 2)
    regen = p.k_rg * S_rg * (1 - Rsg) * (1 - p.w_sr + p.w_sr * Rsg)
    # induction in congenital HH (evidence mechanisms-and-pathways.md; liu2009, muir2024): a
    # man who never went through puberty keeps a pool of undifferentiated spermatogonia
    # (sg_pool, from his testis volume) that FSH seeds into the reserve; pre-treatment FSH
    # seeds it before hCG. Men who went through puberty have no such pool (sg_pool = 0), so
    # recovery after androgens is unchanged
    seed = p.k_seed * p.sg_pool * hill_up(FSH_total, p.K_seed, 1) * (1 - Rsg)
    d_Rsg = regen + seed - p.k_dg * (1 - S_rg) * Rsg  # spermatogonial reserve
    d_Epi = k_tr * X[N_STAGES - 1] - Epi / p.tau_epi  # epididymal transit

    # --- SHBG ---------------------------------------------------------------------------------
    d_SHBG = p.k_SHBG * (p.SHBG0 * p.shbg_factor * Fa ** (-p.nA_SHBG) - SHBG)

    dy = [d_G, d_R, d_Ci, d_LHp, d_LH, d_FSHp, d_FSH, d_Rlh, d_Blk, d_Lenz, d_Lmass, d_Sfun,
          d_SHBG, d_Rsg, d_Fa, d_Fe, d_Fp, *d_X, d_Epi, d_Adp, *d_drugs]
    out = xp.stack(dy)
    if not observe:
        return out
    count = p.eta_ejac * p.abstinence * Epi / p.tau_epi  # M per ejaculate
    observed = {
        "testosterone_total": T, "testosterone_free": FT, "estradiol": E2, "lh": LH,
        "fsh": FSH_total, "inhibin_b": InhB, "itt": ITT, "shbg": SHBG,
        "sperm_total_count": count, "sperm_concentration": count / p.semen_volume,
        "tmsc": count * p.progressive_fraction, "hcg": hcg, "androgen_t_equivalent": A_eq,
        "pulse_mass": pulse_mass, "pulse_interval": pulse_interval, "occupancy": occ,
        "receptor_hold": hold,
        "testosterone_production": P_T, "aromatase_inhibition": I_AI, "er_block": er_block,
    }
    return out, observed
