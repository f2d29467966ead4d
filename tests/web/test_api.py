"""The JSON API mirrors the CLI: interpret, simulate, patients, observations, FHIR."""

from __future__ import annotations

import json
from collections.abc import Callable

import yaml
from fastapi.testclient import TestClient
from webhelpers import TODAY, api_token, example

from androcast.interpret import interpret
from androcast.labs import load_case
from androcast.simulate import simulate

ClientFor = Callable[[str], TestClient]


def _case_json(name: str) -> dict[str, object]:
    data = yaml.safe_load(example(f"cases/{name}").read_text(encoding="utf-8"))
    return json.loads(json.dumps(data, default=str))


def test_interpret_returns_the_core_assessment_of_the_case(client_for: ClientFor) -> None:
    alice = client_for("alice")
    response = alice.post(
        "/api/interpret",
        params={"as_of": TODAY.isoformat()},
        json=_case_json("post_trt.yaml"),
        headers=api_token(alice),
    )
    assert response.status_code == 200
    expected = interpret(load_case(example("cases/post_trt.yaml"), as_of=TODAY)).to_dict()
    assert response.json() == json.loads(json.dumps(expected, default=str))


def test_invalid_input_answers_422_with_field_value_and_expected(client_for: ClientFor) -> None:
    alice = client_for("alice")
    case = {
        "patient": {"id": "X", "age_years": 40},
        "labs": [{"date": "2025-10-01", "analyte": "lh", "value": 3, "unit": "ng/dL"}],
    }
    response = alice.post("/api/interpret", json=case, headers=api_token(alice))
    assert response.status_code == 422
    assert response.json() == {
        "error": {
            "field": "labs[0].unit",
            "value": "ng/dL",
            "expected": "a unit for lh: one of [IU]/L, m[IU]/mL, m[IU]/L",
            "hint": "",
            "message": "labs[0].unit: 'ng/dL' is not a usable unit; "
            "expected a unit for lh: one of [IU]/L, m[IU]/mL, m[IU]/L",
        }
    }


def test_simulate_returns_the_trajectory_of_the_core(client_for: ClientFor) -> None:
    alice = client_for("alice")
    regimen = [
        {
            "drug": "clomiphene_citrate",
            "dose": "25 mg",
            "route": "oral",
            "every": "1 d",
            "start": "0 d",
            "duration": "90 d",
        }
    ]
    response = alice.post(
        "/api/simulate", json={"regimen": regimen, "days": 90}, headers=api_token(alice)
    )
    assert response.status_code == 200
    body = response.json()
    from androcast.regimens import parse_regimen

    core = simulate(None, parse_regimen(regimen), days=90)
    assert body["units"]["testosterone_total"] == core.units["testosterone_total"]
    assert body["t_d"][-1] == core.t_d[-1]
    assert body["series"]["lh"][-1] == core.values["lh"][-1]
    too_long = alice.post(
        "/api/simulate", json={"days": 30, "mode": "pulsatile"}, headers=api_token(alice)
    )
    assert too_long.status_code == 422
    assert too_long.json()["error"]["message"] == (
        "days: 30.0 failed; expected at most 14 in pulsatile mode"
    )


def test_patients_observations_and_assessment_round_trip(client_for: ClientFor) -> None:
    alice = client_for("alice")
    headers = api_token(alice)
    case = _case_json("post_aas.yaml")
    created = alice.post("/api/patients", json=case, headers=headers)
    assert created.status_code == 201
    identifier = created.json()["patient"]
    assert identifier in [p["identifier"] for p in alice.get("/api/patients").json()]
    lab = {
        "date": TODAY.isoformat(),
        "analyte": "testosterone_total",
        "value": 410,
        "unit": "ng/dL",
    }
    added = alice.post(
        f"/api/patients/{identifier}/observations", json={"labs": [lab]}, headers=headers
    )
    assert added.status_code == 201 and added.json()["created"] == 1
    labs = alice.get(f"/api/patients/{identifier}/observations").json()["labs"]
    newest = [r for r in labs if r["date"] == TODAY.isoformat()]
    assert newest[0]["unit"] == "nmol/L" and newest[0]["reported_value"] == 410
    assert abs(newest[0]["value"] - 410 / 28.842) < 0.01  # M(testosterone) 288.42 g/mol
    stored = alice.get(f"/api/patients/{identifier}/assessment").json()
    assert stored["assessed_on"] == TODAY.isoformat()
    assert stored["assessment"] == added.json()["assessment"]


def test_fhir_export_then_import_changes_nothing(client_for: ClientFor) -> None:
    alice = client_for("alice")
    bundle = alice.get("/api/patients/P001/fhir").json()
    assert bundle["resourceType"] == "Bundle"
    again = alice.post("/api/fhir", json=bundle, headers=api_token(alice))
    assert again.status_code == 201
    assert (again.json()["created"], again.json()["updated"]) == (0, 0)


def test_catalogue_lists_the_units_of_each_analyte(client_for: ClientFor) -> None:
    analytes = {a["key"]: a for a in client_for("alice").get("/api/catalogue/analytes").json()}
    assert analytes["testosterone_total"]["units"] == ["nmol/L", "ng/dL", "ng/mL"]


BAD_CASE = {  # the bad inputs, as tests/cli/test_case_problems_cli.py gives the CLI
    "patient": {"id": "BAD1", "age_years": 35},
    "goal": "fertility",
    "exam": {"date": "2026-11-01", "visual_fields": "tunnel_vision"},
    "history": {"medications": [
        {"agent": "hcg", "dose": "3000 IU", "every": "2 d", "start": "2026-06-01",
         "stop": "2026-05-01"},
        "clomiphene_citrate"]},
    "labs": [{"date": "2026-11-01", "analyte": "ferritin", "value": -20, "unit": "ug/L"}],
    "semen": [{"date": "2026-11-03", "volume_ml": 2.5, "concentration_m_per_ml": 20, "ph": 15}],
}


def test_a_bad_case_answers_every_problem_and_stores_nothing(client_for: ClientFor) -> None:
    alice = client_for("alice")
    response = alice.post("/api/patients", params={"as_of": "2026-12-07"}, json=BAD_CASE,
                          headers=api_token(alice))
    assert response.status_code == 422
    problems = response.json()["error"]["problems"]
    assert sorted(p["field"] for p in problems) == sorted([
        "exam.visual_fields", "history.medications[0].stop", "history.medications[1]",
        "labs[0].value", "semen[0].ph"])
    dose = next(p for p in problems if p["field"] == "history.medications[1]")
    assert dose["value"] == "clomiphene_citrate" and "dose needed" in dose["expected"]
    listed = alice.get("/api/patients", headers=api_token(alice))
    assert listed.status_code == 200
    assert "BAD1" not in json.dumps(listed.json())
