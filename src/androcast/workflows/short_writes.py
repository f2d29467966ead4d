"""Work on stored patients that computes holding no lock: read, compute, then keep what it
made in a short write transaction (other clinicians' writes wait only for that).

The web app and the CLI both import FHIR bundles, assess men again and run monitoring
steps this way. An import's records are still all or nothing: its charts are prepared
before its one write transaction (``store.prepare_chart``), which then only looks records up
and inserts them; each imported man is assessed after it, and a man on an adopted plan has
his new results judged after that, each in its own short write. A step or assessment whose
input changed while it computed (another write to him) is computed again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.orm import Session

from androcast.errors import StoreError
from androcast.store import (
    Chart,
    SaveSummary,
    Store,
    active_plan,
    find_patient,
    load_chart,
    prepare_chart,
    save_assessment,
)
from androcast.workflows import monitoring
from androcast.workflows.assess import assess_chart
from androcast.workflows.records import Bound, import_charts, unbounded

MAX_ATTEMPTS = 3
#: Runs a patient's monitoring step later (a background job): what to answer about it.
Schedule = Callable[[str], Any]


def monitoring_step(
    store: Store,
    clinic: str,
    actor: str,
    identifier: str,
    *,
    today: dt.date,
    bound: Bound = unbounded,
) -> list[dict[str, Any]] | None:
    """His monitoring step after new results (None: no plan): read, compute within
    ``bound`` holding no lock, then write; computed again if his forecast moved meanwhile."""
    for _ in range(MAX_ATTEMPTS):
        with store.reading() as session:
            step = monitoring.step_input(session, identifier, clinic=clinic, today=today)
        if step is None:
            return None
        result = bound(lambda: monitoring.compute_step(step))  # noqa: B023 (called at once)
        with store.transaction(actor) as session:
            alerts = monitoring.save_step(session, identifier, step, result, clinic=clinic)
        if alerts is not None:
            return alerts
    raise StoreError("transaction", identifier, "a monitoring step his forecast kept still for",
                     hint="other steps kept changing it: try again")


def assess_outside(
    store: Store, clinic: str, actor: str, identifier: str, *, today: dt.date
) -> dict[str, Any]:
    """Assess him again: read his record, interpret it holding no lock, keep the assessment
    in a short write; computed again if his record changed meanwhile."""
    for _ in range(MAX_ATTEMPTS):
        with store.reading() as session:
            version = find_patient(session, identifier, clinic=clinic).version
            chart = load_chart(session, identifier, clinic=clinic)
        assessment = assess_chart(chart, today)
        with store.transaction(actor) as session:
            if find_patient(session, identifier, clinic=clinic, lock=True).version == version:
                save_assessment(session, identifier, assessment, as_of=today, clinic=clinic)
                return assessment
    raise StoreError("transaction", identifier, "an assessment his record kept still for",
                     hint="other writes kept changing it: try again")


def import_outside(
    store: Store,
    clinic: str,
    actor: str,
    charts: Sequence[Chart],
    *,
    today: dt.date,
    bound: Bound = unbounded,
    schedule: Schedule | None = None,
    check: Callable[[Session], object] | None = None,
) -> tuple[SaveSummary, dict[str, Any]]:
    """Keep imported charts (all of them or none) in one short write, then assess each man
    and judge the new results of a man on a plan, each computed holding no lock.

    ``check`` runs first in the write transaction (the CLI's check of its ``--user``).
    Returns the store's counts and, by patient on a plan, his alerts (``alerts``) or, with
    ``schedule``, what it answered for his step run later (``monitoring``).
    """
    dialect = store.engine.dialect
    prepared = [prepare_chart(chart, dialect) for chart in charts]  # rows made holding no lock

    def work(session: Session) -> tuple[SaveSummary, list[str]]:
        if check is not None:
            check(session)
        done = import_charts(session, prepared, clinic=clinic, today=today, judge=False,
                             assess=False)
        planned = [c.patient.id for c in charts
                   if active_plan(session, c.patient.id, clinic=clinic) is not None]
        return done.summary, planned

    summary, planned = store.write(actor, work)  # again on a conflict
    for chart in charts:
        assess_outside(store, clinic, actor, chart.patient.id, today=today)
    if schedule is not None:
        jobs = {identifier: schedule(identifier) for identifier in planned}
        return summary, ({"monitoring": jobs} if jobs else {})
    alerts: dict[str, list[dict[str, Any]]] = {}
    for identifier in planned:
        raised = monitoring_step(store, clinic, actor, identifier, today=today, bound=bound)
        if raised is not None:
            alerts[identifier] = raised
    return summary, ({"alerts": alerts} if alerts else {})
