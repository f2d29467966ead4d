"""Each store test runs on SQLite and on PostgreSQL, each in a fresh database or schema.

PostgreSQL is the machine's service (``ANDROCAST_TEST_POSTGRES_URL``, default
postgresql://postgres@127.0.0.1:5432/test). Unreachable: the PostgreSQL cases fail when the
``CI`` variable is set and are skipped, with the reason, otherwise.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from androcast.store import Store, open_store, upgrade
from postgres_schema import postgres_schema


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database (never upgraded) of each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'androcast.db'}"
    else:
        yield from postgres_schema()


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    """A store at the head migration."""
    upgrade(database_url)
    opened = open_store(database_url)
    yield opened
    opened.close()
