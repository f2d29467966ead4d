"""Model parameters: a frozen dataclass loaded from ``data/parameters.yaml`` with provenance.

Each YAML entry gives the value in model units (days, IU/L, nmol/L, pmol/L, mg/d), its unit,
its ``source`` (an evidence key, a citation key, ``androcast-fit:<target>`` or
``androcast-design:<choice>``) and a confidence. Values may be floats or numpy arrays of
shape (N,) for N virtual patients. Patient covariates (age, BMI, prolactin, thyroid) enter
through :func:`personalise`, which returns a new :class:`Parameters`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt

from androcast._yaml import load_data
from androcast.errors import ParameterError
from androcast.evidence import evidence

FloatArray = npt.NDArray[np.float64]
Value = float | FloatArray  # float, or a numpy array of shape (N,) for N virtual patients


@dataclass(frozen=True)
class ParameterInfo:
    """Provenance of one parameter as written in the data table."""

    name: str
    value: float
    unit: str
    source: str
    confidence: str
    symbol: str
    description: str


@dataclass(frozen=True)
class Parameters:
    """Physiological parameters of one (or N vectorised) virtual men, in model units.

    The first block is the data table (``data/parameters.yaml``); the second block holds
    the covariate modifiers set by :func:`personalise` (1 = the reference man).
    """

    tau0: Value  # d: mean GnRH inter-pulse interval (95 min)
    pulse_cv: Value  # 1: coefficient of variation of the inter-pulse interval (stocha
    k_G: Value  # 1/d: portal GnRH elimination (t1/2 4 min)
    m0: Value  # K_G: GnRH pulse mass at baseline, in units of the receptor dissoc
    K_hyp: Value  # 1: gain of sex-steroid feedback on GnRH pulse mass (maximal dis
    nE_hyp: Value  # 1: estradiol (ER) feedback exponent at the hypothalamus
    nA_hyp: Value  # 1: androgen feedback exponent at the hypothalamus
    h_hyp: Value  # 1: share of the baseline GnRH pulse mass that steroid feedback cannot suppress
    PRL0: Value  # ng/mL: reference prolactin of the reference man
    K_PRL: Value  # ng/mL: prolactin half-effect on pulse interval and mass
    a_PRL: Value  # 1: maximal fractional lengthening of the pulse interval (and fa
    n_PRL: Value  # 1: Hill exponent of prolactin's effect on pulse interval and mass
    k_fb: Value  # 1/d: feedback-site delay
    k_adp_on: Value  # 1/d: build-up of the central adaptation at saturating androgen excess
    k_adp_off: Value  # 1/d: fading of the central adaptation once androgens are physiological
    K_adp: Value  # 1: androgen signal (x physiological) at half-maximal adaptation build-up
    n_adp: Value  # 1: Hill exponent of the adaptation build-up
    s_adp: Value  # 1: share of the GnRH pulse mass held down by full adaptation
    s_adp_F: Value  # 1: share of pituitary FSH synthesis held down by full adaptation
    eps_adp: Value  # 1: seed of the slow adaptation's self-reinforcing build-up
    k_adf_on: Value  # 1/d: build-up of the fast central adaptation at saturating androgen excess
    k_adf_off: Value  # 1/d: fading of the fast central adaptation
    s_adf: Value  # 1: gain of the androgen signal read by GnRH and LH, full fast adaptation
    s_adf_F: Value  # 1: gain of the androgen signal read by FSH synthesis, full fast adaptation
    gamma_GnRH: Value  # K_G/ug: portal-equivalent GnRH (K_G units) per µg of peripheral gona
    k_des: Value  # 1/d: desensitisation of occupied receptor (Röblitz Ca -> Ci topol
    k_res: Value  # 1/d: resensitisation of the desensitised receptor, only while uno
    z_rec: Value  # K_G: recovery-block threshold
    n_rec: Value  # 1: recovery-block steepness
    k_R: Value  # 1/d: receptor turnover (synthesis toward the total, loss of desen
    LH0: Value  # IU/L: baseline serum LH
    k_LH: Value  # 1/d: serum LH elimination (t1/2 1.6 h, within the 1.0-2.3 h of pa
    k_rel_LH: Value  # 1/d: fractional release of the pituitary LH pool at baseline occu
    b_LH: Value  # 1: GnRH-independent share of LH release
    beta_LH: Value  # 1: GnRH-independent share of LH synthesis
    K_pit: Value  # 1: gain of sex-steroid feedback on pituitary LH synthesis
    nA_pit: Value  # 1: androgen feedback exponent on LH synthesis (Bi 2018: total-T
    nE_pit: Value  # 1: estradiol feedback exponent on LH synthesis
    FSH0: Value  # IU/L: baseline serum FSH
    k_FSH: Value  # 1/d: serum FSH elimination (t1/2 4.6 h)
    k_rel_FSH: Value  # 1/d: fractional release of the pituitary FSH pool (FSH is secrete
    b_FSH: Value  # 1: GnRH-independent share of FSH release (Röblitz b/a = 0.057/0
    beta_FSH: Value  # 1: GnRH-independent share of FSH synthesis
    K_freq: Value  # 1/d: pulse frequency above which FSH synthesis is damped (low fre
    n_freq: Value  # 1: Hill exponent of the frequency preference
    K_pitF: Value  # 1: gain of feedback on pituitary FSH synthesis
    nI_F: Value  # 1: inhibin B feedback exponent on FSH synthesis
    nA_F: Value  # 1: androgen feedback exponent on FSH synthesis
    nE_F: Value  # 1: estradiol feedback exponent on FSH synthesis
    P_T0: Value  # mg/d: gonadal testosterone production at baseline
    P_adr: Value  # mg/d: non-gonadal testosterone production (6.5 - 6.2 mg/d)
    Lmax: Value  # 1: LH -> T efficacy (x basal)
    L50: Value  # IU/L: LH -> T potency
    kappa: Value  # 1: LH -> T Hill exponent
    b0: Value  # 1: LH-independent basal term of the LH -> T function
    phi_hCG: Value  # IU LH per IU hCG: LH-equivalent potency of 1 IU/L serum hCG
    k_rec: Value  # 1/d: LH/hCG-receptor recovery (t1/2 3 d)
    k_int: Value  # 1/d: LH/hCG-receptor down-regulation at saturating drive
    K_occ: Value  # IU/L: LH-equivalent drive at half-maximal receptor down-regulation
    k_blk: Value  # 1/d: onset of the transient steroidogenic (17,20-lyase) block
    K_blk: Value  # IU/L: LH-equivalent drive at half-maximal block onset
    n_blk: Value  # 1: Hill exponent of block onset
    k_blk_off: Value  # 1/d: release of the steroidogenic block
    k_enz: Value  # 1/d: induction/decay of steroidogenic enzymes (the delayed trophi
    enz_max: Value  # 1: maximal enzyme induction above baseline
    K_enz: Value  # IU/L: LH-equivalent drive at half-maximal enzyme induction
    n_enz: Value  # 1: Hill exponent of steroidogenic enzyme induction
    k_Lm: Value  # 1/d: Leydig-mass turnover (t1/2 60 d): atrophy under LH deprivati
    floor_Lm: Value  # 1: Leydig mass kept without LH (relative weight of the LH-indep
    K_Lm: Value  # IU/L: LH-equivalent drive at half-maximal trophic support of Leydi
    T0: Value  # nmol/L: baseline serum total testosterone; with 6.5 mg/d production
    MW_T: Value  # g/mol: testosterone molar mass (hpg-model.md 2.3)
    K_SHBG: Value  # L/mol: T-SHBG association constant (Vermeulen)
    K_alb: Value  # L/mol: T-albumin association constant (Vermeulen)
    albumin: Value  # g/L: serum albumin (43 g/L)
    MW_alb: Value  # g/mol: albumin molar mass (ISSAM convention)
    SHBG0: Value  # nmol/L: baseline SHBG
    k_SHBG: Value  # 1/d: SHBG turnover (t1/2 6 d)
    nA_SHBG: Value  # 1: androgen suppression exponent of SHBG synthesis
    ITT0: Value  # nmol/L: baseline intratesticular testosterone
    q_ITT: Value  # 1: serum T carried into testis fluid (ITT 72 nmol/L on TE 200 m
    E2_0: Value  # pmol/L: baseline serum estradiol
    MCR_E2: Value  # L/d: estradiol metabolic clearance
    MW_E2: Value  # g/mol: estradiol molar mass
    testis_E2_share: Value  # 1: testicular share of E2 production at baseline
    I_max_AI: Value  # 1: maximal aromatase inhibition
    A50_anastrozole: Value  # mg: anastrozole body amount at half-maximal aromatase inhibition
    A50_letrozole: Value  # mg: letrozole body amount at half-maximal aromatase inhibition
    K_enclomiphene: Value  # ng/mL: enclomiphene competitive ER-blockade constant (Css 2.2 ng/mL
    K_zuclomiphene: Value  # ng/mL: zuclomiphene ER-binding constant (Css 44 ng/mL)
    eps_zuclomiphene: Value  # 1: intrinsic estrogenic efficacy of bound zuclomiphene relative
    K_tamoxifen: Value  # ng/mL: tamoxifen ER-blockade constant
    K_endoxifen: Value  # ng/mL: endoxifen ER-blockade constant
    InhB0: Value  # ng/L: baseline serum inhibin B
    k_S: Value  # 1/d: Sertoli functional turnover (τ 10 d)
    n_inhF: Value  # 1: Hill exponent of acute FSH-stimulated inhibin B secretion
    w_S: Value  # 1: hormone-dependent share of Sertoli function (rest constituti
    w_F: Value  # 1: FSH share of Sertoli drive (rest: ITT)
    K_FS: Value  # IU/L: FSH at half-maximal Sertoli drive
    K_IS: Value  # nmol/L: ITT at half-maximal Sertoli drive
    K_inhF: Value  # IU/L: FSH at half-maximal acute inhibin B secretion
    beta_inh: Value  # 1: FSH-independent inhibin B secretion (sets the 75 % under sup
    tau_sg: Value  # d: mean transit from spermatogonial entry to spermiation (64 d
    n_stages: Value  # 1: stages of the Erlang chain
    tau_epi: Value  # d: epididymal and vas transit
    DSP0: Value  # M/d: daily sperm production at baseline
    eta_ejac: Value  # 1: share of epididymal output recovered in the ejaculate (gives
    abstinence: Value  # d: abstinence interval of the reported semen analysis
    semen_volume: Value  # mL: semen volume
    progressive_fraction: Value  # 1: progressively motile fraction used for TMSC
    EC50_ITT: Value  # nmol/L: ITT at half-maximal spermatogenic support (15 % of ITT0)
    n_ITT: Value  # 1: Hill exponent of ITT support
    floor_F: Value  # 1: spermatogenic support kept without FSH (ITT alone partly mai
    K_F_sg: Value  # IU/L: FSH at half-maximal spermatogenic support
    n_F_sg: Value  # 1: Hill exponent of FSH spermatogenic support
    floor_TF: Value  # 1: share of the ITT-dependent support FSH carries when ITT is low
    mu_max: Value  # 1/d: maximal germ-cell loss at meiotic/spermiogenic stages when s
    first_loss_stage: Value  # 1: first chain stage subject to hormone-dependent loss (spermat
    K_mu: Value  # 1: spermatogenic support at half-maximal germ-cell loss
    n_mu: Value  # 1: steepness of the germ-cell loss as support fails
    n_stage_select: Value  # 1: steepness of the smooth selector of the lossy stages
    k_rg: Value  # 1/d: spermatogonial-reserve regeneration (1/90 d)
    k_dg: Value  # 1/d: spermatogonial-reserve loss without support (1/270 d)
    K_Srg: Value  # 1: reserve drive at half of the reserve's maintenance
    n_Srg: Value  # 1: steepness of the reserve's dependence on its drive
    w_sr: Value  # 1: share of reserve regeneration that needs surviving reserve (self-renewal)
    w_T_rg: Value  # 1: weight of ITT in the reserve's drive (FSH's weight is 1)
    k_seed: Value  # 1/d: FSH-driven seeding of the reserve from a prepubertal pool
    K_seed: Value  # IU/L: FSH at half-maximal seeding from the prepubertal pool
    age_ref: Value  # yr: age of the reference man
    leydig_age_decline: Value  # 1/yr: fall of Leydig capacity per year after age_ref
    shbg_age_rise: Value  # 1/yr: rise of SHBG synthesis per year after age_ref
    dsp_age_decline: Value  # 1: lower daily sperm production at 51-80 y than at 21-50 y
    gnrh_age_decline: Value  # 1/yr: fall of GnRH feed-forward efficacy per year after age_ref (d
    # ---- covariate modifiers (reference man = neutral values); see personalise()
    prl: Value = 8.0  # ng/mL: serum prolactin
    leydig_factor: Value = 1.0  # Leydig capacity relative to the reference man (age)
    shbg_factor: Value = 1.0  # SHBG synthesis relative to the reference man (age, thyroid)
    dsp_factor: Value = 1.0  # daily sperm production relative to the reference man (age)
    gnrh_factor: Value = 1.0  # GnRH pulse mass relative to the reference man (age)
    mcr_factor: Value = 1.0  # testosterone clearance relative to the reference man (thyroid)
    aromatase_factor: Value = 1.0  # peripheral aromatisation relative to the reference man (BMI)
    inhibin_factor: Value = 1.0  # inhibin B output per Sertoli function (infertile men: less)
    fsh_need: Value = 1.0  # FSH his spermatogonial entry needs, relative to the reference man
    sg_pool: Value = 0.0  # prepubertal spermatogonial pool never seeded (congenital HH), 0-1

    def replace(self, **changes: Value) -> Parameters:
        """A copy with some values changed (validated like a loaded table)."""
        unknown = sorted(set(changes) - {f.name for f in dataclasses.fields(self)})
        if unknown:
            raise ParameterError(
                "parameter", unknown[0], "a field of androcast.model.Parameters"
            )
        return dataclasses.replace(self, **changes)


_REQUIRED_KEYS = ("unit", "source", "confidence", "symbol", "description")
_CONFIDENCE = ("good", "moderate", "weak", "guess")


def _value(name: str, entry: Mapping[str, Any]) -> float:
    """The entry's own value, or, without one, the value of its evidence source.

    A constant that the evidence tables already hold (a binding constant, a molar mass) is
    written once there; the parameter names the key and must state the same unit, so the
    labs and the model can never use two different numbers for it.
    """
    if "value" in entry:
        return float(entry["value"])
    try:
        cited = evidence(str(entry["source"]))
    except KeyError:
        raise ParameterError(
            f"parameters.yaml:{name}.value", None, "a value, or a source that is an evidence key"
        ) from None
    if str(cited.unit) != str(entry["unit"]):
        raise ParameterError(f"parameters.yaml:{name}.unit", entry["unit"],
                             f"the unit of {entry['source']}: {cited.unit}")
    return float(cited.value)


@cache
def parameter_table() -> Mapping[str, ParameterInfo]:
    """The packaged parameter table with provenance, keyed by field name."""
    text = resources.files("androcast.model").joinpath("data/parameters.yaml").read_text("utf-8")
    raw = load_data(text)
    table: dict[str, ParameterInfo] = {}
    for name, entry in raw.items():
        missing = [k for k in _REQUIRED_KEYS if k not in entry]
        if missing:
            raise ParameterError(
                f"parameters.yaml:{name}", entry, f"the keys {list(_REQUIRED_KEYS)}"
            )
        if entry["confidence"] not in _CONFIDENCE:
            raise ParameterError(
                f"parameters.yaml:{name}.confidence",
                entry["confidence"],
                "one of good, moderate, weak, guess",
            )
        table[name] = ParameterInfo(
            name=name,
            value=_value(name, entry),
            unit=str(entry["unit"]),
            source=str(entry["source"]),
            confidence=str(entry["confidence"]),
            symbol=str(entry["symbol"]),
            description=str(entry["description"]),
        )
    return table


@cache
def reference_parameters() -> Parameters:
    """The young eugonadal reference man (age 30 y, prolactin and thyroid normal)."""
    table = parameter_table()
    declared = {f.name for f in dataclasses.fields(Parameters) if f.default is dataclasses.MISSING}
    if set(table) != declared:
        extra = sorted(set(table) ^ declared)
        raise ParameterError("parameters.yaml", extra[0], "the same names as Parameters' fields")
    return Parameters(**{name: info.value for name, info in table.items()})


@dataclass(frozen=True)
class Covariates:
    """What the model uses about a man beyond his hormones. ``None`` = reference value."""

    age_years: float | None = None
    bmi: float | None = None
    prolactin_ng_per_ml: float | None = None
    thyroid: str | None = None  # "hypo" | "hyper" | None (euthyroid)


#: Johnson 1984 compares men of 21-50 y with men of 51-80 y: daily sperm production steps
#: down around 50 y; the step is smoothed over a few years (design choice, not a source).
AGE_DSP_STEP_YEARS = 50.0
AGE_DSP_STEP_WIDTH_YEARS = 3.0
#: Peripheral aromatisation rises with fat mass (hpg-model.md 6.2(f), direction only): +3 %
#: per kg/m2 of BMI above 25, the upper limit of normal weight (magnitude a design choice).
BMI_AROMATASE_RISE_PER_UNIT = 0.03
BMI_REFERENCE = 25.0

_THYROID = {
    # (SHBG synthesis, T clearance, prolactin) multipliers; directions from Saez 1972
    # (hyperthyroidism raises SHBG, lowers T MCR) and hpg-model.md 6.2(f) (hypothyroidism
    # lowers SHBG, raises prolactin). Magnitudes are design choices.
    "hyper": (1.8, 0.8, 1.0),
    "hypo": (0.7, 1.0, 1.5),
}


def personalise(p: Parameters, cov: Covariates) -> Parameters:
    """Map a man's covariates onto parameters (age, BMI, prolactin, thyroid): ``p`` with
    :func:`personal_changes`."""
    return p.replace(**personal_changes(p, cov))


def personal_changes(p: Parameters, cov: Covariates) -> dict[str, Value]:
    """The parameters :func:`personalise` sets for a man's covariates, and their values
    (a cohort reads them for each man without building a ``Parameters`` per man: that copy
    was most of a virtual man's Python time).

    Age (beyond ``age_ref``): Leydig capacity falls by ``leydig_age_decline`` per year,
    SHBG synthesis rises by ``shbg_age_rise`` per year, GnRH pulse mass falls by
    ``gnrh_age_decline`` per year (Keenan 2006 direction) and daily sperm production is
    ``dsp_age_decline`` lower from age 50 (Johnson 1984). BMI above 25 raises peripheral
    aromatisation by 3 % per unit (direction: aromatase rises with fat mass); both as the
    named constants above.
    """
    changes: dict[str, Value] = {}
    if cov.age_years is not None:
        if not 12.0 <= cov.age_years <= 100.0:
            raise ParameterError("age_years", cov.age_years, "12-100 years")
        years = max(cov.age_years - float(p.age_ref), 0.0)
        changes["leydig_factor"] = math.exp(-float(p.leydig_age_decline) * years)
        changes["shbg_factor"] = 1.0 + float(p.shbg_age_rise) * years
        changes["gnrh_factor"] = math.exp(-float(p.gnrh_age_decline) * years)
        # smooth step around 50 y so that 51-80 y is dsp_age_decline below 21-50 y
        step = 1.0 / (1.0 + math.exp(-(cov.age_years - AGE_DSP_STEP_YEARS)
                                     / AGE_DSP_STEP_WIDTH_YEARS))
        changes["dsp_factor"] = 1.0 - float(p.dsp_age_decline) * step
    if cov.bmi is not None:
        if not 10.0 <= cov.bmi <= 80.0:
            raise ParameterError("bmi", cov.bmi, "10-80 kg/m2")
        changes["aromatase_factor"] = 1.0 + BMI_AROMATASE_RISE_PER_UNIT * max(
            cov.bmi - BMI_REFERENCE, 0.0)
    prl = float(p.PRL0) if cov.prolactin_ng_per_ml is None else cov.prolactin_ng_per_ml
    if prl < 0:
        raise ParameterError("prolactin_ng_per_ml", prl, "a concentration >= 0 ng/mL")
    if cov.thyroid is not None:
        if cov.thyroid not in _THYROID:
            raise ParameterError("thyroid", cov.thyroid, "one of hypo, hyper or None")
        shbg, mcr, prl_mult = _THYROID[cov.thyroid]
        changes["shbg_factor"] = changes.get("shbg_factor", 1.0) * shbg
        changes["mcr_factor"] = mcr
        prl *= prl_mult
    changes["prl"] = prl
    return changes
