"""Reading the regimen file of DESIGN.md into a checked ``Regimen``.

```yaml
- {drug: testosterone_cypionate, dose: 200 mg, route: im, every: 7 d, start: -540 d, stop: 0 d}
- {drug: gonadorelin, dose: 5 ug, route: sc_pump, every: 90 min, start: 0 d, duration: 28 d}
```
Quantities are parsed with the project's unit registry; doses are checked against the
accepted range of the drug's route (its data file names the source).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from androcast.drugs import Drug, Route, get_drug
from androcast.errors import (
    DoseRangeError,
    InputFileError,
    RegimenError,
    UnitError,
    UnknownCodeError,
)
from androcast.regimens._spec import Regimen, RegimenEntry
from androcast.units import ureg

# The model's horizon: a regimen's times lie within 50 years before time 0 (a long androgen
# history) and 20 years after it; beyond that a time is a typing error, and simulating it
# would take minutes of computation and gigabytes of memory.
EARLIEST_D = -50 * 365.25
LATEST_D = 20 * 365.25
_HORIZON = (
    f"a time from {EARLIEST_D:g} d (50 years before time 0) to {LATEST_D:g} d (20 years after)"
)
MAX_DOSES = 100_000  # doses of one entry (a pump's pulse every 90 min for a year: 5,844)
_KEYS = ("drug", "dose", "route", "every", "start", "stop", "duration", "rate")
_TIME_EXAMPLE = "a time such as '7 d', '90 min', '2 wk' or '-540 d'"


def load_regimen(path: str | Path) -> Regimen:
    """Read a regimen file (YAML or JSON list of entries)."""
    file = Path(path)
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except OSError as err:
        hint = err.strerror or ""
        raise InputFileError("regimen", str(file), "a readable regimen file", hint) from None
    except yaml.YAMLError as err:
        hint = str(err).splitlines()[0]
        raise InputFileError("regimen", str(file), "YAML or JSON", hint) from None
    return parse_regimen(data, source=file.name)


def parse_regimen(data: Any, *, source: str = "regimen") -> Regimen:
    """Check a list of entry mappings and turn it into a ``Regimen``."""
    if data is None:
        return Regimen(())
    if not isinstance(data, Sequence) or isinstance(data, str | bytes):
        raise InputFileError(source, type(data).__name__, "a list of regimen entries")
    return Regimen(tuple(_entry(item, f"{source}[{i}]") for i, item in enumerate(data)))


def _entry(item: Any, field: str) -> RegimenEntry:
    if not isinstance(item, Mapping):
        raise RegimenError(field, item, "a mapping with drug, dose, route, every, start, stop")
    for key in item:
        if key not in _KEYS:
            raise RegimenError(f"{field}.{key}", item[key], "one of the keys " + ", ".join(_KEYS))
    drug = _drug(item.get("drug"), f"{field}.drug")
    route = _route(drug, item.get("route"), f"{field}.route")
    start_d = _days(item.get("start", "0 d"), f"{field}.start")
    every_d = _every(item, route, f"{field}.every")
    stop_d = _stop(item, start_d, every_d, f"{field}")
    dose = _dose(item, drug, route, every_d, field)
    return RegimenEntry(
        drug=drug.code,
        dose=dose,
        dose_unit=route.dose_unit,
        route=route.route,
        every_d=every_d,
        start_d=start_d,
        stop_d=stop_d,
    )


def _drug(code: Any, field: str) -> Drug:
    try:
        return get_drug(str(code))
    except UnknownCodeError as err:
        raise UnknownCodeError(field, code, err.expected) from None


def _route(drug: Drug, route: Any, field: str) -> Route:
    if route is None and len(drug.routes) == 1:
        return next(iter(drug.routes.values()))  # the only way to give it
    try:
        return drug.route(str(route))
    except RegimenError as err:
        raise RegimenError(field, route, err.expected) from None


def quantity(value: Any, field: str, expected: str) -> Any:
    """A pint quantity from text such as ``'200 mg'``; a bare number has no unit."""
    if isinstance(value, bool) or not isinstance(value, str):
        raise UnitError(field, value, expected)
    try:
        return ureg.Quantity(value.strip())
    except Exception:  # pint raises several unrelated types on bad text
        raise UnitError(field, value, expected) from None


@lru_cache(maxsize=1024)  # pint's parse was most of a regimen's ~1 ms; texts repeat
def _magnitude(text: str, unit: str) -> float | None:
    """``text`` (e.g. ``'150 mg'``) as a float in ``unit``, or None when it is not a quantity
    of that unit's dimension (the caller then reports why, naming its field)."""
    try:
        q: Any = ureg.Quantity(text.strip())
    except Exception:  # pint raises several unrelated types on bad text
        return None
    target = ureg.Quantity(1.0, unit).units
    if q.dimensionality != target.dimensionality:
        return None
    return float(q.to(target).magnitude)


def _days(value: Any, field: str) -> float:
    """A time in days, finite and within the model's horizon (``EARLIEST_D``-``LATEST_D``)."""
    if isinstance(value, str) and len(value) > 40:
        raise RegimenError(field, f"{value[:40]}... ({len(value)} characters)", _TIME_EXAMPLE)
    days = _magnitude(value, "day") if isinstance(value, str) else None
    if days is None:
        q = quantity(value, field, _TIME_EXAMPLE)
        if q.dimensionality != ureg.day.dimensionality:
            raise UnitError(field, value, _TIME_EXAMPLE)
        days = float(q.to(ureg.day).magnitude)
    if not math.isfinite(days) or not EARLIEST_D <= days <= LATEST_D:
        raise RegimenError(field, value, _HORIZON)
    return days


def _every(item: Mapping[str, Any], route: Route, field: str) -> float | None:
    if "rate" in item:
        if "every" in item or "dose" in item:
            raise RegimenError(field, item.get("every"), "either rate, or dose with every")
        return 1.0  # a rate is an amount per day
    if "every" not in item:
        if route.continuous:
            raise RegimenError(field, None, f"an interval for the {route.route} amount, or a rate")
        return None
    every_d = _days(item["every"], field)
    if every_d <= 0:
        raise RegimenError(field, item["every"], "a positive interval")
    bounds = route.interval_range_d
    if bounds is not None and not bounds[0] - 1e-9 <= every_d <= bounds[1] + 1e-9:
        raise RegimenError(
            field,
            item["every"],
            f"an interval of {_span_days(bounds)} for the {route.route} route ({route.source})",
        )
    return every_d


def _span_days(bounds: tuple[float, float]) -> str:
    low, high = bounds
    if high < 1:
        return f"{low * 1440:g}-{high * 1440:g} min"
    return f"{low:g}-{high:g} d" if low != high else f"{low:g} d"


def _stop(item: Mapping[str, Any], start_d: float, every_d: float | None, field: str) -> float:
    if "stop" in item and "duration" in item:
        raise RegimenError(f"{field}.duration", item["duration"], "either stop or duration")
    if "stop" in item:
        stop_d = _days(item["stop"], f"{field}.stop")
        if stop_d < start_d:
            raise RegimenError(
                f"{field}.stop", item["stop"], f"a stop on or after the start ({start_d:g} d)"
            )
    elif "duration" in item:
        duration_d = _days(item["duration"], f"{field}.duration")
        if duration_d < 0:
            raise RegimenError(f"{field}.duration", item["duration"], "a non-negative duration")
        stop_d = start_d + duration_d
    elif every_d is None:
        return start_d  # a single dose
    else:
        raise RegimenError(f"{field}.stop", None, "a stop or a duration for a repeated dose")
    if every_d is None and stop_d > start_d:
        raise RegimenError(f"{field}.every", None, "an interval for a dose repeated until stop")
    if stop_d > LATEST_D:
        raise RegimenError(f"{field}.stop", f"{stop_d:g} d", _HORIZON)
    if every_d is not None and (stop_d - start_d) / every_d > MAX_DOSES:
        raise RegimenError(
            f"{field}.every", item.get("every"), f"at most {MAX_DOSES} doses from start to stop"
        )
    return stop_d


def _dose(
    item: Mapping[str, Any], drug: Drug, route: Route, every_d: float | None, field: str
) -> float:
    key = "rate" if "rate" in item else "dose"
    text = item.get(key)
    if text is None:
        raise RegimenError(f"{field}.dose", None, f"a dose such as '10 {route.dose_unit}'")
    unit = route.dose_unit
    amount = _magnitude(text, f"{unit}/d" if key == "rate" else unit) if isinstance(
        text, str) else None
    if amount is None:  # not a quantity of the right dimension: say why
        target = ureg.Quantity(1.0, f"{unit}/d" if key == "rate" else unit)
        example = f"'10 {unit}/d'" if key == "rate" else f"'10 {unit}'"
        q = quantity(text, f"{field}.{key}", f"a {key} in {target.units:~} such as {example}")
        if q.dimensionality != target.dimensionality:
            raise UnitError(
                f"{field}.{key}", text,
                f"a {key} convertible to {unit}{'/d' if key == 'rate' else ''}")
        amount = float(q.to(target.units).magnitude)
    if amount <= 0:
        raise RegimenError(f"{field}.{key}", text, "a positive amount")
    if not route.accepts(amount, every_d):
        raise DoseRangeError(f"{field}.{key}", text, route.accepted(drug.code))
    return amount
