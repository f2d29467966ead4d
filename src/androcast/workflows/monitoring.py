"""Monitoring a stored patient: adopt a plan, the step after new results, what to show.

The CLI (``patient plan``, ``observe``, ``fhir import``, ``monitor``, ``alert ack``) and the
web app (patient page, JSON API) call these, each in the caller's transaction. The CLI keeps
a new result, the forecast that learnt from it and its alerts together; the web app runs
the step's computation (seconds) outside any write transaction (``step_input``, then
``compute_step``, then ``save_step`` in a short one), so other writers never wait for it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import replace as dataclass_replace
from typing import Any

from sqlalchemy.orm import Session

from androcast.drugs import RESTORATION_KINDS, get_drug
from androcast.errors import DateError, ParameterError, StoreError, UnknownCodeError
from androcast.interpret import interpret
from androcast.labs import Case
from androcast.monitoring import (
    Band,
    MonitoringState,
    StepResult,
    monitor,
    monitoring_report,
    plan_payload,
    start_monitoring,
    state_from_payload,
    state_to_payload,
)
from androcast.prognosis import Protocol, appropriate_protocols, get_protocol
from androcast.store import (
    Chart,
    Keyed,
    MedicationUse,
    StoredAlert,
    StoredForecast,
    StoredPlan,
    acknowledge_alert,
    active_plan,
    adopt_plan,
    find_patient,
    latest_forecast,
    list_alerts,
    load_chart,
    save_alerts,
    save_chart,
    save_forecast,
    stop_plan,
)
from androcast.store.chart import RETRACTED
from androcast.workflows.assess import reassess

MAX_START_AHEAD = dt.timedelta(days=366)  # a plan is adopted to start now or soon


@dataclass(frozen=True)
class Adopted:
    """A plan just adopted: the plan as stored, its first band, alerts on later results."""

    plan: dict[str, Any]
    forecast: dict[str, Any]
    alerts: list[dict[str, Any]]


def no_plan(patient: str) -> StoreError:
    return StoreError("plan", patient, "a patient with an adopted plan",
                      hint=f"run: androcast patient plan {patient} --protocol ID")


def appropriate(case: Case) -> tuple[Protocol, ...]:
    """The protocols his interpretation does not rule out (what the web app offers)."""
    return appropriate_protocols(interpret(case))


def check_start(case: Case, start: dt.date, today: dt.date) -> None:
    """A plan starts on or after his first result and at most a year from today."""
    dates = [r.date for r in case.labs] + [s.date for s in case.semen]
    first = min(dates, default=None)
    latest = today + MAX_START_AHEAD
    if (first is not None and start < first) or start > latest:
        since = "" if first is None else f"from his first result {first.isoformat()} "
        raise DateError("start", start.isoformat(), f"a date {since}to {latest.isoformat()}")


def _save(session: Session, patient: str, clinic: str, plan_id: int, state: MonitoringState,
          alerts: list[dict[str, Any]]) -> None:
    forecast = save_forecast(session, patient, state_to_payload(state),
                             as_of=state.band.as_of, plan_id=plan_id, clinic=clinic)
    save_alerts(session, patient, alerts, forecast_id=forecast.id, clinic=clinic)


def adopt(
    session: Session,
    patient: str,
    *,
    protocol: str,
    start: dt.date,
    today: dt.date,
    clinic: str,
    n: int,
    seed: int = 1,
    only_appropriate: bool = False,
) -> Adopted:
    """Adopt ``protocol`` from ``start``: his band, and alerts on results already after it.

    ``only_appropriate``: refuse a protocol his interpretation rules out (the web app offers
    only those; the CLI lets a clinician choose any).
    """
    case = adoption_case(session, patient, protocol=protocol, start=start, today=today,
                         clinic=clinic, only_appropriate=only_appropriate)
    return save_adoption(session, patient, case, adoption_step(case, protocol, start, n, seed),
                         protocol=protocol, start=start, clinic=clinic, today=today)


def adoption_case(
    session: Session,
    patient: str,
    *,
    protocol: str,
    start: dt.date,
    today: dt.date,
    clinic: str,
    only_appropriate: bool = False,
) -> Case:
    """His case for adopting ``protocol`` from ``start``, the protocol and start checked."""
    get_protocol(protocol, field="protocol")
    case = load_chart(session, patient, clinic=clinic).to_case(as_of=max(today, start))
    if only_appropriate:
        allowed = [p.id for p in appropriate(case)]
        if protocol not in allowed:
            raise UnknownCodeError("protocol", protocol,
                                   f"a protocol appropriate for him: {', '.join(allowed)}")
    check_start(case, start, today)
    return case


def _quiet(fraction: float, message: str = "") -> None:
    """Progress nobody follows (the CLI)."""


def adoption_step(case: Case, protocol: str, start: dt.date, n: int, seed: int = 1,
                  progress: Callable[[float, str], None] = _quiet) -> StepResult:
    """His first band on the plan and alerts on results after its start (seconds; no
    database). ``progress(fraction, what)`` is told before each of its two parts (a
    background job's progress bar; it may raise to stop the work there)."""
    progress(0.1, "personalising his twin to his results")
    state = start_monitoring(case, protocol, start, n=n, seed=seed)
    progress(0.7, "his forecast band on the plan, and alerts on results since its start")
    return monitor(state, case)


def save_adoption(
    session: Session,
    patient: str,
    case: Case,
    result: StepResult,
    *,
    protocol: str,
    start: dt.date,
    clinic: str,
    today: dt.date,
) -> Adopted:
    """Keep the adopted plan (an earlier one superseded), its band and alerts, its drugs as
    his medication courses from its start (``plan_courses``), and his assessment made
    again as of ``today`` with them."""
    payload = plan_payload(result.state, case)
    plan = adopt_plan(session, patient, protocol=protocol, start=start, payload=payload,
                      clinic=clinic)
    chart = load_chart(session, patient, clinic=clinic)
    courses = plan_courses(chart, result.state.protocol, start)  # as adopted for him
    only_courses = dataclass_replace(chart, androgens=(), labs=(), semen=(), medications=courses)
    save_chart(session, only_courses, clinic=clinic)
    reassess(session, patient, clinic=clinic, as_of=today)
    alerts = [a.to_dict() for a in result.alerts]
    _save(session, patient, clinic, plan.id, result.state, alerts)
    return Adopted(payload, result.state.band.to_dict(), alerts)


def plan_courses(chart: Chart, protocol: Protocol, start: dt.date
                 ) -> tuple[Keyed[MedicationUse], ...]:
    """The changes to his medication courses that adopting ``protocol`` from ``start`` makes.

    The plan is his whole restoration treatment from its start (a drug he takes now is part
    of his state: the assessment, the twin and the plan all see it): every restoration
    course he would still be taking then stops on that day (one that would only begin then
    never happened and is removed), and each drug of the plan becomes a course from the
    start, with the plan's dose and interval. Other drugs (an opioid, an alpha blocker) are
    not the plan's to stop. The monitoring twin doses the plan itself from its start and
    stops his courses the day before (``twin.personalise``'s ``treatment_start``), so the
    plan's courses are never dosed twice.
    """
    changes: list[Keyed[MedicationUse]] = []
    for keyed in chart.medications:
        use = keyed.item
        if keyed.status == RETRACTED or get_drug(use.code).kind not in RESTORATION_KINDS:
            continue
        if use.stop is not None and use.stop <= start:
            continue  # stopped before the plan: his history, unchanged
        if use.start is not None and use.start >= start:
            changes.append(dataclass_replace(keyed, status=RETRACTED))
        else:
            changes.append(dataclass_replace(keyed, item=dataclass_replace(use, stop=start)))
    for entry in protocol.regimen_from(0.0, 1.0).entries:
        changes.append(Keyed(MedicationUse(entry.drug, start, None, entry.dose,
                                           entry.dose_unit, entry.every_d)))
    return tuple(changes)


@dataclass(frozen=True)
class Stopped:
    """A plan just withdrawn: the plan as stored (status ``stopped``) and the medication
    courses of it that end on the stop date (drug, start, stop; stop None = never taken)."""

    plan: dict[str, Any]
    courses: list[dict[str, Any]]


def stop(
    session: Session,
    patient: str,
    *,
    on: dt.date,
    reason: str,
    today: dt.date,
    clinic: str,
) -> Stopped:
    """Withdraw his active plan from ``on`` (its start to today), for ``reason``: the plan is
    kept as stopped (audited: who, when, why), the courses of its drugs that it started end
    on that day (``stop_courses``), so his twin, his assessment and his page no longer see
    them as current, and he is reassessed as of ``today``."""
    plan = active_plan(session, patient, clinic=clinic)
    if plan is None:
        raise StoreError("plan", patient, "a patient with an adopted plan to stop",
                         hint=f"run: androcast monitor {patient}")
    why = " ".join(reason.split())
    if not why:
        raise ParameterError("reason", reason, "why the plan is stopped (kept in the audit "
                             "trail), e.g. 'pregnancy achieved' or 'side effects'")
    if on < plan.start or on > today:
        raise DateError("date", on.isoformat(), f"a date from the plan's start "
                        f"{plan.start.isoformat()} to today {today.isoformat()}")
    chart = load_chart(session, patient, clinic=clinic)
    courses = stop_courses(chart, get_protocol(plan.protocol), plan.start, on)
    stopped = stop_plan(session, patient, stop=on, reason=why, clinic=clinic)
    save_chart(session, dataclass_replace(chart, androgens=(), labs=(), semen=(),
                                          medications=courses), clinic=clinic)
    reassess(session, patient, clinic=clinic, as_of=today)
    return Stopped(dict(stopped.payload) | {"status": stopped.status},
                   [{"drug": c.item.code, "start": None if c.item.start is None
                     else c.item.start.isoformat(),
                     "stop": None if c.status == RETRACTED else c.item.stop.isoformat()
                     if c.item.stop is not None else None} for c in courses])


def stop_courses(chart: Chart, protocol: Protocol, start: dt.date, on: dt.date
                 ) -> tuple[Keyed[MedicationUse], ...]:
    """The changes to his medication courses that stopping ``protocol`` (adopted from
    ``start``) on ``on`` makes: each course of one of its drugs that the adoption began on
    ``start`` (``plan_courses``) and that runs past ``on`` ends that day; stopped on its
    first day, it never happened and is removed. His other courses are not the plan's."""
    drugs = {entry.drug for entry in protocol.regimen_from(0.0, 1.0).entries}
    changes: list[Keyed[MedicationUse]] = []
    for keyed in chart.medications:
        use = keyed.item
        if keyed.status == RETRACTED or use.code not in drugs or use.start != start:
            continue
        if use.stop is not None and use.stop <= on:
            continue  # ended already
        if on <= start:
            changes.append(dataclass_replace(keyed, status=RETRACTED))
        else:
            changes.append(dataclass_replace(keyed, item=dataclass_replace(use, stop=on)))
    return tuple(changes)


def _plan_and_forecast(session: Session, patient: str, clinic: str
                       ) -> tuple[StoredPlan, StoredForecast] | None:
    """His active plan and its latest forecast (None: no plan; a plan always has one)."""
    plan = active_plan(session, patient, clinic=clinic)
    if plan is None:
        return None
    forecast = latest_forecast(session, patient, plan_id=plan.id, clinic=clinic)
    if forecast is None:
        raise no_plan(patient)
    return plan, forecast


def after_results(
    session: Session, patient: str, *, clinic: str, today: dt.date
) -> list[dict[str, Any]] | None:
    """The monitoring step after new results: their alerts (None: he has no active plan)."""
    step = step_input(session, patient, clinic=clinic, today=today)
    if step is None:
        return None
    return save_step(session, patient, step, compute_step(step), clinic=clinic)


@dataclass(frozen=True)
class StepInput:
    """What one monitoring step starts from: his plan, its latest forecast, his record."""

    plan_id: int
    forecast_id: int
    state: MonitoringState
    case: Case


def step_input(
    session: Session, patient: str, *, clinic: str, today: dt.date
) -> StepInput | None:
    """Read what the step needs (a short read; None: he has no active plan)."""
    adopted = _plan_and_forecast(session, patient, clinic)
    if adopted is None:
        return None
    plan, forecast = adopted
    case = load_chart(session, patient, clinic=clinic).to_case(as_of=today)
    return StepInput(plan.id, forecast.id, state_from_payload(forecast.payload, case), case)


def compute_step(step: StepInput) -> StepResult:
    """The step's computation (seconds): no database, so no lock is held meanwhile."""
    return monitor(step.state, step.case)


def save_step(
    session: Session, patient: str, step: StepInput, result: StepResult, *, clinic: str
) -> list[dict[str, Any]] | None:
    """Keep the step's forecast and alerts (a short write). None when his plan or forecast
    moved on meanwhile (another step or a new plan): the caller computes again."""
    adopted = _plan_and_forecast(session, patient, clinic)
    if adopted is None or (adopted[0].id, adopted[1].id) != (step.plan_id, step.forecast_id):
        return None
    alerts = [a.to_dict() for a in result.alerts]
    if result.visits:
        _save(session, patient, clinic, step.plan_id, result.state, alerts)
    return alerts


def view(
    session: Session, patient: str, *, clinic: str, today: dt.date
) -> dict[str, Any] | None:
    """``monitoring_report``: his plan, latest band, results against it and the alerts
    raised on this plan (with who acknowledged each and when); None without an adopted plan."""
    adopted = _plan_and_forecast(session, patient, clinic)
    if adopted is None:
        return None
    plan, forecast = adopted
    case = load_chart(session, patient, clinic=clinic).to_case(
        as_of=max(today, forecast.as_of))
    alerts = [a.to_dict() for a in list_alerts(session, patient, clinic=clinic, plan_id=plan.id)]
    return monitoring_report(plan.payload, Band.from_dict(forecast.payload), case, alerts)


def acknowledge(
    session: Session, patient: str, alert_id: int, *, by: str, clinic: str
) -> StoredAlert:
    """Mark his alert ``alert_id`` as seen by ``by`` (an alert of another man is refused)."""
    find_patient(session, patient, clinic=clinic)
    alert = acknowledge_alert(session, alert_id, by=by, clinic=clinic)
    if alert.patient != patient:  # raising rolls the caller's transaction back
        raise UnknownCodeError("alert", alert_id, f"an alert of patient {patient}")
    return alert
