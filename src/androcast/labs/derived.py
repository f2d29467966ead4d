"""Derived values from a case's latest results, each with its method and citation.

``derive(case)`` gives calculated free and bioavailable testosterone (Vermeulen 1999),
the T/E2 ratio in the clinical convention (T ng/dL over E2 pg/mL; abnormal < 10
[pavlovich2001; raman2002]), total sperm count and total motile sperm count (Hamilton 2015),
HOMA-IR (Matthews 1985) and the semen classes by WHO 2010 and WHO 2021. A value whose
inputs are missing is None; a value computed from a censored input carries the censor.
"""

from __future__ import annotations

from dataclasses import dataclass

from androcast.evidence import evidence
from androcast.labs._model import Case, Censor, LabResult, SemenAnalysis
from androcast.labs.freet import free_testosterone
from androcast.labs.semen import SemenClassification, classify_semen
from androcast.units import convert

T_E2_THRESHOLD_KEY = "t_e2_ratio.abnormal_threshold_us_units"
HOMA_IR_DIVISOR = 22.5  # Matthews 1985: glucose (mmol/L) x insulin (uIU/mL) / 22.5


@dataclass(frozen=True)
class DerivedValue:
    """A calculated quantity with its unit, censoring, method, citation and input dates."""

    name: str
    value: float
    unit: str
    censor: Censor | None
    method: str
    citation: tuple[str, ...]
    inputs: tuple[str, ...]  # e.g. "testosterone_total 2025-10-15"

    def __float__(self) -> float:
        return self.value


@dataclass(frozen=True)
class DerivedValues:
    free_testosterone_pmol_per_l: DerivedValue | None
    bioavailable_testosterone_nmol_per_l: DerivedValue | None
    t_e2_ratio: DerivedValue | None
    t_e2_abnormal: bool | None  # ratio below the evidence threshold (None if unknown)
    total_count_million: DerivedValue | None
    tmsc_million: DerivedValue | None
    homa_ir: DerivedValue | None
    semen_who2010: SemenClassification | None
    semen_who2021: SemenClassification | None

    def numbers(self) -> dict[str, float | None]:
        """The numeric derived values by name (None where missing)."""
        items = {
            "free_testosterone_pmol_per_l": self.free_testosterone_pmol_per_l,
            "bioavailable_testosterone_nmol_per_l": self.bioavailable_testosterone_nmol_per_l,
            "t_e2_ratio": self.t_e2_ratio,
            "total_count_million": self.total_count_million,
            "tmsc_million": self.tmsc_million,
            "homa_ir": self.homa_ir,
        }
        return {name: None if item is None else item.value for name, item in items.items()}


def _flip(censor: Censor) -> Censor:
    return ">" if censor == "<" else "<"


def combined_censor(*inputs: tuple[LabResult, int]) -> tuple[bool, Censor | None]:
    """Censor of a result monotone in each input (+1 rising, -1 falling with it).

    Returns (defined, censor): not defined when censored inputs pull opposite ways.
    """
    sides = {
        result.censor if sign > 0 else _flip(result.censor)
        for result, sign in inputs
        if result.censor is not None
    }
    if len(sides) > 1:
        return False, None
    return True, next(iter(sides), None)


def _stamp(result: LabResult) -> str:
    return f"{result.analyte} {result.date.isoformat()}"


def _free_t(case: Case) -> tuple[DerivedValue | None, DerivedValue | None]:
    tt, shbg, albumin = (
        case.latest("testosterone_total"),
        case.latest("shbg"),
        case.latest("albumin"),
    )
    if tt is None or shbg is None or tt.value <= 0 or shbg.value <= 0:
        return None, None
    signs = [(tt, 1), (shbg, -1)] + ([(albumin, -1)] if albumin else [])
    defined, censor = combined_censor(*signs)
    if not defined:
        return None, None
    result = free_testosterone(tt.value, shbg.value, albumin.value if albumin else None)
    stamps = tuple(_stamp(r) for r, _ in signs)
    free = DerivedValue(
        "free_testosterone_pmol_per_l",
        result.free_pmol_per_l,
        "pmol/L",
        censor,
        result.method,
        result.citation,
        stamps,
    )
    # Bioavailable T rises with albumin (more albumin-bound T), unlike free T.
    bio_signs = [(tt, 1), (shbg, -1)] + ([(albumin, 1)] if albumin else [])
    bio_defined, bio_censor = combined_censor(*bio_signs)
    bio = (
        DerivedValue(
            "bioavailable_testosterone_nmol_per_l",
            result.bioavailable_nmol_per_l,
            "nmol/L",
            bio_censor,
            result.method,
            result.citation,
            stamps,
        )
        if bio_defined
        else None
    )
    return free, bio


def _t_e2(case: Case) -> tuple[DerivedValue | None, bool | None]:
    tt, e2 = case.latest("testosterone_total"), case.latest("estradiol")
    if tt is None or e2 is None or e2.value <= 0:
        return None, None
    defined, censor = combined_censor((tt, 1), (e2, -1))
    if not defined:
        return None, None
    t_ng_dl = convert(tt.value, tt.unit, "ng/dL", analyte="testosterone_total")
    e2_pg_ml = convert(e2.value, e2.unit, "pg/mL", analyte="estradiol")
    ratio = t_ng_dl / e2_pg_ml
    threshold = evidence(T_E2_THRESHOLD_KEY)
    value = DerivedValue(
        "t_e2_ratio",
        ratio,
        "(ng/dL)/(pg/mL)",
        censor,
        f"testosterone (ng/dL) / estradiol (pg/mL); abnormal < {threshold.value:g}",
        threshold.source,
        (_stamp(tt), _stamp(e2)),
    )
    abnormal: bool | None = ratio < float(threshold.value)
    if (censor == "<" and not abnormal) or (censor == ">" and abnormal):
        abnormal = None  # the true ratio may lie on either side of the threshold
    return value, abnormal


def _semen_counts(semen: SemenAnalysis | None) -> tuple[DerivedValue | None, DerivedValue | None]:
    if semen is None or semen.total_count_m is None:
        return None, None
    stamp = (f"semen {semen.date.isoformat()}",)
    total = DerivedValue(
        "total_count_million",
        semen.total_count_m,
        "10*6",
        semen.concentration_censor,
        "volume x concentration",
        ("who2010",),
        stamp,
    )
    if semen.tmsc_m is not None:
        tmsc = DerivedValue(
            "tmsc_million",
            semen.tmsc_m,
            "10*6",
            semen.concentration_censor,
            "volume x concentration x progressive motility (PR) fraction: Hamilton 2015 TMSC",
            ("hamilton2015",),
            stamp,
        )
    elif semen.total_motility_pct is not None:
        tmsc = DerivedValue(
            "tmsc_million",
            semen.total_count_m * semen.total_motility_pct / 100.0,
            "10*6",
            semen.concentration_censor,
            "volume x concentration x total motility (PR + NP) fraction: TMC, not the "
            "Hamilton 2015 progressive definition (progressive motility not reported)",
            ("hamilton2015",),
            stamp,
        )
    else:
        return total, None
    return total, tmsc


def _homa_ir(case: Case) -> DerivedValue | None:
    glucose, insulin = case.latest("glucose"), case.latest("insulin")
    if glucose is None or insulin is None:
        return None
    defined, censor = combined_censor((glucose, 1), (insulin, 1))
    if not defined:
        return None
    insulin_uiu_ml = convert(insulin.value, insulin.unit, "uIU/mL", analyte="insulin")
    glucose_mmol_l = convert(glucose.value, glucose.unit, "mmol/L", analyte="glucose")
    note = "" if glucose.date == insulin.date else " (glucose and insulin from different days)"
    return DerivedValue(
        "homa_ir",
        glucose_mmol_l * insulin_uiu_ml / HOMA_IR_DIVISOR,
        "1",
        censor,
        f"fasting glucose (mmol/L) x fasting insulin (uIU/mL) / 22.5{note}",
        ("matthews1985",),
        (_stamp(glucose), _stamp(insulin)),
    )


def derive(case: Case) -> DerivedValues:
    """Derived quantities from the latest values of ``case`` (None where inputs are missing)."""
    free, bioavailable = _free_t(case)
    ratio, abnormal = _t_e2(case)
    semen = case.latest_semen()
    total, tmsc = _semen_counts(semen)
    return DerivedValues(
        free_testosterone_pmol_per_l=free,
        bioavailable_testosterone_nmol_per_l=bioavailable,
        t_e2_ratio=ratio,
        t_e2_abnormal=abnormal,
        total_count_million=total,
        tmsc_million=tmsc,
        homa_ir=_homa_ir(case),
        semen_who2010=classify_semen(semen, "who2010") if semen else None,
        semen_who2021=classify_semen(semen, "who2021") if semen else None,
    )
