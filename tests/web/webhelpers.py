"""Helpers of the web tests: log in through the form, read CSRF tokens."""

from __future__ import annotations

import datetime as dt
import re
from importlib import resources
from pathlib import Path

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
