"""An import's charts prepared before its write transaction (``store.prepare_chart``: rows
and audit entries made, on SQLite bound for the driver) keep exactly what the same charts
saved without preparing keep: the records read back and their audit entries (issue 20: the
write transaction of the largest import is short, ``test_store_import_block``)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from sqlalchemy import select

from androcast.io.fhir import parse_bundle_entries
from androcast.store import Store, load_chart, prepare_chart, save_chart, save_charts
from androcast.store.schema import AuditRow, ClinicRow, PatientRow

BUNDLE = Path(__file__).parents[2] / "examples" / "fhir" / "post_trt_bundle.json"
AS_OF = dt.date(2025, 11, 1)
#: What differs between two stores of one chart: row ids, times and minted urn:uuid keys.
VARYING = ("id", "patient_id", "created_at", "key_value")


def _audit(store: Store, clinic: str) -> list[tuple[str, str, dict[str, Any]]]:
    with store.reading() as session:
        patients = select(PatientRow.id).join(ClinicRow).where(ClinicRow.name == clinic)
        rows = session.scalars(
            select(AuditRow).where(AuditRow.patient_id.in_(patients),
                                   AuditRow.table_name != "patient")
            .order_by(AuditRow.table_name, AuditRow.id)
        ).all()
        return [(r.action, r.table_name,
                 {k: v for k, v in r.changes.items() if k not in VARYING}) for r in rows]


def test_a_prepared_chart_keeps_what_a_plain_one_keeps(store: Store) -> None:
    bundle = json.loads(BUNDLE.read_text(encoding="utf-8"))
    (chart,) = parse_bundle_entries(bundle, as_of=AS_OF, source="bundle").charts
    assert chart.labs and chart.semen and chart.androgens  # every kind of record
    with store.transaction("plain") as session:
        save_chart(session, chart, clinic="plain")
    prepared = prepare_chart(chart, store.engine.dialect)
    if store.engine.dialect.name == "sqlite":
        assert all(p.bound for p in prepared.labs)  # the bound path is the one tested here
    with store.transaction("plain") as session:
        save_charts(session, [prepared], clinic="prepared")
    with store.reading() as session:
        plain = load_chart(session, chart.patient.id, clinic="plain")
        kept = load_chart(session, chart.patient.id, clinic="prepared")
    assert kept == plain
    plain_audit, kept_audit = _audit(store, "plain"), _audit(store, "prepared")
    assert len(kept_audit) == len(plain_audit) == (
        len(chart.labs) + len(chart.semen) + len(chart.androgens) + len(chart.medications))
    assert kept_audit == plain_audit
    # and a re-import of the same charts, prepared, changes nothing
    with store.transaction("again") as session:
        again = save_charts(session, [prepare_chart(chart, store.engine.dialect)],
                            clinic="prepared")
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(plain_audit))
