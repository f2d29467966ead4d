"""A record outside androcast's scope (an imported FHIR Patient whose gender is not male: the
assessment declines, ``out_of_scope``): his page, his outlook and his report say why and
draw no curve, start no computation (issue 18, item 5 of the brief)."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from webhelpers import api_token

ClientFor = Callable[[str], TestClient]
HTMX = {"HX-Request": "true"}


def _bundle(identifier: str, gender: str) -> dict[str, Any]:
    subject = "urn:uuid:1b5b9f0e-6f34-4c1e-9a8e-3c6d2f1a0b7c"
    return {"resourceType": "Bundle", "type": "transaction", "entry": [
        {"fullUrl": subject,
         "resource": {"resourceType": "Patient", "gender": gender, "birthDate": "1985-02-01",
                      "identifier": [{"system": "urn:oid:1.2.3.4.5", "value": identifier}]},
         "request": {"method": "POST", "url": "Patient"}},
        {"fullUrl": "urn:uuid:6a3c1f3e-0b55-4d5e-8f0a-2c1d9b7e4a11",
         "resource": {"resourceType": "Observation", "status": "final",
                      "identifier": [{"system": "urn:oid:1.2.3.4.6", "value": f"{identifier}-lh"}],
                      "code": {"coding": [{"system": "http://loinc.org", "code": "10501-5"}]},
                      "subject": {"reference": subject}, "effectiveDateTime": "2025-10-01",
                      "valueQuantity": {"value": 0.4, "unit": "IU/L",
                                        "system": "http://unitsofmeasure.org",
                                        "code": "[IU]/L"}},
         "request": {"method": "POST", "url": "Observation"}},
    ]}


def _imported(alice: TestClient, identifier: str, gender: str) -> None:
    answer = alice.post("/api/fhir", json=_bundle(identifier, gender),
                        headers=api_token(alice))
    assert answer.status_code == 201, answer.text


def test_a_record_outside_scope_says_why_and_draws_no_curve(client_for: ClientFor) -> None:
    alice = client_for("alice")
    _imported(alice, "W-1", "female")
    page = html.unescape(alice.get("/patients/W-1").text)
    assert 'data-testid="out-of-scope"' in page
    assert "gender is 'female'" in page
    assert 'data-testid="compute-outlook"' not in page  # nothing to compute
    assert 'data-declined="true"' in page  # the bottom line says there is no forecast
    for response in (alice.get("/patients/W-1/outlook", headers=HTMX),
                     alice.get("/patients/W-1/outlook")):
        assert response.status_code == 200
        text = html.unescape(response.text)
        assert 'data-testid="out-of-scope"' in text
        assert "prognosis-chart" not in text and "plan-chart" not in text
        assert 'data-testid="outlook-job"' not in text
    report = html.unescape(alice.get("/patients/W-1/report", params={"compute": "true"}).text)
    assert 'data-testid="prognosis-table"' not in report
    for path in ("/api/patients/W-1/prognosis", "/api/patients/W-1/plan"):  # the API alike
        answer = alice.get(path)
        assert answer.status_code == 422
        error = answer.json()["error"]
        assert error["field"] == "patient" and "gender is 'female'" in error["hint"]


def test_a_male_record_still_offers_its_outlook(client_for: ClientFor) -> None:
    alice = client_for("alice")
    _imported(alice, "M-1", "male")
    page = html.unescape(alice.get("/patients/M-1").text)
    assert 'data-testid="out-of-scope"' not in page
    assert 'data-testid="compute-outlook"' in page
