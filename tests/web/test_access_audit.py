"""Access audit and login timing: reads, exports, logins and failures are audited with
who, when, what and from where; the access log names routes, never patients; a login's
time does not tell whether the user exists."""

from __future__ import annotations

import logging
import statistics
import time
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from androcast.store.schema import AuditRow
from androcast.web import WebSettings, create_app

ClientFor = Callable[[str], TestClient]


def _access(app: FastAPI) -> list[AuditRow]:
    app.state.access_audit.flush()
    with app.state.store.reading() as session:
        return list(session.scalars(select(AuditRow).where(AuditRow.table_name == "access")))


def test_reads_exports_and_logins_are_audited_and_the_log_names_no_patient(
    client_for: ClientFor, app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="androcast.access")
    before = len(_access(app))
    alice = client_for("alice")  # logs in from 10.0.0.x
    assert alice.get("/patients/P001").status_code == 200
    assert alice.get("/api/patients/P001/fhir").status_code == 200
    assert alice.get("/api/patients/PRL-034").status_code == 404  # not hers: no read
    stranger = TestClient(app, client=("10.7.7.7", 1))
    failed = stranger.post("/api/login", json={"username": "alice", "password": "guess"})
    assert failed.status_code == 401
    rows = _access(app)[before:]
    seen = {(r.action, r.actor, r.changes.get("patient"), r.changes["what"]) for r in rows}
    assert ("login", "alice", None, "/login") in seen
    assert ("read", "alice", "P001", "/patients/{identifier}") in seen
    assert ("export", "alice", "P001", "/api/patients/{identifier}/fhir") in seen
    assert ("login_fail", "alice", None, "/api/login") in seen
    assert not any(r.changes.get("patient") == "PRL-034" for r in rows)
    fail = next(r for r in rows if r.action == "login_fail")
    assert fail.changes["address"] == "10.7.7.7" and fail.at is not None
    read = next(r for r in rows if r.action == "read")
    assert read.patient_id is not None and read.changes["address"].startswith("10.0.0.")
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "androcast.access")
    assert "/patients/{identifier}" in logged and "P001" not in logged


def test_login_time_does_not_reveal_whether_the_user_exists(database_url: str) -> None:
    web = create_app(WebSettings(database_url=database_url, secure_cookies=False,
                                 login_max_failures=1000))
    client = TestClient(web)
    times: dict[str, list[float]] = {"alice": [], "nobody-of-that-name": []}
    for _ in range(9):
        for name, spent in times.items():
            began = time.perf_counter()
            answer = client.post("/api/login", json={"username": name, "password": "wrong"})
            spent.append(time.perf_counter() - began)
            assert answer.status_code == 401
    existing = statistics.median(times["alice"])
    unknown = statistics.median(times["nobody-of-that-name"])
    assert abs(existing - unknown) / max(existing, unknown) < 0.20, (existing, unknown)
