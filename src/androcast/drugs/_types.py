"""The drug catalogue's data types: a drug, its routes and its PK parameters with provenance."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from androcast.errors import RegimenError


class DrugKind(StrEnum):
    """What a drug is, as far as the HPG model and the case history are concerned."""

    testosterone = "testosterone"  # esters and gel: measured by testosterone assays
    aas = "aas"  # non-testosterone anabolic steroids: suppress, invisible to T assays
    serm = "serm"
    aromatase_inhibitor = "aromatase_inhibitor"
    gonadotropin = "gonadotropin"  # hcg, fsh
    gnrh = "gnrh"  # gonadorelin
    gnrh_agonist = "gnrh_agonist"
    gnrh_antagonist = "gnrh_antagonist"
    medication_class = "medication_class"  # history only: opioid, glucocorticoid, ...


#: Kinds that restore the axis (SERMs, aromatase inhibitors, hCG/FSH, gonadorelin): taken
#: now, they are part of a man's state for the assessment and the twin.
RESTORATION_KINDS = (
    DrugKind.serm,
    DrugKind.aromatase_inhibitor,
    DrugKind.gonadotropin,
    DrugKind.gnrh,
)


#: Routes a regimen may name. Continuous routes compile to infusions, the rest to boluses
#: (or, for a zero-order route, to one constant-rate segment per administration).
ROUTES = ("im", "sc", "oral", "transdermal", "sc_pump", "iv_infusion", "sc_infusion")
CONTINUOUS_ROUTES = frozenset({"iv_infusion", "sc_infusion"})
#: How an administration enters the body: a bolus into a first-order depot, or a constant
#: rate over ``absorption_duration_d`` (zero order, e.g. a skin reservoir).
ABSORPTIONS = ("first_order", "zero_order")


@dataclass(frozen=True)
class Param:
    """One PK parameter: its value in ``unit``, where it comes from and how sure we are.

    ``source`` is an evidence key (``parameters.serm_ai.enclomiphene_halflife``) when the
    value is read or derived from the evidence tables, otherwise citation keys joined by
    ``"; "`` or ``"androcast-assumption"`` for a model design choice (flag ``G``).
    """

    value: float
    unit: str
    source: str
    flag: str
    confidence: str
    note: str = ""


@dataclass(frozen=True)
class Route:
    """One way of giving a drug, with the accepted dose per administration.

    For continuous routes (``iv_infusion``, ``sc_infusion``) ``dose_range`` is the amount
    per day. ``ka_per_d`` overrides the drug's ``pk["ka_per_d"]`` for this route's depot.
    A ``zero_order`` route releases each administration at a constant rate over
    ``absorption_duration_d`` (its ``dose_range`` stays per administration).
    """

    route: str
    dose_unit: str
    dose_range: tuple[float, float]
    interval_range_d: tuple[float, float] | None
    bioavailability: float
    source: str
    ka_per_d: Param | None = None
    note: str = ""
    absorption: str = "first_order"  # one of ABSORPTIONS
    absorption_duration_d: Param | None = None  # zero_order only, in days

    def accepts(self, amount: float, every_d: float | None) -> bool:
        """Whether ``amount`` (in ``dose_unit``, per administration) is in the accepted range
        (continuous routes: the amount per day, hence ``every_d``)."""
        checked = amount / every_d if self.continuous and every_d else amount
        low, high = self.dose_range
        return low * (1 - 1e-9) <= checked <= high * (1 + 1e-9)

    def accepted(self, drug: str) -> str:
        """The accepted range in words, with its source (for the message that refuses one)."""
        low, high = self.dose_range
        per = "per day" if self.continuous else "per administration"
        return (f"{low:g}-{high:g} {self.dose_unit} {per} of {drug} by the {self.route} "
                f"route ({self.source})")

    def __post_init__(self) -> None:
        if self.absorption not in ABSORPTIONS:
            raise RegimenError(f"{self.route}.absorption", self.absorption,
                               "one of " + ", ".join(ABSORPTIONS))
        duration = self.absorption_duration_d
        if not self.zero_order:
            if duration is not None:
                raise RegimenError(f"{self.route}.absorption_duration_d", duration.value,
                                   "no release duration unless absorption is zero_order")
            return
        if self.continuous:
            raise RegimenError(f"{self.route}.absorption", self.absorption,
                               "first_order on a continuous route (already a constant rate)")
        if self.ka_per_d is not None:
            raise RegimenError(f"{self.route}.ka_per_d", self.ka_per_d.value,
                               "no first-order absorption rate on a zero_order route")
        if duration is None or duration.unit != "d" or not duration.value > 0:
            raise RegimenError(
                f"{self.route}.absorption_duration_d",
                None if duration is None else f"{duration.value:g} {duration.unit}",
                "a positive release duration in d for a zero_order route")

    @property
    def continuous(self) -> bool:
        return self.route in CONTINUOUS_ROUTES

    @property
    def zero_order(self) -> bool:
        """Each administration is a constant-rate segment, not a bolus."""
        return self.absorption == "zero_order"

    @property
    def release_d(self) -> float:
        """How long one administration of a zero-order route is released for (days)."""
        assert self.absorption_duration_d is not None  # __post_init__ checks it
        return self.absorption_duration_d.value


@dataclass(frozen=True)
class Drug:
    """One drug or formulation of the catalogue."""

    code: str
    name: str
    kind: DrugKind
    routes: Mapping[str, Route]
    pk: Mapping[str, Param]
    site_of_action: str
    androgen_equivalence: float | None  # provenance in pk["androgen_equivalence"]
    sources: tuple[str, ...]

    def route(self, route: str) -> Route:
        """The named route; a route the drug lacks is a ``RegimenError`` listing its routes."""
        try:
            return self.routes[route]
        except KeyError:
            known = ", ".join(self.routes) or "none (not directly dosable)"
            raise RegimenError(f"{self.code}.route", route, f"one of: {known}") from None

    def ka_per_d(self, route: str) -> float | None:
        """Absorption rate from the route's depot (route override, else the drug's)."""
        override = self.route(route).ka_per_d
        if override is not None:
            return override.value
        param = self.pk.get("ka_per_d")
        return param.value if param is not None else None
