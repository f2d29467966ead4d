"""Drug species of the model: PK compartments, PD role and how a dose enters them.

A *species* is one pharmacologically distinct molecule with its own compartments:
clomiphene citrate is split into enclomiphene and zuclomiphene, tamoxifen forms endoxifen.
Every species has four amount states (depot, slow depot, central, peripheral; unused ones
stay at zero). PK values come from the drug catalogue (:func:`androcast.drugs.get_drug`);
PD potencies come from the model's parameter table. :func:`drug_terms` gives the PK
equations of every species and what each adds to the axis by its role (:class:`DrugEffects`);
:func:`androcast.model.rhs.rhs` uses those effects.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from androcast.drugs import Drug, DrugKind, get_drug
from androcast.errors import RegimenError, SimulationError
from androcast.model._math import Expr, MathNamespace
from androcast.model._units import NG_PER_ML_PER_MG_PER_L
from androcast.model.parameters import Parameters


class Role(StrEnum):
    """Where a species acts in the HPG model."""

    testosterone = "testosterone"  # released T enters serum T (measured by T assays)
    androgen = "androgen"  # non-T AAS: androgen feedback only, invisible to T assays
    er_antagonist = "er_antagonist"  # hypothalamic estrogen-receptor blockade
    er_partial_agonist = "er_partial_agonist"  # zuclomiphene
    aromatase_inhibitor = "aromatase_inhibitor"
    lh_receptor_agonist = "lh_receptor_agonist"  # hCG
    fsh = "fsh"  # exogenous FSH, summed with endogenous FSH
    gnrh = "gnrh"  # gonadorelin: enters the portal GnRH compartment (no PK states)
    gnrh_agonist = "gnrh_agonist"
    gnrh_antagonist = "gnrh_antagonist"


STATES_PER_SPECIES = 4  # depot, slow depot, central, peripheral
DEPOT, DEPOT_SLOW, CENTRAL, PERIPHERAL = range(STATES_PER_SPECIES)


@dataclass(frozen=True)
class Species:
    """PK and PD constants of one species (rates per day, amounts in the dose unit)."""

    code: str
    role: Role
    ka: float
    ka_slow: float
    ke: float
    k12: float
    k21: float
    v_l: float  # central volume (L); concentrations: ng/mL = 1000 x mg / L, IU/L = IU / L
    potency: float  # role-specific: K (ng/mL), A50 (mg), EC50/IC50 (ng/mL), equivalence
    hill: float = 1.0
    metabolite_of: str | None = None
    formation_fraction: float = 0.0  # share of the parent's elimination forming this species
    efficacy: float = 0.0  # partial-agonist activity (ER) or Emax (GnRH agonist)


@dataclass(frozen=True)
class DoseTarget:
    """Where (a share of) an administered dose goes."""

    species: str
    compartment: int
    fraction: float


def _pk(drug: Drug, key: str, default: float | None = None) -> float:
    param = drug.pk.get(key)
    if param is not None:
        return float(param.value)
    if default is not None:
        return default
    raise SimulationError(
        f"{drug.code}.pk.{key}", None, f"a value for {key} in the drug catalogue",
        hint="the model cannot simulate this drug without it",
    )


def _role(drug: Drug) -> Role:
    by_code = {
        "enclomiphene": Role.er_antagonist,
        "tamoxifen": Role.er_antagonist,
        "endoxifen": Role.er_antagonist,
        "zuclomiphene": Role.er_partial_agonist,
        "clomiphene_citrate": Role.er_antagonist,  # a mixture: doses split into isomers
        "hcg": Role.lh_receptor_agonist,
        "fsh": Role.fsh,
    }
    by_kind = {
        DrugKind.testosterone: Role.testosterone,
        DrugKind.aas: Role.androgen,
        DrugKind.aromatase_inhibitor: Role.aromatase_inhibitor,
        DrugKind.gnrh: Role.gnrh,
        DrugKind.gnrh_agonist: Role.gnrh_agonist,
        DrugKind.gnrh_antagonist: Role.gnrh_antagonist,
    }
    if drug.code in by_code:
        return by_code[drug.code]
    if drug.kind in by_kind:
        return by_kind[drug.kind]
    raise RegimenError(
        "drug", drug.code, "a drug the HPG model can dose (not a history-only medication class)"
    )


_ER_POTENCY = {"enclomiphene": "K_enclomiphene", "tamoxifen": "K_tamoxifen",
               "endoxifen": "K_endoxifen", "zuclomiphene": "K_zuclomiphene"}
_AI_POTENCY = {"anastrozole": "A50_anastrozole", "letrozole": "A50_letrozole"}


def species_for(code: str, p: Parameters) -> Species:
    """The species record of one catalogue code (PK from the catalogue, PD from ``p``)."""
    drug = get_drug(code)
    role = _role(drug)
    ka = _pk(drug, "ka_per_d", 0.0)
    ke = _pk(drug, "ke_per_d", 0.0)
    base = Species(code=code, role=role, ka=ka, ka_slow=0.0, ke=ke,
                   k12=_pk(drug, "k12_per_d", 0.0), k21=_pk(drug, "k21_per_d", 0.0),
                   v_l=_pk(drug, "v_l", 1.0), potency=1.0)
    if role in (Role.testosterone, Role.lh_receptor_agonist, Role.fsh, Role.gnrh):
        return base
    if role is Role.androgen:
        return replace(base, potency=_pk(drug, "androgen_equivalence"))
    if role in (Role.er_antagonist, Role.er_partial_agonist):
        potency = float(getattr(p, _ER_POTENCY[code]))
        if code == "endoxifen":
            fraction = _pk(get_drug("tamoxifen"), "fraction_endoxifen")
            return replace(base, potency=potency, metabolite_of="tamoxifen",
                           formation_fraction=fraction)
        efficacy = float(p.eps_zuclomiphene) if role is Role.er_partial_agonist else 0.0
        return replace(base, potency=potency, efficacy=efficacy)
    if role is Role.aromatase_inhibitor:
        if code not in _AI_POTENCY:
            raise SimulationError(f"{code}.potency", None, "an A50 in the model parameter table")
        return replace(base, potency=float(getattr(p, _AI_POTENCY[code])))
    if role is Role.gnrh_agonist:
        return replace(base, potency=_pk(drug, "ec50_ng_per_ml"), hill=_pk(drug, "hill"),
                       efficacy=_pk(drug, "emax"))
    return replace(base, ka_slow=_pk(drug, "ka_slow_per_d", 0.0),
                   potency=_pk(drug, "ic50_ng_per_ml"), hill=_pk(drug, "hill"))


def species_codes_for(drugs: Iterable[str]) -> tuple[str, ...]:
    """The species a set of administered drugs needs, in a stable order."""
    out: list[str] = []
    for code in sorted(set(drugs)):
        if code == "clomiphene_citrate":
            out += ["enclomiphene", "zuclomiphene"]
        elif code == "tamoxifen":
            out += ["tamoxifen", "endoxifen"]
        elif _role(get_drug(code)) is not Role.gnrh:
            out.append(code)
    return tuple(dict.fromkeys(out))


def dose_targets(code: str, route: str) -> tuple[DoseTarget, ...]:
    """How one administered amount (in the route's dose unit) splits into compartments.

    Bioavailability and the testosterone mass fraction of an ester are applied here, so a
    depot holds absorbable amount (mg T for esters). Triptorelin's burst goes straight to
    the central compartment (Tornøe 2007: 60.5 % over 1.8 h, here instantaneous); degarelix
    splits into fast and slow depots. Gonadorelin has no PK states (see Role.gnrh).
    """
    drug = get_drug(code)
    f = drug.route(route).bioavailability
    if code == "clomiphene_citrate":
        return (DoseTarget("enclomiphene", DEPOT, f * _pk(drug, "fraction_enclomiphene")),
                DoseTarget("zuclomiphene", DEPOT, f * _pk(drug, "fraction_zuclomiphene")))
    role = _role(drug)
    if role is Role.testosterone:
        return (DoseTarget(code, DEPOT, f * _pk(drug, "testosterone_fraction")),)
    if code == "triptorelin":
        burst = _pk(drug, "burst_fraction")
        return (DoseTarget(code, CENTRAL, f * burst), DoseTarget(code, DEPOT, f * (1 - burst)))
    if role is Role.gnrh_antagonist and "slow_fraction" in drug.pk:
        slow = _pk(drug, "slow_fraction")
        return (DoseTarget(code, DEPOT, f * (1 - slow)), DoseTarget(code, DEPOT_SLOW, f * slow))
    return (DoseTarget(code, DEPOT, f),)


def route_ka(code: str, route: str) -> float | None:
    """A route-specific absorption rate overriding the drug's (e.g. hCG i.m.)."""
    override = get_drug(code).route(route).ka_per_d
    return None if override is None else float(override.value)


def is_gnrh(code: str) -> bool:
    return _role(get_drug(code)) is Role.gnrh


def build_species(drugs: Iterable[str], p: Parameters,
                  ka_overrides: Mapping[str, float] | None = None) -> tuple[Species, ...]:
    """Species records for a set of administered drug codes."""
    species = []
    for code in species_codes_for(drugs):
        sp = species_for(code, p)
        if ka_overrides and code in ka_overrides:
            sp = replace(sp, ka=ka_overrides[code])
        species.append(sp)
    return tuple(species)


@dataclass(frozen=True)
class DrugEffects:
    """What the drugs present do to the axis, summed over species (zero without drugs).

    Units: ``testosterone_mg_per_d`` and ``androgen_mg_teq_per_d`` (mg testosterone-
    equivalent) enter serum; ``er_block`` and ``zuclomiphene`` are sums of C/K at the
    hypothalamic oestrogen receptor, ``zuclomiphene_efficacy`` its partial-agonist activity;
    ``aromatase_load`` is the sum of amount/A50 of aromatase inhibitors; ``hcg_iu_per_l`` and
    ``fsh_iu_per_l`` are serum concentrations; ``gnrh_agonist_drive`` and
    ``gnrh_antagonist_load`` are in K_G units at the pituitary GnRH receptor.
    """

    testosterone_mg_per_d: Expr
    androgen_mg_teq_per_d: Expr
    er_block: Expr
    zuclomiphene: Expr
    zuclomiphene_efficacy: Expr
    aromatase_load: Expr
    hcg_iu_per_l: Expr
    fsh_iu_per_l: Expr
    gnrh_agonist_drive: Expr
    gnrh_antagonist_load: Expr


#: Which effect each role's species adds to (the testosterone and androgen roles add their
#: absorbed amount; the others a function of their concentration, below).
_EFFECT_OF_ROLE: dict[Role, str] = {
    Role.testosterone: "testosterone_mg_per_d",
    Role.androgen: "androgen_mg_teq_per_d",
    Role.er_antagonist: "er_block",
    Role.er_partial_agonist: "zuclomiphene",
    Role.aromatase_inhibitor: "aromatase_load",
    Role.lh_receptor_agonist: "hcg_iu_per_l",
    Role.fsh: "fsh_iu_per_l",
    Role.gnrh_agonist: "gnrh_agonist_drive",
    Role.gnrh_antagonist: "gnrh_antagonist_load",
}


def _effect(sp: Species, central: Expr, peripheral: Expr, p: Parameters, xp: MathNamespace) -> Expr:
    """One species' pharmacodynamic term, by its role (concentrations: ng/mL = 1000 mg/L)."""
    conc_ng_ml = NG_PER_ML_PER_MG_PER_L * central / sp.v_l
    if sp.role in (Role.er_antagonist, Role.er_partial_agonist):
        return conc_ng_ml / sp.potency  # C/K at the hypothalamic oestrogen receptor
    if sp.role is Role.aromatase_inhibitor:
        return (central + peripheral) / sp.potency  # amount/A50 (Emax in rhs)
    if sp.role in (Role.lh_receptor_agonist, Role.fsh):
        return central / sp.v_l  # IU/L
    if sp.role is Role.gnrh_agonist:
        # Tornøe 2007: E = Emax·H+(C; EC50, γ) multiplies basal release; here the agonist's
        # drive equals E times the baseline cycle-mean occupancy
        return sp.efficacy * xp.hill_up(conc_ng_ml, sp.potency, sp.hill) * (
            xp.log(1 + p.m0) / (p.k_G * p.tau0))
    if sp.role is Role.gnrh_antagonist:
        return (conc_ng_ml / sp.potency) ** sp.hill  # competitive load (C/IC50)^γ
    raise SimulationError(f"{sp.code}.role", str(sp.role), "a role with PK states")


def drug_terms(
    y_drugs: Sequence[Expr],
    drugs: Sequence[Species],
    infusion: Sequence[Expr],
    p: Parameters,
    xp: MathNamespace,
    zero: Expr,
) -> tuple[DrugEffects, list[Expr]]:
    """The drugs' effects on the axis and the derivatives of their PK states.

    ``y_drugs``: four amounts per species (depot, slow depot, central, peripheral);
    ``infusion``: per species, amount/d (empty: none); ``zero``: a zero of the states' shape.
    First-order absorption from both depots; one central compartment with an optional
    peripheral one; a metabolite (endoxifen) forms from its parent's elimination. Released
    testosterone and androgens are cleared like T within about an hour: quasi-steady, so
    their central and peripheral states stay at zero and the absorbed amount enters serum.
    """
    totals = {name: zero for name in _EFFECT_OF_ROLE.values()}
    efficacy: Expr = 0.0
    d_drugs: list[Expr] = []
    central_of: dict[str, Expr] = {}
    for j, sp in enumerate(drugs):
        o = STATES_PER_SPECIES * j
        depot, depot_slow, central, peripheral = (y_drugs[o], y_drugs[o + 1],
                                                  y_drugs[o + 2], y_drugs[o + 3])
        central_of[sp.code] = central
        absorbed = sp.ka * depot + sp.ka_slow * depot_slow + (infusion[j] if infusion else 0.0)
        d_depot = -sp.ka * depot
        d_depot_slow = -sp.ka_slow * depot_slow
        field_name = _EFFECT_OF_ROLE[sp.role]
        if sp.role in (Role.testosterone, Role.androgen):
            d_central = 0.0 * central
            d_peripheral = 0.0 * peripheral
            released = absorbed if sp.role is Role.testosterone else sp.potency * absorbed
            totals[field_name] = totals[field_name] + released
        else:
            formation = 0.0 * central
            if sp.metabolite_of is not None and sp.metabolite_of in central_of:
                parent = next(d for d in drugs if d.code == sp.metabolite_of)
                formation = sp.formation_fraction * parent.ke * central_of[sp.metabolite_of]
            d_central = absorbed + formation - (sp.ke + sp.k12) * central + sp.k21 * peripheral
            d_peripheral = sp.k12 * central - sp.k21 * peripheral
            totals[field_name] = totals[field_name] + _effect(sp, central, peripheral, p, xp)
            if sp.role is Role.er_partial_agonist:
                efficacy = sp.efficacy
        d_drugs += [d_depot, d_depot_slow, d_central, d_peripheral]
    return DrugEffects(zuclomiphene_efficacy=efficacy, **totals), d_drugs
