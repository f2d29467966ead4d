"""Unit spellings: UCUM as in FHIR and the common clinical spellings, both ways."""

from __future__ import annotations

import re
from typing import Any

import pint
from pint.util import to_units_container

# Whole spellings that pint would misread ("M" is molar to pint; here it is 10^6 sperm).
_WHOLE = {
    "%": "percent",
    "M/mL": "million/mL",
    "M/ml": "million/mL",
    "M": "million",
    "M/ejaculate": "million",
    "10*6": "million",
    "10^6": "million",
    "1": "dimensionless",
}

_PARTS = (
    (re.compile(r"\{[^}]*\}"), ""),  # UCUM annotations such as {sperm}
    (re.compile(r"\[(?:IU|iU)\]"), "IU"),  # UCUM [IU]
    (re.compile(r"10\*6|10\^6"), "million"),
    (re.compile(r"[µμ]"), "u"),
    (re.compile(r"(?<![A-Za-z])mc(?=g)"), "u"),  # mcg
    # Hormone labs write "mU/L" or "uU/mL" for milli/micro International Units.
    (re.compile(r"(?<![A-Za-z])([mu]?)U(?=/|$)"), r"\1IU"),
    (re.compile(r"(?<=[A-Za-z])\.(?=[A-Za-z])"), "*"),  # UCUM product "g.L" -> g*L
    (re.compile(r"(?<=[A-Za-z])(\d+)"), r"**\1"),  # UCUM powers "m2" -> m**2
)


def normalise(text: str) -> str:
    """The pint spelling of a UCUM or common clinical unit string."""
    stripped = text.strip()
    if stripped in _WHOLE:
        return _WHOLE[stripped]
    out = stripped
    for pattern, replacement in _PARTS:
        out = pattern.sub(replacement, out)
    return out


_PREFIXES = {
    "": "",
    "femto": "f",
    "pico": "p",
    "nano": "n",
    "micro": "u",
    "milli": "m",
    "centi": "c",
    "deci": "d",
    "kilo": "k",
}
_SYMBOLS = {
    "gram": "g",
    "liter": "L",
    "mole": "mol",
    "international_unit": "[IU]",
    "percent": "%",
    "million": "10*6",
    "day": "d",
    "week": "wk",
    "minute": "min",
    "hour": "h",
    "second": "s",
    "month": "mo",
    "year": "a",
    "meter": "m",
}


def _ucum_symbol(ureg: pint.UnitRegistry[Any], name: str, exponent: float) -> str:
    prefix, base, _suffix = ureg.parse_unit_name(name)[0]
    symbol = _PREFIXES.get(prefix, prefix) + _SYMBOLS.get(base, base)
    power = abs(exponent)
    return symbol if power == 1 else f"{symbol}{power:g}"


def ucum(ureg: pint.UnitRegistry[Any], unit: pint.Unit) -> str:
    """UCUM spelling of a pint unit: ``nanogram / deciliter`` -> ``ng/dL``."""
    container = to_units_container(unit)
    powers = {name: float(exponent) for name, exponent in container.items()}  # type: ignore[arg-type]
    numerator = [_ucum_symbol(ureg, n, e) for n, e in powers.items() if e > 0]
    denominator = [_ucum_symbol(ureg, n, e) for n, e in powers.items() if e < 0]
    top = ".".join(numerator) or "1"
    return f"{top}/{'/'.join(denominator)}" if denominator else top
