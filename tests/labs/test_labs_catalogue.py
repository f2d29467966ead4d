"""The analyte catalogue is complete, cited and self-consistent."""

from __future__ import annotations

import pytest

from androcast.errors import UnknownCodeError
from androcast.labs import (
    ReferenceInterval,
    analyte,
    analyte_for_loinc,
    analyte_keys,
    citation,
    condition_codes,
    default_reference,
    semen_parameters,
)
from androcast.units import parse_unit, to_ucum

REQUIRED = (
    "testosterone_total",
    "testosterone_free",
    "testosterone_bioavailable",
    "shbg",
    "albumin",
    "lh",
    "fsh",
    "estradiol",
    "prolactin",
    "tsh",
    "free_t4",
    "inhibin_b",
    "glucose",
    "insulin",
    "hba1c",
    "cholesterol_total",
    "hdl",
    "ldl",
    "triglycerides",
)


def test_catalogue_holds_every_required_analyte() -> None:
    assert set(REQUIRED) <= set(analyte_keys())


@pytest.mark.parametrize("key", analyte_keys())
def test_every_default_interval_resolves_and_cites_a_known_source(key: str) -> None:
    reference = default_reference(key)
    assert reference.unit == analyte(key).canonical_unit
    if reference.source != "none":
        assert citation(reference.source.split(" ")[0])
        if reference.low is not None and reference.high is not None:
            assert reference.low < reference.high


@pytest.mark.parametrize("key", analyte_keys())
def test_every_unit_has_a_ucum_spelling_that_parses_back(key: str) -> None:
    for unit in analyte(key).accepted_units:
        assert parse_unit(to_ucum(unit)) == parse_unit(unit)


def test_semen_parameters_carry_loinc_codes_from_clinical_md_section10() -> None:
    parameters = semen_parameters()
    assert parameters["concentration_m_per_ml"].loinc == "9780-8"
    assert parameters["volume_ml"].loinc == "3160-9"
    assert parameters["progressive_motility_pct"].loinc == "14194-5"
    assert parameters["total_motility_pct"].loinc == "6800-7"
    assert parameters["normal_forms_pct"].loinc == "10622-9"
    assert parameters["total_count_m"].loinc is None  # a gap in section 10


def test_condition_codes_include_the_design_vocabulary() -> None:
    assert {"anosmia", "cryptorchidism", "bodybuilding", "opioid_use"} <= set(condition_codes())


def test_unknown_citation_key() -> None:
    with pytest.raises(UnknownCodeError) as err:
        citation("nobody2099")
    assert str(err.value) == (
        "citation: 'nobody2099' is not a known code; expected a key of the shipped bibliographies"
    )


def test_analyte_for_loinc_does_not_match_a_missing_code_to_a_catalogue_gap() -> None:
    # regression: a FHIR coding without `code` matched an analyte whose LOINC is a gap (null)
    with pytest.raises(UnknownCodeError) as err:
        analyte_for_loinc(None)  # type: ignore[arg-type]
    assert str(err.value).startswith("loinc: None is not a known code; expected one of ")


@pytest.mark.parametrize(
    ("low", "high", "text"),
    [(9.153, 31.76, "9.153-31.76 nmol/L"), (None, 20.0, "≤ 20 nmol/L"),
     (2.0, None, "≥ 2 nmol/L"), (None, None, "none")],
)
def test_reference_interval_describes_itself_as_a_clinician_reads_it(
    low: float | None, high: float | None, text: str
) -> None:
    interval = ReferenceInterval(low, high, "nmol/L", "bhasin2018", "men 19-39 y")
    assert interval.describe() == text
    assert interval.describe(with_unit=False) == text.replace(" nmol/L", "")


@pytest.mark.parametrize(
    ("age_years", "interval", "population"),
    [
        # the Gavleborg bands are [18, 50) and [50, 130): 18 is in the first, 50 in the second
        (17.9, (18.2, 95.1), "FAMHES, men aged 20-69 (Elecsys)"),
        (18, (18.0, 54.0), "men 20-49 y (Roche assay, Region Gavleborg 2021)"),
        (49.9, (18.0, 54.0), "men 20-49 y (Roche assay, Region Gavleborg 2021)"),
        (50, (21.0, 77.0), "men 50 y and older (Roche assay, Region Gavleborg 2021)"),
        (None, (18.2, 95.1), "FAMHES, men aged 20-69 (Elecsys)"),
    ],
)
def test_shbg_age_band_edges_choose_the_cited_interval_and_its_population(
    age_years: float | None, interval: tuple[float, float], population: str
) -> None:
    reference = default_reference("shbg", age_years=age_years)
    assert (reference.low, reference.high, reference.unit) == (*interval, "nmol/L")
    assert reference.population == population


def test_an_analyte_without_a_default_interval_asks_for_the_laboratory_one() -> None:
    reference = default_reference("albumin")
    assert (reference.low, reference.high, reference.source) == (None, None, "none")
    assert reference.population == "no default interval; supply the laboratory's reference interval"


def test_an_unknown_analyte_is_named_as_the_analyte_field() -> None:
    with pytest.raises(UnknownCodeError) as err:
        analyte("testosterone_totl")
    assert str(err.value).startswith(
        "analyte: 'testosterone_totl' is not a known code; expected one of testosterone_total, "
    )
