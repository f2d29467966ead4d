"""Calculated free testosterone against the ISSAM worked example and clinical.md section 8."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from androcast.errors import LabValueError, UnknownCodeError
from androcast.labs import binding_constants, free_testosterone
from androcast.units import convert

REFERENCE = yaml.safe_load(
    (Path(__file__).parents[1] / "reference" / "labs_free_testosterone.yaml").read_text("utf-8")
)
ISSAM: dict[str, Any] = REFERENCE["issam_worked_example"]
VECTORS: dict[str, Any] = REFERENCE["derived_vectors"]


def _close(expected: dict[str, Any]) -> Any:
    return pytest.approx(expected["value"], rel=expected["tolerance"])


def test_free_testosterone_matches_issam_worked_example() -> None:
    inputs, expected = ISSAM["inputs"], ISSAM["expected"]
    result = free_testosterone(inputs["tt"], inputs["shbg"], inputs["albumin"])
    free_nmol = result.free_pmol_per_l / 1000
    assert result.percent_free == _close(expected["free_t_percent"])
    assert free_nmol == _close(expected["free_t_nmol_l"])
    assert convert(free_nmol, "nmol/L", "ng/dL", analyte="testosterone_free") == _close(
        expected["free_t_ng_dl"]
    )
    bio_ng_dl = convert(
        result.bioavailable_nmol_per_l, "nmol/L", "ng/dL", analyte="testosterone_bioavailable"
    )
    assert bio_ng_dl == _close(expected["bioavailable_t_ng_dl"])
    assert result.bioavailable_nmol_per_l / free_nmol == _close(expected["n_factor"])


@pytest.mark.parametrize("row", VECTORS["rows"], ids=lambda r: f"tt{r[0]}-shbg{r[1]}-alb{r[2]}")
def test_free_testosterone_matches_vermeulen1999_vectors_clinical_md_section8(
    row: list[float],
) -> None:
    tt, shbg, albumin, free_pmol, percent, bio_nmol, free_sodergard = row
    tolerance = VECTORS["tolerance"]
    result = free_testosterone(tt, shbg, albumin)
    assert result.free_pmol_per_l == pytest.approx(free_pmol, rel=tolerance)
    assert result.percent_free == pytest.approx(percent, rel=tolerance)
    assert result.bioavailable_nmol_per_l == pytest.approx(bio_nmol, rel=tolerance)
    alternative = free_testosterone(tt, shbg, albumin, constants="sodergard1982")
    assert alternative.free_pmol_per_l == pytest.approx(free_sodergard, rel=tolerance)
    assert "sodergard1982" in alternative.method


def test_method_names_constants_and_albumin_assumption() -> None:
    result = free_testosterone(10, 40)
    assert result.method == (
        "Vermeulen 1999 mass action, constants vermeulen1999 (K_SHBG 1e+09, K_ALB 3.6e+04 "
        "L/mol), albumin assumed 43 g/L at 69000 g/mol"
    )
    assert result.citation == ("vermeulen1999", "issam")


@pytest.mark.parametrize("name", ["vermeulen1999", "sodergard1982", "emadikonjin2003", "ross2005"])
def test_every_constant_set_resolves_from_evidence(name: str) -> None:
    constants = binding_constants(name)
    assert constants.k_shbg_l_per_mol > 1e8
    assert constants.k_albumin_l_per_mol > 1e4


def test_unknown_constant_set_lists_the_known_ones() -> None:
    with pytest.raises(UnknownCodeError) as err:
        binding_constants("zakharov")
    assert str(err.value) == (
        "free_t_constants: 'zakharov' is not a known code; expected one of vermeulen1999, "
        "sodergard1982, emadikonjin2003, ross2005"
    )


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ((10, 0), "shbg: 0 is impossible; expected a positive number in nmol/L"),
        ((0, 40), "testosterone_total: 0 is impossible; expected a positive number in nmol/L"),
        (
            (float("nan"), 40),
            "testosterone_total: nan is impossible; expected a positive number in nmol/L",
        ),
        ((10, 40, 0), "albumin: 0 is impossible; expected a positive number in g/L"),
        ((10, 40, float("inf")), "albumin: inf is impossible; expected a positive number in g/L"),
    ],
)
def test_non_positive_or_non_finite_input_is_refused_naming_field_and_unit(
    inputs: tuple[float, ...], message: str
) -> None:
    with pytest.raises(LabValueError) as err:
        free_testosterone(*inputs)
    assert str(err.value) == message


concentrations = st.floats(min_value=0.1, max_value=100)
albumins = st.floats(min_value=20, max_value=55)


@given(concentrations, concentrations, concentrations, albumins)
def test_free_testosterone_falls_with_shbg(tt: float, shbg: float, more: float, alb: float) -> None:
    low, high = sorted((shbg, shbg + more))
    assert free_testosterone(tt, high, alb).free_pmol_per_l <= free_testosterone(
        tt, low, alb
    ).free_pmol_per_l * (1 + 1e-12)


@given(concentrations, concentrations, concentrations, albumins)
def test_free_testosterone_rises_with_total(
    tt: float, more: float, shbg: float, alb: float
) -> None:
    assert free_testosterone(tt + more, shbg, alb).free_pmol_per_l >= free_testosterone(
        tt, shbg, alb
    ).free_pmol_per_l * (1 - 1e-12)


@given(concentrations, concentrations, concentrations, albumins)
def test_percent_free_rises_as_shbg_falls(tt: float, shbg: float, more: float, alb: float) -> None:
    assert free_testosterone(tt, shbg, alb).percent_free >= free_testosterone(
        tt, shbg + more, alb
    ).percent_free * (1 - 1e-12)
