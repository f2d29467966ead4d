"""The audit trail: every insert, update and delete gets a row in ``audit_log``, same transaction.

A flush hook reads what the unit of work just wrote (new, changed and deleted rows, with the
old and new value of each changed column) and inserts the audit rows on the same
connection, so the change and its audit entry commit or roll back together. The actor comes
from ``session.info["actor"]``; a write without one is refused.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import event, insert, inspect, select
from sqlalchemy.orm import Session, UOWTransaction

from androcast.errors import StoreError
from androcast.store.schema import AuditRow, Base, ClinicRow, PatientRow, utcnow


class AuditedSession(Session):
    """A session whose flushes write the audit trail (``info["actor"]`` names who acts)."""


def plain(value: Any) -> Any:
    """A value as the audit trail keeps it (JSON: dates as ISO text)."""
    return _plain(value)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _columns(obj: Base) -> dict[str, Any]:
    mapper = inspect(type(obj))
    return {c.key: _plain(getattr(obj, c.key)) for c in mapper.column_attrs}


def _changed(obj: Base) -> dict[str, Any]:
    state = inspect(obj)
    changes: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        history = state.attrs[attr.key].history
        if history.has_changes():
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            changes[attr.key] = [_plain(old), _plain(new)]
    return changes


def _row_id(obj: Base) -> int:
    value = getattr(obj, "id", None)
    assert isinstance(value, int), "rows are flushed before they are audited"
    return value


def _patient_id(obj: Base) -> int | None:
    if isinstance(obj, PatientRow):
        return obj.id
    value = getattr(obj, "patient_id", None)
    return value if isinstance(value, int) else None


@event.listens_for(AuditedSession, "after_flush")
def _write_audit(session: Session, flush_context: UOWTransaction) -> None:
    entries: list[tuple[str, Base, dict[str, Any]]] = []
    entries += [("insert", o, _columns(o)) for o in session.new if isinstance(o, Base)]
    entries += [
        ("update", o, _changed(o))
        for o in session.dirty
        if isinstance(o, Base) and session.is_modified(o, include_collections=False)
    ]
    entries += [("delete", o, _columns(o)) for o in session.deleted if isinstance(o, Base)]
    rows = [
        {
            "at": utcnow(),
            "actor": session.info.get("actor"),
            "action": action,
            "table_name": obj.__tablename__,
            "row_id": _row_id(obj),
            "patient_id": _patient_id(obj),
            "changes": changes,
        }
        for action, obj, changes in entries
        if not isinstance(obj, AuditRow)
    ]
    if not rows:
        return
    if not session.info.get("actor"):
        raise StoreError("actor", None, "the user making the change (every change is audited)")
    session.connection().execute(insert(AuditRow), rows)


def audit_inserts(session: Session, table: str, rows: list[dict[str, Any]], *,
                  plain: bool = False) -> None:
    """Audit rows inserted in bulk (not by the unit of work, whose flush hook audits its
    own): one ``insert`` entry each with every column, as ``_write_audit`` writes it
    (``plain``: the values are already as the trail keeps them, ``plain()``)."""
    if not rows:
        return
    actor = session.info.get("actor")
    if not actor:
        raise StoreError("actor", None, "the user making the change (every change is audited)")
    now = utcnow()
    session.connection().execute(insert(AuditRow), [
        {"at": now, "actor": actor, "action": "insert", "table_name": table,
         "row_id": row["id"], "patient_id": row.get("patient_id"),
         "changes": row if plain else {key: _plain(value) for key, value in row.items()}}
        for row in rows
    ])


def record_access(session: Session, events: list[dict[str, Any]]) -> None:
    """Keep who read or exported what, and who logged in (or failed to), from where.

    Each event: ``at``, ``actor``, ``action`` (read, export, login, login_fail), ``clinic``,
    ``patient`` (his identifier, or None), ``what`` (the route) and ``address``. They go to
    ``audit_log`` beside the changes (``table_name`` "access", the patient's row id where
    he is found in that clinic, else 0).
    """
    if not events:
        return
    wanted = {(e["clinic"], e["patient"]) for e in events if e.get("patient")}
    ids: dict[tuple[str, str], int] = {}
    if wanted:  # one query for every patient read since the last flush
        found = session.execute(
            select(ClinicRow.name, PatientRow.identifier, PatientRow.id)
            .join(ClinicRow, PatientRow.clinic_id == ClinicRow.id)
            .where(ClinicRow.name.in_({c for c, _ in wanted}),
                   PatientRow.identifier.in_({i for _, i in wanted}))
        )
        ids = {(c, i): pid for c, i, pid in found if (c, i) in wanted}
    rows = [
        {
            "at": e["at"],
            "actor": str(e["actor"])[:200],
            "action": e["action"],
            "table_name": "access",
            "row_id": ids.get((e["clinic"], e.get("patient") or ""), 0),
            "patient_id": ids.get((e["clinic"], e.get("patient") or "")),
            "changes": {k: e.get(k) for k in ("clinic", "patient", "what", "address")},
        }
        for e in events
    ]
    session.connection().execute(insert(AuditRow), rows)
