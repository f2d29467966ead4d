"""What a person reads: words for codes, units as clinicians write them, numbers as labs
print them.

The pages, the printable report and the CLI tables show these; JSON and FHIR keep the codes,
UCUM units and full precision. The words are data (``names.yaml``); a code missing there is
shown with its underscores turned into spaces, so a code added elsewhere never reads as code.
"""

from __future__ import annotations

import math
from functools import cache
from importlib import resources
from typing import Any

from androcast._yaml import load_data

# UCUM spellings as a laboratory report prints them (display only).
_UNITS = {
    "10*6/mL": "million/mL",
    "10*6": "million",
    "10*9/L": "×10⁹/L",
    "10*12/L": "×10¹²/L",
    "ug/L": "µg/L",
    "ug/dL": "µg/dL",
    "umol/L": "µmol/L",
    "uIU/mL": "µIU/mL",
    "u[IU]/mL": "µIU/mL",
    "m[IU]/L": "mIU/L",
    "m[IU]/mL": "mIU/mL",
    "[IU]/L": "IU/L",
    "[IU]": "IU",
    "ug": "µg",
    "1": "",
}


@cache
def _names() -> dict[str, dict[str, str]]:
    text = resources.files("androcast.display").joinpath("names.yaml").read_text("utf-8")
    data = load_data(text)
    return {kind: {str(k): str(v) for k, v in (items or {}).items()} for kind, items in
            data.items()}


def kinds() -> tuple[str, ...]:
    """The kinds of code ``label`` knows words for (pattern, cause, finding, ...)."""
    return tuple(_names())


def known(kind: str) -> frozenset[str]:
    """The codes of ``kind`` that have words of their own."""
    return frozenset(_names().get(kind, {}))


def humanise(code: str) -> str:
    """A code without words of its own: ``some_new_code`` -> ``Some new code``."""
    text = code.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def label(kind: str, code: Any) -> str:
    """The words for ``code`` of ``kind`` (``label("pattern", "exogenous_suppression")``)."""
    if code is None:
        return ""
    text = str(code)
    known = _names().get(kind, {}).get(text)
    if known is not None:
        return known
    if kind == "outcome":
        return outcome(text)
    return humanise(text)


def protocol(row: Any) -> str:
    """A protocol of a forecast or plan (its JSON row) as he reads it: for a man on
    restoration drugs now, what it does to them (its ``name``: "Continue his current hCG
    ...", "Stop hCG; no restoration drug"); otherwise the protocol's words."""
    if row.get("change") and row.get("name"):
        return str(row["name"])
    return label("protocol", row.get("id"))


def outcome(code: str) -> str:
    """An outcome code in words: ``concentration_ge_20m_per_ml`` -> ``sperm concentration
    ≥ 20 million/mL``."""
    known = _names().get("outcome", {}).get(code)
    if known is not None:
        return known
    if code.startswith("concentration_ge_") and code.endswith("pct_baseline"):
        share = code.removeprefix("concentration_ge_").removesuffix("pct_baseline")
        return f"sperm concentration ≥ {share} % of his own baseline"
    for prefix, template in (
        ("concentration_ge_", "sperm concentration ≥ {x} million/mL"),
        ("tmsc_gt_", "total motile sperm count > {x} million"),
        ("total_count_ge_", "total sperm count ≥ {x} million"),
    ):
        if code.startswith(prefix):
            x = code[len(prefix):].removesuffix("_per_ml").removesuffix("m")
            return template.format(x=x)
    return humanise(code).lower()


def unit(ucum: str | None) -> str:
    """A UCUM unit as clinicians write it: ``[IU]/L`` -> ``IU/L``, ``10*6/mL`` ->
    ``million/mL``, ``ug/L`` -> ``µg/L``."""
    if not ucum:
        return ""
    if ucum in _UNITS:
        return _UNITS[ucum]
    text = ucum.replace("[", "").replace("]", "")
    return text.replace("u", "µ", 1) if text.startswith("u") and len(text) > 1 else text


def number(value: float | None, *, digits: int = 3) -> str:
    """A result as a laboratory prints it: three significant figures, whole numbers from
    100 on, no trailing zeros (3.294 -> 3.29, 1150.4 -> 1150, 0.30 -> 0.3)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    x = float(value)
    if x == 0:
        return "0"
    if abs(x) >= 10 ** (digits - 1):
        return f"{x:.0f}"
    decimals = digits - 1 - math.floor(math.log10(abs(x)))
    text = f"{x:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def bound(value: float) -> str:
    """A reference-interval limit as laboratories print it: whole numbers from 100 on, one
    decimal from 1 on, two significant figures below 1 (9.153 -> 9.2, 31.76 -> 31.8,
    0.2731 -> 0.27, 207.7 -> 208, 20.0 -> 20)."""
    x = float(value)
    if x == 0:
        return "0"
    if abs(x) >= 100:
        return f"{x:.0f}"
    if abs(x) >= 1:
        return f"{x:.1f}".removesuffix(".0")
    return number(x, digits=2)


def interval(low: float | None, high: float | None, ucum: str | None = None) -> str:
    """A reference interval as printed: ``9.2-31.8 nmol/L``, ``≤ 20 ng/L``, ``none``."""
    suffix = f" {unit(ucum)}" if ucum and unit(ucum) else ""
    if low is None and high is None:
        return "none"
    if low is None:
        return f"≤ {bound(high)}{suffix}"  # type: ignore[arg-type]
    if high is None:
        return f"≥ {bound(low)}{suffix}"
    return f"{bound(low)}–{bound(high)}{suffix}"


def every(days: float | None) -> str:
    """A dosing interval in words: 1 -> ``daily``, 2 -> ``every other day``, 7 -> ``weekly``."""
    if days is None:
        return ""
    d = float(days)
    words = {1.0: "daily", 2.0: "every other day", 7.0: "weekly", 14.0: "every 2 weeks",
             0.5: "twice daily"}
    if d in words:
        return words[d]
    if abs(d - 7 / 3) < 0.01:  # 2.333 d: three doses a week
        return "three times weekly"
    if d < 1:
        return f"every {number(d * 24)} h"
    return f"every {number(d)} days"


def parse_every(text: str | None) -> float | None:
    """``"2 d"`` / ``"90 min"`` / ``"12 h"`` -> days (None when not a duration)."""
    if not text:
        return None
    parts = str(text).split()
    if len(parts) != 2:
        return None
    try:
        amount = float(parts[0])
    except ValueError:
        return None
    per_day = {"d": 1.0, "h": 24.0, "min": 1440.0, "wk": 1 / 7, "w": 1 / 7}.get(parts[1])
    return None if per_day is None else amount / per_day


def dose(amount: Any, dose_unit: str | None = None) -> str:
    """``3000 IU``, ``25 mg`` from a number and unit, or a ``"3000 IU"`` string as is."""
    if dose_unit is None:
        return str(amount).replace("[IU]", "IU").replace("ug", "µg")
    return f"{number(float(amount))} {unit(dose_unit)}"


def check(what: str) -> str:
    """A plan check in words: ``hormones: testosterone_total, lh`` -> ``hormones:
    Testosterone, LH``."""
    head, _, rest = what.partition(": ")
    if not rest:
        return what
    names = [label("analyte", a.strip()) for a in rest.split(",")]
    return f"{head}: {', '.join(names)}"
