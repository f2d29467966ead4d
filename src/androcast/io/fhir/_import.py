"""FHIR R4 bundle -> charts: Patient, Observation (labs, semen) and MedicationStatement.

Each entry is validated twice: its shape by the fhir.resources model, its content by the
same rules a case file obeys (``androcast.labs.parse_case`` on the equivalent case-file
entry). Errors are re-addressed to the FHIR element, e.g.
``entry[3].resource.valueQuantity.unit``. Any invalid entry fails the whole bundle.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from fhir.resources.R4B.diagnosticreport import DiagnosticReport
from fhir.resources.R4B.medicationstatement import MedicationStatement
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient as FhirPatient
from fhir.resources.R4B.procedure import Procedure
from pydantic import ValidationError

from androcast.drugs import drug_codes
from androcast.errors import AndrocastError, InputFileError, UnitError, UnknownCodeError
from androcast.io.fhir import _codes as c
from androcast.labs import analyte, analyte_for_loinc, androgen_codes, parse_case, semen_parameters
from androcast.store.chart import (
    RETRACTED,
    URI_SYSTEM,
    Chart,
    Keyed,
    MedicationUse,
    SourceKey,
    couple_of,
)
from androcast.units import convert, parse_unit

BUNDLE_TYPES = ("transaction", "batch", "collection", "searchset", "document")
MODELS: Mapping[str, Any] = {
    "Patient": FhirPatient,
    "Observation": Observation,
    "MedicationStatement": MedicationStatement,
    "DiagnosticReport": DiagnosticReport,  # only the grouping of one semen panel (see below)
    "Procedure": Procedure,  # only past chemotherapy or radiotherapy (``_gonadotoxic``)
}
#: What a bundle entry may be to be imported (a DiagnosticReport only as the report of one
#: semen panel: ``_Panels.reports_one_panel``).
KEPT = "Patient, Observation, MedicationStatement"  # and the two above, as they say
SKIPPED_STATUS = ("cancelled",)  # never performed: no result to keep


def _short(value: Any) -> Any:
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return value


def _path(loc: tuple[Any, ...]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc)


def _readdressed(err: AndrocastError, where: Mapping[str, str], base: str) -> AndrocastError:
    """The same error naming the FHIR element instead of the case-file field."""
    for prefix in sorted(where, key=len, reverse=True):
        if err.field == prefix or err.field.startswith(prefix + "."):
            fhir_field = where[prefix] + err.field[len(prefix) :]
            break
    else:
        fhir_field = base
    return type(err)(fhir_field, err.value, err.expected, err.hint)


def _validated(case: Mapping[str, Any], where: Mapping[str, str], base: str, as_of: dt.date) -> Any:
    try:
        return parse_case(case, source="bundle", as_of=as_of)
    except AndrocastError as err:
        raise _readdressed(err, where, base) from None


# UCUM's grammar (unitsofmeasure.org, "The Unified Code for Units of Measure", sec. 2),
# without parentheses: components joined by "." or "/", each an atom (letters, a bracketed
# unit such as [IU], 10*n or a number) with an optional exponent and annotation, or an
# annotation alone. Anything else ("ng/mL?", "nmol/L!!") is not UCUM and is refused.
_ATOM = r"(?:[A-Za-z]*\[[A-Za-z0-9_'.%-]+\]|[A-Za-z%'_]+|10[*^][+-]?\d+|\d+)"
_COMPONENT = rf"(?:{_ATOM}[+-]?\d*(?:\{{[^{{}}]*\}})?|\{{[^{{}}]*\}})"
_UCUM = re.compile(rf"/?{_COMPONENT}(?:[./]{_COMPONENT})*")
_TEXT = re.compile(r"[A-Za-z0-9µμ%*^/.\[\]{}' _-]+")  # a laboratory's display spelling
# UCUM's U is the enzyme unit (umol/min), not the International Unit [IU] of hormone assays.
_ENZYME_UNIT = re.compile(r"(?<![A-Za-z\[])[a-zµ]?U(?![A-Za-z\]])")


def _checked_code(code: Any, at: str) -> str:
    """A UCUM code, checked against UCUM's grammar, as the unit parser reads it."""
    if not isinstance(code, str) or not _UCUM.fullmatch(code):
        raise UnitError(at, code, "a UCUM unit code (unitsofmeasure.org), e.g. ng/dL, [IU]/L")
    if _ENZYME_UNIT.search(code):
        raise UnitError(
            at,
            code,
            "[IU] for International Units (UCUM's U is the enzyme unit, umol/min, which no "
            "hormone assay reports), e.g. [IU]/L or m[IU]/mL",
        )
    parse_unit("1" + code if code.startswith("/") else code, field=at)
    return "1" + code if code.startswith("/") else code


def _unit_element(quantity: Mapping[str, Any], at: str) -> str:
    """Which element states the unit: the UCUM ``code``, or ``unit`` when it says the same."""
    code, unit = quantity.get("code"), quantity.get("unit")
    if quantity.get("system") != c.UCUM or not code:
        return "unit" if unit is not None else "code"
    _checked_code(code, f"{at}.code")
    if isinstance(unit, str) and _TEXT.fullmatch(unit):
        try:
            if parse_unit(unit) == parse_unit(_checked_code(code, f"{at}.code")):
                return "unit"  # the laboratory's spelling, kept as reported
        except UnitError:
            pass
    return "code"


def _unit(quantity: Mapping[str, Any], at: str) -> Any:
    """The unit a quantity states: a UCUM code strictly checked, or the laboratory's text."""
    element = _unit_element(quantity, at)
    value = quantity.get(element)
    if element == "code" and quantity.get("system") == c.UCUM and value:
        return _checked_code(value, f"{at}.code")
    if isinstance(value, str) and not _TEXT.fullmatch(value):
        raise UnitError(f"{at}.{element}", value, "a unit such as ng/dL, nmol/L or IU/L")
    return value


def _censored(quantity: Mapping[str, Any]) -> Any:
    value = quantity.get("value")
    comparator = quantity.get("comparator")
    if comparator in ("<", "<="):
        return f"<{value}"
    if comparator in (">", ">="):
        return f">{value}"
    return value


def _extensions(resource: Mapping[str, Any], base: str) -> dict[str, tuple[Any, str]]:
    """Our extensions by URI: (value, element path); repeated ones keep a list of values."""
    out: dict[str, tuple[Any, str]] = {}
    for index, ext in enumerate(resource.get("extension", [])):
        url = ext.get("url", "")
        if not url.startswith(c.EXTENSION):
            continue
        value_key = next((k for k in ext if k.startswith("value")), None)
        where = f"{base}.extension[{index}]" + (f".{value_key}" if value_key else "")
        value = ext.get(value_key) if value_key else None
        if url == c.CONDITION:
            codes = out.get(url, ([], where))[0]
            out[url] = ([*codes, value], where)
        else:
            out[url] = (value, where)
    return out


def _key(entry: Mapping[str, Any], resource: Mapping[str, Any]) -> SourceKey | None:
    """A record's own identity: its identifier (system + value), else a stable fullUrl.

    A ``urn:uuid``/``urn:oid`` fullUrl is minted afresh by each sender for each bundle, so it
    identifies nothing across imports: such a record has no key and is matched by content.
    """
    identifiers = [i for i in resource.get("identifier", []) if i.get("value")]
    first = identifiers[0] if identifiers else None
    chosen = next((i for i in identifiers if i.get("system")), first)
    if chosen is not None:
        return SourceKey(chosen.get("system", ""), chosen["value"])
    full_url = entry.get("fullUrl")
    if isinstance(full_url, str) and full_url and not full_url.startswith(_MINTED):
        return SourceKey(URI_SYSTEM, full_url)
    return None


_MINTED = ("urn:uuid:", "urn:oid:")


def _shown(key: SourceKey) -> str:
    return f"{key.system}|{key.value}" if key.system else key.value


@dataclass
class _PatientEntry:
    chart: Chart
    age_years: float | None
    labs: list[Keyed[Any]] = field(default_factory=list)
    semen: list[Keyed[Any]] = field(default_factory=list)
    androgens: list[Keyed[Any]] = field(default_factory=list)
    medications: list[Keyed[Any]] = field(default_factory=list)
    retracted: list[SourceKey] = field(default_factory=list)
    gonadotoxic: list[Any] = field(default_factory=list)


def _age(birth: Any, base: str, as_of: dt.date) -> float | None:
    if not isinstance(birth, str):
        return None
    text = birth + "-01-01"[len(birth) - 4 :] if len(birth) in (4, 7) else birth
    born = dt.date.fromisoformat(text)
    if born > as_of:
        raise InputFileError(f"{base}.birthDate", birth, f"a date on or before {as_of}")
    return (as_of - born).days / 365.25


_EXAM_SIDES = (("vas_deferens", c.VAS_DEFERENS_LEFT, c.VAS_DEFERENS_RIGHT),
               ("varicocele", c.VARICOCELE_LEFT, c.VARICOCELE_RIGHT))


def _exam(ext: Mapping[str, tuple[Any, str]], base: str
          ) -> tuple[dict[str, Any], dict[str, str]]:
    """His examination from the Patient's extensions (``_export._exam``), as a case file
    writes it, and where each value came from."""
    exam: dict[str, Any] = {}
    where: dict[str, str] = {}
    for name, url in (("date", c.EXAM_DATE), ("visual_fields", c.VISUAL_FIELDS)):
        if url in ext:
            exam[name], where[f"exam.{name}"] = ext[url]
    for name, *urls in _EXAM_SIDES:
        for side, url in zip(("left", "right"), urls, strict=True):
            if url in ext:
                exam.setdefault(name, {"left": None, "right": None})[side] = ext[url][0]
                where[f"exam.{name}.{side}"] = ext[url][1]
    return exam, where


def _patient(
    entry: Mapping[str, Any], resource: Mapping[str, Any], base: str, as_of: dt.date
) -> _PatientEntry:
    key = _key({}, resource)
    identifier = key.value if key else resource.get("id")
    ext = _extensions(resource, base)
    age, age_at = ext.get(c.AGE_YEARS, (None, f"{base}.birthDate"))
    birth = resource.get("birthDate")
    if age is None and birth is not None:
        age = _age(birth, base, as_of)
    left, left_at = ext.get(c.TESTIS_LEFT, (None, base))
    right, right_at = ext.get(c.TESTIS_RIGHT, (None, base))
    body: dict[str, Any] = {"id": identifier, "age_years": age}
    for name, url in (("bmi", c.BMI), ("ethnicity", c.ETHNICITY)):
        if url in ext:
            body[name] = ext[url][0]
    if left is not None or right is not None:
        body["testis_volume_ml"] = {"left": left, "right": right}
    conditions, conditions_at = ext.get(c.CONDITION, ([], base))
    goal, goal_at = ext.get(c.GOAL, (None, base))
    partner_age, partner_at = ext.get(c.PARTNER_AGE, (None, base))
    horizon, horizon_at = ext.get(c.GOAL_WITHIN_MONTHS, (None, base))
    evaluation, evaluation_at = ext.get(c.PARTNER_EVALUATION, (None, base))
    months, months_at = ext.get(c.INFERTILITY_MONTHS, (None, base))
    children, children_at = ext.get(c.CHILDREN, (None, base))
    exam, exam_where = _exam(ext, base)
    where = {
        **exam_where,
        "patient.id": f"{base}.identifier",
        "patient.age_years": age_at,
        "patient.bmi": ext.get(c.BMI, (None, base))[1],
        "patient.ethnicity": ext.get(c.ETHNICITY, (None, base))[1],
        "patient.testis_volume_ml.left": left_at,
        "patient.testis_volume_ml.right": right_at,
        "goal": goal_at,
        "history.conditions": conditions_at,
        "partner.age_years": partner_at,
        "partner.evaluation": evaluation_at,
        "goal_within_months": horizon_at,
        "history.reproductive.infertility_months": months_at,
        "history.reproductive.children": children_at,
    }
    couple: dict[str, Any] = {}
    partner = {k: v for k, v in (("age_years", partner_age), ("evaluation", evaluation))
               if v is not None}
    if partner:
        couple["partner"] = partner
    if horizon is not None:
        couple["goal_within_months"] = horizon
    history: dict[str, Any] = {"conditions": conditions}
    reproductive = {k: v for k, v in (("infertility_months", months), ("children", children))
                    if v is not None}
    if reproductive:
        history["reproductive"] = reproductive
    if exam:
        couple["exam"] = exam
    case = _validated(
        {"patient": body, "goal": goal, "history": history, **couple}, where, base, as_of,
    )
    # Our own patient system is the default on export: store it as no system at all.
    patient_key = key if key and key.system and key.system != c.PATIENT_SYSTEM else None
    born = dt.date.fromisoformat(birth) if isinstance(birth, str) and len(birth) == 10 else None
    chart = Chart(
        patient=case.patient,
        goal=case.goal,
        conditions=case.history.conditions,
        patient_key=patient_key,
        birth_date=born,
        gender=resource.get("gender"),
        names=tuple(entry.get("resource", {}).get("name", [])),
        **couple_of(case),
    )
    return _PatientEntry(chart, case.patient.age_years)


def _lab(
    resource: Mapping[str, Any], base: str, owner: _PatientEntry, as_of: dt.date
) -> tuple[Any, str | None]:
    codings = resource.get("code", {}).get("coding", [])
    key, code, code_at = None, None, f"{base}.code"
    for index, coding in enumerate(codings):
        coding_at = f"{base}.code.coding[{index}].code"
        if coding.get("system") == c.LOINC:
            try:
                key, code, code_at = (
                    analyte_for_loinc(coding.get("code")).key,
                    coding["code"],
                    coding_at,
                )
                break
            except (UnknownCodeError, TypeError):
                code_at = coding_at
        elif coding.get("system") == c.ANALYTE_SYSTEM:
            key, code_at = analyte(coding.get("code"), field=coding_at).key, coding_at
            break
    if key is None:
        known = ", ".join(f"{a}" for a in sorted(_lab_loincs()))
        raise UnknownCodeError(code_at, _first_code(codings), f"a LOINC code of: {known}")
    quantity = resource.get("valueQuantity")
    if not isinstance(quantity, Mapping):
        raise InputFileError(f"{base}.valueQuantity", None, "a valueQuantity with value and unit")
    item: dict[str, Any] = {
        "date": _day(_effective(resource)),
        "analyte": key,
        "value": _censored(quantity),
        "unit": _unit(quantity, f"{base}.valueQuantity"),
    }
    ranges = resource.get("referenceRange", [])
    if ranges:
        low, high = ranges[0].get("low", {}), ranges[0].get("high", {})
        item["reference"] = {
            "low": low.get("value"),
            "high": high.get("value"),
            "unit": _unit(low or high, f"{base}.referenceRange[0].{'low' if low else 'high'}"),
            "source": ranges[0].get("text", "laboratory"),
        }
        applies = ranges[0].get("appliesTo", [])
        if applies and applies[0].get("text"):
            item["reference"]["population"] = applies[0]["text"]
    ext = _extensions(resource, base)
    if c.CONFIRMED in ext:
        item["confirmed"] = ext[c.CONFIRMED][0]
    if c.SAMPLE_TIME in ext:  # FHIR time HH:MM:SS; the case file's clock time is HH:MM
        clock = ext[c.SAMPLE_TIME][0]
        item["time"] = clock[:5] if isinstance(clock, str) and len(clock) >= 5 else clock
    if c.FASTING in ext:
        item["fasting"] = ext[c.FASTING][0]
    unit_at = _unit_element(quantity, f"{base}.valueQuantity")
    where = {
        "labs[0].date": f"{base}.{_effective_element(resource)}",
        "labs[0].analyte": code_at,
        "labs[0].value": f"{base}.valueQuantity.value",
        "labs[0].unit": f"{base}.valueQuantity.{unit_at}",
        "labs[0].reference": f"{base}.referenceRange[0]",
        "labs[0].confirmed": ext.get(c.CONFIRMED, (None, base))[1],
        "labs[0].time": ext.get(c.SAMPLE_TIME, (None, base))[1],
        "labs[0].fasting": ext.get(c.FASTING, (None, base))[1],
    }
    case = _validated(
        {"patient": {"id": owner.chart.patient.id, "age_years": owner.age_years}, "labs": [item]},
        where,
        base,
        as_of,
    )
    result = case.labs[0]
    ref = result.reference
    # The interval was converted from the reported unit: to 12 significant digits, so that
    # our export (which writes it in the reported unit again) re-imports to the same value.
    rounded = replace(ref, low=_significant(ref.low), high=_significant(ref.high))
    return replace(result, reference=rounded), code


def _significant(limit: float | None) -> float | None:
    return None if limit is None else float(f"{limit:.12g}")


def _first_code(codings: list[Any]) -> Any:
    return codings[0].get("code") if codings else None


def _lab_loincs() -> list[str]:
    from androcast.labs import analyte_keys

    return [code for key in analyte_keys() for code in analyte(key).loinc.values() if code]


def _day(text: Any) -> Any:
    """The calendar day a FHIR date/dateTime/instant falls on; a partial date (YYYY-MM,
    YYYY) its first day. Its precision travels beside it (``effective``)."""
    if not isinstance(text, str):
        return text
    if len(text) == 7 and text[4] == "-":
        return text + "-01"
    if len(text) == 4 and text.isdigit():
        return text + "-01-01"
    return text[:10] if len(text) > 10 and text[10] == "T" else text


def _effective_element(resource: Mapping[str, Any]) -> str:
    if "effectiveDateTime" in resource:
        return "effectiveDateTime"
    if "effectiveInstant" in resource:
        return "effectiveInstant"
    period = resource.get("effectivePeriod", {})
    return "effectivePeriod." + ("start" if "start" in period or "end" not in period else "end")


def _effective(resource: Mapping[str, Any]) -> Any:
    """The clinical time as written: effectiveDateTime, effectiveInstant or effectivePeriod
    (its start, else its end). ``issued`` (when the result was released) is never it."""
    if "effectiveDateTime" in resource:
        return resource["effectiveDateTime"]
    if "effectiveInstant" in resource:
        return resource["effectiveInstant"]
    if "effectivePeriod" in resource:
        period = resource["effectivePeriod"]
        return period.get("start", period.get("end"))
    return None


def _require_effective(resource: Mapping[str, Any], base: str) -> None:
    if _effective(resource) is None:
        raise InputFileError(
            f"{base}.effective[x]",
            resource.get("issued"),
            "the time the sample was taken (effectiveDateTime, effectiveInstant or "
            "effectivePeriod); issued is when the result was released, never used for it",
        )


def _kept_effective(raw: Mapping[str, Any]) -> dict[str, Any] | None:
    """The effective element exactly as given, when the day alone does not say it all."""
    if "effectiveDateTime" in raw:
        text = raw["effectiveDateTime"]
        return None if isinstance(text, str) and len(text) == 10 else {"dateTime": text}
    if "effectiveInstant" in raw:
        return {"instant": raw["effectiveInstant"]}
    if "effectivePeriod" in raw:
        return {"period": dict(raw["effectivePeriod"])}
    return None


def _details(raw: Mapping[str, Any]) -> dict[str, Any] | None:
    kept = {name: raw[name] for name in c.DETAIL_ELEMENTS if name in raw}
    # The result keeps "<" or ">" (censored); an inclusive comparator is kept exactly here.
    comparator = (raw.get("valueQuantity") or {}).get("comparator")
    if comparator in ("<=", ">="):
        kept["comparator"] = comparator
    return kept or None


def _semen_codes() -> dict[str, str]:
    return {p.loinc: key for key, p in semen_parameters().items() if p.loinc}


def _codes_of(resource: Mapping[str, Any]) -> set[tuple[Any, Any]]:
    return {
        (coding.get("system"), coding.get("code"))
        for coding in resource.get("code", {}).get("coding", [])
    }


def _is_panel(resource: Mapping[str, Any]) -> bool:
    """The semen analysis panel (LOINC 13361-1, or our earlier code) by its members."""
    codes = _codes_of(resource)
    return (
        resource.get("resourceType") == "Observation"
        and "component" not in resource
        and "hasMember" in resource
        and ((c.LOINC, c.semen_panel()[0]) in codes or (c.OBSERVATION_SYSTEM, c.SEMEN_ANALYSIS)
             in codes)
    )


def _is_semen(resource: Mapping[str, Any]) -> bool:
    codes = _codes_of(resource)
    if (c.OBSERVATION_SYSTEM, c.SEMEN_ANALYSIS) in codes or (c.LOINC, c.semen_panel()[0]) in codes:
        return True
    return any(system == c.LOINC and code in _semen_codes() for system, code in codes)


def _semen_values(
    parts: list[tuple[Mapping[str, Any], Mapping[str, Any] | None, str]],
) -> tuple[dict[str, Any], dict[str, str]]:
    """Semen parameters from (code, valueQuantity, element path) triples, in catalogue units."""
    item: dict[str, Any] = {}
    where: dict[str, str] = {}
    for code, quantity, at in parts:
        loinc = next(
            (k.get("code") for k in code.get("coding", []) if k.get("system") == c.LOINC), None
        )
        if loinc not in _semen_codes():
            known = ", ".join(sorted(_semen_codes()))
            raise UnknownCodeError(f"{at}.code", loinc, f"a semen LOINC code: one of {known}")
        key = _semen_codes()[loinc]
        if not isinstance(quantity, Mapping) or quantity.get("value") is None:
            raise InputFileError(f"{at}.valueQuantity", None, "a valueQuantity with a value")
        unit = _unit(quantity, f"{at}.valueQuantity")
        target = semen_parameters()[key].unit
        value = quantity["value"]
        if unit is not None and unit != target:
            if not isinstance(unit, str):
                raise UnitError(f"{at}.valueQuantity.unit", unit, f"a unit like {target}")
            value = convert(value, unit, target, field=f"{at}.valueQuantity.unit")
        item[key] = _censored({**quantity, "value": value})
        where[f"semen[0].{key}"] = f"{at}.valueQuantity.value"
    return item, where


def _semen(
    resource: Mapping[str, Any], base: str, as_of: dt.date
) -> tuple[dict[str, Any], dict[str, str]]:
    """One Observation's semen parameters as a case-file ``semen:`` entry (not yet checked)."""
    if "component" in resource:
        parts = [
            (part.get("code", {}), part.get("valueQuantity"), f"{base}.component[{i}]")
            for i, part in enumerate(resource["component"])
        ]
    else:
        parts = [(resource.get("code", {}), resource.get("valueQuantity"), base)]
    item, where = _semen_values(parts)
    more, more_at = _semen_extensions(resource, base)
    return {**item, **more}, {**where, **more_at}


def _semen_extensions(
    resource: Mapping[str, Any], base: str
) -> tuple[dict[str, Any], dict[str, str]]:
    """What a semen Observation says of the sample besides values: abstinence, pellet, date."""
    where: dict[str, str] = {}
    ext = _extensions(resource, base)

    def fields(path: str, names: Mapping[str, str]) -> dict[str, Any]:
        """The case-file fields ``names`` (field: extension URI) present, each remembering
        the element it came from (``where``) so a bad value names its FHIR path."""
        out = {}
        for name, url in names.items():
            if url in ext:
                out[name], where[f"{path}.{name}"] = ext[url]
        return out

    item = fields("semen[0]", {"abstinence_days": c.ABSTINENCE_DAYS,
                               "pellet_sperm_seen": c.PELLET_SPERM_SEEN, "ph": c.SEMEN_PH})
    urine = fields("semen[0].post_ejaculate_urine", {
        "sperm_seen": c.URINE_SPERM_SEEN, "total_sperm_million": c.URINE_TOTAL_SPERM,
        "progressive_motility_pct": c.URINE_PROGRESSIVE})
    if urine:
        item["post_ejaculate_urine"] = urine
    item["date"] = _day(_effective(resource))
    where["semen[0].date"] = f"{base}.{_effective_element(resource)}"
    return item, where


def _medication(
    resource: Mapping[str, Any], base: str, owner: _PatientEntry, as_of: dt.date
) -> tuple[str, Any]:
    concept = resource.get("medicationCodeableConcept", {})
    codings = concept.get("coding", [])
    index, code = next(
        ((i, k.get("code")) for i, k in enumerate(codings) if k.get("system") == c.DRUG_SYSTEM),
        (None, None),
    )
    code_at = f"{base}.medicationCodeableConcept" + (
        f".coding[{index}].code" if index is not None else ""
    )
    if code not in drug_codes():
        raise UnknownCodeError(
            code_at,
            code if code is not None else _first_code(codings),
            f"a coding of {c.DRUG_SYSTEM}: one of {', '.join(drug_codes())}",
        )
    period = resource.get("effectivePeriod", {})
    start = period.get("start", resource.get("effectiveDateTime"))
    stop = period.get("end")
    dosage = (resource.get("dosage") or [{}])[0]
    dose_at = f"{base}.dosage[0].doseAndRate[0].doseQuantity"
    quantity = (dosage.get("doseAndRate") or [{}])[0].get("doseQuantity")
    dose = f"{quantity.get('value')} {_unit(quantity, dose_at)}" if quantity else None
    repeat = dosage.get("timing", {}).get("repeat", {})
    every = _every(repeat)
    route = next(
        (
            k.get("code")
            for k in dosage.get("route", {}).get("coding", [])
            if k.get("system") == c.ROUTE_SYSTEM
        ),
        None,
    )
    start_at = f"{base}.effectivePeriod.start" if "start" in period else f"{base}.effectiveDateTime"
    if code in androgen_codes():
        item = {
            "agent": code,
            "dose": dose,
            "every": every,
            "start": _day(start),
            "stop": _day(stop),
            "route": route,
        }
        where = {
            "history.androgens[0].agent": code_at,
            "history.androgens[0].dose": dose_at,
            "history.androgens[0].every": f"{base}.dosage[0].timing.repeat",
            "history.androgens[0].start": start_at,
            "history.androgens[0].stop": f"{base}.effectivePeriod.end",
            "history.androgens[0].route": f"{base}.dosage[0].route",
        }
        case = _validated(
            {"patient": {"id": owner.chart.patient.id}, "history": {"androgens": [item]}},
            where,
            base,
            as_of,
        )
        return "androgen", case.history.androgens[0]
    # Other drugs: a course in the case file's mapping form, checked by the case-file rules
    # (a restoration drug he takes now needs its dose and interval, as in a case file).
    course = {"agent": code, "dose": dose, "every": every, "start": _day(start),
              "stop": _day(stop)}
    case = _validated(
        {"patient": {"id": owner.chart.patient.id},
         "history": {"medications": [{k: v for k, v in course.items() if v is not None}]}},
        {
            "history.medications[0]": code_at,
            "history.medications[0].agent": code_at,
            "history.medications[0].dose": dose_at,
            "history.medications[0].every": f"{base}.dosage[0].timing.repeat",
            "history.medications[0].start": start_at,
            "history.medications[0].stop": f"{base}.effectivePeriod.end",
        },
        base,
        as_of,
    )
    checked = case.history.courses[0]
    return "medication", MedicationUse(
        code=code,
        start=checked.start,
        stop=checked.stop,
        dose=checked.dose,
        dose_unit=checked.dose_unit,
        every_d=checked.every_d,
    )


def _every(repeat: Mapping[str, Any]) -> str | None:
    period, unit = repeat.get("period"), repeat.get("periodUnit")
    if period is None:
        return None
    frequency = repeat.get("frequency", 1) or 1
    spelled = c.PERIOD_UNITS.get(unit, unit) if isinstance(unit, str) else unit
    return f"{float(period) / float(frequency):g} {spelled}"


@dataclass(frozen=True)
class Skipped:
    """A bundle entry left out of an import, and why (``entry`` is its index)."""

    entry: int
    resource_type: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"entry": self.entry, "resourceType": self.resource_type, "reason": self.reason}


@dataclass(frozen=True)
class ParsedBundle:
    """What a bundle holds that androcast keeps (charts), and every entry it left out."""

    charts: tuple[Chart, ...]
    skipped: tuple[Skipped, ...]
    imported: int  # entries that went into the charts

    def report(self) -> dict[str, Any]:
        """``{"imported": N, "skipped": [{entry, resourceType, reason}, ...]}`` (JSON)."""
        return {"imported": self.imported, "skipped": [s.to_dict() for s in self.skipped]}


def parse_bundle(data: Any, *, as_of: dt.date, source: str = "bundle") -> tuple[Chart, ...]:
    """The charts of a FHIR R4 bundle, strictly: every entry must be one androcast imports.

    Observations and MedicationStatements must refer to a Patient entry of the bundle
    (``subject.reference`` = its fullUrl or ``Patient/<id>``). Any entry that is invalid, of
    another resource type or with a code outside the catalogue raises an AndrocastError
    naming it, e.g. ``entry[3].resource.valueQuantity.unit``.
    """
    return parse_bundle_entries(data, as_of=as_of, source=source, strict=True).charts


def parse_bundle_entries(
    data: Any, *, as_of: dt.date, source: str = "bundle", strict: bool = False
) -> ParsedBundle:
    """The charts of a FHIR R4 bundle and the entries left out, each with its reason.

    Resource types androcast does not keep (Encounter, Condition, Composition, ...), codes
    outside the analyte and drug catalogues, cancelled results and resources about a patient
    not in the bundle are skipped and reported. An invalid supported entry fails the whole
    bundle (``transaction``: all or nothing; ``collection``, ``document``, ``searchset``), except
    in a ``batch``, whose entries are independent: it is skipped with its error. ``strict``
    refuses anything that is not imported (the behaviour of ``parse_bundle``).
    """
    if not isinstance(data, Mapping) or data.get("resourceType") != "Bundle":
        value = data.get("resourceType") if isinstance(data, Mapping) else _short(data)
        raise InputFileError(f"{source}.resourceType", value, "a FHIR R4 Bundle")
    if data.get("type") not in BUNDLE_TYPES:
        raise InputFileError(
            f"{source}.type", _short(data.get("type")), f"one of {', '.join(BUNDLE_TYPES)}"
        )
    entries = data.get("entry", [])
    if not isinstance(entries, list):
        raise InputFileError("entry", _short(entries), "a list of bundle entries")
    batch = data.get("type") == "batch" and not strict
    skipped: list[Skipped] = []
    resources: list[tuple[Mapping[str, Any], dict[str, Any], str]] = []
    for index, entry in enumerate(entries):
        base = f"entry[{index}].resource"
        resource = entry.get("resource") if isinstance(entry, Mapping) else None
        if not isinstance(resource, Mapping):
            raise InputFileError(base, _short(resource), "a FHIR resource")
        kind = resource.get("resourceType")
        if not isinstance(kind, str) or kind not in MODELS:
            if strict or not isinstance(kind, str):
                raise UnknownCodeError(
                    f"{base}.resourceType", _short(kind), f"one of {KEPT}"
                )
            skipped.append(
                Skipped(index, kind, f"{kind} is not imported (only {KEPT})")
            )
            continue
        try:
            resources.append((entry, _validated_resource(resource, kind, base), base))
        except AndrocastError as err:
            if not batch or kind == "Patient":
                raise
            skipped.append(Skipped(index, kind, str(err)))
    charts, more = _assemble(resources, as_of, strict=strict, batch=batch)
    skipped = sorted([*skipped, *more], key=lambda s: s.entry)
    return ParsedBundle(charts, tuple(skipped), len(entries) - len(skipped))


def _validated_resource(resource: Mapping[str, Any], kind: str, base: str) -> dict[str, Any]:
    """The resource checked by its fhir.resources model (R4B: the R4 wire format), as given.

    The checked JSON itself is read on (not the model re-serialised, which took half of an
    import's time): the model only vouches for its shape.
    """
    try:
        MODELS[kind].model_validate(resource)
    except ValidationError as err:
        first = err.errors()[0]
        raise InputFileError(
            base + _path(tuple(first["loc"])), _short(first.get("input")), first["msg"]
        ) from None
    except (ValueError, TypeError, KeyError, AttributeError) as err:
        raise InputFileError(base, kind, f"a valid FHIR R4 {kind}", hint=str(err)) from None
    return dict(resource)


class _NotImported(Exception):
    """An entry androcast does not keep (not an error unless the import is strict)."""


def _index(base: str) -> int:
    return int(base[len("entry[") : base.index("]")])


def _assemble(
    resources: list[tuple[Mapping[str, Any], dict[str, Any], str]],
    as_of: dt.date,
    *,
    strict: bool,
    batch: bool,
) -> tuple[tuple[Chart, ...], list[Skipped]]:
    patients: dict[str, _PatientEntry] = {}
    order: list[_PatientEntry] = []
    for entry, resource, base in resources:
        if resource["resourceType"] != "Patient":
            continue
        record = _patient(entry, resource, base, as_of)
        order.append(record)
        if isinstance(entry.get("fullUrl"), str):
            patients[entry["fullUrl"]] = record
        if "id" in resource:
            patients[f"Patient/{resource['id']}"] = record
    semen_groups: _SemenGroups = {}
    seen: dict[tuple[str, SourceKey], str] = {}
    skipped: list[Skipped] = []
    panels = _Panels()
    for entry, resource, base in resources:
        if _is_panel(resource):
            panels.add(entry, resource, base)
    for entry, resource, base in resources:
        kind = resource["resourceType"]
        if kind == "Patient":
            continue
        try:
            _add_entry(entry, resource, base, patients, seen, semen_groups, as_of, strict,
                       panels)
        except _NotImported as why:
            skipped.append(Skipped(_index(base), kind, str(why)))
        except AndrocastError as err:
            if not batch:
                raise
            skipped.append(Skipped(_index(base), kind, str(err)))
    charts = _charts(order, semen_groups, as_of)
    return charts, skipped


_SemenGroups = dict[
    tuple[int, Any],
    list[tuple[dict[str, Any], dict[str, str], SourceKey | None, dict[str, Any]]],
]


@dataclass
class _Panels:
    """The semen panels of a bundle: each panel's entry by its fullUrl, and the panel each
    member Observation belongs to (``hasMember``), so members group by panel, not by time."""

    by_url: dict[str, str] = field(default_factory=dict)
    member_of: dict[str, str] = field(default_factory=dict)

    def add(self, entry: Mapping[str, Any], resource: Mapping[str, Any], base: str) -> None:
        url = entry.get("fullUrl")
        if isinstance(url, str):
            self.by_url[url] = base
        for member in resource.get("hasMember", []):
            reference = member.get("reference") if isinstance(member, Mapping) else None
            if isinstance(reference, str):
                self.member_of[reference] = base

    def reports_one_panel(self, resource: Mapping[str, Any]) -> bool:
        """A DiagnosticReport whose only result is a semen panel of this bundle (which the
        export writes again from the panel: nothing of it is lost)."""
        results = [r.get("reference") for r in resource.get("result", [])
                   if isinstance(r, Mapping)]
        codes = _codes_of(resource)
        return (len(results) == 1 and results[0] in self.by_url
                and (c.LOINC, c.semen_panel()[0]) in codes)


def _add_entry(
    entry: Mapping[str, Any],
    resource: dict[str, Any],
    base: str,
    patients: Mapping[str, _PatientEntry],
    seen: dict[tuple[str, SourceKey], str],
    semen_groups: _SemenGroups,
    as_of: dt.date,
    strict: bool,
    panels: _Panels,
) -> None:
    """One Observation or MedicationStatement into its patient's records (or semen groups);
    a DiagnosticReport that only groups a semen panel is taken as read."""
    if resource.get("status") in SKIPPED_STATUS and not strict:
        raise _NotImported(f"status {resource['status']}: no result to keep")
    if resource.get("status") in SKIPPED_STATUS:
        return  # strict imports leave cancelled results out, as they always did
    reference = resource.get("subject", {}).get("reference")
    owner = patients.get(reference) if isinstance(reference, str) else None
    if owner is None:
        if not strict:
            raise _NotImported(
                f"its subject ({reference}) is not a Patient entry of this bundle"
            )
        raise InputFileError(
            f"{base}.subject.reference",
            reference,
            "a reference to a Patient entry of this bundle (its fullUrl or Patient/<id>)",
        )
    if resource["resourceType"] == "DiagnosticReport":
        if panels.reports_one_panel(resource):
            return  # the panel it groups is imported; the export writes this report again
        why = ("a DiagnosticReport is kept only as the report of one semen analysis panel "
               "(LOINC 13361-1) of this bundle; its results are imported one by one")
        if strict:
            raise UnknownCodeError(f"{base}.resourceType", "DiagnosticReport", why)
        raise _NotImported(why)
    if resource["resourceType"] == "Procedure":
        treatment = _gonadotoxic(resource, base, owner, as_of)
        if treatment is not None:
            owner.gonadotoxic.append(treatment)
            return
        why = ("a Procedure is imported only as past chemotherapy or radiotherapy (SNOMED CT "
               "367336001, 108290001) he had: not one of status not-done, entered-in-error "
               "or preparation")
        if strict:
            raise UnknownCodeError(f"{base}.code", _first_code(
                resource.get("code", {}).get("coding", [])), why)
        raise _NotImported(why)
    try:
        _add_record(entry, resource, base, owner, seen, semen_groups, as_of, panels)
    except UnknownCodeError as err:
        if strict or not _is_code_field(err.field):
            raise
        raise _NotImported(str(err)) from None


_NOT_HAD = ("not-done", "entered-in-error", "preparation")


def _gonadotoxic(resource: Mapping[str, Any], base: str, owner: _PatientEntry, as_of: dt.date
                 ) -> Any:
    """A Procedure that is his past chemotherapy or radiotherapy (``_export._procedure``),
    validated as the case file's ``history.gonadotoxic_treatment``; None: another one."""
    codes = _codes_of(resource)
    kind = next((code for system, code in codes if system == c.GONADOTOXIC_SYSTEM), None)
    kind = kind or next((name for name, (code, _) in c.GONADOTOXIC_SNOMED.items()
                         if (c.SNOMED, code) in codes), None)
    if kind is None or resource.get("status") in _NOT_HAD:
        return None
    field_ = "history.gonadotoxic_treatment[0]"
    ext = _extensions(resource, base)
    body: dict[str, Any] = {"type": kind}
    where = {f"{field_}.type": f"{base}.code"}
    for name, url in (("regimen", c.REGIMEN), ("cycles", c.CYCLES), ("dose_gy", c.DOSE_GY),
                      ("sperm_banked_before", c.SPERM_BANKED_BEFORE)):
        if url in ext:
            body[name], where[f"{field_}.{name}"] = ext[url]
    sites = resource.get("bodySite") or []
    if sites and isinstance(sites[0], Mapping) and sites[0].get("text") is not None:
        body["field"], where[f"{field_}.field"] = sites[0]["text"], f"{base}.bodySite[0].text"
    period = resource.get("performedPeriod") or {}
    for name, element in (("start", "start"), ("stop", "end")):
        if period.get(element) is not None:
            body[name] = _day(period[element])
            where[f"{field_}.{name}"] = f"{base}.performedPeriod.{element}"
    if resource.get("performedDateTime") is not None:
        body["start"] = body["stop"] = _day(resource["performedDateTime"])
        where[f"{field_}.start"] = where[f"{field_}.stop"] = f"{base}.performedDateTime"
    case = _validated({"patient": {"id": owner.chart.patient.id},
                       "history": {"gonadotoxic_treatment": [body]}}, where, base, as_of)
    return case.history.gonadotoxic_treatment[0]


def _is_code_field(name: str) -> bool:
    """An unknown code of the resource itself (not of a unit or an extension)."""
    return ".code.coding[" in name or name[-5:] == ".code" or "medicationCodeableConcept" in name


def _add_record(
    entry: Mapping[str, Any],
    resource: dict[str, Any],
    base: str,
    owner: _PatientEntry,
    seen: dict[tuple[str, SourceKey], str],
    semen_groups: _SemenGroups,
    as_of: dt.date,
    panels: _Panels,
) -> None:
    kind = resource["resourceType"]
    key = _key(entry, resource)
    status = resource.get("status")
    if status == RETRACTED and key is not None:
        owner.retracted.append(key)  # whatever it said, the record it names goes
        return
    if key is not None:
        other = seen.setdefault((kind, key), base)
        if other != base:
            raise InputFileError(
                f"{base}.identifier",
                _shown(key),
                f"an identifier of its own ({other} has the same one: two records are never "
                "merged into one)",
            )
    if kind == "MedicationStatement":
        what, item = _medication(resource, base, owner, as_of)
        kept = Keyed(item, key, status=RETRACTED if status == RETRACTED else None)
        (owner.androgens if what == "androgen" else owner.medications).append(kept)
        return
    _require_effective(resource, base)
    raw = entry["resource"]
    observed: dict[str, Any] = {
        "status": None if status == "final" else status,
        "effective": _kept_effective(raw),
        "details": _details(raw),
    }
    if _is_panel(resource):
        # The panel names the sample (its identifier, status, details); its members give
        # the values. Its own part goes first: the sample is known by it.
        values, value_at = _semen_extensions(resource, base)
        semen_groups.setdefault((id(owner), base), []).insert(
            0, (values, value_at, key, observed))
        return
    url = entry.get("fullUrl")
    panel = panels.member_of.get(url) if isinstance(url, str) else None
    if panel is not None and _is_semen(resource):
        values, value_at = _semen(resource, base, as_of)
        member = {**observed, "status": None if status == "final" else status}
        semen_groups.setdefault((id(owner), panel), []).append((values, value_at, None, member))
    elif _is_semen(resource):
        values, value_at = _semen(resource, base, as_of)
        # Parameters reported as separate Observations belong to one sample when they
        # share its exact collection time (a date alone cannot tell two samples apart:
        # a parameter given twice for one time is refused below, never merged).
        group = (id(owner), base if "component" in resource else str(_effective(raw)))
        semen_groups.setdefault(group, []).append((values, value_at, key, observed))
    else:
        result, code = _lab(resource, base, owner, as_of)
        owner.labs.append(Keyed(result, key, code, **observed))


def _charts(
    order: list[_PatientEntry], semen_groups: _SemenGroups, as_of: dt.date
) -> tuple[Chart, ...]:
    owners = {id(record): record for record in order}
    for (owner_id, _), parts in semen_groups.items():
        owner = owners[owner_id]
        merged: dict[str, Any] = {}
        where: dict[str, str] = {}
        for values, part_where, _, _ in parts:
            for name, value in values.items():
                if name in merged and name != "date" and merged[name] != value:
                    raise InputFileError(
                        part_where.get(f"semen[0].{name}", "entry"),
                        value,
                        f"one {name} per semen sample: {where[f'semen[0].{name}']} gives "
                        f"{merged[name]!r} for the same collection time (two samples need "
                        "their own times, or a panel each)",
                    )
            merged.update(values)
            where.update(part_where)
        case = _validated(
            {"patient": {"id": owner.chart.patient.id}, "semen": [merged]}, where, "entry", as_of
        )
        keys = [k for _, _, k, _ in parts if k is not None]
        key = (
            keys[0]
            if len(keys) == 1
            else (
                SourceKey(keys[0].system, "+".join(sorted(k.value for k in keys))) if keys else None
            )
        )
        # Parts of one sample share a status unless one is not final: then the sample isn't.
        statuses = [o["status"] for *_, o in parts if o["status"] is not None]
        observed = {**parts[0][3], "status": statuses[0] if statuses else None}
        owner.semen.append(Keyed(case.semen[0], key, **observed))
    return tuple(
        replace(
            record.chart,
            labs=tuple(record.labs),
            semen=tuple(record.semen),
            androgens=tuple(record.androgens),
            medications=tuple(record.medications),
            retracted=tuple(record.retracted),
            gonadotoxic=tuple(record.gonadotoxic) or record.chart.gonadotoxic,
        )
        for record in order
    )


def read_bundle(path: str | Path, *, as_of: dt.date, strict: bool = False) -> ParsedBundle:
    """Read a FHIR R4 bundle (JSON file) and validate it (see ``parse_bundle_entries``)."""
    file = Path(path)
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        raise InputFileError(
            str(path), file.name, "a readable FHIR JSON file", hint=str(err)
        ) from None
    except json.JSONDecodeError as err:
        raise InputFileError(
            str(path), f"line {err.lineno}, column {err.colno}", "valid JSON"
        ) from None
    return parse_bundle_entries(data, as_of=as_of, source=file.name, strict=strict)
