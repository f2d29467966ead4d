"""The catalogue's PK reproduces the published numbers in tests/reference/drug_pk.yaml."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from androcast.drugs import get_drug

REFERENCE: dict[str, Any] = yaml.safe_load(
    (Path(__file__).parents[1] / "reference" / "drug_pk.yaml").read_text(encoding="utf-8")
)


def _ref(key: str) -> tuple[float, float]:
    entry = REFERENCE[key]
    return float(entry["value"]), float(entry["tolerance"])


def _css_ng_per_ml(isomer: str, daily_clomiphene_mg: float) -> float:
    """Average steady-state concentration of a clomiphene isomer (1-compartment, linear)."""
    fraction = get_drug("clomiphene_citrate").pk[f"fraction_{isomer}"].value
    pk = get_drug(isomer).pk
    clearance_l_per_d = pk["ke_per_d"].value * pk["v_l"].value
    return daily_clomiphene_mg * fraction * 1e6 / (clearance_l_per_d * 1e3)  # ng / mL


def test_tamoxifen_half_life_matches_terheine2014() -> None:
    value, tol = _ref("tamoxifen_parent_half_life")
    half_life_h = math.log(2) / get_drug("tamoxifen").pk["ke_per_d"].value * 24
    assert half_life_h == pytest.approx(value, rel=tol)


def test_hcg_elimination_matches_hcg_label_terminal_half_life() -> None:
    value, tol = _ref("hcg_iv_terminal_half_life")
    half_life_h = math.log(2) / get_drug("hcg").pk["ke_per_d"].value * 24
    assert half_life_h == pytest.approx(value, rel=tol)


@pytest.mark.parametrize("isomer", ["enclomiphene", "zuclomiphene"])
def test_clomiphene_isomer_levels_match_helo2017(isomer: str) -> None:
    value, tol = _ref(f"{isomer}_css_on_clomiphene_25mg_daily")
    assert _css_ng_per_ml(isomer, 25.0) == pytest.approx(value, rel=tol)


def test_clomiphene_isomer_fractions_match_ghobadi() -> None:
    value, _ = _ref("clomiphene_enclomiphene_fraction")
    pk = get_drug("clomiphene_citrate").pk
    assert pk["fraction_enclomiphene"].value == value
    assert pk["fraction_enclomiphene"].value + pk["fraction_zuclomiphene"].value == 1.0


def test_rfsh_daily_accumulation_matches_follitropin_alfa_smpc() -> None:
    value, tol = _ref("rfsh_accumulation_daily_sc")
    ka = get_drug("fsh").pk["ka_per_d"].value  # absorption-limited terminal rate
    assert 1 / (1 - math.exp(-ka * 1.0)) == pytest.approx(value, rel=tol)


def test_gonadorelin_sc_peak_is_75_to_95_percent_below_iv_gonadorelin_label() -> None:
    low, high = REFERENCE["gonadorelin_sc_peak_reduction_vs_iv"]["value"]
    drug = get_drug("gonadorelin")
    ka, ke = drug.ka_per_d("sc"), drug.pk["ke_per_d"].value
    assert ka is not None
    t = np.linspace(0.0, 0.2, 200_001)  # days; the peak is within minutes
    sc = ka / (ka - ke) * (np.exp(-ke * t) - np.exp(-ka * t))  # relative to the i.v. peak
    assert low <= 1 - sc.max() <= high


def test_testosterone_volume_reproduces_mcr_sexhormone_table() -> None:
    value, tol = _ref("testosterone_mcr")
    for code in ("testosterone_enanthate", "testosterone_cypionate", "testosterone_gel"):
        pk = get_drug(code).pk
        assert pk["ke_per_d"].value * pk["v_l"].value == pytest.approx(value, rel=tol)
        assert pk["cl_l_per_d"].value == value


def test_triptorelin_im_absorption_matches_tornoe2007() -> None:
    value, tol = _ref("triptorelin_im_absorption_half_life")
    ka = get_drug("triptorelin").ka_per_d("im")
    assert ka is not None
    assert math.log(2) / ka == pytest.approx(value, rel=tol)
