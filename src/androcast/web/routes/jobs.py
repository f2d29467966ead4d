"""Background jobs over HTTP (``web.jobs``): status, result, server-sent events, and the
jobs the API and pages start (a posted case's prognosis or plan, a stored patient's
outlook, a plan adopted for him, his monitoring step after new results).

A stored patient's adoption and monitoring step are his clinic's jobs (``_patient_jobs``).

A job belongs to the user who started it (his clinic and user name): another user's job
is 404. Starting one answers 202 with the job (its ``status_url``, ``events_url`` and
``result_url``); a busy server answers 503 with ``Retry-After``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from androcast.labs import parse_case
from androcast.prognosis import prognose
from androcast.prognosis.pregnancy import PREGNANCY_NATURAL, couple_of
from androcast.protocol import plan as plan_case
from androcast.web import service
from androcast.web.auth import User, csrf_guard
from androcast.web.boundary import StrictJSONRoute
from androcast.web.jobs import JobView, Progress
from androcast.web.outlook import (
    Outlook,
    RecordKey,
    kept_outlook,
    patient_plan,
    patient_pregnancy,
    patient_prognosis,
)
from androcast.web.routes._patient_jobs import start_adoption
from androcast.web.routes._shared import (
    clinic_of,
    jobs_of,
    outlooks_of,
    owner_of,
    settings_of,
    store_of,
)
from androcast.web.routes.api import (
    ERRORS,
    AsOf,
    Identifier,
    PlanAdoption,
    PlanRequest,
    PrognosisRequest,
)
from androcast.web.sessions import WebSession

router = APIRouter(
    prefix="/api/jobs",
    dependencies=[Depends(csrf_guard)],
    responses=ERRORS,
    route_class=StrictJSONRoute,
)
EVENT_WAIT_S = 1.0  # an event at least this often while the job runs (a heartbeat)
JobId = str


@router.get("/{job_id}", tags=["jobs"], responses={404: {"description": "no such job of yours"}})
def job_status(request: Request, job_id: JobId, user: User) -> dict[str, Any]:
    """A job's state (queued, running, done, failed), progress 0-1, message and URLs."""
    return jobs_of(request).get(job_id, owner_of(user)).to_dict()


@router.get(
    "/{job_id}/result",
    tags=["jobs"],
    responses={404: {"description": "no such job of yours"}, 409: {"description": "not done"}},
)
def job_result(request: Request, job_id: JobId, user: User) -> Any:
    """The JSON result of a finished job (409 while it runs or when it failed)."""
    return jobs_of(request).result(job_id, owner_of(user))


@router.get("/{job_id}/events", tags=["jobs"], responses={404: {"description": "no such job"}})
async def job_events(request: Request, job_id: JobId, user: User) -> StreamingResponse:
    """Server-sent events: the job's status (``event: status``, JSON data) whenever it
    changes, at least every second, until it is done or failed."""
    runner, owner = jobs_of(request), owner_of(user)
    first = runner.get(job_id, owner)  # 404 before the stream starts

    async def stream() -> AsyncIterator[str]:
        view: JobView = first
        while True:
            yield f"event: status\ndata: {json.dumps(view.to_dict())}\n\n"
            if view.finished or await request.is_disconnected():
                return
            view = await run_in_threadpool(runner.wait, job_id, owner, EVENT_WAIT_S)

    return StreamingResponse(stream(), media_type="text/event-stream")


@router.post("/prognosis", tags=["jobs"], status_code=202)
def prognosis_job(
    request: Request, body: PrognosisRequest, as_of: AsOf = None, *, user: User
) -> dict[str, Any]:
    """``POST /api/prognosis`` as a background job: its result is that answer."""
    case = parse_case(body.case, as_of=as_of or dt.date.today())  # bad input: 422 now
    if PREGNANCY_NATURAL in body.outcomes:
        couple_of(case)  # his partner's age is required: 422 now, not a failed job

    def work(progress: Progress) -> list[dict[str, Any]]:
        progress(0.05, "personalising his twin and simulating each protocol")
        results = prognose(
            case, body.protocols or None, body.outcomes or None, n=body.particles, seed=body.seed
        )
        return [r.to_dict() for r in results]

    return _submit(request, user, "prognosis", work)


@router.post("/plan", tags=["jobs"], status_code=202)
def plan_job(
    request: Request, body: PlanRequest, as_of: AsOf = None, *, user: User
) -> dict[str, Any]:
    """``POST /api/plan`` as a background job: its result is that answer."""
    case = parse_case(body.case, as_of=as_of or dt.date.today())

    def work(progress: Progress) -> dict[str, Any]:
        progress(0.05, "personalising his twin and ranking the protocols")
        made = plan_case(case, target_month=body.target_month, n=body.particles, seed=body.seed)
        return made.to_dict()

    return _submit(request, user, "plan", work)


def _submit(
    request: Request, user: WebSession, kind: str, work: Callable[[Progress], Any]
) -> dict[str, Any]:
    return jobs_of(request).submit(owner_of(user), kind, work).to_dict()


@router.post(
    "/outlook/{identifier}",
    tags=["jobs"],
    status_code=202,
    responses={404: {"description": "no such patient in your clinic"}},
)
def outlook_job(request: Request, identifier: Identifier, user: User) -> dict[str, Any]:
    """A stored patient's prognosis and plan as on his page, computed in the background and
    kept for his record version: ``result_url`` is his page's outlook fragment, and ``GET
    /api/patients/{identifier}/prognosis`` and ``/plan`` answer at once afterwards."""
    return start_outlook(request, user, identifier).to_dict()


def start_outlook(request: Request, user: WebSession, identifier: str) -> JobView:
    """His page's outlook as a job: a finished one when it is kept for his record as it is
    now, else his clinic's job that computes it for his record as it is when the job starts
    (at most one waits per patient: a clinician asking again after a new result joins it,
    and no computation is spent on a version of his record that is already gone)."""
    store, clinic = store_of(request), clinic_of(user)
    today = dt.date.today()
    stamp = service.stamp(store, clinic, identifier)  # 404 before anything is queued
    identifier = stamp.identifier  # as stored
    cache, particles = outlooks_of(request), settings_of(request).particles
    runner, owner = jobs_of(request), owner_of(user)
    result_url = f"/patients/{quote(identifier, safe='')}/outlook"
    record = RecordKey(clinic, identifier, stamp.version, today)
    kept = kept_outlook(cache, record, particles=particles)
    if kept is not None:
        return runner.finished(owner, "outlook", kept, result_url=result_url)

    def work(progress: Progress) -> Outlook:
        view = service.patient_view(store, clinic, identifier, today=today)
        now = RecordKey(clinic, identifier, view.version, today)
        progress(0.05, "personalising his twin and ranking the protocols")
        made = patient_plan(cache, now, view.case, particles=particles)
        progress(0.6, "recovery curves per protocol")
        prognosis = patient_prognosis(cache, now, view.case, particles=particles)
        progress(0.8, "the couple's chance of a natural pregnancy per protocol")
        pregnancy = patient_pregnancy(cache, now, view.case, particles=particles)
        return Outlook(prognosis[0], made, pregnancy)

    return runner.submit(owner, "outlook", work, key=("outlook", clinic, identifier),
                         audience=f"{clinic}/", join_running=False, result_url=result_url)


@router.post(
    "/adopt/{identifier}",
    tags=["jobs"],
    status_code=202,
    responses={404: {"description": "no such patient in your clinic"}},
)
def adoption_job(
    request: Request, identifier: Identifier, body: PlanAdoption, user: User
) -> dict[str, Any]:
    """``POST /api/patients/{identifier}/monitoring/plan`` as a background job (a bad
    protocol or start is 422 at once): its result is that answer."""
    return start_adoption(request, user, identifier, protocol=body.protocol,
                          start=body.start or dt.date.today()).to_dict()
