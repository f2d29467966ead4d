"""Code systems, extension URIs and the LOINC code chosen for a result's unit.

LOINC codes come from the analyte catalogue (``androcast.labs``); units are written in UCUM
(``androcast.units.to_ucum``). What FHIR has no element for (a man's BMI as a patient
attribute, the treatment goal, drug codes of our catalogue) travels in androcast's own
systems and extensions, named by ``urn:androcast:`` URIs, so an export re-imports to the
same record.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

from androcast.labs import analyte
from androcast.units import parse_unit, ureg

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
ANALYTE_SYSTEM = "urn:androcast:analyte"  # catalogue keys of analytes without a LOINC code
DRUG_SYSTEM = "urn:androcast:drug"  # codes of the drug catalogue (androcast.drugs)
ROUTE_SYSTEM = "urn:androcast:route"
PATIENT_SYSTEM = "urn:androcast:patient"  # case-file patient ids
OBSERVATION_SYSTEM = "urn:androcast:observation"
SEMEN_ANALYSIS = "semen-analysis"  # our panel code before the LOINC one (still imported)
CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/observation-category"
DIAGNOSTIC_SERVICE = "http://terminology.hl7.org/CodeSystem/v2-0074"  # DiagnosticReport

EXTENSION = "urn:androcast:fhir:"
AGE_YEARS = EXTENSION + "age-years"
BMI = EXTENSION + "bmi"
TESTIS_LEFT = EXTENSION + "testis-volume-left-ml"
TESTIS_RIGHT = EXTENSION + "testis-volume-right-ml"
ETHNICITY = EXTENSION + "ethnicity"
GOAL = EXTENSION + "goal"
CONDITION = EXTENSION + "condition"
CONFIRMED = EXTENSION + "confirmed"
ABSTINENCE_DAYS = EXTENSION + "abstinence-days"
PELLET_SPERM_SEEN = EXTENSION + "pellet-sperm-seen"
SAMPLE_TIME = EXTENSION + "sample-clock-time"  # the clock time of a blood draw (no zone)
FASTING = EXTENSION + "fasting"
SEMEN_PH = EXTENSION + "semen-ph"  # LOINC has no code in our catalogue for it
URINE_SPERM_SEEN = EXTENSION + "post-ejaculate-urine-sperm-seen"
URINE_TOTAL_SPERM = EXTENSION + "post-ejaculate-urine-total-sperm-million"
URINE_PROGRESSIVE = EXTENSION + "post-ejaculate-urine-progressive-motility-pct"
PARTNER_AGE = EXTENSION + "partner-age-years"
GOAL_WITHIN_MONTHS = EXTENSION + "goal-within-months"
PARTNER_EVALUATION = EXTENSION + "partner-evaluation"
INFERTILITY_MONTHS = EXTENSION + "infertility-months"
CHILDREN = EXTENSION + "children"
#: The clinician's examination (case file ``exam``), beside the testis volumes: FHIR's home
#: would be exam Observations coded in SNOMED CT, for whose findings the evidence here
#: gives no codes; these round-trip the case file's codes.
EXAM_DATE = EXTENSION + "exam-date"
VAS_DEFERENS_LEFT = EXTENSION + "exam-vas-deferens-left"
VAS_DEFERENS_RIGHT = EXTENSION + "exam-vas-deferens-right"
VARICOCELE_LEFT = EXTENSION + "exam-varicocele-left"
VARICOCELE_RIGHT = EXTENSION + "exam-varicocele-right"
VISUAL_FIELDS = EXTENSION + "exam-visual-fields"
#: Past gonadotoxic treatment (case file ``history.gonadotoxic_treatment``) is a Procedure:
#: SNOMED CT's chemotherapy and radiotherapy procedures, with our code beside them (and
#: alone for "other"); what Procedure has no element for travels in extensions.
SNOMED = "http://snomed.info/sct"
GONADOTOXIC_SYSTEM = "urn:androcast:gonadotoxic-treatment"
GONADOTOXIC_SNOMED = {
    "chemotherapy": ("367336001", "Chemotherapy (procedure)"),
    "radiotherapy": ("108290001", "Radiation oncology AND/OR radiotherapy (procedure)"),
}
REGIMEN = EXTENSION + "chemotherapy-regimen"
CYCLES = EXTENSION + "chemotherapy-cycles"
DOSE_GY = EXTENSION + "radiotherapy-dose-gy"
SPERM_BANKED_BEFORE = EXTENSION + "sperm-banked-before"

#: Observation elements kept as given for the export (no clinical use here).
DETAIL_ELEMENTS = ("interpretation", "performer", "note", "issued", "method")

#: UCUM ``periodUnit`` codes of Timing.repeat, spelled as the case file's intervals are.
PERIOD_UNITS = {
    "s": "s",
    "min": "min",
    "h": "h",
    "d": "d",
    "wk": "week",
    "mo": "month",
    "a": "year",
}

_PROPERTY_BY_DIMENSION = {
    "[mass] / [length] ** 3": "mass",
    "[substance] / [length] ** 3": "molar",
    "[biological_activity] / [length] ** 3": "units",
}


def loinc_for(key: str, unit: str) -> str | None:
    """The analyte's LOINC code whose property (mass, molar, units) fits ``unit``.

    With no code of that property, the analyte's first code; None if it has none at all.
    """
    codes = analyte(key).loinc
    dimension = str(parse_unit(unit).dimensionality)
    wanted = _PROPERTY_BY_DIMENSION.get(dimension)
    if parse_unit(unit).dimensionality == ureg.get_dimensionality("[]"):
        wanted = "fraction"
    if wanted is not None and codes.get(wanted):
        return codes[wanted]
    return next((code for code in codes.values() if code), None)


@cache
def _loinc_data() -> dict[str, Any]:
    text = resources.files("androcast.io.fhir").joinpath("loinc_displays.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


def semen_panel() -> tuple[str, str]:
    """The LOINC code and display of the semen analysis panel (``loinc_displays.yaml``)."""
    panel = _loinc_data()["semen_panel"]
    return str(panel["code"]), str(panel["display"])


def loinc_display(code: str) -> str | None:
    """LOINC's long common name of ``code``, where the evidence gives it in full."""
    found = _loinc_data()["displays"].get(code)
    return str(found) if found is not None else None
