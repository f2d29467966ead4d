"""Races on both databases: one winner per alert acknowledgement (one audit row), and
concurrent imports creating the same new patient all kept (the later ones merged)."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from typing import Any

from sqlalchemy import event, func, select

from androcast.labs import parse_case
from androcast.store import Store, chart_from_case, load_chart, save_chart
from androcast.store.monitoring import acknowledge_alert, save_alerts
from androcast.store.schema import AlertRow, AuditRow
from androcast.web import service

AS_OF = dt.date(2025, 11, 1)
ALERT = {"code": "cryo", "rule": "CRYO-1", "citation": "test", "severity": "warning",
         "message": "sperm seen: offer cryopreservation", "date": None}


def _case(labs: list[dict[str, Any]]) -> Any:
    return parse_case({"patient": {"id": "R1", "age_years": 40}, "labs": labs}, as_of=AS_OF)


def _alert_id(store: Store) -> int:
    with store.transaction("setup") as session:
        save_chart(session, chart_from_case(_case([])), clinic="A")
        [alert] = save_alerts(session, "R1", [ALERT], forecast_id=None, clinic="A")
    return alert.id


def test_two_concurrent_acknowledgements_have_one_winner(store: Store) -> None:
    alert_id = _alert_id(store)
    arrived = threading.Barrier(2, timeout=2.0)

    def meet_at_the_lock(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        # Both have read the alert unacknowledged; now both reach for its lock at once (on
        # SQLite the second cannot start until the first commits: the barrier times out).
        if "FOR UPDATE" in statement or ("alert" in statement and "UPDATE" in statement):
            with contextlib.suppress(threading.BrokenBarrierError):
                arrived.wait()

    event.listen(store.engine, "before_cursor_execute", meet_at_the_lock)
    results: dict[str, Any] = {}

    def acknowledge(user: str) -> None:
        with store.transaction(user) as session:
            results[user] = acknowledge_alert(session, alert_id, by=user, clinic="A")

    try:
        threads = [threading.Thread(target=acknowledge, args=(u,)) for u in ("ann", "ben")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        event.remove(store.engine, "before_cursor_execute", meet_at_the_lock)
    assert set(results) == {"ann", "ben"}  # both answered ...
    winners = {r.acknowledged_by for r in results.values()}
    assert len(winners) == 1  # ... with the same one winner
    with store.reading() as session:
        row = session.get(AlertRow, alert_id)
        assert row is not None and row.acknowledged_by in winners
        audited = session.scalar(
            select(func.count()).select_from(AuditRow).where(
                AuditRow.table_name == "alert", AuditRow.action == "update",
                AuditRow.row_id == alert_id))
    assert audited == 1


def test_concurrent_imports_of_one_new_patient_are_all_kept(store: Store) -> None:
    days = ["2025-06-01", "2025-07-01", "2025-08-01", "2025-09-01"]
    start = threading.Barrier(len(days), timeout=10.0)
    errors: list[BaseException] = []

    def add(day: str) -> None:
        case = _case([{"date": day, "analyte": "lh", "value": 3.0, "unit": "IU/L"}])
        start.wait()
        try:
            service.add_case(store, "A", f"importer {day}", case)
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=add, args=(d,)) for d in days]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    with store.reading() as session:
        chart = load_chart(session, "R1", clinic="A")
    assert sorted(r.item.date.isoformat() for r in chart.labs) == days
