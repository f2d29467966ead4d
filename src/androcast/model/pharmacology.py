"""Drug species of the model: PK compartments, PD role and how a dose enters them.

A *species* is one pharmacologically distinct molecule with its own compartments:
clomiphene citrate is split into enclomiphene and zuclomiphene, tamoxifen forms endoxifen.
Every species has four amount states (depot, slow depot, central, peripheral; unused ones
stay at zero). PK values come from the drug catalogue (:func:`androcast.drugs.get_drug`);
PD potencies come from the model's parameter table. The equations that use them are lines
of :func:`androcast.model.rhs.rhs`; this module only assembles data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum

from androcast.drugs import Drug, DrugKind, get_drug
from androcast.errors import RegimenError, SimulationError
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
