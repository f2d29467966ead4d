"""Chart -> FHIR R4 transaction bundle (Patient, Observation, MedicationStatement).

Each resource carries the source key its record is stored under as its identifier, and the
transaction creates it only if none with that identifier exists (``ifNoneExist``), so the
bundle re-imports to the same record, here or in another FHIR server.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from fhir.resources.R4B.bundle import Bundle

from androcast.drugs import get_drug
from androcast.io.fhir import _codes as c
from androcast.labs import AndrogenUse, LabResult, SemenAnalysis, analyte, semen_parameters
from androcast.store.chart import URI_SYSTEM, Chart, Keyed, MedicationUse, SourceKey
from androcast.units import to_ucum


def _full_url(key: SourceKey) -> str:
    if key.value.startswith("urn:uuid:"):
        return key.value
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{key.system}|{key.value}')}"


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


def _patient(chart: Chart, key: SourceKey) -> dict[str, Any]:
    p = chart.patient
    extension: list[dict[str, Any]] = []
    if p.age_years is not None:
        extension.append({"url": c.AGE_YEARS, "valueDecimal": p.age_years})
    if p.bmi is not None:
        extension.append({"url": c.BMI, "valueDecimal": p.bmi})
    if p.testis_volume_ml is not None:
        for url, volume in zip((c.TESTIS_LEFT, c.TESTIS_RIGHT), p.testis_volume_ml, strict=True):
            if volume is not None:
                extension.append({"url": url, "valueDecimal": volume})
    if p.ethnicity is not None:
        extension.append({"url": c.ETHNICITY, "valueCode": p.ethnicity})
    extension.append({"url": c.GOAL, "valueCode": chart.goal})
    extension += [{"url": c.CONDITION, "valueCode": code} for code in chart.conditions]
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
    coding = (
        {"system": c.LOINC, "code": code, "display": analyte(r.analyte).name}
        if code
        else {"system": c.ANALYTE_SYSTEM, "code": r.analyte, "display": analyte(r.analyte).name}
    )
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "identifier": _identifier(result.key),
        "category": [{"coding": [{"system": c.CATEGORY_SYSTEM, "code": "laboratory"}]}],
        "code": {"coding": [coding], "text": r.analyte},
        "subject": {"reference": subject},
        **_observed(result, r.date),
        "valueQuantity": _quantity(
            r.reported_value, r.reported_unit, _comparator(result, r.censor)
        ),
    }
    ref = r.reference
    if ref.low is not None or ref.high is not None:
        interval: dict[str, Any] = {"text": ref.source, "appliesTo": [{"text": ref.population}]}
        if ref.low is not None:
            interval["low"] = _quantity(ref.low, ref.unit)
        if ref.high is not None:
            interval["high"] = _quantity(ref.high, ref.unit)
        resource["referenceRange"] = [interval]
    if r.confirmed:
        resource["extension"] = [{"url": c.CONFIRMED, "valueBoolean": True}]
    return resource


def _semen(analysis: Keyed[SemenAnalysis], subject: str) -> dict[str, Any]:
    s = analysis.item
    components = []
    for key, parameter in semen_parameters().items():
        value = getattr(s, key, None)
        if parameter.loinc is None or value is None:
            continue
        censor = s.concentration_censor if key == "concentration_m_per_ml" else None
        components.append(
            {
                "code": {"coding": [{"system": c.LOINC, "code": parameter.loinc}], "text": key},
                "valueQuantity": _quantity(value, parameter.unit, censor),
            }
        )
    extension: list[dict[str, Any]] = []
    if s.abstinence_days is not None:
        extension.append({"url": c.ABSTINENCE_DAYS, "valueDecimal": s.abstinence_days})
    if s.pellet_sperm_seen is not None:
        extension.append({"url": c.PELLET_SPERM_SEEN, "valueBoolean": s.pellet_sperm_seen})
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "identifier": _identifier(analysis.key),
        "category": [{"coding": [{"system": c.CATEGORY_SYSTEM, "code": "laboratory"}]}],
        "code": {
            "coding": [{"system": c.OBSERVATION_SYSTEM, "code": c.SEMEN_ANALYSIS}],
            "text": "Semen analysis",
        },
        "subject": {"reference": subject},
        **_observed(analysis, s.date),
        "component": components,
    }
    if extension:
        resource["extension"] = extension
    return resource


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
    for a in chart.androgens:
        entries.append(_entry("MedicationStatement", _medication(a, subject), _must(a.key)))
    for m in chart.medications:
        entries.append(_entry("MedicationStatement", _medication(m, subject), _must(m.key)))
    for r in chart.labs:
        entries.append(_entry("Observation", _lab(r, subject), _must(r.key)))
    for s in chart.semen:
        entries.append(_entry("Observation", _semen(s, subject), _must(s.key)))
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


def observation_resources(chart: Chart, subject: str) -> list[tuple[SourceKey, dict[str, Any]]]:
    """His results as Observation resources about ``subject`` (a reference), each with the
    source key it is stored under, oldest first."""
    out = [(_must(r.key), _lab(r, subject)) for r in chart.labs]
    out += [(_must(s.key), _semen(s, subject)) for s in chart.semen]
    return out
