"""Chart -> FHIR R4 transaction bundle (Patient, Observation, MedicationStatement,
DiagnosticReport, Procedure).

Each resource carries the source key its record is stored under as its identifier, and the
transaction creates it only if none with that identifier exists (``ifNoneExist``), so the
bundle re-imports to the same record, here or in another FHIR server. Results carry their
LOINC code with LOINC's display (``loinc_displays.yaml``) and the reference range in the unit
the value is reported in. A semen analysis is the LOINC semen analysis panel (13361-1): an
Observation whose ``hasMember`` are one Observation per parameter (each with its LOINC code),
grouped by a DiagnosticReport of the same code.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable
from typing import Any

from fhir.resources.R4B.bundle import Bundle

from androcast.drugs import get_drug
from androcast.io.fhir import _codes as c
from androcast.labs import (
    AndrogenUse,
    GonadotoxicTreatment,
    LabResult,
    PostEjaculateUrine,
    SemenAnalysis,
    analyte,
    semen_parameters,
)
from androcast.store.chart import URI_SYSTEM, Chart, Keyed, MedicationUse, SourceKey
from androcast.units import convert, to_ucum

_UUID_URN = re.compile(r"urn:uuid:[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
Reference = Callable[[SourceKey], str]


def _full_url(key: SourceKey) -> str:
    if _UUID_URN.fullmatch(key.value):
        return key.value
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{key.system}|{key.value}')}"


def _loinc(code: str) -> dict[str, str]:
    coding = {"system": c.LOINC, "code": code}
    display = c.loinc_display(code)
    if display is not None:
        coding["display"] = display
    return coding


def _quantity(value: float, unit: str, comparator: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"value": value, "unit": unit, "system": c.UCUM, "code": to_ucum(unit)}
    if comparator:
        out["comparator"] = comparator
    return out


def _identifier(key: SourceKey | None) -> list[dict[str, str]]:
    if key is None:
        return []
    return [{"system": key.system, "value": key.value}] if key.system else [{"value": key.value}]


def _entry(kind: str, resource: dict[str, Any], key: SourceKey) -> dict[str, Any]:
    request: dict[str, Any] = {"method": "POST", "url": kind}
    if key.system:
        request["ifNoneExist"] = f"identifier={key.system}|{key.value}"
    return {"fullUrl": _full_url(key), "resource": resource, "request": request}


Extension = tuple[str, str, Any]  # url, FHIR value[x] key, value (None: not recorded)


def _present(*extensions: Extension) -> list[dict[str, Any]]:
    """The extensions whose value was recorded, in order; an unknown is left out, never
    written as an empty or default value."""
    return [{"url": url, kind: value} for url, kind, value in extensions if value is not None]


def _patient(chart: Chart, key: SourceKey) -> dict[str, Any]:
    p = chart.patient
    left, right = p.testis_volume_ml or (None, None)
    extension = _present(
        (c.AGE_YEARS, "valueDecimal", p.age_years),
        (c.BMI, "valueDecimal", p.bmi),
        (c.TESTIS_LEFT, "valueDecimal", left),
        (c.TESTIS_RIGHT, "valueDecimal", right),
        (c.ETHNICITY, "valueCode", p.ethnicity),
        (c.GOAL, "valueCode", chart.goal),
        (c.PARTNER_AGE, "valueDecimal", chart.partner_age_years),
        (c.GOAL_WITHIN_MONTHS, "valueDecimal", chart.goal_within_months),
        (c.PARTNER_EVALUATION, "valueCode", chart.partner_evaluation),
        (c.INFERTILITY_MONTHS, "valueDecimal", chart.infertility_months),
        (c.CHILDREN, "valueInteger", chart.children),
    )
    extension += [{"url": c.CONDITION, "valueCode": code} for code in chart.conditions]
    extension += _exam(chart)
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "identifier": _identifier(key),
        "extension": extension,
    }
    if chart.gender is not None:
        resource["gender"] = chart.gender  # as stored: never assumed
    if chart.names:
        resource["name"] = [dict(n) for n in chart.names]
    if chart.birth_date is not None:
        resource["birthDate"] = chart.birth_date.isoformat()
    return resource


def _exam(chart: Chart) -> list[dict[str, Any]]:
    """His examination as Patient extensions (``_codes``: the case file's codes)."""
    exam = chart.exam
    if exam is None:
        return []
    vas_left, vas_right = exam.vas_deferens or (None, None)
    varicocele_left, varicocele_right = exam.varicocele or (None, None)
    return _present(
        (c.EXAM_DATE, "valueDate", None if exam.date is None else exam.date.isoformat()),
        (c.VAS_DEFERENS_LEFT, "valueCode", vas_left),
        (c.VAS_DEFERENS_RIGHT, "valueCode", vas_right),
        (c.VARICOCELE_LEFT, "valueCode", varicocele_left),
        (c.VARICOCELE_RIGHT, "valueCode", varicocele_right),
        (c.VISUAL_FIELDS, "valueCode", exam.visual_fields),
    )


def _procedure(treatment: GonadotoxicTreatment, subject: str) -> dict[str, Any]:
    """A past chemotherapy or radiotherapy as a Procedure (SNOMED CT code beside ours)."""
    coding = []
    if treatment.type in c.GONADOTOXIC_SNOMED:
        code, display = c.GONADOTOXIC_SNOMED[treatment.type]
        coding.append({"system": c.SNOMED, "code": code, "display": display})
    coding.append({"system": c.GONADOTOXIC_SYSTEM, "code": treatment.type})
    resource: dict[str, Any] = {
        "resourceType": "Procedure",
        "status": "completed" if treatment.stop is not None else "unknown",
        "code": {"coding": coding, "text": treatment.regimen or treatment.type},
        "subject": {"reference": subject},
    }
    period = {name: day.isoformat() for name, day in (("start", treatment.start),
                                                       ("end", treatment.stop))
              if day is not None}
    if period:
        resource["performedPeriod"] = period
    if treatment.field is not None:
        resource["bodySite"] = [{"text": treatment.field}]
    extension = _present(
        (c.REGIMEN, "valueString", treatment.regimen),
        (c.CYCLES, "valueInteger", treatment.cycles),
        (c.DOSE_GY, "valueDecimal", treatment.dose_gy),
        (c.SPERM_BANKED_BEFORE, "valueBoolean", treatment.sperm_banked_before),
    )
    if extension:
        resource["extension"] = extension
    return resource


def _observed(keyed: Keyed[Any], day: dt.date) -> dict[str, Any]:
    """Status, effective time and kept details of a result, as the source gave them."""
    out: dict[str, Any] = {"status": keyed.status or "final"}
    effective = keyed.effective or {}
    if "instant" in effective:
        out["effectiveInstant"] = effective["instant"]
    elif "period" in effective:
        out["effectivePeriod"] = dict(effective["period"])
    else:
        out["effectiveDateTime"] = effective.get("dateTime", day.isoformat())
    details = keyed.details or {}
    out.update({k: v for k, v in details.items() if k in c.DETAIL_ELEMENTS})
    return out


def _comparator(keyed: Keyed[Any], censor: str | None) -> str | None:
    """The comparator as the source wrote it (``<=`` stays ``<=``), else the censor."""
    kept = (keyed.details or {}).get("comparator")
    return kept if censor is not None and isinstance(kept, str) else censor


def _lab(result: Keyed[LabResult], subject: str) -> dict[str, Any]:
    r = result.item
    code = result.code or c.loinc_for(r.analyte, r.reported_unit)
    name = analyte(r.analyte).name
    coding = _loinc(code) if code else {"system": c.ANALYTE_SYSTEM, "code": r.analyte,
                                        "display": name}
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "identifier": _identifier(result.key),
        "category": [{"coding": [{"system": c.CATEGORY_SYSTEM, "code": "laboratory"}]}],
        "code": {"coding": [coding], "text": name},
        "subject": {"reference": subject},
        **_observed(result, r.date),
        "valueQuantity": _quantity(
            r.reported_value, r.reported_unit, _comparator(result, r.censor)
        ),
    }
    ref = r.reference
    if ref.low is not None or ref.high is not None:
        # In the unit of the value beside it (stored in the canonical unit).
        interval: dict[str, Any] = {"text": ref.source, "appliesTo": [{"text": ref.population}]}
        for side, limit in (("low", ref.low), ("high", ref.high)):
            if limit is not None:
                shown = convert(limit, ref.unit, r.reported_unit, analyte=r.analyte)
                interval[side] = _quantity(shown, r.reported_unit)
        resource["referenceRange"] = [interval]
    extension = _present(
        (c.CONFIRMED, "valueBoolean", True if r.confirmed else None),
        # a clock time without a zone: FHIR's time type, not a dateTime
        (c.SAMPLE_TIME, "valueTime", None if r.time is None else r.time.strftime("%H:%M:%S")),
        (c.FASTING, "valueBoolean", r.fasting),
    )
    if extension:
        resource["extension"] = extension
    return resource


def member_key(panel: SourceKey, parameter: str) -> SourceKey:
    """The source key of one parameter of a semen panel (the panel's, with the parameter)."""
    return SourceKey(panel.system, f"{panel.value}#{parameter}")


def _semen(
    analysis: Keyed[SemenAnalysis], key: SourceKey, subject: str, reference: Reference
) -> list[tuple[SourceKey, dict[str, Any]]]:
    """The panel Observation first, then one member Observation per parameter measured."""
    s = analysis.item
    observed = _observed(analysis, s.date)
    members: list[tuple[SourceKey, dict[str, Any]]] = []
    for name, parameter in semen_parameters().items():
        value = getattr(s, name, None)
        if parameter.loinc is None or value is None:
            continue
        censor = s.concentration_censor if name == "concentration_m_per_ml" else None
        mkey = member_key(key, name)
        members.append((mkey, {
            "resourceType": "Observation",
            "identifier": _identifier(mkey),
            "category": [{"coding": [{"system": c.CATEGORY_SYSTEM, "code": "laboratory"}]}],
            "code": {"coding": [_loinc(parameter.loinc)], "text": parameter.name},
            "subject": {"reference": subject},
            **{k: v for k, v in observed.items() if k in ("status", *_EFFECTIVE)},
            "valueQuantity": _quantity(value, parameter.unit, censor),
        }))
    urine = s.post_ejaculate_urine or PostEjaculateUrine()  # not examined: every field None
    extension = _present(
        (c.ABSTINENCE_DAYS, "valueDecimal", s.abstinence_days),
        (c.PELLET_SPERM_SEEN, "valueBoolean", s.pellet_sperm_seen),
        (c.SEMEN_PH, "valueDecimal", s.ph),
        (c.URINE_SPERM_SEEN, "valueBoolean", urine.sperm_seen),
        (c.URINE_TOTAL_SPERM, "valueDecimal", urine.total_sperm_million),
        (c.URINE_PROGRESSIVE, "valueDecimal", urine.progressive_motility_pct),
    )
    code, display = c.semen_panel()
    panel: dict[str, Any] = {
        "resourceType": "Observation",
        "identifier": _identifier(key),
        "category": [{"coding": [{"system": c.CATEGORY_SYSTEM, "code": "laboratory"}]}],
        "code": {"coding": [{"system": c.LOINC, "code": code, "display": display}],
                 "text": "Semen analysis"},
        "subject": {"reference": subject},
        **observed,
    }
    if members:
        panel["hasMember"] = [{"reference": reference(k)} for k, _ in members]
    if extension:
        panel["extension"] = extension
    return [(key, panel), *members]


_EFFECTIVE = ("effectiveDateTime", "effectiveInstant", "effectivePeriod")


def _report(key: SourceKey, panel: dict[str, Any], subject: str, reference: Reference
            ) -> dict[str, Any]:
    """The DiagnosticReport that groups a semen panel (DiagnosticReport has no instant)."""
    code, display = c.semen_panel()
    report: dict[str, Any] = {
        "resourceType": "DiagnosticReport",
        "identifier": _identifier(report_key(key)),
        "status": panel["status"],
        "category": [{"coding": [{"system": c.DIAGNOSTIC_SERVICE, "code": "LAB",
                                  "display": "Laboratory"}]}],
        "code": {"coding": [{"system": c.LOINC, "code": code, "display": display}],
                 "text": "Semen analysis"},
        "subject": {"reference": subject},
    }
    if "effectivePeriod" in panel:
        report["effectivePeriod"] = panel["effectivePeriod"]
    else:
        report["effectiveDateTime"] = panel.get("effectiveDateTime", panel.get("effectiveInstant"))
    report["result"] = [{"reference": reference(key)}]
    return report


def report_key(panel: SourceKey) -> SourceKey:
    return SourceKey(panel.system, f"{panel.value}#report")


def _medication(keyed: Keyed[AndrogenUse] | Keyed[MedicationUse], subject: str) -> dict[str, Any]:
    item = keyed.item
    code = item.agent if isinstance(item, AndrogenUse) else item.code
    dosage: dict[str, Any] = {}
    if item.dose is not None and item.dose_unit is not None:
        dosage["doseAndRate"] = [{"doseQuantity": _quantity(item.dose, item.dose_unit)}]
    if item.every_d is not None:
        dosage["timing"] = {"repeat": {"frequency": 1, "period": item.every_d, "periodUnit": "d"}}
    route = item.route if isinstance(item, AndrogenUse) else None
    if route is not None:
        dosage["route"] = {"coding": [{"system": c.ROUTE_SYSTEM, "code": route}]}
    resource: dict[str, Any] = {
        "resourceType": "MedicationStatement",
        "identifier": _identifier(keyed.key),
        "status": "completed" if item.stop is not None else "active",
        "medicationCodeableConcept": {
            "coding": [{"system": c.DRUG_SYSTEM, "code": code, "display": get_drug(code).name}],
            "text": code,
        },
        "subject": {"reference": subject},
    }
    period = {
        name: day.isoformat()
        for name, day in (("start", item.start), ("end", item.stop))
        if day is not None
    }
    if period:
        resource["effectivePeriod"] = period
    if dosage:
        resource["dosage"] = [dosage]
    return resource


def export_bundle(chart: Chart) -> dict[str, Any]:
    """A FHIR R4 transaction bundle of one chart, validated by fhir.resources."""
    patient_key = chart.patient_key or SourceKey(c.PATIENT_SYSTEM, chart.patient.id)
    subject = _full_url(patient_key)
    entries = [_entry("Patient", _patient(chart, patient_key), patient_key)]
    for index, treatment in enumerate(chart.gonadotoxic):
        # No identifier of its own: the list is his history, replaced as a whole on import.
        key = SourceKey(c.GONADOTOXIC_SYSTEM, f"{patient_key.system}|{patient_key.value}#{index}")
        entries.append({"fullUrl": _full_url(key), "resource": _procedure(treatment, subject),
                        "request": {"method": "POST", "url": "Procedure"}})
    for a in chart.androgens:
        entries.append(_entry("MedicationStatement", _medication(a, subject), _must(a.key)))
    for m in chart.medications:
        entries.append(_entry("MedicationStatement", _medication(m, subject), _must(m.key)))
    for r in chart.labs:
        entries.append(_entry("Observation", _lab(r, subject), _must(r.key)))
    for s in chart.semen:
        key = _must(s.key)
        made = _semen(s, key, subject, _full_url)
        entries += [_entry("Observation", resource, k) for k, resource in made]
        report = _report(key, made[0][1], subject, _full_url)
        entries.append(_entry("DiagnosticReport", report, report_key(key)))
    bundle = {"resourceType": "Bundle", "type": "transaction", "entry": entries}
    # Validated, but returned as written: a re-serialisation would rewrite what the source
    # gave exactly (an instant's fraction of a second, a partial date).
    Bundle.model_validate(bundle)
    return bundle


def _must(key: SourceKey | None) -> SourceKey:
    """Stored records always have a key; a chart made from a case file gets fresh ones."""
    return key if key is not None else SourceKey(URI_SYSTEM, f"urn:uuid:{uuid.uuid4()}")


def patient_resource(chart: Chart) -> dict[str, Any]:
    """His Patient resource as the bundle writes it (without an id: the caller names it)."""
    return _patient(chart, chart.patient_key or SourceKey(c.PATIENT_SYSTEM, chart.patient.id))


def observation_resources(
    chart: Chart, subject: str, reference: Reference = _full_url
) -> list[tuple[SourceKey, dict[str, Any]]]:
    """His results as Observation resources about ``subject`` (a reference), each with the
    source key it is stored under: laboratory results, then each semen panel followed by its
    members (``reference`` says how a panel refers to a member's key)."""
    out = [(_must(r.key), _lab(r, subject)) for r in chart.labs]
    for s in chart.semen:
        out += _semen(s, _must(s.key), subject, reference)
    return out


def report_resources(
    chart: Chart, subject: str, reference: Reference = _full_url
) -> list[tuple[SourceKey, dict[str, Any]]]:
    """The DiagnosticReport of each of his semen analyses (about ``subject``), with its
    source key (the panel's, ``#report``): as the bundle writes it, grouping the panel."""
    out = []
    for s in chart.semen:
        key = _must(s.key)
        panel = _semen(s, key, subject, reference)[0][1]
        out.append((report_key(key), _report(key, panel, subject, reference)))
    return out
