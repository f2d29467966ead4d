"""What the FHIR R4 REST API does with the store (``routes/fhir.py`` is its HTTP side).

Every function takes the user's clinic and reads only that clinic's patients: another
clinic's patient is not found by read, and no search returns him. Searches follow R4 search
(``io.fhir._search``): repeated parameters AND, comma-separated values OR; an unknown
parameter is refused (a misspelt ``identifer`` must not return every patient).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from androcast import __version__
from androcast.io.fhir import observation_resources, patient_resource, report_resources
from androcast.io.fhir._search import (
    HASHED,
    DateParam,
    Token,
    any_token,
    code_match,
    effective_span,
    identifier_digest,
    name_matches,
    observation_id,
    patient_digest,
    patient_id,
    span_of,
)
from androcast.store import Chart, SourceKey, Store
from androcast.store.records import patient_charts
from androcast.store.search import (
    ResultQuery,
    patient_entry,
    patient_identifiers,
    result_charts,
)
from androcast.web import service
from androcast.workflows.records import Bound, unbounded

FHIR_JSON = "application/fhir+json; fhirVersion=4.0"
FHIR_VERSION = "4.0.1"
#: Media types a client may send or ask for (``_format`` accepts the short names too).
JSON_TYPES = ("application/fhir+json", "application/json", "json", "application/json+fhir")
DEFAULT_COUNT = 50
MAX_COUNT = 500
CONTROL = ("_count", "_offset", "_format", "_total", "_totalMethod")
PATIENT_PARAMS = ("_id", "identifier", "name", "birthdate", "gender")
OBSERVATION_PARAMS = ("_id", "patient", "subject", "code", "date", "status")
REPORT_PARAMS = OBSERVATION_PARAMS


class FhirRequestError(Exception):
    """A request the API cannot serve: HTTP status, OperationOutcome issue code, text and
    the FHIRPath of what is wrong."""

    def __init__(self, status: int, code: str, text: str, expression: str | None = None
                 ) -> None:
        super().__init__(text)
        self.status, self.code, self.text, self.expression = status, code, text, expression


def outcome(severity: str, code: str, text: str, expression: str | None = None
            ) -> dict[str, Any]:
    """An OperationOutcome of one issue."""
    issue: dict[str, Any] = {"severity": severity, "code": code, "diagnostics": text}
    if expression:
        issue["expression"] = [expression]
    return {"resourceType": "OperationOutcome", "issue": [issue]}


@dataclass(frozen=True)
class Found:
    """A resource the API returns and whose record it is (for the access audit)."""

    identifier: str
    resource: dict[str, Any]


# -- the CapabilityStatement ------------------------------------------------------------------


def _param(name: str, kind: str, text: str) -> dict[str, str]:
    return {"name": name, "type": kind, "documentation": text}


def _result_params(code_example: str) -> list[dict[str, str]]:
    """The search parameters of a result (Observation or DiagnosticReport): one query each."""
    return [
        _param("_id", "token", "the resource id"),
        _param("patient", "reference", "Patient/<id> or <id>"),
        _param("subject", "reference", "Patient/<id> or <id>"),
        _param("code", "token", code_example),
        _param("date", "date", "effective[x], with prefixes"),
        _param("status", "token", "final, preliminary, amended, ..."),
    ]


def capability(base: str) -> dict[str, Any]:
    """What this server does (``GET /fhir/metadata``)."""
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": dt.date.today().isoformat(),
        "publisher": "androcast",
        "kind": "instance",
        "software": {"name": "androcast", "version": __version__},
        "implementation": {"description": "androcast FHIR R4 API", "url": base},
        "fhirVersion": FHIR_VERSION,
        "format": ["application/fhir+json", "json"],
        "rest": [{
            "mode": "server",
            "documentation": (
                "Decision support for professionals. Each clinic sees only its own patients. "
                "Bundles POSTed to the base import what androcast keeps (Patient, "
                "Observation, MedicationStatement, and a DiagnosticReport that groups a semen "
                "panel): a transaction all of it or nothing, a "
                "batch entry by entry; entries it does not keep are answered 422 with an "
                "OperationOutcome saying why."
            ),
            "security": {
                "description": (
                    "Log in with POST /api/login (JSON username and password): send the "
                    "session cookie it sets, and on POST the session's CSRF token as "
                    "X-CSRF-Token (GET /api/session). Every read of a patient is audited."
                ),
            },
            "resource": [
                {
                    "type": "Patient",
                    "interaction": [{"code": "read"}, {"code": "search-type"}],
                    "searchParam": [
                        _param("_id", "token", "the resource id"),
                        _param("identifier", "token", "system|value, value or system|"),
                        _param("name", "string", "start of any part of a name"),
                        _param("birthdate", "date", "with prefixes eq ne gt lt ge le sa eb"),
                        _param("gender", "token", "administrative gender as stored"),
                    ],
                },
                {
                    "type": "Observation",
                    "interaction": [{"code": "read"}, {"code": "search-type"}],
                    "searchParam": _result_params("system|code, e.g. http://loinc.org|2986-8"),
                },
                {
                    "type": "DiagnosticReport",
                    "documentation": (
                        "One per semen analysis: the LOINC semen analysis panel (13361-1), "
                        "whose result is the panel Observation (its hasMember: one "
                        "Observation per parameter). In a POSTed bundle, a report that groups one "
                        "semen panel is taken as read (the panel is what is kept); any other "
                        "is answered 422."
                    ),
                    "interaction": [{"code": "read"}, {"code": "search-type"}],
                    "searchParam": _result_params("http://loinc.org|13361-1"),
                },
            ],
            "interaction": [{"code": "transaction"}, {"code": "batch"}],
        }],
    }


# -- search parameters ------------------------------------------------------------------------


def _criteria(params: Sequence[tuple[str, str]], allowed: Sequence[str], kind: str
              ) -> dict[str, list[list[str]]]:
    """Each search parameter's occurrences (AND), each a list of values (OR)."""
    out: dict[str, list[list[str]]] = {}
    for name, value in params:
        if name in CONTROL:
            continue
        base = name.split(":", 1)[0]
        if base not in allowed or ":" in name:
            raise FhirRequestError(
                400, "not-supported", f"{kind} search has no parameter {name!r}: it takes "
                f"{', '.join(allowed)} (and {', '.join(CONTROL)})", f"{kind}.{name}")
        values = [v for v in value.split(",") if v != ""]
        if not values:
            raise FhirRequestError(400, "invalid", f"{name} needs a value", f"{kind}.{name}")
        out.setdefault(base, []).append(values)
    return out


def paging(params: Sequence[tuple[str, str]]) -> tuple[int, int]:
    """``_offset`` and ``_count`` (at most ``MAX_COUNT``)."""
    values = dict(params)
    out = []
    for name, default, high in (("_offset", 0, 10**9), ("_count", DEFAULT_COUNT, MAX_COUNT)):
        text = values.get(name)
        try:
            number = default if text is None else int(text)
        except ValueError:
            number = -1
        if not 0 <= number <= high:
            raise FhirRequestError(400, "invalid", f"{name} must be a whole number from 0 to "
                                   f"{high}, not {text!r}", name)
        out.append(number)
    return out[0], out[1]


def _dates(values: list[str], name: str) -> list[DateParam]:
    try:
        return [DateParam.parse(v, name) for v in values]
    except Exception as err:  # an AndrocastError naming the value
        raise FhirRequestError(400, "invalid", str(err), name) from None


def _all(criteria: dict[str, list[list[str]]], name: str) -> list[list[str]]:
    return criteria.get(name, [])


# -- Patient ----------------------------------------------------------------------------------


def _patient_found(chart: Chart, version: int) -> Found:
    resource = {"resourceType": "Patient", "id": patient_id(chart.patient.id),
                "meta": {"versionId": str(version)}}
    resource.update({k: v for k, v in patient_resource(chart).items() if k != "resourceType"})
    return Found(chart.patient.id, resource)


def _patient_matches(found: Found, criteria: dict[str, list[list[str]]]) -> bool:
    r = found.resource
    for values in _all(criteria, "_id"):
        if r["id"] not in values:
            return False
    for values in _all(criteria, "identifier"):
        codings = [(i.get("system"), i.get("value")) for i in r.get("identifier", [])]
        if not any_token([Token.parse(v) for v in values], codings):
            return False
    for values in _all(criteria, "name"):
        if not any(name_matches(r.get("name", []), v) for v in values):
            return False
    for values in _all(criteria, "gender"):
        if r.get("gender") not in values:
            return False
    for values in _all(criteria, "birthdate"):
        wanted = _dates(values, "birthdate")
        born = r.get("birthDate")
        if born is None or not any(d.matches(span_of(born)) for d in wanted):
            return False
    return True


def _patients(store: Store, clinic: str) -> list[Found]:
    with store.reading() as session:
        return [_patient_found(c, v) for c, v in patient_charts(session, clinic=clinic)]


def read_patient(store: Store, clinic: str, resource_id: str) -> Found:
    """``GET /fhir/Patient/<id>``: one patient of the clinic (read by his identifier), or
    PatientNotFound."""
    with store.reading() as session:

        def known() -> list[str]:  # only for an id that is a digest of his identifier
            return patient_identifiers(session, clinic=clinic)

        for identifier in _resolved({resource_id}, known):
            entry = patient_entry(session, identifier, clinic=clinic)
            if entry is not None:
                return _patient_found(*entry)
    raise service.PatientNotFound(resource_id)


def search_patients(store: Store, clinic: str, params: Sequence[tuple[str, str]]
                    ) -> list[Found]:
    criteria = _criteria(params, PATIENT_PARAMS, "Patient")
    return [f for f in _patients(store, clinic) if _patient_matches(f, criteria)]


# -- Observation ------------------------------------------------------------------------------


def _reference_id(value: str) -> str:
    """``Patient/<id>``, ``<base>/Patient/<id>`` or a bare id: the id."""
    if "/" not in value:
        return value
    kind, _, rid = value.rstrip("/").rpartition("/")
    if not kind.endswith("Patient"):
        raise FhirRequestError(400, "invalid", f"{value!r} is not a Patient reference",
                               "Observation.patient")
    return rid


def _resolved(ids: set[str], known: Callable[[], list[str]]) -> set[str]:
    """The identifiers of the patients these resource ids name (an id is his identifier,
    or for an identifier that is no valid id a digest of it: those need the clinic's list)."""
    plain = {i for i in ids if patient_id(i) == i and not i.startswith(HASHED)}
    hashed = ids - plain
    return plain | ({i for i in known() if patient_id(i) in hashed} if hashed else set())


def _query(session: Session, clinic: str, criteria: dict[str, list[list[str]]]) -> ResultQuery:
    """The search as a store query: patients, codes, dates and statuses (SQL conditions)."""
    listed: list[list[str]] = []

    def known() -> list[str]:  # read once, only if an id needs it
        if not listed:
            listed.append(patient_identifiers(session, clinic=clinic))
        return listed[0]

    scope: set[str] | None = None
    for name in ("patient", "subject"):
        for values in _all(criteria, name):
            named = _resolved({_reference_id(v) for v in values}, known)
            scope = named if scope is None else scope & named
    for values in _all(criteria, "_id"):  # an id says whose it is: read only him
        digests = {patient_digest(v) for v in values}
        named = {i for i in known() if identifier_digest(i) in digests}
        scope = named if scope is None else scope & named
    return ResultQuery(
        identifiers=None if scope is None else frozenset(scope),
        codes=tuple(tuple(code_match(Token.parse(v)) for v in values)
                    for values in _all(criteria, "code")),
        dates=tuple(tuple(_dates(values, "date")) for values in _all(criteria, "date")),
        statuses=tuple(tuple(values) for values in _all(criteria, "status")),
    )


Resources = Callable[[Chart, str, Callable[[SourceKey], str]],
                     list[tuple[SourceKey, dict[str, Any]]]]


def _results_of(charts: list[Chart], kind: str, resources: Resources) -> list[Found]:
    """His results as ``kind`` resources, each named by its source key."""
    out = []
    for chart in charts:
        identifier = chart.patient.id
        subject = f"Patient/{patient_id(identifier)}"

        def reference(key: SourceKey, identifier: str = identifier) -> str:
            return f"Observation/{observation_id(identifier, key.system, key.value)}"

        for key, resource in resources(chart, subject, reference):
            named = {"resourceType": kind,
                     "id": observation_id(identifier, key.system, key.value)}
            named.update({k: v for k, v in resource.items() if k != "resourceType"})
            out.append(Found(identifier, named))
    return out


def _observation_matches(found: Found, criteria: dict[str, list[list[str]]]) -> bool:
    """The exact check of each resource the query returned (a code query may return a
    semen analysis for one of its members, a result for another of its analyte's codes)."""
    r = found.resource
    for values in _all(criteria, "_id"):
        if r["id"] not in values:
            return False
    for values in _all(criteria, "code"):
        codings = [(k.get("system"), k.get("code")) for k in r["code"].get("coding", [])]
        if not any_token([Token.parse(v) for v in values], codings):
            return False
    for values in _all(criteria, "status"):
        if r.get("status") not in values:
            return False
    for values in _all(criteria, "date"):
        wanted = _dates(values, "date")
        span = effective_span(r)
        if span is None or not any(d.matches(span) for d in wanted):
            return False
    return True


#: A search or a read of one resource type within a clinic (the REST routes take either).
Search = Callable[[Store, str, Sequence[tuple[str, str]]], list[Found]]
Read = Callable[[Store, str, str], Found]


def _search_results(store: Store, clinic: str, params: Sequence[tuple[str, str]], kind: str,
                    allowed: Sequence[str], resources: Resources, *, semen_only: bool = False,
                    ) -> list[Found]:
    """Results of the clinic's patients (those named by ``patient``/``subject``, else all) as
    ``kind`` resources: patient, code, date and status are a query on the store
    (``store.search``); each resource it returns is then checked exactly."""
    criteria = _criteria(params, allowed, kind)
    with store.reading() as session:
        query = replace(_query(session, clinic, criteria), semen_only=semen_only)
        charts = result_charts(session, query, clinic=clinic)
    found = _results_of(charts, kind, resources)
    return [f for f in found if _observation_matches(f, criteria)]


def _read_one(found: list[Found], kind: str, resource_id: str) -> Found:
    if found:
        return found[0]
    raise FhirRequestError(404, "not-found", f"{kind} {resource_id!r} not found in your clinic",
                           f"{kind}.id")


def search_observations(store: Store, clinic: str, params: Sequence[tuple[str, str]]
                        ) -> list[Found]:
    return _search_results(store, clinic, params, "Observation", OBSERVATION_PARAMS,
                           observation_resources)


def read_observation(store: Store, clinic: str, resource_id: str) -> Found:
    return _read_one(search_observations(store, clinic, [("_id", resource_id)]),
                     "Observation", resource_id)


# -- DiagnosticReport -------------------------------------------------------------------------


def search_reports(store: Store, clinic: str, params: Sequence[tuple[str, str]]
                   ) -> list[Found]:
    """The DiagnosticReport of each semen analysis of the clinic's patients (as the export
    groups a panel), searched like Observations: a query on the semen analyses only."""
    return _search_results(store, clinic, params, "DiagnosticReport", REPORT_PARAMS,
                           report_resources, semen_only=True)


def read_report(store: Store, clinic: str, resource_id: str) -> Found:
    return _read_one(search_reports(store, clinic, [("_id", resource_id)]),
                     "DiagnosticReport", resource_id)


# -- Bundles ----------------------------------------------------------------------------------


def searchset(base: str, kind: str, found: list[Found], params: Sequence[tuple[str, str]]
              ) -> dict[str, Any]:
    """One page of a search as a searchset Bundle, with self and next links."""
    offset, count = paging(params)
    page = found[offset: offset + count]
    kept = [(k, v) for k, v in params if k not in ("_offset", "_count")]

    def link(relation: str, at: int) -> dict[str, str]:
        query = urlencode([*kept, ("_count", str(count)), ("_offset", str(at))])
        return {"relation": relation, "url": f"{base}/{kind}?{query}"}

    links = [link("self", offset)]
    if offset + count < len(found) and count > 0:
        links.append(link("next", offset + count))
    if offset > 0:
        links.append(link("previous", max(0, offset - count)))
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(found),
        "link": links,
        "entry": [
            {"fullUrl": f"{base}/{kind}/{f.resource['id']}", "resource": f.resource,
             "search": {"mode": "match"}}
            for f in page
        ],
    }


_METHODS = ("POST", "PUT")


def _checked_entries(bundle: Any) -> tuple[str, list[Any]]:
    if not isinstance(bundle, Mapping) or bundle.get("resourceType") != "Bundle":
        raise FhirRequestError(400, "structure", "POST /fhir takes a Bundle", "Bundle")
    kind = bundle.get("type")
    if kind not in ("transaction", "batch"):
        raise FhirRequestError(
            400, "invalid", f"POST /fhir takes a transaction or a batch Bundle, not {kind!r}",
            "Bundle.type")
    entries = bundle.get("entry", [])
    if not isinstance(entries, list):
        raise FhirRequestError(400, "structure", "Bundle.entry must be a list", "Bundle.entry")
    for index, entry in enumerate(entries):
        request = entry.get("request") if isinstance(entry, Mapping) else None
        method = request.get("method") if isinstance(request, Mapping) else None
        if method not in _METHODS:
            raise FhirRequestError(
                400, "not-supported",
                f"entry {index}: request.method {method!r} is not supported here (POST or PUT "
                "of a resource; reads are GET /fhir/Patient, /fhir/Observation and "
                "/fhir/DiagnosticReport)",
                f"Bundle.entry[{index}].request.method")
    return str(kind), entries


def process_bundle(store: Store, clinic: str, actor: str, bundle: Any, *, today: dt.date,
                   bound: Bound = unbounded, schedule: service.Schedule | None = None
                   ) -> dict[str, Any]:
    """``POST /fhir``: a transaction or batch bundle imported into the clinic; the answer is
    its transaction-response or batch-response (one entry per entry, in order). The
    monitoring step of a man on an adopted plan runs as a background job (``schedule``), as
    for the JSON API's import."""
    kind, entries = _checked_entries(bundle)
    result = service.import_bundle(store, clinic, actor, bundle, today=today, bound=bound,
                                   schedule=schedule)
    skipped = {s["entry"]: s for s in result["skipped"]}
    patients = iter(result["patients"])
    answered = []
    for index, entry in enumerate(entries):
        resource = entry.get("resource") or {}
        if index in skipped:
            why = skipped[index]["reason"]
            not_kept = " is not imported" in why or "not a Patient entry" in why
            answered.append({"response": {
                "status": "422 Unprocessable Entity",
                "outcome": outcome("warning" if not_kept else "error",
                                   "not-supported" if not_kept else "invalid", why,
                                   f"Bundle.entry[{index}]"),
            }})
            continue
        response: dict[str, Any] = {"status": "200 OK"}
        if resource.get("resourceType") == "Patient":
            response["location"] = f"Patient/{patient_id(next(patients))}"
        answered.append({"response": response})
    return {
        "resourceType": "Bundle",
        "type": f"{kind}-response",
        "entry": answered,
    }
