"""One laboratory result: unit to canonical, impossible values, unit mix-ups, its interval."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from typing import Any

from androcast.errors import LabValueError, UnitError, UnitMixupError, UnknownCodeError
from androcast.labs import _fields
from androcast.labs._catalogue import (
    Analyte,
    ReferenceInterval,
    analyte,
    analyte_keys,
    default_reference,
)
from androcast.labs._model import LabResult
from androcast.units import convert, parse_unit

RESULT_KEYS = ("date", "analyte", "value", "unit", "reference", "confirmed", "time", "fasting")
_CLOCK = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")
INTERVAL_KEYS = ("low", "high", "unit", "source", "population")


def canonical_value(entry: Analyte, value: float, unit: str, field: str) -> float:
    """``value`` in ``unit`` expressed in the analyte's canonical unit.

    Only the catalogue's units are accepted (in any spelling): a unit that merely has the
    right dimension can still be wrong (HbA1c in mmol/mol is not a fraction of 1000).
    """
    parsed = parse_unit(unit, field=field)
    if all(parsed != parse_unit(known) for known in entry.accepted_units) and not (
        _scales_an_accepted_unit(entry, parsed)
    ):
        raise UnitError(
            field, unit, f"a unit for {entry.key}: one of {', '.join(entry.accepted_units)}"
        )
    return convert(value, unit, entry.canonical_unit, analyte=entry.key, field=field)


def _scales_an_accepted_unit(entry: Analyte, parsed: Any) -> bool:
    """A unit of the same dimension as an accepted one (ug/L beside ng/dL): a pure scaling.

    Dimensionless units are excluded: a fraction is not a fraction of something else
    (HbA1c % is not mmol/mol), so only the catalogue's own spellings of them count.
    """
    if parsed.dimensionless:
        return False
    return any(parse_unit(k).dimensionality == parsed.dimensionality for k in entry.accepted_units)


def reference_interval(key: str, raw: Any, field: str, *, default_source: str) -> ReferenceInterval:
    """A laboratory's own interval (``{low, high, unit, source}``) in the canonical unit."""
    data = _fields.mapping(raw, field, "a mapping with low and/or high, unit and source")
    _fields.only_keys(data, INTERVAL_KEYS, field)
    entry = analyte(key)
    unit = data.get("unit", entry.canonical_unit)
    if not isinstance(unit, str):
        raise UnitError(f"{field}.unit", unit, f"a unit for {key}")
    limits: list[float | None] = []
    for side in ("low", "high"):
        number = data.get(side)
        if number is None:
            limits.append(None)
            continue
        number = _fields.finite(number, f"{field}.{side}", "a finite number")
        limits.append(canonical_value(entry, number, unit, f"{field}.unit"))
    low, high = limits
    if low is None and high is None:
        raise LabValueError(field, "no limits", "a low and/or a high limit")
    # equal limits would call every value but one abnormal: an entry error, like low > high
    if low is not None and high is not None and low >= high:
        raise LabValueError(f"{field}.high", data.get("high"), f"above low ({data.get('low')})")
    source = data.get("source", default_source)
    population = data.get("population", "as reported by the laboratory")
    return ReferenceInterval(low, high, entry.canonical_unit, str(source), str(population))


def _fmt(value: float) -> str:
    """Four significant digits without exponents for the magnitudes of lab values."""
    return f"{value:.0f}" if abs(value) >= 1e4 else f"{value:.4g}"


def _in(bounds: tuple[float, float], value: float) -> bool:
    return bounds[0] <= value <= bounds[1]


def _likely_unit(entry: Analyte, number: float, canonical: float) -> str | None:
    """Another accepted unit in which ``number`` would be typical, if the stated one is not."""
    if _in(entry.typical, canonical):
        return None
    best: tuple[float, str] | None = None
    centre = math.sqrt(max(entry.typical[0], 1e-9) * entry.typical[1])
    for candidate in entry.accepted_units:
        alternative = convert(number, candidate, entry.canonical_unit, analyte=entry.key)
        if math.isclose(alternative, canonical, rel_tol=1e-6) or not _in(
            entry.typical, alternative
        ):
            continue
        distance = abs(math.log(max(alternative, 1e-12) / centre))
        if best is None or distance < best[0]:
            best = (distance, candidate)
    return best[1] if best else None


def _check_plausible(
    entry: Analyte, number: float, unit: str, canonical: float, field: str
) -> None:
    low, high = entry.plausible
    if number < 0 or not low <= canonical <= high:
        in_unit = [
            convert(limit, entry.canonical_unit, unit, analyte=entry.key) for limit in (low, high)
        ]
        raise LabValueError(
            field,
            number,
            f"a value from {_fmt(in_unit[0])} to {_fmt(in_unit[1])} {unit} for {entry.key}",
        )


def _check_mixup(entry: Analyte, number: float, unit: str, canonical: float, field: str) -> None:
    likely = _likely_unit(entry, number, canonical)
    if likely is None:
        return
    typical = [
        convert(limit, entry.canonical_unit, unit, analyte=entry.key) for limit in entry.typical
    ]
    meant = convert(number, likely, unit, analyte=entry.key)
    raise UnitMixupError(
        field,
        f"{number:g} {unit}",
        f"a value typical for {entry.key} in {unit} ({_fmt(typical[0])}-{_fmt(typical[1])} {unit})",
        hint=(
            f"{number:g} {likely} = {_fmt(meant)} {unit} would be typical: check the unit, "
            f"or add confirmed: true if {number:g} {unit} is right"
        ),
    )


def _clock_time(value: Any, field: str) -> dt.time | None:
    """``"08:40"`` (24 h clock) as a time; YAML may also give minutes since midnight."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
        return dt.time(value // 60, value % 60)  # YAML 1.1 reads 08:40 unquoted as 520
    match = _CLOCK.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise LabValueError(field, value, "a clock time HH:MM (24 h), e.g. '08:40'")
    return dt.time(int(match.group(1)), int(match.group(2)))


def parse_result(
    raw: Any,
    field: str,
    *,
    as_of: dt.date,
    lab_intervals: Mapping[str, ReferenceInterval],
    age_years: float | None,
) -> LabResult:
    """One ``labs:`` entry of a case file as a validated LabResult."""
    data = _fields.mapping(raw, field, "a mapping with date, analyte, value and unit")
    _fields.only_keys(data, RESULT_KEYS, field)
    key = data.get("analyte")
    if not isinstance(key, str):
        raise UnknownCodeError(f"{field}.analyte", key, f"one of {', '.join(analyte_keys())}")
    entry = analyte(key, field=f"{field}.analyte")
    when = _fields.date(data.get("date"), f"{field}.date", as_of=as_of)
    number, censor = _fields.result_value(data.get("value"), f"{field}.value")
    unit = data.get("unit")
    if not isinstance(unit, str):
        raise UnitError(
            f"{field}.unit",
            unit,
            f"a unit for {entry.key}: one of {', '.join(entry.accepted_units)}",
        )
    canonical = canonical_value(entry, number, unit, f"{field}.unit")
    confirmed = data.get("confirmed", False)
    if not isinstance(confirmed, bool):
        raise LabValueError(f"{field}.confirmed", confirmed, "true or false")
    if censor is None and not confirmed:
        _check_mixup(entry, number, unit, canonical, f"{field}.value")
    _check_plausible(entry, number, unit, canonical, f"{field}.value")
    time = _clock_time(data.get("time"), f"{field}.time")
    fasting = _fields.flag(data.get("fasting"), f"{field}.fasting")
    if "reference" in data:
        reference = reference_interval(
            entry.key, data["reference"], f"{field}.reference", default_source="laboratory"
        )
    else:
        reference = lab_intervals.get(entry.key) or default_reference(
            entry.key, age_years=age_years
        )
    return LabResult(
        analyte=entry.key,
        date=when,
        value=canonical,
        unit=entry.canonical_unit,
        censor=censor,
        reported_value=number,
        reported_unit=unit,
        reference=reference,
        confirmed=confirmed,
        time=time,
        fasting=fasting,
    )
