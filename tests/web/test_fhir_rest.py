"""The FHIR R4 REST API driven by a real FHIR client library (fhirpy) against a running
server (uvicorn in a thread), on SQLite and on PostgreSQL: CapabilityStatement, Patient read
and search, Observation read and search, transaction and batch bundles, OperationOutcome on
errors, clinic tenancy on every endpoint, every read of a patient audited."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from fastapi import FastAPI
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.diagnosticreport import DiagnosticReport
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.patient import Patient
from sqlalchemy import select
from webhelpers import PASSWORD, free_port

from androcast.store.schema import AuditRow
from androcast.web.sessions import COOKIE_NAME
from conftest import make_app, seed
from postgres_schema import postgres_schema

fhirpy = pytest.importorskip("fhirpy")
fhirpy_exceptions = pytest.importorskip("fhirpy.base.exceptions")

LOINC = "http://loinc.org"
MRN = "urn:oid:2.16.840.1.113883.19.5.99999.1"  # a hospital's MRN system (spec example OID)
FHIR_JSON = "application/fhir+json"


class Live:
    def __init__(self, app: FastAPI, url: str) -> None:
        self.app, self.url = app, url

    @property
    def fhir(self) -> str:
        return f"{self.url}/fhir"

    def login(self, username: str) -> dict[str, str]:
        answer = requests.post(f"{self.url}/api/login",
                               json={"username": username, "password": PASSWORD}, timeout=30)
        assert answer.status_code == 200, answer.text
        return {"Cookie": f"{COOKIE_NAME}={answer.cookies[COOKIE_NAME]}",
                "X-CSRF-Token": answer.json()["csrf_token"]}

    def client(self, username: str) -> Any:
        return fhirpy.SyncFHIRClient(self.fhir, extra_headers=self.login(username),
                                     requests_config={"timeout": 120})

    def access(self) -> list[AuditRow]:
        self.app.state.access_audit.flush()
        with self.app.state.store.reading() as session:
            return list(session.scalars(select(AuditRow).where(AuditRow.table_name == "access")
                                         .order_by(AuditRow.id)))


def _serve(app: FastAPI) -> Iterator[str]:
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def live(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[Live]:
    urls = (iter([seed(f"sqlite:///{tmp_path_factory.mktemp('fhir') / 'fhir.db'}")])
            if request.param == "sqlite" else postgres_schema())
    for url in urls:
        app = make_app(url if request.param == "sqlite" else seed(url))
        for served in _serve(app):
            yield Live(app, served)
        app.state.store.close()


def _patient_entry(full_url: str, mrn: str, family: str, given: str, born: str
                   ) -> dict[str, Any]:
    return {
        "fullUrl": full_url,
        "resource": {"resourceType": "Patient", "identifier": [{"system": MRN, "value": mrn}],
                     "name": [{"family": family, "given": [given]}], "gender": "male",
                     "birthDate": born},
        "request": {"method": "POST", "url": "Patient",
                    "ifNoneExist": f"identifier={MRN}|{mrn}"},
    }


def _lh(subject: str, ident: str, when: str, value: float) -> dict[str, Any]:
    return {
        "fullUrl": f"urn:uuid:{ident}",
        "resource": {
            "resourceType": "Observation", "status": "final",
            "identifier": [{"system": "urn:oid:2.16.840.1.113883.19.5.99999.2", "value": ident}],
            "code": {"coding": [{"system": LOINC, "code": "10501-5"}]},
            "subject": {"reference": subject}, "effectiveDateTime": when,
            "valueQuantity": {"value": value, "unit": "IU/L", "system": "http://unitsofmeasure.org",
                              "code": "[IU]/L"},
        },
        "request": {"method": "POST", "url": "Observation"},
    }


def _bundle(kind: str, entries: list[dict[str, Any]]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": kind, "entry": entries}


SMITH = "urn:uuid:6f0c7a1e-2b1d-4c8a-9d65-2a3f0b1c4d5e"
SMITH_BUNDLE = _bundle("transaction", [
    _patient_entry(SMITH, "MRN-7", "Smith", "John", "1987-04-02"),
    _lh(SMITH, "lh-1", "2025-09-01", 0.4),
    _lh(SMITH, "lh-2", "2025-11-03T08:15:00Z", 2.1),
    {"fullUrl": "urn:uuid:0b2d6a52-6fb3-4a0e-8a8c-5b6bb0e0f0a1",
     "resource": {"resourceType": "Encounter", "status": "finished",
                  "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                            "code": "AMB"}},
     "request": {"method": "POST", "url": "Encounter"}},
])


@pytest.fixture(scope="module")
def smith(live: Live) -> dict[str, Any]:
    """John Smith (MRN-7) posted to clinic A by alice as a transaction: the answer."""
    answer: dict[str, Any] = live.client("alice").execute("", method="post", data=SMITH_BUNDLE)
    return answer


def test_metadata_is_an_r4_capability_statement_in_fhir_json(live: Live) -> None:
    answer = requests.get(f"{live.fhir}/metadata", timeout=30)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith(FHIR_JSON)
    statement = CapabilityStatement.model_validate(answer.json())
    assert statement.fhirVersion == "4.0.1" and statement.kind == "instance"
    rest = statement.rest[0]
    kinds = {r.type: r for r in rest.resource}
    # what it says it serves is what it serves (each read and search is tested below)
    assert set(kinds) == {"Patient", "Observation", "DiagnosticReport"}
    for kind in kinds.values():
        assert {i.code for i in kind.interaction} == {"read", "search-type"}
    assert {p.name for p in kinds["Patient"].searchParam} >= {"identifier", "name", "birthdate"}
    assert {p.name for p in kinds["Observation"].searchParam} >= {"patient", "code", "date"}
    assert {p.name for p in kinds["DiagnosticReport"].searchParam} >= {"patient", "code", "date"}
    assert {i.code for i in rest.interaction} == {"transaction", "batch"}
    # fhirpy reads it too
    assert live.client("alice").execute("metadata", method="get")["resourceType"] == (
        "CapabilityStatement")


def test_transaction_imports_and_answers_a_transaction_response(
        live: Live, smith: dict[str, Any]) -> None:
    Bundle.model_validate(smith)
    assert smith["type"] == "transaction-response"
    statuses = [e["response"]["status"] for e in smith["entry"]]
    assert statuses[:3] == ["200 OK"] * 3
    assert smith["entry"][0]["response"]["location"] == "Patient/MRN-7"
    skipped = smith["entry"][3]["response"]  # the Encounter: not kept, and said so
    assert skipped["status"].startswith("422")
    issue = skipped["outcome"]["issue"][0]
    assert issue["code"] == "not-supported" and "Encounter" in issue["diagnostics"]
    again = live.client("alice").execute("", method="post", data=SMITH_BUNDLE)
    assert [e["response"]["status"] for e in again["entry"]] == statuses  # idempotent


def test_patient_read_by_id_is_valid_r4_with_identity_and_is_audited(
        live: Live, smith: dict[str, Any]) -> None:
    client = live.client("alice")
    before = len(live.access())
    patient = client.reference("Patient", "MRN-7").to_resource()
    Patient.model_validate(patient.serialize())
    assert patient["id"] == "MRN-7" and patient["birthDate"] == "1987-04-02"
    assert patient["gender"] == "male"
    assert {"system": MRN, "value": "MRN-7"} in [dict(i) for i in patient["identifier"]]
    assert patient["name"][0]["family"] == "Smith"
    p001 = client.reference("Patient", "P001").to_resource()
    assert p001["id"] == "P001" and "gender" not in p001  # never assumed
    reads = [(r.actor, r.changes["patient"], r.changes["what"])
             for r in live.access()[before:] if r.action == "read"]
    assert ("alice", "MRN-7", "/fhir/Patient/{id}") in reads
    assert ("alice", "P001", "/fhir/Patient/{id}") in reads


def test_patient_search_by_identifier_name_and_birthdate(
        live: Live, smith: dict[str, Any]) -> None:
    client = live.client("alice")
    patients = client.resources("Patient")

    def ids(search: Any) -> list[str]:
        return sorted(p["id"] for p in search.fetch_all())

    assert ids(patients.search(identifier=f"{MRN}|MRN-7")) == ["MRN-7"]
    assert ids(patients.search(identifier="MRN-7")) == ["MRN-7"]
    assert ids(patients.search(identifier="urn:oid:9.9.9|MRN-7")) == []  # other hospital
    assert ids(patients.search(name="smi")) == ["MRN-7"]
    assert ids(patients.search(name="JOHN")) == ["MRN-7"]
    assert ids(patients.search(name="jones")) == []
    assert ids(patients.search(birthdate="1987-04-02")) == ["MRN-7"]
    assert ids(patients.search(birthdate="1987")) == ["MRN-7"]
    assert ids(patients.search(birthdate="ge1988")) == []
    assert ids(patients.search(birthdate="lt1988-01-01")) == ["MRN-7"]
    assert ids(patients) == ["MRN-7", "P001"]  # the whole clinic A: never B's PRL-034
    raw = client.execute("Patient", method="get", params={"name": "smith"})
    Bundle.model_validate(raw)
    assert raw["type"] == "searchset" and raw["total"] == 1
    assert raw["entry"][0]["fullUrl"] == f"{live.fhir}/Patient/MRN-7"
    assert raw["entry"][0]["search"]["mode"] == "match"


def test_observation_search_by_patient_code_and_date(live: Live, smith: dict[str, Any]) -> None:
    client = live.client("alice")
    obs = client.resources("Observation")
    lh = obs.search(patient="Patient/MRN-7", code=f"{LOINC}|10501-5").fetch_all()
    assert sorted(o["valueQuantity"]["value"] for o in lh) == [0.4, 2.1]
    for o in lh:
        Observation.model_validate(o.serialize())
        assert o["subject"]["reference"] == "Patient/MRN-7"
    assert [o["valueQuantity"]["value"]
            for o in obs.search(patient="MRN-7", date="ge2025-10").fetch_all()] == [2.1]
    assert [o["valueQuantity"]["value"]
            for o in obs.search(patient="MRN-7", date="2025-09").fetch_all()] == [0.4]
    assert obs.search(patient="MRN-7", date="2025-11-03").fetch_all()[0]["effectiveDateTime"] == (
        "2025-11-03T08:15:00Z")
    assert obs.search(patient="MRN-7", code="2986-8").fetch_all() == []
    # P001's testosterone (case file) by its LOINC; his semen analysis is his too
    p001 = obs.search(subject="Patient/P001").fetch_all()
    # 7 laboratory results, the semen panel and its 2 members (volume, concentration)
    assert len(p001) == 10 and all(o["subject"]["reference"] == "Patient/P001" for o in p001)
    (panel,) = obs.search(patient="P001", code=f"{LOINC}|13361-1").fetch_all()
    members = [client.reference(reference=m["reference"]).to_resource()
               for m in panel["hasMember"]]
    assert [m["valueQuantity"]["value"] for m in members] == [2.5, 0.0]
    volume = obs.search(patient="P001", code="3160-9").fetch_all()
    assert [o["id"] for o in volume] == [members[0]["id"]]
    t = obs.search(patient="P001", code=f"{LOINC}|2986-8").fetch_all()
    assert [o["valueQuantity"]["value"] for o in t] == [95]
    # read by id, as the searchset's fullUrl says
    one = client.reference("Observation", t[0]["id"]).to_resource()
    assert one["id"] == t[0]["id"]


def test_a_semen_analysis_is_served_as_a_diagnostic_report_grouping_its_panel(
        live: Live, smith: dict[str, Any]) -> None:
    client = live.client("alice")
    reports = client.resources("DiagnosticReport")
    (report,) = reports.search(patient="Patient/P001").fetch_all()
    DiagnosticReport.model_validate(report.serialize())
    assert report["code"]["coding"][0]["code"] == "13361-1"
    assert report["subject"]["reference"] == "Patient/P001"
    (result,) = report["result"]
    panel = client.reference(reference=result["reference"]).to_resource()
    assert panel["code"]["coding"][0]["code"] == "13361-1" and len(panel["hasMember"]) == 2
    assert panel["effectiveDateTime"] == report["effectiveDateTime"]
    assert client.reference("DiagnosticReport", report["id"]).to_resource()["id"] == report["id"]
    assert [r["id"] for r in reports.search(code=f"{LOINC}|13361-1").fetch_all()] == [
        report["id"]]
    assert reports.search(code="3160-9").fetch_all() == []  # a member's code is no report's
    assert reports.search(patient="MRN-7").fetch_all() == []  # Smith has no semen analysis
    day = report["effectiveDateTime"][:10]
    assert len(reports.search(patient="P001", date=day).fetch_all()) == 1
    assert reports.search(patient="P001", date=f"gt{day}").fetch_all() == []
    reads = [(r.actor, r.changes["patient"], r.changes["what"]) for r in live.access()]
    assert ("alice", "P001", "/fhir/DiagnosticReport/{id}") in reads


def test_an_identifier_that_is_no_fhir_id_is_read_and_searched_by_its_digest_id(
        live: Live, smith: dict[str, Any]) -> None:
    subject = "urn:uuid:9a1c7a1e-2b1d-4c8a-9d65-2a3f0b1c4d5e"
    client = live.client("alice")
    client.execute("", method="post", data=_bundle("transaction", [
        _patient_entry(subject, "MRN 10_b", "Space", "Slash", "1970-01-01"),
        _lh(subject, "lh-s1", "2025-09-01", 1.5)]))
    (found,) = client.resources("Patient").search(identifier=f"{MRN}|MRN 10_b").fetch_all()
    assert found["id"].startswith("h.")  # the identifier is no valid FHIR id
    assert client.reference("Patient", found["id"]).to_resource()["name"][0]["family"] == "Space"
    (lh,) = client.resources("Observation").search(patient=f"Patient/{found['id']}").fetch_all()
    assert lh["valueQuantity"]["value"] == 1.5
    assert lh["subject"]["reference"] == f"Patient/{found['id']}"
    with pytest.raises(fhirpy_exceptions.ResourceNotFound):
        live.client("bob").reference("Patient", found["id"]).to_resource()


def test_paging_follows_next_links(live: Live, smith: dict[str, Any]) -> None:
    client = live.client("alice")
    first = client.execute("Observation", method="get", params={"patient": "P001", "_count": 3})
    assert first["total"] == 10 and len(first["entry"]) == 3
    assert any(link["relation"] == "next" for link in first["link"])
    every = client.resources("Observation").search(patient="P001").limit(3).fetch_all()
    assert len(every) == 10 and len({o["id"] for o in every}) == 10


def test_clinic_b_never_reads_clinic_a_on_any_endpoint(live: Live, smith: dict[str, Any]
                                                       ) -> None:
    alice, bob = live.client("alice"), live.client("bob")
    lh_id = alice.resources("Observation").search(patient="MRN-7").fetch_all()[0]["id"]
    before = len(live.access())
    for rid in ("P001", "MRN-7"):
        with pytest.raises(fhirpy_exceptions.ResourceNotFound):
            bob.reference("Patient", rid).to_resource()
    with pytest.raises(fhirpy_exceptions.ResourceNotFound):
        bob.reference("Observation", lh_id).to_resource()
    patients = bob.resources("Patient")
    assert [p["id"] for p in patients.fetch_all()] == ["PRL-034"]
    assert patients.search(identifier="MRN-7").fetch_all() == []
    assert patients.search(name="smith").fetch_all() == []
    assert patients.search(birthdate="1987").fetch_all() == []
    observations = bob.resources("Observation")
    assert observations.search(patient="Patient/MRN-7").fetch_all() == []
    assert observations.search(patient="P001").fetch_all() == []
    assert observations.search(_id=lh_id).fetch_all() == []
    a_report = alice.resources("DiagnosticReport").search(patient="P001").fetch_all()[0]["id"]
    with pytest.raises(fhirpy_exceptions.ResourceNotFound):
        bob.reference("DiagnosticReport", a_report).to_resource()
    assert bob.resources("DiagnosticReport").search(patient="P001").fetch_all() == []
    assert bob.resources("DiagnosticReport").search(_id=a_report).fetch_all() == []
    b_reports = bob.resources("DiagnosticReport").fetch_all()
    assert b_reports and all(r["subject"]["reference"] == "Patient/PRL-034" for r in b_reports)
    assert all(o["subject"]["reference"] == "Patient/PRL-034" for o in observations.fetch_all())
    # bob's transaction with the same MRN creates B's own patient; A's is untouched
    changed = _bundle("transaction", [_patient_entry(SMITH, "MRN-7", "Other", "Man", "1990-01-01"),
                                      _lh(SMITH, "lh-1", "2025-09-01", 9.9)])
    bob.execute("", method="post", data=changed)
    assert bob.reference("Patient", "MRN-7").to_resource()["birthDate"] == "1990-01-01"
    assert alice.reference("Patient", "MRN-7").to_resource()["birthDate"] == "1987-04-02"
    assert sorted(o["valueQuantity"]["value"] for o in alice.resources("Observation").search(
        patient="MRN-7").fetch_all()) == [0.4, 2.1]
    assert not any(r.actor == "bob" and r.changes.get("patient") in ("P001",)
                   for r in live.access()[before:])


def test_errors_are_operation_outcomes(live: Live, smith: dict[str, Any]) -> None:
    # not logged in: 401, on reads and on POST
    for method, path in (("get", "/Patient"), ("get", "/Patient/P001"),
                         ("get", "/Observation"), ("post", "")):
        answer = requests.request(method, f"{live.fhir}{path}", json=SMITH_BUNDLE, timeout=30)
        assert answer.status_code in (401, 403), (path, answer.status_code)
        assert answer.headers["content-type"].startswith(FHIR_JSON)
        OperationOutcome.model_validate(answer.json())
    headers = live.login("alice")
    no_csrf = {"Cookie": headers["Cookie"]}
    answer = requests.post(f"{live.fhir}/", json=SMITH_BUNDLE, headers=no_csrf, timeout=30)
    assert answer.status_code == 403 and answer.json()["issue"][0]["code"] == "forbidden"
    # an invalid entry in a transaction: nothing stored, the element named
    bad = _bundle("transaction", [
        _patient_entry(SMITH, "MRN-8", "Bad", "Unit", "1980-01-01"),
        _lh(SMITH, "lh-8", "2025-09-01", 1.0),
    ])
    bad["entry"][1]["resource"]["valueQuantity"]["code"] = "nmol/L!!"
    answer = requests.post(f"{live.fhir}/", json=bad, headers=headers, timeout=30)
    assert answer.status_code == 422
    issue = OperationOutcome.model_validate(answer.json()).issue[0]
    assert issue.expression == ["Bundle.entry[1].resource.valueQuantity.code"]
    assert "nmol/L!!" in (issue.diagnostics or "")
    with pytest.raises(fhirpy_exceptions.ResourceNotFound):
        live.client("alice").reference("Patient", "MRN-8").to_resource()
    # unknown search parameter, wrong bundle type, unknown interaction
    answer = requests.get(f"{live.fhir}/Patient", params={"identifer": "x"}, headers=headers,
                          timeout=30)
    assert answer.status_code == 400 and "identifer" in answer.json()["issue"][0]["diagnostics"]
    answer = requests.post(f"{live.fhir}/", json=_bundle("collection", []), headers=headers,
                           timeout=30)
    assert answer.status_code == 400
    assert answer.json()["issue"][0]["expression"] == ["Bundle.type"]
    answer = requests.get(f"{live.fhir}/Encounter", headers=headers, timeout=30)
    assert answer.status_code == 404 and answer.json()["resourceType"] == "OperationOutcome"
    with pytest.raises(fhirpy_exceptions.OperationOutcome):
        live.client("alice").resources("Patient").search(birthdate="tomorrow").fetch()


def test_batch_entries_are_independent(live: Live, smith: dict[str, Any]) -> None:
    entries = [_patient_entry(SMITH, "MRN-9", "Batch", "Man", "1975-06-30"),
               _lh(SMITH, "lh-91", "2025-09-01", 1.0), _lh(SMITH, "lh-92", "2025-09-02", 2.0)]
    entries[2]["resource"]["valueQuantity"]["code"] = "ng/mL?"
    client = live.client("alice")
    answer = client.execute("", method="post", data=_bundle("batch", entries))
    Bundle.model_validate(answer)
    assert answer["type"] == "batch-response"
    statuses = [e["response"]["status"] for e in answer["entry"]]
    assert statuses[:2] == ["200 OK", "200 OK"] and statuses[2].startswith("422")
    issue = answer["entry"][2]["response"]["outcome"]["issue"][0]
    assert issue["severity"] == "error" and "ng/mL?" in issue["diagnostics"]
    kept = client.resources("Observation").search(patient="MRN-9").fetch_all()
    assert [o["valueQuantity"]["value"] for o in kept] == [1.0]
