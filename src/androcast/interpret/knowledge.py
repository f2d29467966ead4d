"""Packaged knowledge of the interpreter: code vocabularies, extra thresholds and references.

Thresholds are looked up by evidence key: a key of androcast's evidence tables, or
``interpret.<key>`` for the few thresholds shipped in ``interpret/thresholds.yaml``. A rule
never repeats a number; it names the key, and the key carries unit and source.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from androcast._yaml import load_data
from androcast.errors import UnknownCodeError
from androcast.evidence import Evidence, bibliography, evidence
from androcast.interpret.values import Quantity, normalise_unit

LOCAL_PREFIX = "interpret."


@cache
def _data(name: str) -> Any:
    text = resources.files("androcast.interpret").joinpath(name).read_text(encoding="utf-8")
    return load_data(text)


@cache
def vocabulary() -> Mapping[str, frozenset[str]]:
    """Allowed codes per output kind (pattern, causes, actions, cautions, prognosis, findings)."""
    data = _data("vocabulary.yaml")
    return {kind: frozenset(codes) for kind, codes in data.items() if kind != "refines"}


@cache
def refinements() -> Mapping[str, frozenset[str]]:
    """Cause -> the more general causes it refines (ranked after it at equal confidence)."""
    data = _data("vocabulary.yaml").get("refines", {})
    return {str(k): frozenset(v) for k, v in data.items()}


@cache
def references() -> Mapping[str, str]:
    """Every citation key a rule may use -> full reference (evidence tables + our additions)."""
    refs = dict(bibliography())
    for key, text in _data("bibliography.yaml").items():
        refs.setdefault(str(key), str(text))
    return refs


def reference(key: str) -> str:
    try:
        return references()[key]
    except KeyError:
        raise UnknownCodeError(
            "citation",
            key,
            "a key of androcast.evidence.bibliography() or interpret/bibliography.yaml",
        ) from None


def lookup_evidence(key: str) -> Evidence:
    """An evidence record from the shared tables or from ``interpret/thresholds.yaml``."""
    if key.startswith(LOCAL_PREFIX):
        local: Mapping[str, Any] = _data("thresholds.yaml")
        leaf = local.get(key[len(LOCAL_PREFIX) :])
        if not isinstance(leaf, dict):
            raise UnknownCodeError(
                "evidence key", key, "a key of interpret/thresholds.yaml after 'interpret.'"
            )
        source = leaf.get("source")
        return Evidence(
            key=key,
            value=leaf["value"],
            unit=leaf.get("unit"),
            source=tuple(source) if isinstance(source, list) else ((source,) if source else ()),
            flag=leaf.get("flag"),
            comparator=leaf.get("comparator"),
            note=leaf.get("note"),
            raw=leaf,
        )
    return evidence(key)


_PARTS = {"low": 0, "high": 1}


def threshold(key: str, part: str | None = None) -> Quantity:
    """A threshold as a quantity: ``part`` picks "low"/"high" of a range or a labelled entry."""
    record = lookup_evidence(key)
    value: Any = record.value
    if isinstance(value, list) and part in _PARTS and len(value) == 2:
        value = value[_PARTS[part]]
    elif isinstance(value, dict) and part is not None and part in value:
        value = value[part]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise UnknownCodeError(
            "evidence key",
            key if part is None else f"{key}:{part}",
            "a key whose value is one number (give 'low'/'high' or a label for ranges)",
        )
    unit = normalise_unit(record.unit or "1")
    shown = key if part is None else f"{key}:{part}"
    flag = "" if record.flag in (None, "V") else f"; flag {record.flag}"
    label = f"{value:g} {unit} [{shown}; {record.citation}{flag}]"
    return Quantity(value=float(value), unit=unit, label=label)
