"""Connecting to the store: SQLite (embedded default) or PostgreSQL, one transaction per command.

SQLite runs in WAL mode with foreign keys on, and every write transaction starts with
``BEGIN IMMEDIATE``: writers queue for the database (up to ``BUSY_TIMEOUT_S``) instead of
failing halfway or overwriting each other. On PostgreSQL, writers lock the patient row they
change (``SELECT ... FOR UPDATE``, see ``records.py``). The schema comes only from the Alembic
migrations (``upgrade``); a store whose schema is not at the head revision refuses to open.

A read of one statement (the web app's check of the user behind a request, a page's stamp)
asks for ``reading(snapshot=False)``: on PostgreSQL it runs without a transaction, one round
trip instead of three (BEGIN, the query, ROLLBACK). Pooled PostgreSQL connections are not
pinged before each use (another round trip per read): a connection the server closed (a
restart) fails one request with the database's 503, and the pool then replaces every
connection it had; connections are renewed after ``POOL_RECYCLE_S`` in any case.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from androcast.errors import StoreError
from androcast.store.audit import AuditedSession

BUSY_TIMEOUT_S = 30.0  # how long a SQLite writer waits for another to commit
POOL_RECYCLE_S = 1800  # a PostgreSQL connection older than this is replaced at checkout
_READ_ONLY = "androcast_read_only"


def _sqlite_events(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself (the driver's own is DEFERRED).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        read_only = connection.get_execution_options().get(_READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def make_engine(url: str) -> Engine:
    """An engine for ``url`` (``sqlite:///file.db`` or ``postgresql://user@host/db``)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError("database", url, "a database URL such as sqlite:///androcast.db") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed, connect_args={"timeout": BUSY_TIMEOUT_S})
        _sqlite_events(engine)
        return engine
    if parsed.get_backend_name() == "postgresql":
        return create_engine(parsed, pool_recycle=POOL_RECYCLE_S)
    raise StoreError("database", shown(url), "a sqlite:// or postgresql:// URL")


def _alembic_config(connection: Connection) -> Config:
    config = Config()
    location = resources.files("androcast.store").joinpath("migrations")
    config.set_main_option("script_location", str(location))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest migration shipped with this version of androcast."""
    location = resources.files("androcast.store").joinpath("migrations")
    config = Config()
    config.set_main_option("script_location", str(location))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def shown(url: str) -> str:
    """The URL as messages show it (no password)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def _unreachable(url: str, err: DBAPIError) -> StoreError:
    reason = str(err.orig).strip().splitlines()[0] if err.orig else type(err).__name__
    return StoreError("database", shown(url), "a reachable database", hint=reason)


def upgrade(url: str) -> str:
    """Run the migrations up to the head revision (one transaction); returns the revision."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            command.upgrade(_alembic_config(connection), "head")
    except DBAPIError as err:
        raise _unreachable(url, err) from None
    finally:
        engine.dispose()
    return head_revision()


def schema_revision(engine: Engine) -> str | None:
    """The revision the database is at (None: never upgraded)."""
    with engine.connect().execution_options(**{_READ_ONLY: True}) as connection:
        return MigrationContext.configure(connection).get_current_revision()


# PostgreSQL's deadlock_detected and serialization_failure: the transaction may simply be
# run again.
_RETRYABLE = ("40P01", "40001")
T = TypeVar("T")


def _conflict(what: str) -> StoreError:
    return StoreError(
        "transaction",
        what,
        "no concurrent change to the same record",
        hint="another writer changed it first; nothing was written, run it again",
    )


@dataclass
class Store:
    """An open record store. ``transaction(actor)`` is the one way to write."""

    url: str
    engine: Engine = field(repr=False)

    @contextmanager
    def transaction(self, actor: str) -> Iterator[Session]:
        """One write transaction: all of it commits, or (on any error) none of it."""
        maker = sessionmaker(self.engine, class_=AuditedSession, expire_on_commit=False)
        try:
            with maker() as session, session.begin():
                session.info["actor"] = actor
                yield session
        except (IntegrityError, StaleDataError) as err:
            raise _conflict(type(err).__name__) from None
        except DBAPIError as err:
            if getattr(err.orig, "sqlstate", None) in _RETRYABLE:  # deadlock, serialization
                raise _conflict(type(err.orig).__name__) from None
            raise _unreachable(self.url, err) from None

    def write(self, actor: str, work: Callable[[Session], T], *, attempts: int = 3) -> T:
        """``work`` in one write transaction, run again from the start (up to ``attempts``
        times) when a concurrent writer got there first: two imports creating the same new
        patient both succeed, the second merging into the first's record."""
        for attempt in range(1, attempts + 1):
            try:
                with self.transaction(actor) as session:
                    return work(session)
            except StoreError as err:
                if err.field != "transaction" or attempt == attempts:
                    raise
        raise AssertionError("unreachable")  # the loop returns or raises

    @contextmanager
    def reading(self, *, snapshot: bool = True) -> Iterator[Session]:
        """A read-only session (on SQLite it does not queue behind writers). Its queries see
        one snapshot of the database; ``snapshot=False`` is for a read of one statement,
        which then needs no transaction (on PostgreSQL: no BEGIN and ROLLBACK round trips).
        """
        engine = self.engine.execution_options(**{_READ_ONLY: True})
        if not snapshot and engine.dialect.name == "postgresql":
            engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        maker = sessionmaker(engine, class_=AuditedSession, expire_on_commit=False)
        try:
            with maker() as session:  # closing it rolls back: nothing is written
                yield session
        except DBAPIError as err:
            raise _unreachable(self.url, err) from None

    def close(self) -> None:
        self.engine.dispose()


def open_store(url: str) -> Store:
    """Open the store at ``url``; its schema must be at the head migration."""
    engine = make_engine(url)
    try:
        revision = schema_revision(engine)
    except DBAPIError as err:
        engine.dispose()
        raise _unreachable(url, err) from None
    head = head_revision()
    if revision != head:
        engine.dispose()
        raise StoreError(
            "database",
            f"{shown(url)} at revision {revision}",
            f"the schema at revision {head}",
            hint="run: androcast db upgrade",
        )
    return Store(url, engine)
