"""Monitoring in the web app: adopt a plan on his page or by the API, follow-up results
judged against his forecast band, the alerts shown and acknowledged. On the page and by
the API's observations and FHIR import, the adoption and the step run as background jobs
(the page follows them, then confirms); the service functions also run them in the call.

P001 (clinic A) is post-TRT and azoospermic on 2025-10-20; his plan starts 2025-10-21, so
a semen analysis with sperm afterwards must raise the cited CRYO alert (a rule check that
does not depend on the band). Eight virtual men (the test app's).
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

import pytest
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient
from webhelpers import TODAY, api_token, csrf_of, example

from androcast.labs import load_case, parse_case
from androcast.web import service

T = TypeVar("T")

ClientFor = Callable[[str], TestClient]
START = "2025-10-21"
SPERM = {"date": "2025-12-15", "volume_ml": 2.8, "concentration_m_per_ml": 1.5}


def _text(page: str) -> str:
    """What the page reads as (tags dropped, spaces collapsed)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _figure(page: str, name: str) -> dict[str, object]:
    found = re.search(rf'<script type="application/json" id="{name}">(.*?)</script>', page, re.S)
    assert found, name
    figure: dict[str, object] = json.loads(found.group(1))
    return figure


def _settled(client: TestClient) -> None:
    """Wait until the app's background jobs (adoption, monitoring steps) are done."""
    assert client.app.state.jobs.wait_idle(300), "the jobs did not finish"  # type: ignore[attr-defined]


def _job_done(client: TestClient, job: dict[str, object]) -> dict[str, object]:
    """A job's result once it is done (waiting for it)."""
    _settled(client)
    status = client.get(str(job["status_url"])).json()
    assert status["state"] == "done", status
    result: dict[str, object] = client.get(str(job["result_url"])).json()
    return result


def _follow_page_job(client: TestClient, page: str, testid: str) -> str:
    """His page's job box (``testid``) until the job is done: the page it then leads to."""
    found = re.search(
        rf'data-testid="{testid}" data-state="(queued|running)">.*?data-job-then="([^"]+)"',
        page, re.S,
    )
    assert found, f"the page shows the {testid} with its progress"
    _settled(client)
    done = client.get(html.unescape(found.group(2)), follow_redirects=False)
    assert done.status_code == 303
    return str(done.headers["location"])


def test_the_page_offers_only_the_protocols_appropriate_for_him(client_for: ClientFor) -> None:
    page = client_for("alice").get("/patients/P001").text
    form = page[page.index('data-testid="adopt-plan"') :]
    offered = re.findall(r'<option value="([a-z_]+)"', form[: form.index("</form>")])
    assert "hcg_serm" in offered and "watchful_waiting" in offered
    # exogenous suppression with a low estradiol rules out the aromatase inhibitor arm
    assert "hcg_serm_ai" not in offered


def test_adopting_on_the_page_refuses_bad_input_at_its_field(client_for: ClientFor) -> None:
    alice = client_for("alice")
    token = csrf_of(alice.get("/patients/P001").text)
    cases = {
        ("hcg_serm_ai", START): ("plan.protocol", "expected a protocol appropriate for him"),
        ("hcg_serm", "21.10.2025"): ("plan.start", "expected an ISO date YYYY-MM-DD"),
        ("hcg_serm", "2020-01-01"): ("plan.start", "expected a date from his first result 2025"),
    }
    for (protocol, start), (field, expected) in cases.items():
        data = {"csrf_token": token, "plan.protocol": protocol, "plan.start": start}
        response = alice.post("/patients/P001/monitoring/plan", data=data)
        assert response.status_code == 422, (protocol, start)
        shown = html.unescape(response.text)
        assert f'data-field="{field}"' in shown and expected in shown, (protocol, start)
    assert alice.get("/api/patients/P001/monitoring").status_code == 404  # nothing adopted


def test_plan_follow_up_alert_and_acknowledgement_on_the_page(client_for: ClientFor) -> None:
    alice = client_for("alice")
    token = csrf_of(alice.get("/patients/P001").text)
    adopted = alice.post(
        "/patients/P001/monitoring/plan",
        data={"csrf_token": token, "plan.protocol": "hcg_serm", "plan.start": START},
        follow_redirects=False,
    )
    assert adopted.status_code == 303
    assert adopted.headers["location"] == "/patients/P001#monitoring"
    running = alice.get("/patients/P001").text
    assert re.search(r'<button type="submit" class="primary" disabled', running) or (
        'data-state="running"' not in running and 'data-state="queued"' not in running
    )  # adopting is disabled while his adoption runs
    confirmed = _follow_page_job(alice, running, "adoption-job")
    assert confirmed == "/patients/P001?saved=plan#monitoring"
    page = html.unescape(alice.get(confirmed).text)
    assert "Plan adopted; his forecast band and checks are below." in page
    shown = _text(page)
    assert (
        f"Adopted plan: hCG 3000 IU every other day + clomiphene 25 mg daily "
        f"from {START} [ kohn2017 ; wenker2015 ]"
    ) in shown
    assert 'data-testid="no-alerts"' in page
    assert "[CRYO] wenker2015" in shown  # the plan's escalations, each with its basis
    figure = _figure(page, "monitoring-figure")
    panels = [a["text"] for a in figure["layout"]["annotations"][:2]]  # type: ignore[index]
    assert panels == ["<b>Testosterone (nmol/L)</b>", "<b>LH (IU/L)</b>"]

    form = {
        "csrf_token": token,
        "semen[0].date": SPERM["date"],
        "semen[0].volume_ml": "2.8",
        "semen[0].concentration_m_per_ml": "1.5",
    }
    swapped = alice.post("/patients/P001/semen", data=form, headers={"HX-Request": "true"})
    assert swapped.status_code == 200
    judged = _follow_page_job(alice, swapped.text, "step-job")  # his new result judged
    assert judged == "/patients/P001?saved=step#monitoring"
    page = html.unescape(alice.get(judged).text)
    row = re.search(r'<tr data-alert="(\d+)" class="alert-info">(.*?)</tr>', page, re.S)
    assert row, "the new alert is listed"
    cells = _text(row.group(2))
    assert cells.startswith(
        f"{SPERM['date']} Sperm concentration 1.5 million/mL Offer sperm cryopreservation "
        "information "
    )
    assert cells.endswith("[CRYO] wenker2015 Acknowledge")
    assert "1 open alert" in _text(page)
    listed = re.search(r'<tr data-patient="P001">(.*?)</tr>', alice.get("/patients").text, re.S)
    assert listed and re.search(r'<td class="num overdue">1</td>', listed.group(1))
    assert "hormones:" in listed.group(1) or "semen analysis" in listed.group(1)  # next check
    observed = _figure(page, "monitoring-figure")["data"]
    sperm = next(t for t in observed if t["name"] == "his result" and t["yaxis"] == "y5")  # type: ignore[union-attr]
    assert sperm["x"] == [SPERM["date"]] and sperm["y"] == [1.5]

    alert_id = row.group(1)
    acked = alice.post(
        f"/patients/P001/alerts/{alert_id}/acknowledge",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert acked.status_code == 303
    page = html.unescape(alice.get("/patients/P001").text)
    row = re.search(
        rf'<tr data-alert="{alert_id}" class="alert-info acknowledged">(.*?)</tr>', page, re.S
    )
    assert row and f"alice, {TODAY.isoformat()}" in row.group(1)
    assert "0 open alerts" in _text(page)


def test_monitoring_by_the_api(client_for: ClientFor) -> None:
    alice, bob = client_for("alice"), client_for("bob")
    headers = api_token(alice)
    case = yaml.safe_load(example("cases/post_trt.yaml").read_text(encoding="utf-8"))
    case["patient"]["id"] = "P002"  # P001's twin brother, untouched by the page test
    created = alice.post(
        "/api/patients", json=json.loads(json.dumps(case, default=str)), headers=headers
    )
    assert created.status_code == 201, created.text
    body = {"protocol": "hcg_serm_ai", "start": START}
    refused = alice.post("/api/patients/P002/monitoring/plan", json=body, headers=headers)
    assert refused.status_code == 422
    assert refused.json()["error"]["field"] == "protocol"
    assert refused.json()["error"]["value"] == "hcg_serm_ai"
    body = {"protocol": "hcg_serm", "start": START}
    adopted = alice.post("/api/patients/P002/monitoring/plan", json=body, headers=headers)
    assert adopted.status_code == 201, adopted.text
    made = adopted.json()
    assert (made["plan"]["protocol"], made["plan"]["start"]) == ("hcg_serm", START)
    assert made["forecast"]["n_virtual"] == 8 and made["alerts"] == []

    added = alice.post("/api/patients/P002/observations", json={"semen": [SPERM]}, headers=headers)
    assert added.status_code == 201, added.text
    step = added.json()["monitoring"]  # the step is a job of his clinic: anna sees it too
    assert step["kind"] == "monitoring" and step["state"] in ("queued", "running", "done")
    judged = _job_done(alice, step)
    assert "offer_cryopreservation" in [a["code"] for a in judged["alerts"]]  # type: ignore[union-attr]
    assert client_for("anna").get(step["status_url"]).status_code == 200
    assert bob.get(step["status_url"]).status_code == 404  # not another clinic's

    report = alice.get("/api/patients/P002/monitoring").json()
    assert list(report) == ["patient", "plan", "forecast", "observations", "alerts"]
    assert report["forecast"]["as_of"] == SPERM["date"]  # the forecast learnt from it
    cryo = next(a for a in report["alerts"] if a["code"] == "offer_cryopreservation")
    assert (cryo["rule"], cryo["citation"], cryo["severity"]) == ("CRYO", "wenker2015", "info")
    assert cryo["acknowledged_by"] is None

    path = f"/api/patients/P002/alerts/{cryo['id']}/acknowledge"
    acked = alice.post(path, headers=headers)
    assert acked.status_code == 200
    assert acked.json()["acknowledged_by"] == "alice" and acked.json()["acknowledged_at"]
    again = client_for("anna")
    kept = again.post(path, headers=api_token(again)).json()
    assert (kept["acknowledged_by"], kept["acknowledged_at"]) == (
        "alice",
        acked.json()["acknowledged_at"],
    )
    # an id that is no alert of his is not found
    missing = alice.post("/api/patients/P002/alerts/999999/acknowledge", headers=headers)
    assert missing.status_code == 404
    assert missing.json() == {
        "error": {"message": "alert 999999 of patient 'P002' not found in your clinic"}
    }
    # clinic B's clinician cannot acknowledge it through his own patient either
    theirs = bob.post(
        f"/api/patients/PRL-034/alerts/{cryo['id']}/acknowledge", headers=api_token(bob)
    )
    assert theirs.status_code == 404


def test_a_patient_without_a_plan_has_no_monitoring(client_for: ClientFor) -> None:
    bob = client_for("bob")
    response = bob.get("/api/patients/PRL-034/monitoring")
    assert response.status_code == 404
    assert response.json() == {
        "error": {"message": "patient 'PRL-034' has no adopted plan (adopt one first)"}
    }
    lab = {"date": "2025-11-01", "analyte": "prolactin", "value": 20, "unit": "ng/mL"}
    added = bob.post(
        "/api/patients/PRL-034/observations", json={"labs": [lab]}, headers=api_token(bob)
    )
    assert added.status_code == 201
    assert "alerts" not in added.json() and "monitoring" not in added.json()  # no plan: no step


def test_another_plan_supersedes_the_adopted_one(client_for: ClientFor) -> None:
    alice = client_for("alice")
    token = csrf_of(alice.get("/patients/P001").text)
    for protocol in ("hcg_serm", "hcg"):
        data = {"csrf_token": token, "plan.protocol": protocol, "plan.start": START}
        swapped = alice.post(
            "/patients/P001/monitoring/plan", data=data, headers={"HX-Request": "true"}
        )
        assert swapped.status_code == 200
        _settled(alice)  # one adoption of his at a time: the second waits for the first
    shown = _text(alice.get("/patients/P001").text)
    assert "Adopted plan: hCG 3000 IU s.c. every other day from" in shown
    assert "Adopt another plan (this one is then superseded)" in shown
    assert alice.get("/api/patients/P001/monitoring").json()["plan"]["protocol"] == "hcg"


def test_stopping_the_plan_on_the_page_ends_its_drugs(client_for: ClientFor) -> None:
    """Stop the adopted plan on his page: a bad date or no reason is refused at its field and
    changes nothing; then the plan is kept as stopped, its drugs end that day (his bottom
    line no longer lists them as current; his treatment chart draws them to that day), he has
    no plan to monitor and may adopt another."""
    alice = client_for("alice")
    token = csrf_of(alice.get("/patients/P001").text)
    data = {"csrf_token": token, "plan.protocol": "hcg_serm", "plan.start": START}
    alice.post("/patients/P001/monitoring/plan", data=data, headers={"HX-Request": "true"})
    _settled(alice)
    page = alice.get("/patients/P001").text
    assert 'data-testid="stop-plan"' in page
    drugs = re.search(r'data-testid="bl-drugs">(.*?)</dd>', page, re.S)
    assert drugs and "hCG" in _text(drugs.group(1))  # on his plan now
    bad = {("2025-10-01", "side effects"): ("stop.date", "from the plan's start 2025-10-21"),
           ("01.12.2025", "side effects"): ("stop.date", "an ISO date YYYY-MM-DD"),
           ("2025-12-01", ""): ("stop.reason", "why the plan is stopped")}
    for (on, reason), (field, expected) in bad.items():
        refused = alice.post("/patients/P001/monitoring/stop",
                             data={"csrf_token": token, "stop.date": on, "stop.reason": reason})
        assert refused.status_code == 422, (on, reason)
        shown = html.unescape(refused.text)
        assert f'data-field="{field}"' in shown and expected in shown, (on, reason)
    assert alice.get("/api/patients/P001/monitoring").status_code == 200  # still on it

    stopped = alice.post("/patients/P001/monitoring/stop", follow_redirects=False,
                         data={"csrf_token": token, "stop.date": "2025-12-01",
                               "stop.reason": "pregnancy achieved"})
    assert stopped.status_code == 303
    assert stopped.headers["location"] == "/patients/P001?saved=stopped#monitoring"
    shown = _text(alice.get(stopped.headers["location"]).text)
    assert "Plan stopped; its drugs end on the stop date" in shown
    assert "Adopted plan:" not in shown and "Adopt plan" in shown
    after = alice.get("/patients/P001").text
    drugs = re.search(r'data-testid="bl-drugs">(.*?)</dd>', after, re.S)
    assert drugs and _text(drugs.group(1)) == "none"  # hCG and clomiphene ended 2025-12-01
    bars = {t["y"][0]: t["x"] for t in _figure(after, "timeline-figure")["data"]  # type: ignore[attr-defined]
            if t["yaxis"] == "y"}
    assert bars["hCG"] == bars["Clomiphene"] == [START, "2025-12-01"]  # taken, then stopped
    assert alice.get("/api/patients/P001/monitoring").status_code == 404


def test_stopping_the_plan_by_the_api(client_for: ClientFor) -> None:
    """``POST /api/patients/{id}/monitoring/stop``: a date before the plan's start or a
    blank reason is a 422 naming its field; then the plan is stopped with its courses'
    end, and a second stop finds no plan (404)."""
    alice = client_for("alice")
    headers = api_token(alice)
    case = yaml.safe_load(example("cases/post_trt.yaml").read_text(encoding="utf-8"))
    case["patient"]["id"] = "P003"
    created = alice.post(
        "/api/patients", json=json.loads(json.dumps(case, default=str)), headers=headers)
    assert created.status_code == 201, created.text
    stop_url = "/api/patients/P003/monitoring/stop"
    body = {"date": "2025-12-01", "reason": "side effects"}
    assert alice.post(stop_url, json=body, headers=headers).status_code == 404  # no plan yet
    adopted = alice.post("/api/patients/P003/monitoring/plan", headers=headers,
                         json={"protocol": "hcg_serm", "start": START})
    assert adopted.status_code == 201, adopted.text
    for bad, field in (({"date": "2025-10-01", "reason": "side effects"}, "date"),
                       ({"date": "2025-12-01", "reason": "   "}, "reason")):
        refused = alice.post(stop_url, json=bad, headers=headers)
        assert refused.status_code == 422 and refused.json()["error"]["field"] == field, bad
    stopped = alice.post(stop_url, json=body, headers=headers)
    assert stopped.status_code == 200, stopped.text
    made = stopped.json()
    assert made["plan"]["status"] == "stopped"
    assert made["plan"]["stopped"] == {"date": "2025-12-01", "reason": "side effects"}
    assert {(c["drug"], c["stop"]) for c in made["courses"]} == {
        ("hcg", "2025-12-01"), ("clomiphene_citrate", "2025-12-01")}
    assert alice.get("/api/patients/P003/monitoring").status_code == 404
    assert alice.post(stop_url, json=body, headers=headers).status_code == 404


def test_a_man_without_androgens_on_a_plan_gets_his_next_result_judged(
    client_for: ClientFor,
) -> None:
    bob = client_for("bob")  # PRL-034: hyperprolactinaemia, no androgen history
    headers = api_token(bob)
    plan = {"protocol": "hcg_fsh", "start": "2025-11-02"}
    adopted = bob.post("/api/patients/PRL-034/monitoring/plan", json=plan, headers=headers)
    assert adopted.status_code == 201, adopted.text
    lab = {"date": "2025-12-14", "analyte": "lh", "value": 4.0, "unit": "IU/L"}
    added = bob.post("/api/patients/PRL-034/observations", json={"labs": [lab]}, headers=headers)
    assert added.status_code == 201, added.text
    assert _job_done(bob, added.json()["monitoring"])["alerts"] is not None
    report = bob.get("/api/patients/PRL-034/monitoring").json()
    assert report["forecast"]["as_of"] == "2025-12-14"


def test_only_the_monitoring_step_waits_for_the_bound_on_computations(app: FastAPI) -> None:
    store, ran = app.state.store, []

    def bound(compute: Callable[[], T]) -> T:
        ran.append(compute)
        return compute()

    lab = parse_case(
        {
            "patient": {"id": "P003"},
            "labs": [{"date": "2025-12-01", "analyte": "lh", "value": 3.0, "unit": "IU/L"}],
        },
        as_of=TODAY,
    ).labs
    case = load_case(example("cases/post_trt.yaml"), as_of=TODAY)
    service.add_case(store, "A", "test", replace(case, patient=replace(case.patient, id="P003")))
    added = service.add_results(store, "A", "test", "P003", labs=lab, today=TODAY, bound=bound)
    assert ran == [] and "alerts" not in added  # no plan: a plain write
    service.adopt_plan(
        store,
        "A",
        "test",
        "P003",
        protocol="hcg_serm",
        start=dt.date(2025, 10, 21),
        today=TODAY,
        particles=4,
        bound=bound,
    )
    assert len(ran) == 1
    lab = [replace(lab[0], date=dt.date(2025, 12, 8))]
    added = service.add_results(store, "A", "test", "P003", labs=lab, today=TODAY, bound=bound)
    assert len(ran) == 2 and "alerts" in added


def test_a_fhir_import_of_new_results_runs_the_monitoring_step(app: FastAPI) -> None:
    store = app.state.store
    bundle = json.loads(example("fhir/post_trt_bundle.json").read_text(encoding="utf-8"))
    service.import_bundle(store, "A", "test", bundle, today=TODAY)  # P001 of the bundle
    identifier = next(
        e["resource"]["identifier"][0]["value"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Patient"
    )
    service.adopt_plan(
        store,
        "A",
        "test",
        identifier,
        protocol="hcg_serm",
        start=dt.date(2025, 10, 21),
        today=TODAY,
        particles=4,
    )
    # a week-6 estradiol above the reference range: a new Observation like his LH one
    lh = next(e for e in bundle["entry"] if e["resource"].get("code", {}).get("text") == "lh")
    e2 = json.loads(json.dumps(lh))
    e2["fullUrl"] = "urn:uuid:00000000-0000-4000-8000-000000000e2f"
    e2["resource"]["identifier"][0]["value"] = "obs-e2-week6"
    e2["request"]["ifNoneExist"] = "identifier=urn:example:lab-system|obs-e2-week6"
    e2["resource"]["code"] = {
        "coding": [{"system": "http://loinc.org", "code": "2243-4", "display": "Estradiol"}],
        "text": "estradiol",
    }
    e2["resource"]["effectiveDateTime"] = "2025-12-02"
    e2["resource"]["valueQuantity"] = {
        "value": 80,
        "unit": "pg/mL",
        "system": "http://unitsofmeasure.org",
        "code": "pg/mL",
    }
    del e2["resource"]["referenceRange"]
    imported = service.import_bundle(
        store, "A", "test", {**bundle, "entry": [*bundle["entry"], e2]}, today=TODAY
    )
    assert imported["created"] == 1
    codes = [a["code"] for a in imported["alerts"][identifier]]
    assert "add_aromatase_inhibitor" in codes  # ESC-AI: estradiol above its reference range


def test_a_monitoring_step_computes_holding_no_write_lock(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another clinician's write goes through while a slow step computes; the step's
    alerts are kept afterwards."""
    from androcast.workflows import monitoring

    store = app.state.store
    case = load_case(example("cases/post_trt.yaml"), as_of=TODAY)
    for identifier in ("P004", "P005"):
        service.add_case(store, "A", "test",
                         replace(case, patient=replace(case.patient, id=identifier)))
    service.adopt_plan(store, "A", "test", "P004", protocol="hcg_serm",
                       start=dt.date(2025, 10, 21), today=TODAY, particles=4)
    computing, slow = threading.Event(), monitoring.compute_step

    def slow_step(step: monitoring.StepInput) -> monitoring.StepResult:
        computing.set()
        time.sleep(3.0)
        return slow(step)

    monkeypatch.setattr(monitoring, "compute_step", slow_step)
    lab = parse_case(
        {"patient": {"id": "P004"},
         "labs": [{"date": "2025-12-08", "analyte": "lh", "value": 3.0, "unit": "IU/L"}]},
        as_of=TODAY,
    ).labs
    added: dict[str, object] = {}
    stepping = threading.Thread(target=lambda: added.update(
        service.add_results(store, "A", "test", "P004", labs=lab, today=TODAY)))
    stepping.start()
    assert computing.wait(30)
    began = time.perf_counter()
    other = [replace(lab[0], date=dt.date(2025, 12, 9))]
    service.add_results(store, "A", "other clinician", "P005", labs=other, today=TODAY)
    waited = time.perf_counter() - began
    stepping.join(30)
    assert waited < 2.0 and "alerts" in added
