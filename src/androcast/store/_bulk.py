"""An import's new rows made ready for SQLite before its write transaction.

SQLite has one write lock for the whole database: every other writer waits while an import
writes. So the rows of a large import are bound (each value through the column type's own
bind processor, the audit entry serialised) when its charts are prepared, holding no lock;
the write transaction then only adds each row's id and patient and runs one executemany
per table (``records._Existing.insert``). The values are the ones SQLAlchemy would bind:
what is read back is the same as for a row written through it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import FromClause, Table
from sqlalchemy.engine import Dialect

from androcast.store.schema import AuditRow

#: Columns given in the write transaction (the rest are bound beforehand).
LATE = ("id", "patient_id", "created_at")


@dataclass(frozen=True)
class Binder:
    """How the rows of one table are bound for one dialect."""

    table: str
    columns: tuple[str, ...]  # the bound columns, in the order of ``bind``
    processors: tuple[Callable[[Any], Any] | None, ...]
    created_at: Callable[[Any], Any] | None

    def bind(self, values: Mapping[str, Any]) -> tuple[Any, ...]:
        """The row's values (all but ``LATE``) as the driver takes them."""
        return tuple(
            value if process is None else process(value)
            for value, process in ((values.get(c), p)
                                   for c, p in zip(self.columns, self.processors, strict=True))
        )

    @property
    def sql(self) -> str:
        names = ", ".join((*LATE, *self.columns))
        marks = ", ".join("?" for _ in range(len(LATE) + len(self.columns)))
        return f"INSERT INTO {self.table} ({names}) VALUES ({marks})"


def _processor(table: Table | FromClause, column: str, dialect: Dialect
               ) -> Callable[[Any], Any] | None:
    kind = table.c[column].type
    return kind.dialect_impl(dialect).bind_processor(dialect)


@cache
def binder(table: Table, dialect: Dialect) -> Binder:
    """The binder of ``table`` for ``dialect`` (SQLite's qmark parameters)."""
    columns = tuple(c.name for c in table.columns if c.name not in LATE)
    return Binder(table.name, columns, tuple(_processor(table, c, dialect) for c in columns),
                  _processor(table, "created_at", dialect))


def audit_head(columns: Mapping[str, Any]) -> str:
    """An audit entry's JSON without its closing brace: ``audit_json`` adds the columns
    known only in the write transaction."""
    text = json.dumps(dict(columns))
    return text[:-1]


def audit_json(head: str, row_id: int, patient_id: int, created_at: str) -> str:
    """The entry ``audit.audit_inserts`` would write for this row (same keys and values)."""
    sep = ", " if head != "{" else ""
    return (f'{head}{sep}"id": {row_id}, "patient_id": {patient_id}, '
            f'"created_at": {json.dumps(created_at)}}}')


AUDIT_SQL = ("INSERT INTO audit_log (at, actor, action, table_name, row_id, patient_id, "
             "changes) VALUES (?, ?, ?, ?, ?, ?, ?)")


def audit_at(dialect: Dialect) -> Callable[[Any], Any] | None:
    return _processor(AuditRow.__table__, "at", dialect)


def insert_rows(connection: Any, sql: str, rows: Sequence[tuple[Any, ...]]) -> None:
    """One executemany on the driver's cursor (the parameters bound already)."""
    connection.exec_driver_sql(sql, list(rows))
