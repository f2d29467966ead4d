"""The packaged drug catalogue: one YAML record per drug or formulation in ``data/``."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import resources

from androcast._yaml import load_data
from androcast.drugs._records import build_drug
from androcast.drugs._types import Drug, DrugKind
from androcast.errors import UnknownCodeError


@cache
def _catalogue() -> Mapping[str, Drug]:
    folder = resources.files("androcast.drugs").joinpath("data")
    drugs: dict[str, Drug] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            data = load_data(entry.read_text(encoding="utf-8"))
            drug = build_drug(data, filename=entry.name)
            drugs[drug.code] = drug
    return drugs


def get_drug(code: str) -> Drug:
    """The catalogue record for ``code``; an unknown code lists the known ones."""
    try:
        return _catalogue()[code]
    except KeyError:
        raise UnknownCodeError("drug", code, "one of: " + ", ".join(_catalogue())) from None


def drug_codes(kind: DrugKind | None = None) -> tuple[str, ...]:
    """Every drug code (sorted), or those of one kind."""
    return tuple(code for code, d in _catalogue().items() if kind is None or d.kind is kind)
