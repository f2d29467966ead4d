"""Users per clinic (migration 0004 on an existing store), one-time passwords, deactivation;
on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic import command
from sqlalchemy import text

from androcast.errors import StoreError
from androcast.store import Store, make_engine, open_store, upgrade
from androcast.store.engine import _alembic_config
from androcast.store.schema import utcnow
from androcast.store.users import (
    add_clinic,
    add_user,
    find_user,
    get_user,
    require_writer,
    set_active,
    set_password_hash,
)


def test_migration_keeps_existing_users_and_lets_clinics_share_names(database_url: str) -> None:
    engine = make_engine(database_url)
    with engine.begin() as connection:  # a store as 0003 left it, with two users
        command.upgrade(_alembic_config(connection), "0003")
        connection.execute(text(
            "INSERT INTO clinic (id, name, created_at) VALUES (1, 'A', :t), (2, 'B', :t)"),
            {"t": utcnow()})
        connection.execute(text(
            "INSERT INTO app_user (clinic_id, username, role, password_hash, created_at) "
            "VALUES (1, 'alice', 'admin', 'h1', :t), (2, 'bob', 'clinician', 'h2', :t)"),
            {"t": utcnow()})
    engine.dispose()
    assert upgrade(database_url) == "0009"
    store = open_store(database_url)
    try:
        with store.reading() as session:
            alice = find_user(session, "alice")
        assert alice is not None and (alice.clinic, alice.role, alice.password_hash) == (
            "A", "admin", "h1")
        assert alice.active and not alice.password_change_required
        with store.transaction("test") as session:
            add_user(session, "alice", password_hash="h3", clinic="B")  # now allowed
        with store.reading() as session:
            assert find_user(session, "alice") is None  # two: the clinic must be named
            found_a, found_b = find_user(session, "alice", "A"), find_user(session, "alice", "B")
            assert found_a is not None and found_b is not None
            assert (found_a.password_hash, found_b.password_hash) == ("h1", "h3")
        with (pytest.raises(StoreError, match="a user name nobody in clinic B has yet"),
              store.transaction("test") as session):
            add_user(session, "alice", password_hash="h4", clinic="B")
    finally:
        store.close()


def test_one_time_passwords_expire_and_deactivated_users_cannot_write(store: Store) -> None:
    soon = utcnow() + dt.timedelta(hours=72)
    with store.transaction("test") as session:
        add_clinic(session, "North")
        otto = add_user(session, "otto", password_hash="h", clinic="North",
                        one_time_expires_at=soon, create_clinic=False)
        with pytest.raises(StoreError, match="expected an existing clinic"):
            add_user(session, "x", password_hash="h", clinic="Nowhere", create_clinic=False)
    assert otto.password_change_required and not otto.password_expired()
    assert otto.password_expired(soon + dt.timedelta(seconds=1))
    with store.transaction("test") as session:
        set_password_hash(session, otto.id, "chosen")
        assert require_writer(session, "otto", "North").id == otto.id
        set_active(session, otto.id, False)
    with store.reading() as session:
        after = get_user(session, otto.id)
        assert after is not None
        assert (after.password_hash, after.password_change_required,
                after.password_expires_at, after.active) == ("chosen", False, None, False)
        with pytest.raises(StoreError, match="expected an active user"):
            require_writer(session, "otto", "North")
