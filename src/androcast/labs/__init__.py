"""Labs: the analyte catalogue, the Case model, derived values and WHO semen classes.

``load_case("post_trt.yaml")`` reads a case file into a frozen :class:`Case` whose results
are in each analyte's canonical unit (``analyte(key).canonical_unit``), each with the
reference interval it is judged against. ``derive(case)`` adds calculated free T
(Vermeulen 1999), the T/E2 ratio, TMSC, HOMA-IR and the semen classes by WHO edition.
"""

from androcast.labs._catalogue import (
    Analyte,
    ReferenceInterval,
    SemenParameter,
    analyte,
    analyte_for_loinc,
    analyte_keys,
    citation,
    condition_codes,
    default_reference,
    semen_parameters,
)
from androcast.labs._fields import EARLIEST_DATE, MAX_IDENTIFIER
from androcast.labs._fields import identifier as patient_identifier
from androcast.labs._history import androgen_codes
from androcast.labs._model import (
    AndrogenUse,
    Case,
    Exam,
    GonadotoxicTreatment,
    History,
    LabResult,
    MedicationCourse,
    Partner,
    Patient,
    PostEjaculateUrine,
    Reproductive,
    SemenAnalysis,
)
from androcast.labs._parse import load_case, parse_case
from androcast.labs.derived import DerivedValue, DerivedValues, derive
from androcast.labs.freet import FreeTestosterone, binding_constants, free_testosterone
from androcast.labs.report import LabReport, lab_report
from androcast.labs.semen import SemenClass, SemenClassification, classify_semen

__all__ = [
    "EARLIEST_DATE",
    "MAX_IDENTIFIER",
    "Analyte",
    "AndrogenUse",
    "Case",
    "DerivedValue",
    "DerivedValues",
    "Exam",
    "FreeTestosterone",
    "GonadotoxicTreatment",
    "History",
    "LabReport",
    "LabResult",
    "MedicationCourse",
    "Partner",
    "Patient",
    "PostEjaculateUrine",
    "ReferenceInterval",
    "Reproductive",
    "SemenAnalysis",
    "SemenClass",
    "SemenClassification",
    "SemenParameter",
    "analyte",
    "analyte_for_loinc",
    "analyte_keys",
    "androgen_codes",
    "binding_constants",
    "citation",
    "classify_semen",
    "condition_codes",
    "default_reference",
    "derive",
    "free_testosterone",
    "lab_report",
    "load_case",
    "parse_case",
    "patient_identifier",
    "semen_parameters",
]
