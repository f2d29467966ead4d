"""Unit conversions against the published factors of clinical.md section 9."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from androcast.errors import UnitError
from androcast.evidence import bibliography
from androcast.units import conversion_citations, convert, parse_unit, substances, to_ucum

REFERENCE = Path(__file__).parents[1] / "reference" / "labs_unit_conversions.yaml"
ROWS: list[dict[str, Any]] = yaml.safe_load(REFERENCE.read_text(encoding="utf-8"))["conversions"]


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r['analyte']}:{r['from']}->{r['to']}")
def test_conversion_matches_published_factor_clinical_md_section9(row: dict[str, Any]) -> None:
    got = convert(row["amount"], row["from"], row["to"], analyte=row["analyte"])
    assert got == pytest.approx(row["value"], rel=row["tolerance"])


def test_every_conversion_source_is_cited() -> None:
    known = set(bibliography()) | set(conversion_citations())
    for substance in substances().values():
        assert substance.source in known, substance.name
    for row in ROWS:
        assert row["source"] in known


@pytest.mark.parametrize(
    ("text", "ucum"),
    [
        ("ng/dL", "ng/dL"),
        ("nmol/L", "nmol/L"),
        ("m[IU]/mL", "m[IU]/mL"),
        ("[IU]/L", "[IU]/L"),
        ("u[IU]/mL", "u[IU]/mL"),
        ("ug/L", "ug/L"),
        ("10*6/mL", "10*6/mL"),
        ("%", "%"),
        ("mIU/mL", "m[IU]/mL"),
        ("µIU/mL", "u[IU]/mL"),
        ("μIU/mL", "u[IU]/mL"),
        ("uIU/mL", "u[IU]/mL"),
        ("IU/L", "[IU]/L"),
        ("pg/mL", "pg/mL"),
        ("M/mL", "10*6/mL"),
        ("mU/L", "m[IU]/L"),
        ("µg/L", "ug/L"),
        ("mcg", "ug"),
        ("kg/m2", "kg/m2"),
    ],
)
def test_fhir_and_common_spellings_parse_to_ucum(text: str, ucum: str) -> None:
    assert to_ucum(text) == ucum
    assert parse_unit(ucum) == parse_unit(text)


def test_million_per_ml_is_a_count_concentration() -> None:
    assert convert(1, "M/mL", "1/L") == pytest.approx(1e9)


def test_mass_to_molar_without_analyte_is_refused() -> None:
    with pytest.raises(UnitError) as err:
        convert(95, "ng/dL", "nmol/L")
    assert str(err.value) == (
        "unit: 'ng/dL -> nmol/L' is not a usable unit; expected an analyte for a conversion "
        "between mass, molar and International Units (the factor depends on the analyte)"
    )


def test_mass_to_molar_for_an_analyte_without_molar_mass_is_refused() -> None:
    with pytest.raises(UnitError) as err:
        convert(5, "ng/mL", "nmol/L", analyte="lh", field="labs[2].unit")
    assert str(err.value) == (
        "labs[2].unit: 'ng/mL -> nmol/L' is not a usable unit; expected units of the same "
        "dimension for lh (no molar mass or assay standard is known for it)"
    )


def test_incompatible_dimension_for_an_analyte_is_refused() -> None:
    with pytest.raises(UnitError) as err:
        convert(5, "ng/mL", "mL", analyte="testosterone_total")
    assert str(err.value) == (
        "unit: 'ng/mL -> mL' is not a usable unit; expected units convertible for "
        "testosterone_total"
    )


@pytest.mark.parametrize("text", ["bananas/dL", "", "   ", "ng//", "2 ng/dL"])
def test_unknown_unit_text_is_a_unit_error(text: str) -> None:
    with pytest.raises(UnitError) as err:
        parse_unit(text, field="labs[0].unit")
    assert str(err.value) == (
        f"labs[0].unit: {text!r} is not a usable unit; expected a unit such as ng/dL, nmol/L, "
        "IU/L, m[IU]/mL, pg/mL, 10*6/mL or %"
    )


def test_hba1c_ifcc_is_never_read_as_a_plain_ratio() -> None:
    # Without the analyte pint would read 48 mmol/mol as 4.8 %; the master equation gives 6.5 %.
    assert convert(48, "mmol/mol", "%") == pytest.approx(4.8)
    assert convert(48, "mmol/mol", "%", analyte="hba1c") == pytest.approx(6.54, abs=0.01)


def test_conversions_through_contexts_from_many_threads_agree_with_one_thread() -> None:
    """pint's contexts live on the shared registry: threads converting at once once broke
    each other's context graph (a TypeError, 500s of the web app under load, issue 20)."""
    import threading

    from androcast.units import _convert

    pairs = [("testosterone_total", "ng/dL", "nmol/L"), ("estradiol", "pg/mL", "pmol/L"),
             ("free_t4", "ng/dL", "pmol/L"), ("testosterone_total", "nmol/L", "ng/dL"),
             ("estradiol", "pmol/L", "pg/mL")]
    expected = {p: convert(3.0, p[1], p[2], analyte=p[0]) for p in pairs}
    assert expected[pairs[0]] == pytest.approx(3.0 * 0.03467, rel=1e-3)  # clinical.md s. 9
    _convert._contextual_factor.cache_clear()  # every thread starts from no factor found
    found: list[tuple[tuple[str, str, str], float]] = []
    failures: list[BaseException] = []
    start = threading.Barrier(8)

    def work(offset: int) -> None:
        start.wait()
        try:
            for i in range(200):
                pair = pairs[(i + offset) % len(pairs)]
                found.append((pair, convert(3.0, pair[1], pair[2], analyte=pair[0])))
        except BaseException as err:  # each reported below
            failures.append(err)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == [] and len(found) == 1600
    assert all(value == pytest.approx(expected[pair], rel=1e-12) for pair, value in found)
