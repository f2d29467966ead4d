"""Accounts a clinic needs (issue 20 item 4, issue 19 item 7), on SQLite and PostgreSQL.

One-time passwords must be changed at the first login and expire; a deactivated user cannot
log in and his sessions end, even when another process (the CLI) deactivates him; a
read-only user reads everything and every write answers 403 (audited); user names are per
clinic.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from webhelpers import PASSWORD, api_token, csrf_of, log_in

from androcast.store.schema import AuditRow, utcnow
from androcast.store.users import add_user, find_user, set_active, set_password_hash
from androcast.web import hash_password

NEW_PASSWORD = "a quite different passphrase"
_ADDRESSES = itertools.count(1)


@pytest.fixture
def web(any_app: FastAPI) -> Iterator[FastAPI]:
    yield any_app


def _client(app: FastAPI) -> TestClient:
    return TestClient(app, client=(f"10.20.{next(_ADDRESSES) % 250}.1", 1))


def _add(app: FastAPI, name: str, *, clinic: str = "A", role: str = "clinician",
         one_time_until: dt.datetime | None = None) -> None:
    with app.state.store.transaction("test setup") as session:
        add_user(session, name, password_hash=hash_password(PASSWORD), clinic=clinic, role=role,
                 one_time_expires_at=one_time_until)


def _login_form(client: TestClient, username: str, password: str = PASSWORD,
                clinic: str = "") -> object:
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"username": username, "password": password,
                                       "clinic": clinic, "csrf_token": token},
                       follow_redirects=False)


def test_a_one_time_password_must_be_changed_before_anything_else(web: FastAPI) -> None:
    _add(web, "otto", one_time_until=utcnow() + dt.timedelta(hours=72))
    otto = _client(web)
    first = _login_form(otto, "otto")
    assert first.status_code == 303 and first.headers["location"] == "/account/password"
    # every page sends him to the form, the API answers 403 saying why
    for path in ("/patients", "/patients/P001", "/fhir/import"):
        page = otto.get(path, follow_redirects=False)
        assert (page.status_code, page.headers["location"]) == (303, "/account/password")
    refused = otto.get("/api/patients")
    assert refused.status_code == 403
    assert "one-time password: change it first" in refused.json()["error"]["message"]
    assert otto.get("/api/session").json()["must_change_password"] is True
    fhir = otto.get("/fhir/Patient")
    assert fhir.status_code == 403 and "one-time password" in fhir.text
    form = otto.get("/account/password")
    assert "Choose your own password" in form.text
    changed = otto.post("/account/password", follow_redirects=False, data={
        "csrf_token": csrf_of(form.text), "current": PASSWORD, "new": NEW_PASSWORD,
        "repeat": NEW_PASSWORD})
    assert (changed.status_code, changed.headers["location"]) == (
        303, "/patients?password=changed")
    assert "Your password is changed." in otto.get(changed.headers["location"]).text
    assert otto.get("/api/patients").status_code == 200
    # the one-time password is gone; the new one is his, and no longer one-time
    assert _login_form(_client(web), "otto").status_code == 401
    again = _client(web)
    assert _login_form(again, "otto", NEW_PASSWORD).headers["location"] == "/patients"


def test_an_expired_one_time_password_is_refused_and_ends_a_session(web: FastAPI) -> None:
    _add(web, "olga", one_time_until=utcnow() - dt.timedelta(seconds=1))
    refused = _login_form(_client(web), "olga")
    assert refused.status_code == 401
    assert "one-time password has expired" in str(refused.text)
    api = _client(web).post("/api/login", json={"username": "olga", "password": PASSWORD})
    assert api.status_code == 401 and "expired" in api.json()["error"]["message"]
    # a session opened while it was valid ends when it expires
    with web.state.store.transaction("test") as session:
        olga = find_user(session, "olga", "A")
        assert olga is not None
        set_password_hash(session, olga.id, hash_password(PASSWORD),
                          one_time_expires_at=utcnow() + dt.timedelta(hours=1))
    client = _client(web)
    assert _login_form(client, "olga").status_code == 303
    with web.state.store.transaction("test") as session:
        set_password_hash(session, olga.id, hash_password(PASSWORD),
                          one_time_expires_at=utcnow() - dt.timedelta(seconds=1))
    assert client.get("/api/session").status_code == 401


def test_a_deactivated_user_cannot_log_in_and_his_sessions_end(web: FastAPI) -> None:
    _add(web, "dave")
    dave, dave_api = _client(web), _client(web)
    log_in(dave, "dave")
    assert dave_api.post("/api/login", json={"username": "dave", "password": PASSWORD}).is_success
    anna = _client(web)
    log_in(anna, "anna")
    page = anna.get("/admin/users")
    assert 'data-user="dave"' in page.text
    done = anna.post("/admin/users/dave/active", data={"csrf_token": csrf_of(page.text)})
    assert done.status_code == 200 and "dave is deactivated." in done.text
    assert dave.get("/patients", follow_redirects=False).headers["location"].startswith("/login")
    assert dave_api.get("/api/patients").status_code == 401
    refused = _login_form(_client(web), "dave")
    assert refused.status_code == 401 and "This account is deactivated" in str(refused.text)
    # an admin cannot deactivate himself
    self_off = anna.post("/admin/users/anna/active", data={"csrf_token": csrf_of(page.text)})
    assert self_off.status_code == 422
    # reactivated (as ``androcast user`` would, from another process): he logs in again
    with web.state.store.transaction("test") as session:
        account = find_user(session, "dave", "A")
        assert account is not None and set_active(session, account.id, True)
    assert _login_form(_client(web), "dave").status_code == 303


def test_deactivation_by_another_process_ends_the_session_at_the_next_request(
    web: FastAPI,
) -> None:
    _add(web, "dina")
    dina = _client(web)
    log_in(dina, "dina")
    assert dina.get("/api/patients").status_code == 200
    with web.state.store.transaction("androcast user disable") as session:
        account = find_user(session, "dina", "A")
        assert account is not None
        set_active(session, account.id, False)
    assert dina.get("/api/patients").status_code == 401


def test_a_read_only_user_reads_everything_and_every_write_is_refused_and_audited(
    web: FastAPI,
) -> None:
    _add(web, "rita", role="read_only")
    rita = _client(web)
    log_in(rita, "rita")
    assert "P001" in rita.get("/patients").text
    assert rita.get("/patients/P001").status_code == 200
    assert rita.get("/api/patients/P001/observations").status_code == 200
    headers = api_token(rita)
    lab = {"labs": [{"date": dt.date.today().isoformat(), "analyte": "lh", "value": 2.0,
                     "unit": "IU/L"}]}
    refused = rita.post("/api/patients/P001/observations", json=lab, headers=headers)
    assert refused.status_code == 403
    assert "read-only" in refused.json()["error"]["message"]
    page = rita.get("/patients/P001")
    form = rita.post("/patients/P001/labs", data={
        "csrf_token": csrf_of(page.text), "analyte": "lh", "value": "2", "unit": "IU/L",
        "date": dt.date.today().isoformat()})
    assert form.status_code == 403 and "read-only" in form.text
    assert rita.post("/patients/new", data={"csrf_token": csrf_of(page.text)}).status_code == 403
    assert rita.post("/api/fhir", json={"resourceType": "Bundle"},
                     headers=headers).status_code == 403
    bundle = {"resourceType": "Bundle", "type": "transaction", "entry": []}
    fhir = rita.post("/fhir", json=bundle, headers=headers)
    assert fhir.status_code == 403 and fhir.json()["resourceType"] == "OperationOutcome"
    assert rita.get("/fhir/Patient").status_code == 200
    # computing on what the request carries stores nothing: allowed
    case = {"patient": {"id": "X1", "age_years": 30}, "labs": []}
    assert rita.post("/api/interpret", json=case, headers=headers).status_code == 200
    web.state.access_audit.flush()
    with web.state.store.reading() as session:
        denied = session.scalars(select(AuditRow).where(
            AuditRow.table_name == "access", AuditRow.actor == "rita")).all()
    whats = [row.changes["what"] for row in denied if row.action == "denied"]
    assert "POST /api/patients/{identifier}/observations" in whats
    assert "POST /patients/{identifier}/labs" in whats
    with web.state.store.reading() as session:
        labs = session.scalars(select(AuditRow).where(AuditRow.actor == "rita",
                                                      AuditRow.table_name != "access")).all()
    assert labs == []  # nothing of hers was written


def test_user_names_are_per_clinic_and_the_clinic_tells_them_apart(web: FastAPI) -> None:
    _add(web, "sam", clinic="A")
    assert _login_form(_client(web), "sam").status_code == 303  # one "sam": no clinic needed
    _add(web, "sam", clinic="B")
    ambiguous = _login_form(_client(web), "sam")
    assert ambiguous.status_code == 401
    assert "Wrong clinic, user name or password." in str(ambiguous.text)
    for clinic, patient in (("A", "P001"), ("B", "PRL-034")):
        client = _client(web)
        response = _login_form(client, "sam", clinic=clinic)
        assert response.status_code == 303
        assert client.get("/api/session").json()["clinic"] == clinic
        assert [p["identifier"] for p in client.get("/api/patients").json()] == [patient]
        # the browser remembers the clinic for the next login
        assert f'name="clinic" value="{clinic}"' in client.get("/login").text
    api = _client(web).post("/api/login",
                            json={"username": "sam", "password": PASSWORD, "clinic": "B"})
    assert api.is_success and api.json()["clinic"] == "B"
    assert _login_form(_client(web), "sam", clinic="C").status_code == 401


def test_an_admin_gives_a_new_one_time_password_and_the_old_sessions_end(web: FastAPI) -> None:
    _add(web, "nina")
    nina = _client(web)
    log_in(nina, "nina")
    anna = _client(web)
    log_in(anna, "anna")
    page = anna.get("/admin/users")
    reset = anna.post("/admin/users/nina/password", data={"csrf_token": csrf_of(page.text)})
    assert reset.status_code == 200 and "works for 72 h" in reset.text
    one_time = re.search(r'data-testid="one-time-password">([^<]+)<', reset.text)
    assert one_time is not None
    assert nina.get("/api/patients").status_code == 401  # her session ended
    assert _login_form(_client(web), "nina").status_code == 401  # her old password too
    again = _client(web)
    first = _login_form(again, "nina", one_time.group(1))
    assert first.headers["location"] == "/account/password"
    # an admin of clinic A cannot reach clinic B's users
    other = anna.post("/admin/users/bob/password", data={"csrf_token": csrf_of(page.text)})
    assert other.status_code == 404


def test_an_admin_changes_a_role_it_applies_at_once_and_is_audited(web: FastAPI) -> None:
    _add(web, "rolf")
    rolf = _client(web)
    log_in(rolf, "rolf")
    headers = api_token(rolf)
    lab = {"labs": [{"date": dt.date.today().isoformat(), "analyte": "lh", "value": 2.5,
                     "unit": "IU/L"}]}
    assert rolf.post("/api/patients/P001/observations", json=lab, headers=headers).is_success
    anna = _client(web)
    log_in(anna, "anna")
    page = anna.get("/admin/users")
    assert 'aria-label="Role of rolf"' in page.text
    done = anna.post("/admin/users/rolf/role",
                     data={"csrf_token": csrf_of(page.text), "role": "read_only"})
    assert done.status_code == 200 and "rolf is now read-only." in done.text
    # his next request already has the new role: a write is refused
    refused = rolf.post("/api/patients/P001/observations", json=lab, headers=headers)
    assert refused.status_code == 403 and "read-only" in refused.json()["error"]["message"]
    assert rolf.get("/api/session").json()["role"] == "read_only"
    with web.state.store.reading() as session:
        changes = [(r.actor, r.changes) for r in session.scalars(
            select(AuditRow).where(AuditRow.table_name == "app_user",
                                   AuditRow.action == "update", AuditRow.actor == "anna"))]
    assert ("anna", {"role": ["clinician", "read_only"]}) in changes
    # a role that does not exist, another clinic's user: 422, nothing changed
    for username, role, message in (
        ("rolf", "boss", "role: &#39;boss&#39; is not a known code"),
        ("bob", "admin", "username: &#39;bob&#39; cannot be used"),
    ):
        answer = anna.post(f"/admin/users/{username}/role",
                           data={"csrf_token": csrf_of(page.text), "role": role})
        assert answer.status_code == 422 and message in answer.text, answer.text
    # the last active admin of a clinic keeps his role
    _add(web, "rhea", clinic="R", role="admin")
    rhea = _client(web)
    _login_form(rhea, "rhea", clinic="R")
    mine = rhea.get("/admin/users")
    answer = rhea.post("/admin/users/rhea/role",
                       data={"csrf_token": csrf_of(mine.text), "role": "clinician"})
    assert answer.status_code == 422 and "the clinic&#39;s last active admin" in answer.text
    with web.state.store.reading() as session:
        assert find_user(session, "rhea", "R").role == "admin"  # type: ignore[union-attr]
        assert find_user(session, "bob", "B").role == "clinician"  # type: ignore[union-attr]
