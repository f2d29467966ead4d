"""Crashes and concurrent writers: a killed import leaves nothing, no update is lost.

Both tests use real processes (``fork``): one is SIGKILLed while its import transaction has
already written rows; two others race read-modify-write updates on the same patient.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import multiprocessing
import os
import signal
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select
from storehelpers import row_counts

from androcast.io.fhir import export_bundle, parse_bundle
from androcast.labs import load_case
from androcast.store import (
    Keyed,
    Store,
    add_lab_results,
    chart_from_case,
    find_patient,
    load_chart,
    open_store,
    save_chart,
    save_charts,
)
from androcast.store.schema import LabObservationRow

CASES = Path(__file__).parents[2] / "examples" / "cases"
AS_OF = dt.date(2025, 11, 1)
FORK = multiprocessing.get_context("fork")


def _counts(store: Store) -> dict[str, int]:
    return row_counts(store)


def _long_bundle(results: int) -> dict[str, Any]:
    """The post-TRT man with ``results`` distinct LH results (one a day)."""
    case = load_case(CASES / "post_trt.yaml", as_of=AS_OF)
    lh = case.latest("lh")
    assert lh is not None
    series = [
        dataclasses.replace(
            lh, date=AS_OF - dt.timedelta(days=day), value=1.0 + day / 100, reported_value=1.0
        )
        for day in range(results)
    ]
    chart = chart_from_case(case)
    chart = dataclasses.replace(chart, labs=tuple(Keyed(r) for r in series))
    return export_bundle(chart)


def _import_then_hang(url: str, bundle: dict[str, Any], written: Any) -> None:
    store = open_store(url)

    @event.listens_for(store.engine, "after_cursor_execute")
    def _hang_midway(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.startswith("INSERT INTO lab_observation"):
            # One row per statement, or many in one (PostgreSQL's batched insertmanyvalues).
            _hang_midway.inserted += max(cursor.rowcount, 1)  # type: ignore[attr-defined]
            if _hang_midway.inserted >= 50:  # type: ignore[attr-defined]
                written.set()
                time.sleep(120)  # killed here, in the middle of the transaction

    _hang_midway.inserted = 0  # type: ignore[attr-defined]
    charts = parse_bundle(bundle, as_of=AS_OF)
    with store.transaction("importer") as session:
        save_charts(session, charts)


def test_import_killed_midway_leaves_no_partial_record(store: Store) -> None:
    bundle = _long_bundle(300)
    written = FORK.Event()
    child = FORK.Process(target=_import_then_hang, args=(store.url, bundle, written))
    child.start()
    try:
        assert written.wait(timeout=120), "the import never reached its 50th result"
        os.kill(child.pid or 0, signal.SIGKILL)
    finally:
        child.join(timeout=30)
    assert child.exitcode == -signal.SIGKILL
    assert all(n == 0 for n in _counts(store).values())
    # The database is usable again at once: the same import now completes.
    with store.transaction("importer") as session:
        save_charts(session, parse_bundle(bundle, as_of=AS_OF))
    assert _counts(store)["lab_observation"] == 300


UPDATES = 15


def _race(url: str, worker: int, start: Any) -> None:
    store = open_store(url)
    start.wait()
    for i in range(UPDATES):
        with store.transaction(f"worker{worker}") as session:
            patient = find_patient(session, "P001", lock=True)
            assert patient.bmi is not None
            patient.bmi = patient.bmi + 0.5  # read, modify, write
            lh = load_chart(session, "P001").to_case(as_of=AS_OF).latest("lh")
            assert lh is not None
            result = dataclasses.replace(lh, value=2.0 + worker + i / 100)
            add_lab_results(session, "P001", [Keyed(result)])
    store.close()


def test_two_concurrent_writers_lose_no_update(store: Store) -> None:
    case = load_case(CASES / "post_trt.yaml", as_of=AS_OF)
    with store.transaction("dr.a") as session:
        save_chart(session, chart_from_case(case))
        version = find_patient(session, "P001").version
    start = FORK.Event()
    workers = [FORK.Process(target=_race, args=(store.url, w, start)) for w in (1, 2)]
    for process in workers:
        process.start()
    start.set()
    for process in workers:
        process.join(timeout=120)
    assert [p.exitcode for p in workers] == [0, 0]
    with store.reading() as session:
        patient = find_patient(session, "P001")
        results = session.scalar(select(func.count()).select_from(LabObservationRow))
        assert patient.bmi == 27.5 + 0.5 * 2 * UPDATES
        assert patient.version > version + 2 * UPDATES  # every commit bumped it
        assert results == len(case.labs) + 2 * UPDATES
