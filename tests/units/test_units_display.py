"""How units are shown to clinicians (data and FHIR keep UCUM)."""

import pytest

from androcast.units import display_unit


@pytest.mark.parametrize(
    ("ucum", "shown"), [("[IU]/L", "IU/L"), ("m[IU]/mL", "mIU/mL"), ("nmol/L", "nmol/L")]
)
def test_display_unit_drops_ucum_brackets_for_clinicians(ucum: str, shown: str) -> None:
    assert display_unit(ucum) == shown
