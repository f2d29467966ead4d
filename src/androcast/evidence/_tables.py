"""Loading of the packaged evidence tables (the only I/O here: our own package data)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from androcast._yaml import load_data
from androcast.errors import UnknownCodeError

_TABLES = ("reference_values.yaml", "model_parameters.yaml")
_META_KEYS = {"schema_version", "flags", "citations", "confidence_levels", "conventions"}


@dataclass(frozen=True)
class Evidence:
    """One published (or derived) value with its provenance."""

    key: str
    value: Any
    unit: str | None
    source: tuple[str, ...]
    flag: str | None
    comparator: str | None = None
    note: str | None = None
    raw: Mapping[str, Any] | None = None

    @property
    def citation(self) -> str:
        """The source keys joined for display, e.g. ``pavlovich2001; raman2002``."""
        return "; ".join(self.source)


@cache
def _load(name: str) -> Mapping[str, Any]:
    text = resources.files("androcast.evidence").joinpath(name).read_text(encoding="utf-8")
    data = load_data(text)
    assert isinstance(data, dict)
    return data


def _is_leaf(node: Any) -> bool:
    return isinstance(node, dict) and "value" in node and ("source" in node or "unit" in node)


def _as_sources(source: Any) -> tuple[str, ...]:
    if source is None:
        return ()
    if isinstance(source, list):
        return tuple(str(s) for s in source)
    return (str(source),)


def _walk(node: Mapping[str, Any], prefix: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for name, child in node.items():
        key = f"{prefix}.{name}" if prefix else str(name)
        if _is_leaf(child):
            yield key, child
        elif isinstance(child, dict):
            yield from _walk(child, key)


@cache
def _index() -> Mapping[str, Evidence]:
    out: dict[str, Evidence] = {}
    for table in _TABLES:
        data = _load(table)
        body = {k: v for k, v in data.items() if k not in _META_KEYS}
        for key, leaf in _walk(body, ""):
            out[key] = Evidence(
                key=key,
                value=leaf["value"],
                unit=leaf.get("unit"),
                source=_as_sources(leaf.get("source", leaf.get("provenance"))),
                flag=leaf.get("flag"),
                comparator=leaf.get("comparator"),
                note=leaf.get("note"),
                raw=leaf,
            )
    return out


def evidence(key: str) -> Evidence:
    """The evidence record under a dotted key; unknown keys raise ``UnknownCodeError``."""
    try:
        return _index()[key]
    except KeyError:
        raise UnknownCodeError(
            "evidence key", key, "a dotted key of reference_values.yaml or model_parameters.yaml"
        ) from None


def evidence_keys() -> tuple[str, ...]:
    return tuple(_index())


@cache
def bibliography() -> Mapping[str, str]:
    """Citation key -> full reference, from both evidence tables."""
    refs: dict[str, str] = {}
    for table in _TABLES:
        refs.update(_load(table).get("citations", {}) or {})
    return refs


def citation(key: str) -> str:
    """The full reference for a citation key; unknown keys raise ``UnknownCodeError``."""
    try:
        return bibliography()[key]
    except KeyError:
        raise UnknownCodeError("citation", key, "a key of the shipped bibliography") from None
