"""Two clinics on a fresh SQLite store: clinic A (P001, post-TRT) and clinic B (PRL-034).

Users: ``alice`` (clinician, A), ``anna`` (admin, A), ``bob`` (clinician, B). ``client_for``
returns a TestClient already logged in through the login form.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from webhelpers import PARTICLES, PASSWORD, TODAY, example, log_in

from androcast.labs import load_case
from androcast.store import open_store, upgrade
from androcast.store.users import add_user
from androcast.web import WebSettings, create_app, hash_password
from androcast.web.service import add_case
from postgres_schema import postgres_schema

USERS = {"alice": ("A", "clinician"), "anna": ("A", "admin"), "bob": ("B", "clinician")}


def seed(url: str) -> str:
    """The two clinics, their users and patients in a fresh database at ``url``."""
    upgrade(url)
    store = open_store(url)
    try:
        with store.transaction("test setup") as session:
            hashed = hash_password(PASSWORD)
            for username, (clinic, role) in USERS.items():
                add_user(session, username, password_hash=hashed, clinic=clinic, role=role)
        add_case(store, "A", "test setup", load_case(example("cases/post_trt.yaml"), as_of=TODAY))
        add_case(
            store,
            "B",
            "test setup",
            load_case(example("cases/hyperprolactinaemia.yaml"), as_of=TODAY),
        )
    finally:
        store.close()
    return url


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return seed(f"sqlite:///{tmp_path_factory.mktemp('web') / 'web.db'}")


def make_app(url: str) -> FastAPI:
    """The web app the tests use over the database at ``url``."""
    # Few virtual men: a prognosis and plan of a page take about a second each.
    return create_app(
        WebSettings(
            database_url=url,
            secure_cookies=False,
            particles=PARTICLES,
            outlook_wait_s=300.0,  # a busy test machine: the page waits for its job
        )
    )


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def any_app(request: pytest.FixtureRequest, app: FastAPI) -> Iterator[FastAPI]:
    """The test app on SQLite, then on a fresh PostgreSQL schema seeded the same way."""
    if request.param == "sqlite":
        yield app
        return
    for url in postgres_schema():
        web = make_app(seed(url))
        yield web
        web.state.store.close()


@pytest.fixture(scope="module")
def app(database_url: str) -> Iterator[FastAPI]:
    web = make_app(database_url)
    yield web
    web.state.store.close()


@pytest.fixture
def client_for(app: FastAPI) -> Iterator[Callable[[str], TestClient]]:
    clients: list[TestClient] = []

    def make(username: str) -> TestClient:
        client = TestClient(app, client=(f"10.0.0.{len(clients) + 1}", 50000))
        clients.append(client)
        log_in(client, username)
        return client

    yield make
    for client in clients:
        client.close()
