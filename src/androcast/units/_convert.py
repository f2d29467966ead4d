"""Parsing and converting units; every failure is a UnitError naming the field."""

from __future__ import annotations

import math
import threading
from functools import lru_cache

import pint

from androcast.errors import UnitError
from androcast.units._registry import Affine, context_for, substance_of, ureg
from androcast.units._spelling import normalise, ucum

_UNIT_EXAMPLES = "a unit such as ng/dL, nmol/L, IU/L, m[IU]/mL, pg/mL, 10*6/mL or %"


@lru_cache(maxsize=1024)
def _parse(text: str) -> pint.Unit | None:
    try:
        return ureg.parse_units(normalise(text))
    except Exception:  # pint raises several unrelated types on bad text
        return None


def parse_unit(text: str, *, field: str = "unit") -> pint.Unit:
    """The pint unit for a UCUM (``m[IU]/mL``) or common (``mIU/mL``, ``M/mL``) spelling."""
    unit = _parse(text) if isinstance(text, str) and text.strip() else None
    if unit is None:
        raise UnitError(field, text, _UNIT_EXAMPLES)
    return unit


# pint activates a context on the registry itself, for every thread: a conversion in one
# thread while another builds its context graph failed ('NoneType' object is not
# subscriptable: 500s on the web app under load, issue 20). Contexts are used one at a time.
_CONTEXTS = threading.Lock()


@lru_cache(maxsize=4096)
def _contextual_factor(source: pint.Unit, target: pint.Unit, substance: str) -> float:
    """What one ``source`` is in ``target`` through ``substance``'s context. Each of these
    contexts only scales (a molar mass, an assay's IU equivalent: ``_registry._Scale``), so
    the factor is found once, under the lock, and no later conversion activates a context."""
    with _CONTEXTS:
        return float(ureg.Quantity(1.0, source).to(target, context_for(substance)).magnitude)


def _as_unit(unit: str | pint.Unit, field: str) -> pint.Unit:
    return unit if isinstance(unit, pint.Unit) else parse_unit(unit, field=field)


def convert(
    value: float,
    from_unit: str | pint.Unit,
    to_unit: str | pint.Unit,
    *,
    analyte: str | None = None,
    field: str = "unit",
) -> float:
    """``value`` in ``from_unit`` expressed in ``to_unit``.

    Conversions between mass, amount of substance and International Units need ``analyte``
    (its molar mass or assay standard, see ``units/data/conversions.yaml``); without one
    they are refused, never guessed.
    """
    source, target = _as_unit(from_unit, field), _as_unit(to_unit, field)
    if source == target:  # the same unit: the value itself (what pint returns, ~50x faster)
        return float(value)
    quantity = ureg.Quantity(float(value), source)
    substance = substance_of(analyte) if analyte is not None else None
    if substance is not None and substance.affine is not None:
        affine = _affine(float(value), source, target, substance.affine)
        if affine is not None:
            return affine
    if source.dimensionality == target.dimensionality:
        return float(quantity.to(target).magnitude)
    if substance is None:
        pair = f"{to_ucum(source)} -> {to_ucum(target)}"
        if analyte is None:
            raise UnitError(
                field,
                pair,
                "an analyte for a conversion between mass, molar and International Units "
                "(the factor depends on the analyte)",
            )
        raise UnitError(
            field,
            pair,
            f"units of the same dimension for {analyte} "
            "(no molar mass or assay standard is known for it)",
        )
    try:
        magnitude = float(value) * _contextual_factor(source, target, substance.name)
    except pint.DimensionalityError:
        raise UnitError(
            field,
            f"{to_ucum(source)} -> {to_ucum(target)}",
            f"units convertible for {analyte}",
        ) from None
    if not math.isfinite(magnitude):
        raise UnitError(field, value, "a finite value")
    return magnitude


def _affine(value: float, source: pint.Unit, target: pint.Unit, rule: Affine) -> float | None:
    """Apply an affine rule when the units are its pair (either way round), else None."""
    rule_source, rule_target = parse_unit(rule.source), parse_unit(rule.target)
    if source == rule_source and target == rule_target:
        return rule.slope * value + rule.intercept
    if source == rule_target and target == rule_source:
        return (value - rule.intercept) / rule.slope
    return None


def to_ucum(unit: str | pint.Unit) -> str:
    """The UCUM spelling of a unit (for FHIR): ``mIU/mL`` -> ``m[IU]/mL``."""
    return ucum(ureg, _as_unit(unit, "unit"))


def display_unit(ucum_unit: str) -> str:
    """A UCUM unit as clinicians write it: ``[IU]/L`` -> ``IU/L``, ``m[IU]/mL`` -> ``mIU/mL``.

    Display only: data and FHIR keep the UCUM spelling.
    """
    return ucum_unit.replace("[", "").replace("]", "")


def same_dimension(first: str | pint.Unit, second: str | pint.Unit) -> bool:
    """Whether two units measure the same kind of quantity (no analyte factor needed)."""
    return bool(_as_unit(first, "unit").dimensionality == _as_unit(second, "unit").dimensionality)
