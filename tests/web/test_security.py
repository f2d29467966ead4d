"""Security of the web app: login everywhere, clinic tenancy, CSRF, cookies, rate limits."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from webhelpers import PASSWORD, api_token, csrf_of, log_in

from androcast.store import open_store
from androcast.store.users import add_user, find_user
from androcast.web import WebSettings, create_app, hash_password, verify_password

ClientFor = Callable[[str], TestClient]
PUBLIC = {"/login", "/api/login", "/static/vendor/plotly.min.js", "/fhir/metadata"}


def _api_routes(routes: list[Any]) -> list[APIRoute]:
    """Every APIRoute, also inside included routers (newer FastAPI keeps them nested)."""
    out: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            out.append(route)
        elif hasattr(route, "original_router"):
            out.extend(_api_routes(route.original_router.routes))
    return out


def _routes(app: FastAPI) -> list[tuple[str, str]]:
    out = []
    for route in _api_routes(app.routes):
        if route.path not in PUBLIC:
            path = route.path.replace("{identifier}", "P001").replace("{alert_id}", "1")
            path = path.replace("{id}", "P001").replace("{rest:path}", "Encounter")
            out.extend((method, path) for method in sorted(route.methods))
    return out


def test_every_page_and_api_route_is_covered(app: FastAPI) -> None:
    paths = {path for _, path in _routes(app)}
    assert {"/patients", "/patients/P001", "/api/patients", "/api/interpret"} <= paths
    assert "/api/openapi.json" in paths and "/admin/users" in paths


def test_no_page_or_api_answers_without_login(app: FastAPI) -> None:
    client = TestClient(app)
    # An anonymous session has a CSRF token (the login form's): unsafe requests carry it,
    # so what refuses them below is the missing login, not the missing token.
    token = csrf_of(client.get("/login").text)
    for method, path in _routes(app):
        if path == "/logout":  # ends the anonymous session; tested on its own below
            continue
        response = client.request(
            method,
            path,
            headers={"X-CSRF-Token": token},
            json={} if path.startswith("/api/") and method == "POST" else None,
            follow_redirects=False,
        )
        if path.startswith("/api/"):
            assert response.status_code == 401, (method, path, response.status_code)
            assert response.json() == {"error": {"message": "log in first (POST /api/login)"}}
        elif path.startswith("/fhir") and path != "/fhir/import":  # FHIR: OperationOutcome
            assert response.status_code == 401, (method, path, response.status_code)
            assert response.json()["issue"][0]["code"] == "login"
        else:
            assert response.status_code == 303, (method, path, response.status_code)
            assert response.headers["location"].startswith("/login")
        assert "P001" not in response.text and "testosterone" not in response.text


def test_a_clinician_of_clinic_a_gets_404_for_clinic_b_patient_by_url(
    client_for: ClientFor,
) -> None:
    alice = client_for("alice")
    for path in (
        "/patients/PRL-034",
        "/patients/PRL-034/report",
        "/patients/PRL-034/report?compute=true",
        "/patients/PRL-034/fhir",
        "/patients/PRL-034/outlook",
        "/api/patients/PRL-034/monitoring",
    ):
        response = alice.get(path)
        assert response.status_code == 404, path
        assert "patient 'PRL-034' not found in your clinic" in html.unescape(response.text)
        assert "prolactin" not in response.text.lower()
    token = csrf_of(alice.get("/patients/P001").text)
    form = {
        "csrf_token": token,
        "labs[0].date": "2025-11-01",
        "labs[0].analyte": "lh",
        "labs[0].value": "5",
        "labs[0].unit": "[IU]/L",
    }
    assert alice.post("/patients/PRL-034/labs", data=form).status_code == 404
    assert alice.post("/patients/PRL-034/reassess", data={"csrf_token": token}).status_code == 404
    plan = {"csrf_token": token, "plan.protocol": "hcg_serm", "plan.start": "2025-11-01"}
    assert alice.post("/patients/PRL-034/monitoring/plan", data=plan).status_code == 404
    stop = {"csrf_token": token, "stop.date": "2025-11-01", "stop.reason": "side effects"}
    assert alice.post("/patients/PRL-034/monitoring/stop", data=stop).status_code == 404
    ack = alice.post("/patients/PRL-034/alerts/1/acknowledge", data={"csrf_token": token})
    assert ack.status_code == 404
    # ... and clinic A's own patient is there.
    assert alice.get("/patients/P001").status_code == 200


def test_a_clinician_of_clinic_a_gets_404_for_clinic_b_patient_by_api(
    client_for: ClientFor, database_url: str
) -> None:
    alice = client_for("alice")
    headers = api_token(alice)
    for path in (
        "/api/patients/PRL-034",
        "/api/patients/PRL-034/observations",
        "/api/patients/PRL-034/assessment",
        "/api/patients/PRL-034/fhir",
        "/api/patients/PRL-034/prognosis",
        "/api/patients/PRL-034/plan",
    ):
        response = alice.get(path)
        assert response.status_code == 404, path
        assert response.json() == {
            "error": {"message": "patient 'PRL-034' not found in your clinic"}
        }
    lab = {"date": "2025-11-01", "analyte": "lh", "value": 5, "unit": "IU/L"}
    added = alice.post("/api/patients/PRL-034/observations", json={"labs": [lab]}, headers=headers)
    assert added.status_code == 404
    assert alice.post("/api/patients/PRL-034/assessment", headers=headers).status_code == 404
    plan = {"protocol": "hcg_serm", "start": "2025-11-01"}
    adopted = alice.post("/api/patients/PRL-034/monitoring/plan", json=plan, headers=headers)
    assert adopted.status_code == 404
    stopped = alice.post("/api/patients/PRL-034/monitoring/stop", headers=headers,
                         json={"reason": "side effects"})
    assert stopped.status_code == 404
    assert stopped.json() == {"error": {"message": "patient 'PRL-034' not found in your clinic"}}
    ack = alice.post("/api/patients/PRL-034/alerts/1/acknowledge", headers=headers)
    assert ack.status_code == 404
    assert bob_has_no_plan(client_for("bob"))
    assert "PRL-034" not in alice.get("/api/patients").text
    # Clinic B's patient is untouched: bob still sees exactly his results.
    bob = client_for("bob")
    labs = bob.get("/api/patients/PRL-034/observations").json()["labs"]
    assert not any(r["analyte"] == "lh" and r["reported_value"] == 5 for r in labs)


def bob_has_no_plan(bob: TestClient) -> bool:
    """Clinic B's patient got no plan from clinic A's requests."""
    return bob.get("/api/patients/PRL-034/monitoring").status_code == 404


def test_a_form_without_csrf_token_is_refused_and_changes_nothing(client_for: ClientFor) -> None:
    alice = client_for("alice")
    before = alice.get("/api/patients/P001/observations").json()
    form = {
        "labs[0].date": "2025-11-02",
        "labs[0].analyte": "lh",
        "labs[0].value": "4.4",
        "labs[0].unit": "[IU]/L",
    }
    for data in (form, {**form, "csrf_token": "forged"}):
        response = alice.post("/patients/P001/labs", data=data)
        assert response.status_code == 403
        assert "security token is missing or out of date" in response.text
    assert alice.post("/logout", data={}).status_code == 403
    assert alice.post("/patients/new", data={"patient.id": "X1"}).status_code == 403
    assert alice.post("/admin/users", data={"username": "eve"}).status_code == 403
    plan = {"plan.protocol": "hcg_serm", "plan.start": "2025-10-21"}
    assert alice.post("/patients/P001/monitoring/plan", data=plan).status_code == 403
    assert alice.post("/patients/P001/alerts/1/acknowledge", data={}).status_code == 403
    assert alice.get("/api/patients/P001/observations").json() == before
    assert alice.get("/api/patients/P001/monitoring").status_code == 404  # no plan adopted


def test_an_api_write_without_the_csrf_header_is_refused(client_for: ClientFor) -> None:
    alice = client_for("alice")
    lab = {"date": "2025-11-01", "analyte": "lh", "value": 5, "unit": "IU/L"}
    response = alice.post("/api/patients/P001/observations", json={"labs": [lab]})
    assert response.status_code == 403
    assert response.json()["error"]["message"].startswith("The form's security token")
    case = {"patient": {"id": "X", "age_years": 40}, "labs": [lab]}
    for path in ("/api/prognosis", "/api/plan"):  # computing writes nothing, yet is a POST
        refused = alice.post(path, json={"case": case})
        assert refused.status_code == 403, path
    plan = {"protocol": "hcg_serm", "start": "2025-10-21"}
    assert alice.post("/api/patients/P001/monitoring/plan", json=plan).status_code == 403
    assert alice.post("/api/patients/P001/alerts/1/acknowledge").status_code == 403
    assert alice.get("/api/patients/P001/monitoring").status_code == 404  # nothing adopted


def test_login_form_needs_its_csrf_token(app: FastAPI) -> None:
    client = TestClient(app)
    client.get("/login")
    response = client.post("/login", data={"username": "alice", "password": PASSWORD})
    assert response.status_code == 403


def test_session_cookie_is_httponly_samesite_and_secure_when_configured(
    database_url: str,
) -> None:
    for secure in (True, False):
        web = create_app(WebSettings(database_url=database_url, secure_cookies=secure))
        with TestClient(web, base_url="https://testserver") as client:
            cookie = client.get("/login").headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie
        assert ("Secure" in cookie) is secure


def test_login_replaces_the_session_id_and_logout_ends_it(app: FastAPI) -> None:
    client = TestClient(app)
    token = csrf_of(client.get("/login").text)
    anonymous = client.cookies["androcast_session"]
    client.post("/login", data={"username": "alice", "password": PASSWORD, "csrf_token": token})
    logged_in = client.cookies["androcast_session"]
    assert logged_in != anonymous
    stale = TestClient(app, cookies={"androcast_session": anonymous})
    assert stale.get("/patients", follow_redirects=False).status_code == 303
    client.post("/logout", data={"csrf_token": csrf_of(client.get("/patients").text)})
    replay = TestClient(app, cookies={"androcast_session": logged_in})
    assert replay.get("/api/patients").status_code == 401


def test_passwords_are_stored_as_argon2id_hashes(database_url: str) -> None:
    store = open_store(database_url)
    try:
        with store.reading() as session:
            user = find_user(session, "alice")
    finally:
        store.close()
    assert user is not None and user.password_hash is not None
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash


def test_login_is_rate_limited_per_user_and_per_address(database_url: str) -> None:
    web = create_app(
        WebSettings(database_url=database_url, secure_cookies=False, login_max_failures=3)
    )
    client = TestClient(web, client=("10.1.1.1", 1))
    for _ in range(3):
        token = csrf_of(client.get("/login").text)
        wrong = {"username": "alice", "password": "wrong", "csrf_token": token}
        assert client.post("/login", data=wrong).status_code == 401
    token = csrf_of(client.get("/login").text)
    right = {"username": "alice", "password": PASSWORD, "csrf_token": token}
    blocked = client.post("/login", data=right)
    assert blocked.status_code == 429
    assert "Too many failed logins: try again in" in blocked.text
    # The same user from another address is not locked out by them (nobody can lock a
    # named user out from elsewhere) ...
    other = TestClient(web, client=("10.1.1.2", 1))
    token = csrf_of(other.get("/login").text)
    allowed = other.post("/login", data={**right, "csrf_token": token}, follow_redirects=False)
    assert allowed.status_code == 303
    # ... but another user from the first address is blocked (per address).
    api = client.post("/api/login", json={"username": "bob", "password": PASSWORD})
    assert api.status_code == 429 and int(api.headers["Retry-After"]) > 0
    # bob from a fresh address is fine.
    fresh = TestClient(web, client=("10.1.1.3", 1))
    assert fresh.post("/api/login", json={"username": "bob", "password": PASSWORD}).is_success


def test_the_limiter_keeps_a_bounded_number_of_keys() -> None:
    from androcast.web.ratelimit import LoginLimiter

    now = [0.0]
    limiter = LoginLimiter(max_failures=3, window_s=60.0, max_keys=100, clock=lambda: now[0])
    for i in range(1000):
        limiter.failed(f"address:10.0.{i // 250}.{i % 250}")
    assert len(limiter) == 100
    now[0] = 61.0
    for _ in range(20):
        limiter.failed("address:10.9.9.9")
    assert limiter.retry_after_s("address:10.9.9.9") > 0
    assert len(limiter) <= 100


def test_behind_a_trusted_proxy_each_client_has_its_own_address(database_url: str) -> None:
    web = create_app(
        WebSettings(database_url=database_url, secure_cookies=False, login_max_failures=2,
                    trusted_proxies=("10.2.2.2",))
    )
    proxy = TestClient(web, client=("10.2.2.2", 1))
    wrong = {"username": "alice", "password": "wrong"}
    for _ in range(2):
        failed = proxy.post("/api/login", json=wrong, headers={"X-Forwarded-For": "192.0.2.1"})
        assert failed.status_code == 401
    blocked = proxy.post("/api/login", json=wrong, headers={"X-Forwarded-For": "192.0.2.1"})
    assert blocked.status_code == 429
    # another client behind the same proxy is not blocked by the first one's failures
    right = {"username": "bob", "password": PASSWORD}
    assert proxy.post("/api/login", json=right,
                      headers={"X-Forwarded-For": "192.0.2.7"}).is_success
    # a client that is not the proxy cannot choose its address with the header
    direct = TestClient(web, client=("10.3.3.3", 1))
    for _ in range(2):
        direct.post("/api/login", json=wrong, headers={"X-Forwarded-For": "192.0.2.99"})
    assert direct.post("/api/login", json=right,
                       headers={"X-Forwarded-For": "192.0.2.100"}).status_code == 429


def test_api_login_accepts_only_json(database_url: str) -> None:
    web = create_app(WebSettings(database_url=database_url, secure_cookies=False))
    client = TestClient(web)
    body = json.dumps({"username": "alice", "password": PASSWORD})
    plain = client.post("/api/login", content=body, headers={"content-type": "text/plain"})
    assert plain.status_code in (415, 422)
    assert "androcast_session" not in plain.cookies
    ok = client.post("/api/login", json={"username": "alice", "password": PASSWORD})
    assert ok.status_code == 200 and ok.json()["clinic"] == "A"


def test_clinicians_cannot_administer_users_and_admins_add_them_to_their_clinic(
    client_for: ClientFor, app: FastAPI
) -> None:
    alice = client_for("alice")
    assert alice.get("/admin/users").status_code == 403
    anna = client_for("anna")
    page = anna.get("/admin/users")
    assert page.status_code == 200 and "bob" not in page.text  # bob is clinic B's
    created = anna.post(
        "/admin/users",
        data={"username": "carol", "role": "clinician", "csrf_token": csrf_of(page.text)},
    )
    assert created.status_code == 200
    password = re.search(r'data-testid="one-time-password">([^<]+)<', created.text)
    assert password is not None
    carol = TestClient(app, client=("10.2.0.1", 1))
    log_in(carol, "carol", password.group(1))
    session = carol.get("/api/session").json()
    assert (session["clinic"], session["must_change_password"]) == ("A", True)
    assert carol.get("/api/patients").status_code == 403  # her one-time password first
    changed = carol.post("/api/account/password", headers=api_token(carol),
                         json={"current": password.group(1), "new": PASSWORD * 2,
                               "repeat": PASSWORD * 2})
    assert changed.status_code == 200, changed.text
    assert "P001" in carol.get("/api/patients").text


def test_pages_load_nothing_from_the_internet(client_for: ClientFor) -> None:
    alice = client_for("alice")
    for path in ("/patients", "/patients/P001", "/patients/new", "/fhir/import", "/login"):
        response = alice.get(path)
        assert response.status_code == 200
        assert "default-src 'self'" in response.headers["content-security-policy"]
        sources = re.findall(r'(?:src|href)="([^"]+)"', response.text)
        assert sources and all(s.startswith(("/", "#")) for s in sources), sources
    css = alice.get("/static/app.css").text
    assert all(u.startswith("/static/") for u in re.findall(r'url\("([^"]+)"\)', css))
    assert alice.get("/static/vendor/plotly.min.js").status_code == 200
    assert alice.get("/static/vendor/htmx-2.0.11.min.js").status_code == 200


def test_the_openapi_description_needs_login_and_lists_the_api(client_for: ClientFor) -> None:
    alice = client_for("alice")
    paths = alice.get("/api/openapi.json").json()["paths"]
    assert {"/api/interpret", "/api/simulate", "/api/patients", "/api/fhir"} <= set(paths)
    assert {"/api/prognosis", "/api/plan", "/api/patients/{identifier}/prognosis"} <= set(paths)
    assert "/api/patients/{identifier}/plan" in paths
    assert {
        "/api/patients/{identifier}/monitoring",
        "/api/patients/{identifier}/monitoring/plan",
        "/api/patients/{identifier}/monitoring/stop",
        "/api/patients/{identifier}/alerts/{alert_id}/acknowledge",
    } <= set(paths)
    assert not any(p.startswith("/patients") for p in paths)


def test_an_htmx_request_without_login_sends_the_page_to_the_login(app: FastAPI) -> None:
    client = TestClient(app)
    response = client.post(
        "/patients/P001/labs",
        headers={"HX-Request": "true", "X-CSRF-Token": csrf_of(client.get("/login").text)},
        follow_redirects=False,
    )
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/login?next=/patients/P001/labs"
    assert response.text == ""


def test_a_user_changes_their_password_and_each_problem_is_named(
    database_url: str, client_for: Callable[[str], TestClient]
) -> None:
    store = open_store(database_url)
    try:
        with store.transaction("test setup") as session:
            add_user(session, "dora", password_hash=hash_password(PASSWORD), clinic="A")
    finally:
        store.close()
    dora = client_for("dora")
    page = dora.get("/account/password")
    assert page.status_code == 200 and "Change your password" in page.text
    token = csrf_of(page.text)
    wrong = dora.post("/account/password", data={
        "csrf_token": token, "current": "not it", "new": "short", "repeat": "other"})
    assert wrong.status_code == 422
    for field, expected in (("current", "not your current password"),
                            ("new", "at least 12 characters"),
                            ("repeat", "the same as the new password")):
        assert re.search(rf'data-field="{field}">expected {expected}', wrong.text), field
    new = "a much longer passphrase"
    done = dora.post("/account/password", data={
        "csrf_token": token, "current": PASSWORD, "new": new, "repeat": new})
    assert done.status_code == 200 and "Your password is changed" in done.text
    store = open_store(database_url)
    try:
        with store.reading() as session:
            account = find_user(session, "dora")
    finally:
        store.close()
    assert account is not None and verify_password(account.password_hash, new)
    assert not verify_password(account.password_hash, PASSWORD)
