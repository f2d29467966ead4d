"""FHIR R4 search semantics (http://hl7.org/fhir/R4/search.html, 3.1.1.4 date and 3.1.1.5
token): dates compared as the ranges their precision covers, prefixes at their boundaries."""

from __future__ import annotations

import pytest

from androcast.errors import InputFileError
from androcast.io.fhir._search import (
    DateParam,
    Token,
    name_matches,
    observation_id,
    patient_id,
    span_of,
)


@pytest.mark.parametrize(
    ("param", "target", "expected"),
    [
        ("2025-10", "2025-10-15", True),  # the month contains the day
        ("2025-10-15", "2025-10", False),  # the day does not contain the month
        ("eq2025-10-15", "2025-10-15T23:59:59Z", True),
        ("eq2025-10-15", "2025-10-16T00:00:00Z", False),
        ("eq2025-10-15", "2025-10-15T23:30:00-02:00", False),  # 01:30 UTC the next day
        ("ne2025-10-15", "2025-10-16", True),
        ("gt2025-10-15", "2025-10-16", True),
        ("gt2025-10-15", "2025-10-15", False),
        ("gt2025-10-15", "2025-10", True),  # the month reaches past the 15th
        ("ge2025-10-15", "2025-10-15", True),
        ("ge2025-10-15", "2025-10-14", False),
        ("lt2025-10-15", "2025-10-14", True),
        ("lt2025-10-15", "2025-10-15", False),
        ("le2025-10-15", "2025-10-15", True),
        ("le2025-10-15", "2025-10-16", False),
        ("sa2025-10-15", "2025-10-16", True),
        ("sa2025-10-15", "2025-10", False),  # starts before the end of the 15th
        ("eb2025-10-15", "2025-10-14", True),
        ("eb2025-10-15", "2025-10", False),
        ("2025", "2025-12-31T23:59:59.999Z", True),
        ("2025-12", "2026-01-01", False),
    ],
)
def test_date_prefixes_compare_ranges(param: str, target: str, expected: bool) -> None:
    assert DateParam.parse(param, "date").matches(span_of(target)) is expected


@pytest.mark.parametrize("text", ["tomorrow", "2025-13", "2025-02-30", "25-10-15", ""])
def test_a_bad_date_is_refused_naming_it(text: str) -> None:
    with pytest.raises(InputFileError) as err:
        DateParam.parse(text, "birthdate")
    assert err.value.field == "birthdate"


def test_tokens_match_system_and_code() -> None:
    loinc = "http://loinc.org"
    assert Token.parse(f"{loinc}|2986-8").matches(loinc, "2986-8")
    assert not Token.parse("urn:other|2986-8").matches(loinc, "2986-8")
    assert Token.parse("2986-8").matches(loinc, "2986-8")  # any system
    assert Token.parse("|P001").matches(None, "P001")  # no system
    assert not Token.parse("|P001").matches(loinc, "P001")
    assert Token.parse(f"{loinc}|").matches(loinc, "anything")


def test_names_match_the_start_of_any_part_ignoring_case_and_accents() -> None:
    names = [{"family": "Müller-Lüdenscheidt", "given": ["Jean Pierre"], "prefix": ["Dr"]}]
    assert name_matches(names, "muller")
    assert name_matches(names, "PIERRE")
    assert name_matches(names, "dr")
    assert not name_matches(names, "ller")
    assert not name_matches([], "a")


def test_resource_ids_are_valid_fhir_ids_and_stable() -> None:
    assert patient_id("P001") == "P001"
    odd = patient_id("MRN 12:34#5")
    assert odd.startswith("h.") and len(odd) <= 64 and odd == patient_id("MRN 12:34#5")
    assert patient_id("h.abc") != "h.abc"  # never mistaken for a digest
    first = observation_id("P001", "urn:x", "1")
    assert first != observation_id("P002", "urn:x", "1") != observation_id("P001", "urn:x", "2")
    assert len(first) <= 64
