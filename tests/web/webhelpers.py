"""Helpers of the web tests: log in through the form, read CSRF tokens."""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
from importlib import resources
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

PASSWORD = "correct horse battery staple"
TODAY = dt.date.today()
PARTICLES = 8  # virtual men of the test app's prognoses and plans: few, fast


def example(name: str) -> Path:
    """A shipped example file (cases/..., regimens/..., fhir/...)."""
    return Path(str(resources.files("androcast").joinpath(f"examples/{name}")))


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has a form with a CSRF token"
    return found.group(1)


def log_in(client: TestClient, username: str, password: str = PASSWORD) -> None:
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def api_token(client: TestClient) -> dict[str, str]:
    """The header unsafe API requests need (the session's CSRF token)."""
    return {"X-CSRF-Token": client.get("/api/session").json()["csrf_token"]}


CHROMIUM = Path("/usr/bin/chromium")  # Debian's, installed by `make browser`


def require_chromium() -> None:
    """Skip a browser test module without Chromium; under CI (CI=true) fail it instead."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is not installed (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason, allow_module_level=True)


def free_port() -> int:
    """A TCP port nobody listens on now, for a live test server."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
