"""Small validators for case-file fields: each returns a clean value or raises, naming the field."""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import pint

from androcast.errors import (
    AndrocastError,
    CaseProblems,
    DateError,
    IdentifierError,
    InputFileError,
    LabValueError,
    RegimenError,
    UnitError,
    UnknownCodeError,
)
from androcast.labs._model import Censor
from androcast.units import parse_unit, ureg

T = TypeVar("T")

_CENSORED = re.compile(r"^\s*([<>])\s*=?\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*$")
EARLIEST_DATE = dt.date(1900, 1, 1)
MAX_IDENTIFIER = 64
# Letters, digits and a few separators (ASCII only: a Cyrillic "Р001" must not become a
# second "P001"); inner spaces are single.
_IDENTIFIER = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._:+#-]| (?! ))*$")
RESERVED_IDENTIFIERS = frozenset({"new", "import", "list", "search", "export"})
IDENTIFIER_EXPECTED = (
    f"1-{MAX_IDENTIFIER} characters: letters A-Z, digits, single spaces and . _ : + # - "
    "(beginning with a letter or digit; not 'new')"
)
_MAX_SHOWN = 80
_AMOUNT = re.compile(r"^\s*([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*(.+?)\s*$")


class Problems:
    """Every problem of one case, collected so that all are reported together.

    ``check(read, ...)`` runs one reader; its error is kept and ``None`` returned, so the
    caller goes on to the next field. ``raise_if_any`` raises the single problem itself, or
    a :class:`CaseProblems` listing every one.
    """

    def __init__(self) -> None:
        self.items: list[AndrocastError] = []

    def check(self, read: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        try:
            return read(*args, **kwargs)
        except CaseProblems as err:
            self.items.extend(err.problems)
        except AndrocastError as err:
            self.items.append(err)
        return None

    def add(self, error: AndrocastError) -> None:
        self.items.append(error)

    def raise_if_any(self, source: str) -> None:
        if len(self.items) == 1:
            raise self.items[0]
        if self.items:
            raise CaseProblems(source, self.items)


def mapping(value: Any, field: str, expected: str) -> Mapping[str, Any]:
    """``value`` as a mapping with string keys, or InputFileError."""
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise InputFileError(field, _short(value), expected)
    return value


def sequence(value: Any, field: str, expected: str) -> list[Any]:
    """``value`` as a list (None = empty), or InputFileError."""
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise InputFileError(field, _short(value), expected)
    return list(value)


def only_keys(entry: Mapping[str, Any], allowed: tuple[str, ...], field: str) -> None:
    """Reject keys a reader does not know (a typo would otherwise drop a value silently)."""
    for key in entry:
        if key not in allowed and key != "notes":
            expected = f"one of {', '.join(allowed)}"
            raise InputFileError(f"{field}.{key}", _short(entry[key]), expected)


def _short(value: Any) -> Any:
    """Values that go into messages: containers are named, not dumped; long text is cut."""
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, str) and len(value) > _MAX_SHOWN:
        return f"{value[:_MAX_SHOWN]}... ({len(value)} characters)"
    return value


def identifier(value: Any, field: str) -> str:
    """A patient identifier as stored and looked up: NFKC-normalised (full-width "Ｐ００１" is
    "P001"), trimmed of white space (" P001", "P001\r\n"), runs of spaces made one; then
    letters, digits and a few separators.

    Invisible or control characters (BOM, zero-width space, CR/LF, NUL, lone surrogates), a
    "/" (its page would be unreachable), look-alike letters of other scripts, reserved words
    of the pages' paths ("new") and more than ``MAX_IDENTIFIER`` characters are refused.
    """
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise IdentifierError(field, _short(value), IDENTIFIER_EXPECTED)
    text = str(value)
    if len(text) > 4 * MAX_IDENTIFIER:  # not worth normalising
        raise IdentifierError(field, _short(text), IDENTIFIER_EXPECTED)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        raise IdentifierError(field, text.encode("utf-8", "replace").decode(),
                             IDENTIFIER_EXPECTED) from None
    normal = re.sub(" +", " ", unicodedata.normalize("NFKC", text).strip())
    if (
        not normal
        or len(normal) > MAX_IDENTIFIER
        or not _IDENTIFIER.match(normal)
        or normal.lower() in RESERVED_IDENTIFIERS
    ):
        shown = text.encode("unicode_escape").decode("ascii") if text != normal or not (
            text.isprintable()) else text
        raise IdentifierError(field, _short(shown), IDENTIFIER_EXPECTED)
    return normal


def finite(value: Any, field: str, expected: str) -> float:
    """A finite float from a YAML/JSON number (booleans are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise LabValueError(field, _short(value), expected)
    try:
        number = float(value)
    except OverflowError:
        raise LabValueError(field, value, expected) from None
    if not math.isfinite(number):
        raise LabValueError(field, value, expected)
    return number


def bounded(
    value: Any, field: str, low: float, high: float, unit: str, *, allow_none: bool = True
) -> float | None:
    """An optional number within [low, high] (``unit`` names the range in the message)."""
    if value is None and allow_none:
        return None
    expected = f"a number from {low:g} to {high:g} {unit}".rstrip()
    number = finite(value, field, expected)
    if not low <= number <= high:
        raise LabValueError(field, number, expected)
    return number


def result_value(value: Any, field: str) -> tuple[float, Censor | None]:
    """A laboratory value: a number, a numeric string, or a censored ``"<0.2"``/``">1500"``."""
    expected = "a number or a censored value such as '<0.2' or '>1500'"
    if isinstance(value, str):
        censored = _CENSORED.match(value)
        if censored:
            side: Censor = "<" if censored.group(1) == "<" else ">"
            return finite(float(censored.group(2)), field, expected), side
        try:
            number = float(value)
        except ValueError:
            raise LabValueError(field, value, expected) from None
        return finite(number, field, expected), None
    return finite(value, field, expected), None


def date(value: Any, field: str, *, as_of: dt.date) -> dt.date:
    """An ISO date (YAML date, datetime or ``"YYYY-MM-DD"`` text) from 1900 on and not after
    ``as_of``."""
    if isinstance(value, dt.datetime):
        parsed = value.date()
    elif isinstance(value, dt.date):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise DateError(field, _short(value), "an ISO date YYYY-MM-DD") from None
    else:
        raise DateError(field, _short(value), "an ISO date YYYY-MM-DD")
    if parsed > as_of:
        expected = f"a date on or before {as_of.isoformat()} (as of)"
        raise DateError(field, parsed.isoformat(), expected)
    if parsed < EARLIEST_DATE:
        raise DateError(field, parsed.isoformat(), f"a date from {EARLIEST_DATE.isoformat()} on")
    return parsed


def optional_date(value: Any, field: str, *, as_of: dt.date) -> dt.date | None:
    return None if value is None else date(value, field, as_of=as_of)


def code(value: Any, field: str, known: tuple[str, ...]) -> str:
    """One code of a closed vocabulary (an unknown one lists the known ones)."""
    if not isinstance(value, str) or value not in known:
        raise UnknownCodeError(field, _short(value), f"one of {', '.join(known)}")
    return value


def flag(value: Any, field: str) -> bool | None:
    """An optional yes/no field (true, false or absent)."""
    if value is None or isinstance(value, bool):
        return value
    raise InputFileError(field, _short(value), "true, false or null")


def text(value: Any, field: str) -> str | None:
    """Optional free text."""
    if value is None or isinstance(value, str):
        return value
    raise InputFileError(field, _short(value), "text")


def amount(value: Any, field: str, expected: str) -> tuple[float, pint.Unit]:
    """``"200 mg"`` or ``"7 d"`` as (number, pint unit); the number must be positive."""
    if not isinstance(value, str):
        raise RegimenError(field, _short(value), expected)
    match = _AMOUNT.match(value)
    if not match:
        raise RegimenError(field, value, expected)
    number = float(match.group(1))
    try:
        unit = parse_unit(match.group(2), field=field)
    except UnitError:
        raise RegimenError(field, value, expected) from None
    if not math.isfinite(number) or number <= 0:
        raise RegimenError(field, value, expected)
    return number, unit


def interval_days(value: Any, field: str) -> float:
    """A dosing interval (``"7 d"``, ``"2 wk"``, ``"90 min"``) in days."""
    expected = "an interval with a time unit, e.g. '7 d', '2 wk' or '90 min'"
    number, unit = amount(value, field, expected)
    if unit.dimensionality != ureg.get_dimensionality("[time]"):
        raise RegimenError(field, value, expected)
    return float(ureg.Quantity(number, unit).to("day").magnitude)


def dose(value: Any, field: str) -> tuple[float, str]:
    """A dose (``"200 mg"``, ``"5000 IU"``, ``"50 ug"``) as (number, "mg" | "ug" | "IU")."""
    expected = "a dose with a unit, e.g. '200 mg', '5000 IU' or '50 ug'"
    number, unit = amount(value, field, expected)
    quantity = ureg.Quantity(number, unit)
    if unit.dimensionality == ureg.get_dimensionality("[mass]"):
        in_mg = float(quantity.to("mg").magnitude)
        return (in_mg, "mg") if in_mg >= 1 else (in_mg * 1000.0, "ug")
    if unit.dimensionality == ureg.get_dimensionality("[biological_activity]"):
        return float(quantity.to("IU").magnitude), "IU"
    raise RegimenError(field, value, expected)
