"""A stored patient's background jobs: a plan adopted for him and his monitoring step after
new results. They are his clinic's jobs (every clinician of the clinic sees them on his
page), run before reports and prognoses (``URGENT``), and read his record when they start:
a step queued after new results judges every result written before it starts, so results
written meanwhile join it (at most one waits per patient), and a write never waits for it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import Request

from androcast.web import service
from androcast.web.jobs import JobView, Progress
from androcast.web.routes._shared import (
    actor_of,
    clinic_of,
    jobs_of,
    owner_of,
    settings_of,
    store_of,
)
from androcast.web.sessions import WebSession

#: Jobs a clinician waits on at his page (a plan adopted, new results judged) run first.
URGENT = 0  # the others' priority is 1


def adoption_key(clinic: str, identifier: str) -> tuple[str, str, str]:
    """What names his plan adoption's job (one at a time per patient)."""
    return ("adopt", clinic, identifier)


def step_key(clinic: str, identifier: str) -> tuple[str, str, str]:
    """What names his monitoring step's job (one waiting at a time per patient)."""
    return ("monitoring", clinic, identifier)


def schedule_step(request: Request, user: WebSession) -> service.Schedule:
    """``service.add_results``'s ``schedule``: his monitoring step as a clinic's job, queued
    even on a busy server (the results it judges are written already); the write answers
    with the job."""
    store, clinic, actor = store_of(request), clinic_of(user), actor_of(user)
    runner = jobs_of(request)

    def schedule(identifier: str) -> dict[str, Any]:
        def work(progress: Progress) -> dict[str, Any]:
            progress(0.1, "judging his new results against his forecast band")
            alerts = service.monitoring_step(store, clinic, actor, identifier,
                                             today=dt.date.today())
            return {"patient": identifier, "alerts": alerts or []}

        return runner.submit(
            owner_of(user), "monitoring", work, key=step_key(clinic, identifier),
            audience=f"{clinic}/", join_running=False, essential=True, priority=URGENT,
        ).to_dict()

    return schedule


def start_adoption(
    request: Request, user: WebSession, identifier: str, *, protocol: str, start: dt.date
) -> JobView:
    """Check the protocol and start for him now (a field error is 422 before anything is
    queued), then adopt the plan in a job: his record is read again when it starts, his band
    computed, the plan kept in a short write. One adoption of his at a time: while one is
    queued or running, that one is answered."""
    store, clinic, actor = store_of(request), clinic_of(user), actor_of(user)
    today = dt.date.today()
    case = service.adoption_case(store, clinic, identifier, protocol=protocol, start=start,
                                 today=today)
    identifier = case.patient.id  # as stored
    particles = settings_of(request).particles

    def work(progress: Progress) -> dict[str, Any]:
        adopted = service.adopt_plan(store, clinic, actor, identifier, protocol=protocol,
                                     start=start, today=today, particles=particles,
                                     progress=progress)
        return {"patient": identifier, "plan": adopted.plan, "forecast": adopted.forecast,
                "alerts": adopted.alerts}

    return jobs_of(request).submit(owner_of(user), "adopt", work,
                                   key=adoption_key(clinic, identifier),
                                   audience=f"{clinic}/", priority=URGENT)
