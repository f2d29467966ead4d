"""Migrations make the schema the models describe; an un-migrated store refuses to open."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from androcast.errors import StoreError
from androcast.store import head_revision, make_engine, open_store, upgrade
from androcast.store.schema import Base


def test_migrations_create_exactly_the_modelled_schema(database_url: str) -> None:
    assert upgrade(database_url) == head_revision() == "0009"
    engine = make_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    engine.dispose()


def test_upgrade_twice_is_a_no_op(database_url: str) -> None:
    upgrade(database_url)
    assert upgrade(database_url) == "0009"


def test_a_store_that_was_never_upgraded_refuses_to_open(database_url: str) -> None:
    with pytest.raises(StoreError) as caught:
        open_store(database_url)
    assert str(caught.value).endswith(
        "at revision None' cannot be used; expected the schema at revision 0009 "
        "(run: androcast db upgrade)"
    )


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/wal.db"
    upgrade(url)
    store = open_store(url)
    with store.reading() as session:
        assert session.connection().exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert session.connection().exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    store.close()


def test_unknown_database_scheme_is_refused() -> None:
    with pytest.raises(StoreError) as caught:
        make_engine("mysql://root@localhost/x")
    assert str(caught.value) == (
        "database: 'mysql://root@localhost/x' cannot be used; "
        "expected a sqlite:// or postgresql:// URL"
    )
