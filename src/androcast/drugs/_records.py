"""Validation of one drug record (YAML) and resolution of its PK values from the evidence.

A PK entry is either a literal (``value``, ``unit``, ``source``, ``flag``, ``confidence``),
a reference to an evidence key (``from``; optionally ``item``/``index`` inside a structured
value and ``as: rate_from_half_life``), or a ``ratio`` of two references (``ke = CL/V``).
References keep each published number in one place: the evidence table.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Annotated, Any, Literal

import pint
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from androcast.drugs._types import ROUTES, Drug, DrugKind, Param, Route
from androcast.errors import InputFileError, RegimenError
from androcast.evidence import evidence
from androcast.units import ureg

FLAGS = ("V", "V-code", "V-secondary", "D", "U", "G")
CONFIDENCES = ("good", "moderate", "weak", "guess")
ASSUMPTION = "androcast-assumption"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class LiteralParam(_Strict):
    value: float
    unit: str
    source: str
    flag: Literal["V", "V-code", "V-secondary", "D", "U", "G"]
    confidence: Literal["good", "moderate", "weak", "guess"]
    note: str = ""


class EvidenceRef(_Strict):
    key: str = Field(alias="from")
    item: str | None = None  # key inside a mapping value, e.g. CL_F_L_h
    index: int | None = None  # position inside a list value, e.g. a range
    unit: str | None = None  # unit of the referenced number when the table says "mixed"


class EvidenceParam(EvidenceRef):
    transform: Literal["value", "rate_from_half_life", "complement"] = Field("value", alias="as")
    note: str = ""


class RatioParam(_Strict):
    ratio: tuple[EvidenceRef, EvidenceRef]
    note: str = ""


ParamSpec = Annotated[LiteralParam | EvidenceParam | RatioParam, Field(union_mode="left_to_right")]


class RouteSpec(_Strict):
    dose_unit: Literal["mg", "IU", "ug", "ng/kg"]
    dose_range: tuple[float, float]
    interval_range_d: tuple[float, float] | None
    bioavailability: Annotated[float, Field(gt=0, le=1)]
    source: str
    ka_per_d: ParamSpec | None = None
    note: str = ""
    absorption: Literal["first_order", "zero_order"] = "first_order"
    absorption_duration_d: ParamSpec | None = None  # zero_order: release time per dose

    @field_validator("dose_range", "interval_range_d")
    @classmethod
    def _ordered(cls, bounds: tuple[float, float] | None) -> tuple[float, float] | None:
        if bounds is not None and not 0 < bounds[0] <= bounds[1]:
            raise ValueError("must be [low, high] with 0 < low <= high")
        return bounds


class DrugSpec(_Strict):
    code: str
    name: str
    kind: DrugKind
    site_of_action: str
    sources: tuple[str, ...]
    routes: dict[str, RouteSpec] = {}
    pk: dict[str, ParamSpec] = {}
    androgen_equivalence: ParamSpec | None = None

    @field_validator("routes")
    @classmethod
    def _known_routes(cls, routes: dict[str, RouteSpec]) -> dict[str, RouteSpec]:
        unknown = sorted(set(routes) - set(ROUTES))
        if unknown:
            raise ValueError(f"unknown route {unknown[0]!r}; expected one of {', '.join(ROUTES)}")
        return routes


def _unit_for(name: str) -> str:
    """The unit a conventional PK name implies (``ke_per_d`` is per day, ``v_l`` litres)."""
    if name.endswith("_l_per_d"):
        return "L/d"
    if name.endswith("_per_d"):
        return "1/d"
    if name.endswith("_ng_per_ml"):
        return "ng/mL"
    if name.endswith("_g_per_mol"):
        return "g/mol"
    if name.endswith("_l"):
        return "L"
    if name.endswith("_d"):
        return "d"
    return "1"


def _number(ref: EvidenceRef) -> tuple[pint.Quantity[float], str, str, str]:
    """The referenced evidence number as a quantity, with its key, flag and confidence."""
    ev = evidence(ref.key)
    value: Any = ev.value
    label = ref.key
    if ref.item is not None:
        value = value[ref.item]
        label += f".{ref.item}"
    if ref.index is not None:
        value = value[ref.index]
        label += f"[{ref.index}]"
    unit = ref.unit or ev.unit or "1"
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise ValueError(f"evidence {label} is not a number")
    confidence = str((ev.raw or {}).get("confidence", "moderate"))
    return ureg.Quantity(float(value), unit), label, ev.flag or "U", confidence


_WEAKER_FLAGS = ("U", "G")
_CONFIDENCE_ORDER = {c: i for i, c in enumerate(CONFIDENCES)}


def _derived_flag(flags: list[str], transformed: bool) -> str:
    weak = [f for f in flags if f in _WEAKER_FLAGS]
    if weak:
        return "G" if "G" in weak else "U"
    if not transformed and len(flags) == 1:
        return flags[0]
    return "D"


def _weakest(confidences: list[str]) -> str:
    return max(confidences, key=lambda c: _CONFIDENCE_ORDER.get(c, len(CONFIDENCES)))


def resolve_param(name: str, spec: LiteralParam | EvidenceParam | RatioParam) -> Param:
    """Turn a parameter spec into a ``Param`` in the unit its name implies."""
    if isinstance(spec, LiteralParam):
        return Param(spec.value, spec.unit, spec.source, spec.flag, spec.confidence, spec.note)
    target = _unit_for(name)
    if isinstance(spec, EvidenceParam):
        quantity, label, flag, confidence = _number(spec)
        if spec.transform == "rate_from_half_life":
            quantity = math.log(2) / quantity
        elif spec.transform == "complement":
            quantity = 1 - quantity
        value = float(quantity.to(target).magnitude)
        transformed = spec.transform != "value"
        return Param(
            value, target, label, _derived_flag([flag], transformed), confidence, spec.note
        )
    (num, num_label, num_flag, num_conf), (den, den_label, den_flag, den_conf) = (
        _number(spec.ratio[0]),
        _number(spec.ratio[1]),
    )
    value = float((num / den).to(target).magnitude)
    flag = _derived_flag([num_flag, den_flag], transformed=True)
    return Param(
        value, target, f"{num_label}; {den_label}", flag, _weakest([num_conf, den_conf]), spec.note
    )


def _location(loc: tuple[int | str, ...]) -> str:
    return ".".join(
        str(part) for part in loc if not str(part).startswith(("LiteralParam", "Evidence", "Ratio"))
    )


def _resolve(
    filename: str, code: str, field: str, name: str, spec: LiteralParam | EvidenceParam | RatioParam
) -> Param:
    try:
        return resolve_param(name, spec)
    except (ValueError, KeyError, TypeError, pint.PintError) as err:
        raise InputFileError(
            f"{filename}: {code}.{field}", str(err), "a resolvable parameter"
        ) from None


def _route(filename: str, code: str, name: str, r: RouteSpec) -> Route:
    """One route, its parameters resolved; an inconsistent absorption names its field."""
    field = f"routes.{name}"
    ka = (_resolve(filename, code, f"{field}.ka_per_d", "ka_per_d", r.ka_per_d)
          if r.ka_per_d is not None else None)
    duration = (_resolve(filename, code, f"{field}.absorption_duration_d",
                         "absorption_duration_d", r.absorption_duration_d)
                if r.absorption_duration_d is not None else None)
    try:
        return Route(route=name, dose_unit=r.dose_unit, dose_range=r.dose_range,
                     interval_range_d=r.interval_range_d, bioavailability=r.bioavailability,
                     source=r.source, ka_per_d=ka, note=r.note, absorption=r.absorption,
                     absorption_duration_d=duration)
    except RegimenError as err:
        raise InputFileError(f"{filename}: {code}.{field}.{err.field.split('.')[-1]}",
                             err.value, err.expected) from None


def build_drug(data: Mapping[str, Any], *, filename: str) -> Drug:
    """Validate one record and resolve its parameters; errors name file, drug and field."""
    code = str(data.get("code", "?")) if isinstance(data, Mapping) else "?"
    try:
        spec = DrugSpec.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        raise InputFileError(
            f"{filename}: {code}.{_location(first['loc'])}",
            first.get("input"),
            first["msg"],
        ) from None
    if spec.code != filename.removesuffix(".yaml"):
        raise InputFileError(f"{filename}: code", spec.code, "the file name without .yaml")
    pk = {name: _resolve(filename, code, f"pk.{name}", name, p) for name, p in spec.pk.items()}
    routes = {name: _route(filename, code, name, r) for name, r in spec.routes.items()}
    equivalence = (
        _resolve(
            filename,
            code,
            "androgen_equivalence",
            "androgen_equivalence",
            spec.androgen_equivalence,
        )
        if spec.androgen_equivalence is not None
        else None
    )
    if equivalence is not None:
        pk["androgen_equivalence"] = equivalence
    return Drug(
        code=spec.code,
        name=spec.name,
        kind=spec.kind,
        routes=routes,
        pk=pk,
        site_of_action=spec.site_of_action,
        androgen_equivalence=equivalence.value if equivalence is not None else None,
        sources=spec.sources,
    )
