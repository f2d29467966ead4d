"""The web record defects of issue 18 through the pages, on SQLite and on PostgreSQL.

Seen on main: an empty semen form saved an all-dash analysis dated today, and that blank
analysis erased his findings; "12,5" in a number field was stored as nothing; importing the
shipped example bundle through the import page duplicated every baseline result of the demo
man (the duplicate counting as the confirming second semen analysis); a quick second
submission was lost silently. (test_record_forms checks the form parsing alone.)
"""

from __future__ import annotations

import html
import threading
from collections.abc import Iterator
from itertools import count
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from webhelpers import TODAY, csrf_of, example, log_in

_ADDRESSES = count(1)


@pytest.fixture(scope="module")
def web(any_app: FastAPI) -> Iterator[FastAPI]:
    yield any_app


def _alice(app: FastAPI) -> TestClient:
    client = TestClient(app, client=(f"10.40.{next(_ADDRESSES) % 250}.1", 1))
    log_in(client, "alice")
    return client


def _observations(client: TestClient) -> dict[str, Any]:
    answer = client.get("/api/patients/P001/observations")
    assert answer.status_code == 200, answer.text
    observed: dict[str, Any] = answer.json()
    return observed


def _findings(client: TestClient) -> list[str]:
    payload = client.get("/api/patients/P001/assessment").json()["assessment"]
    return sorted(f["code"] for f in payload["findings"])


def test_an_empty_semen_form_stores_nothing_and_leaves_his_findings(web: FastAPI) -> None:
    alice = _alice(web)
    before, findings = _observations(alice), _findings(alice)
    token = csrf_of(alice.get("/patients/P001").text)
    answer = alice.post("/patients/P001/semen",
                        data={"csrf_token": token, "semen[0].date": TODAY.isoformat()})
    assert answer.status_code == 422
    assert "semen[0].concentration_m_per_ml" in html.unescape(answer.text)
    assert _observations(alice) == before
    assert _findings(alice) == findings and findings


def test_a_decimal_comma_is_stored_as_the_number(web: FastAPI) -> None:
    alice = _alice(web)
    token = csrf_of(alice.get("/patients/P001").text)
    form = {"csrf_token": token, "labs[0].date": TODAY.isoformat(), "labs[0].analyte": "lh",
            "labs[0].value": "1,4", "labs[0].unit": "[IU]/L"}
    assert alice.post("/patients/P001/labs", data=form,
                      follow_redirects=False).status_code == 303
    semen = {"csrf_token": token, "semen[0].date": TODAY.isoformat(),
             "semen[0].volume_ml": "2,5", "semen[0].concentration_m_per_ml": "12,5"}
    assert alice.post("/patients/P001/semen", data=semen,
                      follow_redirects=False).status_code == 303
    observed = _observations(alice)
    lh = [r for r in observed["labs"] if r["analyte"] == "lh" and r["date"] == str(TODAY)]
    assert [r["value"] for r in lh] == [1.4]
    (today,) = [s for s in observed["semen"] if s["date"] == str(TODAY)]
    assert (today["volume_ml"], today["concentration_m_per_ml"]) == (2.5, 12.5)


def test_the_example_bundle_imports_into_the_demo_man_without_duplicates(web: FastAPI) -> None:
    alice = _alice(web)
    before = _observations(alice)
    token = csrf_of(alice.get("/fhir/import").text)
    bundle = example("fhir/post_trt_bundle.json").read_bytes()
    for _ in range(2):  # and again: idempotent
        answer = alice.post("/fhir/import", data={"csrf_token": token},
                            files={"bundle": ("bundle.json", bundle, "application/json")})
        assert answer.status_code == 200, answer.text
        assert "records created 0, updated 0" in answer.text
    after = _observations(alice)
    assert len(after["semen"]) == len(before["semen"])  # no second "confirming" analysis
    assert len(after["labs"]) == len(before["labs"])


def test_two_quick_submissions_are_both_kept(web: FastAPI) -> None:
    clients = [_alice(web), _alice(web)]
    before = len(_observations(clients[0])["labs"])
    tokens = [csrf_of(c.get("/patients/P001").text) for c in clients]
    answers: list[int] = []
    start = threading.Barrier(2)

    def submit(client: TestClient, token: str, value: str) -> None:
        form = {"csrf_token": token, "labs[0].date": TODAY.isoformat(),
                "labs[0].analyte": "fsh", "labs[0].value": value, "labs[0].unit": "[IU]/L"}
        start.wait()
        answers.append(client.post("/patients/P001/labs", data=form,
                                   follow_redirects=False).status_code)

    threads = [threading.Thread(target=submit, args=(c, t, v))
               for c, t, v in zip(clients, tokens, ("3.1", "3.3"), strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert answers == [303, 303]
    labs = _observations(clients[0])["labs"]
    assert len(labs) == before + 2
    assert sorted(r["value"] for r in labs if r["analyte"] == "fsh" and r["date"] == str(TODAY)
                  ) == [3.1, 3.3]
