"""New results for a stored patient: kept, assessed again, and judged on his plan.

The CLI (``observe``) and the web app (result forms, JSON API) call these in the caller's
transaction, so a result and the assessment made with it are kept together or not at all.
The CLI judges them on his plan in the same transaction; the web app (``judge=False``) runs
the monitoring step afterwards, outside the write transaction (``web.service``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol, TypeVar

from sqlalchemy.orm import Session

from androcast.labs import LabResult, SemenAnalysis
from androcast.store import (
    Chart,
    Keyed,
    PreparedChart,
    SaveSummary,
    active_plan,
    add_lab_results,
    load_chart,
    save_chart,
    save_charts,
)
from androcast.workflows import monitoring
from androcast.workflows.assess import reassess as reassess

T = TypeVar("T")


class Bound(Protocol):
    """Runs a computation within a bound on concurrent computations."""

    def __call__(self, compute: Callable[[], T], /) -> T: ...


def unbounded(compute: Callable[[], T], /) -> T:
    return compute()


@dataclass(frozen=True)
class Added:
    """What new results changed: the store counts, his new assessment, the alerts raised
    (None: he has no adopted plan)."""

    summary: SaveSummary
    assessment: dict[str, Any]
    alerts: list[dict[str, Any]] | None
    identifier: str = ""  # his identifier as stored


def add_results(
    session: Session,
    identifier: str,
    *,
    labs: Iterable[LabResult] = (),
    semen: Iterable[SemenAnalysis] = (),
    clinic: str,
    today: dt.date,
    bound: Bound = unbounded,
    judge: bool = True,
) -> Added:
    """Keep his new lab and semen results, assess him again and, on a plan, judge them
    (``judge=False``: the caller runs the monitoring step after this transaction)."""
    summary = add_lab_results(session, identifier, (Keyed(r) for r in labs), clinic=clinic)
    new_semen = tuple(Keyed(s) for s in semen)
    if new_semen:
        chart = load_chart(session, identifier, clinic=clinic)
        merged = save_chart(
            session, Chart(patient=chart.patient, goal=chart.goal, semen=new_semen), clinic=clinic
        )
        summary.created += merged.created
        summary.updated += merged.updated
        summary.unchanged += merged.unchanged
    assessment = reassess(session, identifier, clinic=clinic, as_of=today)
    alerts = None
    if judge and active_plan(session, identifier, clinic=clinic) is not None:
        alerts = bound(
            lambda: monitoring.after_results(session, identifier, clinic=clinic, today=today)
        )
    return Added(summary, assessment, alerts, identifier)


@dataclass(frozen=True)
class Imported:
    """What an import changed: the store counts and, by patient on a plan, the alerts raised."""

    summary: SaveSummary
    alerts: dict[str, list[dict[str, Any]]]


def import_charts(
    session: Session,
    charts: Sequence[Chart | PreparedChart],
    *,
    clinic: str,
    today: dt.date,
    bound: Bound = unbounded,
    judge: bool = True,
    assess: bool = True,
) -> Imported:
    """Keep imported records (all or nothing, with the caller's transaction), assess each
    patient again and, for a man on a plan, judge his new results (``judge=False``: the
    caller runs the monitoring steps after this transaction; ``assess=False``: the caller
    assesses them after it, computing outside any write transaction). Charts prepared
    beforehand (``store.prepare_chart``) make the transaction shorter."""
    summary = save_charts(session, charts, clinic=clinic)
    alerts: dict[str, list[dict[str, Any]]] = {}
    for given in charts:
        chart = given.chart if isinstance(given, PreparedChart) else given
        identifier = chart.patient.id
        if assess:
            reassess(session, identifier, clinic=clinic, as_of=today)
        if judge and active_plan(session, identifier, clinic=clinic) is not None:
            step = partial(monitoring.after_results, session, identifier, clinic=clinic,
                           today=today)
            raised = bound(step)
            alerts[identifier] = raised or []
    return Imported(summary, alerts)
