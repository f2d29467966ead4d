"""The first login in a real browser (Debian's Chromium driven by Playwright), as after
``make run``: the admin logs in with the printed one-time password, is held on the password
form (every page leads back to it) until he chooses his own, then reaches the patients; the
one-time password no longer works. The password form passes axe-core on a 390 px phone.
Without ``/usr/bin/chromium`` the test skips, except under CI (``CI`` set), where it fails.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from webhelpers import CHROMIUM, PARTICLES, free_port, require_chromium

from androcast.store import open_store, upgrade
from androcast.store.schema import utcnow
from androcast.store.users import add_user
from androcast.web import WebSettings, create_app, hash_password, one_time_password

AXE = Path(__file__).with_name("assets") / "axe-4.14.1.min.js"
SERIOUS = ("serious", "critical")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
OWN_PASSWORD = "my own passphrase for the clinic"

require_chromium()

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A server whose admin has a fresh one-time password, as ``androcast demo`` leaves it."""
    import uvicorn

    url = f"sqlite:///{tmp_path_factory.mktemp('first-login') / 'first.db'}"
    upgrade(url)
    password = one_time_password()
    store = open_store(url)
    with store.transaction("test setup") as session:
        add_user(session, "admin", password_hash=hash_password(password), clinic="demo",
                 role="admin", one_time_expires_at=utcnow() + dt.timedelta(hours=72))
    store.close()
    app = create_app(WebSettings(database_url=url, secure_cookies=False, particles=PARTICLES))
    port = free_port()
    uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", password
    uv.should_exit = True
    thread.join(timeout=10)
    app.state.store.close()


def _log_in(tab: Any, base: str, password: str) -> None:
    tab.goto(f"{base}/patients")
    assert tab.url.startswith(f"{base}/login")
    tab.fill("input[name=clinic]", "")
    tab.fill("input[name=username]", "admin")
    tab.fill("input[name=password]", password)
    tab.click("button[type=submit].primary")


def test_first_login_forces_the_one_time_password_to_be_changed(
    server: tuple[str, str],
) -> None:
    base, one_time = server
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
        tab = context.new_page()
        _log_in(tab, base, one_time)
        tab.wait_for_url(f"{base}/account/password")
        assert "Choose your own password" in tab.inner_text("h1")
        assert "one-time password" in tab.inner_text("[data-testid=one-time]")
        tab.screenshot(path=str(ARTIFACTS / "first-login-password.png"), full_page=True)
        tab.add_script_tag(path=str(AXE))
        found = tab.evaluate("async () => (await axe.run(document)).violations"
                             ".map(v => ({id: v.id, impact: v.impact}))")
        assert [v for v in found if v["impact"] in SERIOUS] == []
        # every page leads back here until the password is changed
        for path in ("/patients", "/admin/users", "/fhir/import"):
            tab.goto(f"{base}{path}")
            assert tab.url == f"{base}/account/password", path
        # a mistake is named at its field, and nothing changes
        tab.fill("input[name=current]", one_time)
        tab.fill("input[name=new]", OWN_PASSWORD)
        tab.fill("input[name=repeat]", OWN_PASSWORD + "!")
        tab.click("button[type=submit].primary")
        assert "the same as the new password" in tab.inner_text("[data-field=repeat]")
        tab.fill("input[name=current]", one_time)
        tab.fill("input[name=new]", OWN_PASSWORD)
        tab.fill("input[name=repeat]", OWN_PASSWORD)
        tab.click("button[type=submit].primary")
        tab.wait_for_url(f"{base}/patients?password=changed")
        assert "Your password is changed." in tab.inner_text("[data-testid=saved]")
        tab.goto(f"{base}/admin/users")
        assert tab.url == f"{base}/admin/users"  # free to go anywhere now
        tab.click("form.logout button")
        tab.wait_for_url(f"{base}/login")
        # the one-time password is spent; his own works
        _log_in(tab, base, one_time)
        assert "Wrong clinic, user name or password." in tab.inner_text("[role=alert]")
        _log_in(tab, base, OWN_PASSWORD)
        tab.wait_for_url(f"{base}/patients")
        assert tab.inner_text("[data-testid=disclaimer]")
        context.close()
        browser.close()
