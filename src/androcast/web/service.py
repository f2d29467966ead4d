"""What the pages and the API do with the store: one function per use, one transaction each.

Every function takes the user's clinic and touches only that clinic's patients (the store
looks patients up by clinic and identifier), so tenancy holds for pages and API alike.
A write reassesses the patient and keeps the assessment, as the CLI does; new results of a
man on an adopted plan then run the monitoring step (``workflows.monitoring``): read,
compute holding no lock, keep in a short write. The computations (a plan adopted, the step)
run within the bound the caller passes (``bound``: the outlook cache's bound on concurrent
computations), or, when the caller passes ``schedule``, later as a background job: the
write then answers at once with the job that judges his new results.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from androcast.errors import IdentifierError, UnknownCodeError
from androcast.interpret import Assessment, interpret
from androcast.io.fhir import export_bundle, parse_bundle_entries
from androcast.labs import Case, LabResult, SemenAnalysis, patient_identifier
from androcast.prognosis import appropriate_protocols
from androcast.prognosis.current import for_him
from androcast.store import (
    Chart,
    PatientSummary,
    SaveSummary,
    Store,
    chart_from_case,
    find_patient,
    list_patients,
    load_chart,
    pages,
    save_chart,
)
from androcast.store.monitoring import active_plan
from androcast.workflows import monitoring, records, short_writes
from androcast.workflows.records import Bound, unbounded

T = TypeVar("T")
#: Runs a patient's monitoring step later (a background job): what to answer about it.
Schedule = short_writes.Schedule


class PatientNotFound(LookupError):
    """No patient with this identifier in the user's clinic (another clinic's is not found)."""

    def __init__(self, identifier: str) -> None:
        shown = identifier if len(identifier) <= 64 else identifier[:64] + "..."
        super().__init__(f"patient {shown!r} not found in your clinic")
        self.identifier = identifier


@dataclass(frozen=True)
class PatientView:
    """A stored patient as the pages show him: his case, latest assessment and its date.

    ``version`` is his record's version (bumped by every change): what a computed prognosis
    or plan of him is valid for.
    """

    chart: Chart
    case: Case
    assessment: Mapping[str, Any] | None
    assessed_on: dt.date | None
    version: int


def _chart(session: Any, identifier: str, clinic: str) -> Chart:
    try:
        return load_chart(session, identifier, clinic=clinic)
    except UnknownCodeError as err:
        if err.field == "patient":
            raise PatientNotFound(identifier) from None
        raise


class AlertNotFound(LookupError):
    """No alert with this id for this patient of the user's clinic."""

    def __init__(self, identifier: str, alert_id: int) -> None:
        super().__init__(f"alert {alert_id} of patient {identifier!r} not found in your clinic")


class NoPlan(LookupError):
    """The patient has no adopted plan (nothing to monitor)."""

    def __init__(self, identifier: str) -> None:
        super().__init__(f"patient {identifier!r} has no adopted plan (adopt one first)")


@contextmanager
def _his(identifier: str) -> Iterator[None]:
    """A patient (or alert) the store does not find in the clinic is not found (404)."""
    try:
        yield
    except UnknownCodeError as err:
        if err.field == "patient":
            raise PatientNotFound(identifier) from None
        if err.field == "alert":
            raise AlertNotFound(identifier, int(err.value)) from None
        raise


def _reassess(session: Any, identifier: str, clinic: str, as_of: dt.date) -> dict[str, Any]:
    return records.reassess(session, identifier, clinic=clinic, as_of=as_of)


def summary_dict(summary: SaveSummary) -> dict[str, Any]:
    return summary.to_dict()


def patients(store: Store, clinic: str) -> list[PatientSummary]:
    with store.reading() as session:
        return list_patients(session, clinic=clinic)


PatientRowView = pages.ListLine  # a line of the patient list (store.pages)
Stamp = pages.Stamp  # what a patient's page shows, by what changes it (store.pages)


def patient_rows(store: Store, clinic: str) -> list[PatientRowView]:
    """Every patient of the clinic with his latest pattern, open alerts and adopted plan."""
    with store.reading() as session:
        return pages.patient_list(session, clinic)


ClinicStamp = pages.ClinicStamp  # what the patient list shows, by what changes it


def clinic_stamp(store: Store, clinic: str) -> ClinicStamp:
    """The patient list's stamp in one query (a kept list is then shown without reading)."""
    with store.reading(snapshot=False) as session:  # one statement
        return pages.clinic_stamp(session, clinic)


def patient_view(store: Store, clinic: str, identifier: str, *, today: dt.date) -> PatientView:
    with store.reading() as session:
        chart = _chart(session, identifier, clinic)
        identifier = chart.patient.id  # as stored (" P001" finds "P001")
        version, assessment, assessed_on = pages.version_and_assessment(
            session, clinic, identifier)
    return PatientView(chart, chart.to_case(as_of=today), assessment, assessed_on, version)


def stamp(store: Store, clinic: str, identifier: str) -> Stamp:
    """His page's stamp in one query (a cached page is then served without loading him)."""
    try:
        wanted = patient_identifier(identifier, "patient")
    except IdentifierError:
        raise PatientNotFound(identifier) from None
    with store.reading(snapshot=False) as session:  # one statement
        found = pages.page_stamp(session, clinic, wanted)
    if found is None:
        raise PatientNotFound(identifier)
    return found


def latest(
    store: Store, clinic: str, identifier: str
) -> tuple[Mapping[str, Any] | None, dt.date | None]:
    """The newest stored assessment and its date, without loading the whole record."""
    with store.reading(snapshot=False) as session:  # his row, then his newest by its id
        try:
            return pages.latest_assessment(
                session, find_patient(session, identifier, clinic=clinic).id)
        except UnknownCodeError as err:
            if err.field == "patient":
                raise PatientNotFound(identifier) from None
            raise


def patient_exists(store: Store, clinic: str, identifier: str) -> bool:
    with store.reading(snapshot=False) as session:  # one statement
        try:
            find_patient(session, identifier, clinic=clinic)
        except UnknownCodeError:
            return False
    return True


def add_case(store: Store, clinic: str, actor: str, case: Case) -> dict[str, Any]:
    """Store a new patient's case (or merge into his record) and assess him as of its date."""
    def work(session: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        summary = summary_dict(save_chart(session, chart_from_case(case), clinic=clinic))
        return summary, _reassess(session, case.patient.id, clinic, case.as_of)

    summary, assessment = store.write(actor, work)  # run again if he was created meanwhile
    return {**summary, "patient": case.patient.id, "assessment": assessment}


def add_results(
    store: Store,
    clinic: str,
    actor: str,
    identifier: str,
    *,
    labs: Iterable[LabResult] = (),
    semen: Iterable[SemenAnalysis] = (),
    today: dt.date,
    bound: Bound = unbounded,
    schedule: Schedule | None = None,
) -> dict[str, Any]:
    """Follow-up results for a stored patient, then a new assessment as of ``today`` and,
    on an adopted plan, the monitoring step (``alerts``: those the new results raised; with
    ``schedule``, ``monitoring``: what it answered, the job that will judge them).

    The results and the assessment are one short write; the step computes outside it and
    keeps its forecast and alerts in a second short write."""
    def work(session: Any) -> tuple[records.Added, bool]:
        stored = _chart(session, identifier, clinic).patient.id
        added = records.add_results(session, stored, labs=labs, semen=semen, clinic=clinic,
                                    today=today, judge=False)
        return added, active_plan(session, stored, clinic=clinic) is not None

    labs, semen = tuple(labs), tuple(semen)  # a retry reads them again
    added, on_plan = store.write(actor, work)
    identifier = added.identifier
    result = {**summary_dict(added.summary), "patient": identifier,
              "assessment": added.assessment}
    if not on_plan:
        return result
    if schedule is not None:
        return {**result, "monitoring": schedule(identifier)}
    alerts = monitoring_step(store, clinic, actor, identifier, today=today, bound=bound)
    return result if alerts is None else {**result, "alerts": alerts}


MAX_STEP_ATTEMPTS = short_writes.MAX_ATTEMPTS
# Read, compute holding no lock, write short: the same for the CLI (``workflows``).
monitoring_step = short_writes.monitoring_step
assess_outside = short_writes.assess_outside


def reassess(
    store: Store, clinic: str, actor: str, identifier: str, *, today: dt.date
) -> dict[str, Any]:
    with store.transaction(actor) as session:
        _chart(session, identifier, clinic)
        return _reassess(session, identifier, clinic, today)


def import_bundle(
    store: Store,
    clinic: str,
    actor: str,
    bundle: Any,
    *,
    today: dt.date,
    bound: Bound = unbounded,
    strict: bool = False,
    schedule: Schedule | None = None,
) -> dict[str, Any]:
    """A FHIR bundle: what androcast keeps, all of it or nothing (entries it does not keep
    are skipped and listed; ``strict`` refuses them); each imported patient is reassessed
    and, on an adopted plan, his new results judged (``alerts`` by patient, for those on a
    plan) after the import's transaction, holding no lock while it computes; with
    ``schedule``, as background jobs (``monitoring`` by patient: what ``schedule`` answered)."""
    parsed = parse_bundle_entries(bundle, as_of=today, source="bundle", strict=strict)
    summary, after = short_writes.import_outside(store, clinic, actor, parsed.charts,
                                                 today=today, bound=bound, schedule=schedule)
    return {
        **summary_dict(summary),
        "patients": [c.patient.id for c in parsed.charts],
        **parsed.report(),
        **after,
    }


def export_patient(store: Store, clinic: str, identifier: str) -> dict[str, Any]:
    with store.reading() as session:
        return export_bundle(_chart(session, identifier, clinic))


def monitoring_view(
    store: Store, clinic: str, identifier: str, *, today: dt.date
) -> dict[str, Any] | None:
    """His monitoring report (plan, latest band, results against it, alerts); None: no plan."""
    with store.reading() as session, _his(identifier):
        return monitoring.view(session, identifier, clinic=clinic, today=today)


def plan_choices(case: Case, assessment: Assessment | None = None) -> dict[str, str]:
    """The protocols a clinician may adopt for him (those his interpretation allows): names
    by id. ``assessment``: ``interpret(case)`` if the caller has it already."""
    assessment = assessment if assessment is not None else interpret(case)
    actions = assessment.action_codes()
    return {p.id: for_him(p, case, actions).name for p in appropriate_protocols(assessment)}


def _untold(fraction: float, message: str = "") -> None:
    """Progress nobody follows (a plan adopted by the API without a job)."""


def adoption_case(
    store: Store,
    clinic: str,
    identifier: str,
    *,
    protocol: str,
    start: dt.date,
    today: dt.date,
) -> Case:
    """His case for adopting ``protocol`` from ``start`` (a short read): refuses a protocol
    his interpretation rules out and a start outside his record's dates."""
    with store.reading() as session, _his(identifier):
        return monitoring.adoption_case(session, identifier, protocol=protocol, start=start,
                                        today=today, clinic=clinic, only_appropriate=True)


def adopt_plan(
    store: Store,
    clinic: str,
    actor: str,
    identifier: str,
    *,
    protocol: str,
    start: dt.date,
    today: dt.date,
    particles: int,
    bound: Bound = unbounded,
    progress: Callable[[float, str], None] | None = None,
) -> monitoring.Adopted:
    """Adopt one of the protocols appropriate for him from ``start`` (his band, alerts): his
    case read, his first band computed holding no lock (within ``bound``; ``progress`` told
    how far it got), then the plan kept in a short write."""
    case = adoption_case(store, clinic, identifier, protocol=protocol, start=start, today=today)
    told = progress or _untold
    result = bound(lambda: monitoring.adoption_step(case, protocol, start, particles,
                                                    progress=told))
    told(0.95, "keeping the plan, its band and alerts")
    with store.transaction(actor) as session, _his(identifier):
        return monitoring.save_adoption(session, case.patient.id, case, result,
                                        protocol=protocol, start=start, clinic=clinic,
                                        today=today)


def stop_plan(
    store: Store, clinic: str, actor: str, identifier: str, *, on: dt.date, reason: str,
    today: dt.date,
) -> monitoring.Stopped:
    """Withdraw his adopted plan from ``on`` for ``reason`` (audited as ``actor``): the
    courses of its drugs end that day and he is reassessed, in one short write."""
    with store.transaction(actor) as session, _his(identifier):
        if active_plan(session, identifier, clinic=clinic) is None:
            raise NoPlan(identifier)
        return monitoring.stop(session, identifier, on=on, reason=reason, today=today,
                               clinic=clinic)


def acknowledge_alert(
    store: Store, clinic: str, actor: str, identifier: str, alert_id: int
) -> dict[str, Any]:
    """Mark his alert as seen by ``actor`` now (kept with who and when; audited)."""
    with store.transaction(actor) as session, _his(identifier):
        alert = monitoring.acknowledge(session, identifier, alert_id, by=actor, clinic=clinic)
    return alert.to_dict()
