"""The conception model's parameters, read from ``data/parameters.yaml`` (each with provenance)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from androcast._yaml import load_data


@dataclass(frozen=True)
class ConceptionParameters:
    """Beta-geometric heterogeneity, female-age anchors and male (semen) ratios."""

    beta_a: float
    beta_b: float
    age_anchor_years: tuple[float, ...]
    age_anchor_ratios: tuple[float, ...]
    plateau_concentration: float
    below_plateau_ratio: float
    tmsc_band_upper: tuple[float, ...]
    tmsc_band_ratio: tuple[float, ...]


@cache
def parameter_table() -> dict[str, Any]:
    """The whole data file: values with their sources, flags and what each was fitted to."""
    text = resources.files("androcast.conception").joinpath("data/parameters.yaml").read_text(
        encoding="utf-8")
    data = load_data(text)
    assert isinstance(data, dict)
    return data


@cache
def conception_parameters() -> ConceptionParameters:
    t = parameter_table()
    anchors = t["female_age"]["anchors"]
    bands = t["male"]["tmsc_bands"]
    return ConceptionParameters(
        beta_a=float(t["heterogeneity"]["beta_a"]["value"]),
        beta_b=float(t["heterogeneity"]["beta_b"]["value"]),
        age_anchor_years=tuple(float(a["age_years"]) for a in anchors),
        age_anchor_ratios=tuple(float(a["ratio"]) for a in anchors),
        plateau_concentration=float(t["male"]["plateau_concentration"]["value"]),
        below_plateau_ratio=float(t["male"]["below_plateau_ratio"]["value"]),
        tmsc_band_upper=tuple(float(b["below_m"]) for b in bands),
        tmsc_band_ratio=tuple(float(b["ratio"]) for b in bands),
    )
