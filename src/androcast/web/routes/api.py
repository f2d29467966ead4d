"""The JSON API: what the CLI does (interpret, prognosis, plan, simulate, patients,
observations, monitoring on an adopted plan, FHIR).

Authentication is the session cookie (``POST /api/login``); unsafe requests also send the
session's CSRF token as ``X-CSRF-Token``. Invalid input answers 422 with the field, value
and expected value of the AndrocastError; another clinic's patient is 404. A prognosis or
plan takes seconds: requests are bounded (virtual men, protocols, outcomes, months), and a
stored patient's results are kept for his record version (``web.outlook``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

import numpy as np
from fastapi import APIRouter, Body, Depends, Path, Query, Request
from pydantic import BaseModel, Field

from androcast.errors import InputFileError, SimulationError
from androcast.interpret import interpret as interpret_case
from androcast.labs import parse_case
from androcast.prognosis import prognose
from androcast.protocol import plan as plan_case
from androcast.regimens import Regimen, parse_regimen, regimen_from_history
from androcast.simulate import simulate as simulate_one
from androcast.store import Chart
from androcast.web import service
from androcast.web.auth import User, csrf_guard
from androcast.web.boundary import StrictJSONRoute
from androcast.web.catalogue import choices
from androcast.web.outlook import RecordKey, patient_plan, patient_prognosis
from androcast.web.routes._patient_jobs import schedule_step
from androcast.web.routes._shared import outlooks_of, settings_of, store_of
from androcast.web.sessions import WebSession

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "not logged in"},
    403: {"description": "missing or wrong X-CSRF-Token"},
    422: {"description": "invalid input: error.field, error.value, error.expected"},
}
router = APIRouter(
    prefix="/api", dependencies=[Depends(csrf_guard)], responses=ERRORS, route_class=StrictJSONRoute
)

CaseBody = Annotated[
    dict[str, Any],
    Body(
        description="A case file as JSON (DESIGN.md: patient, goal, history, labs, semen)",
        examples=[
            {
                "patient": {"id": "P001", "age_years": 38},
                "goal": "fertility",
                "labs": [{"date": "2025-10-15", "analyte": "lh", "value": 0.3, "unit": "IU/L"}],
            }
        ],
    ),
]
Identifier = Annotated[
    str,
    Path(description="the patient's identifier in your clinic", examples=["P001"]),
]
AsOf = Annotated[dt.date | None, Query(description="assessment date (default today)")]
MAX_SIM_DAYS = 3650.0
MAX_PULSATILE_DAYS = 14.0
MAX_POINTS = 400
MAX_PARTICLES = 64
POSTED_PARTICLES = 8  # small by default: a posted case is computed on every request
MAX_PROTOCOLS = 12
MAX_OUTCOMES = 4
MAX_TARGET_MONTH = 36.0
MAX_SEED = 2**31 - 1

PARTICLES_DOC = "virtual men in his twin (more: narrower intervals, slower)"
Particles = Annotated[int, Field(ge=2, le=MAX_PARTICLES, description=PARTICLES_DOC)]
Seed = Annotated[int, Field(ge=0, le=MAX_SEED, description="random seed (same seed, same numbers)")]
TargetMonth = Annotated[
    float,
    Field(ge=1.0, le=MAX_TARGET_MONTH, description="rank alternatives by P(goal) by this month"),
]
ProtocolIds = Annotated[
    list[str],
    Field(
        max_length=MAX_PROTOCOLS,
        description="protocol ids (e.g. hcg_serm); default: those appropriate for him",
    ),
]
OutcomeCodes = Annotated[
    list[str],
    Field(
        max_length=MAX_OUTCOMES,
        description="outcome codes (e.g. concentration_ge_20m_per_ml); default from his goal",
    ),
]


class Observations(BaseModel):
    """New results for a stored patient, as case-file entries."""

    labs: list[dict[str, Any]] = Field(default_factory=list, max_length=500)
    semen: list[dict[str, Any]] = Field(default_factory=list, max_length=100)


class PlanStop(BaseModel):
    """``androcast patient stop-plan``: the day his adopted plan stops, and why."""

    date: dt.date | None = Field(
        None, description="the day the plan stops (default today): from its start to today")
    reason: str = Field(
        min_length=1, max_length=500, description="why it stops (kept in the audit trail)",
        examples=["pregnancy achieved"])


class PlanAdoption(BaseModel):
    """``androcast patient plan``: the protocol to adopt for him and its start."""

    protocol: str = Field(
        max_length=64,
        description="protocol id, one of those appropriate for him (e.g. hcg_serm)",
        examples=["hcg_serm"],
    )
    start: dt.date | None = Field(
        None, description="plan start (default today): from his first result to a year ahead"
    )


class SimulateRequest(BaseModel):
    case: dict[str, Any] | None = Field(None, description="case file JSON; default reference man")
    regimen: list[dict[str, Any]] | None = Field(
        None, description="regimen entries (DESIGN.md regimen file); default no drugs"
    )
    days: float = Field(gt=0, le=MAX_SIM_DAYS, description="simulate until this day (t0 = 0)")
    mode: Literal["averaged", "pulsatile"] = "averaged"


class PrognosisRequest(BaseModel):
    """``androcast prognosis CASE``: the case and what to compute."""

    case: dict[str, Any] = Field(description="case file JSON (DESIGN.md)")
    protocols: ProtocolIds = Field(default_factory=list)
    outcomes: OutcomeCodes = Field(default_factory=list)
    particles: Particles = POSTED_PARTICLES
    seed: Seed = 1


class PlanRequest(BaseModel):
    """``androcast plan CASE``: the case and what to compute."""

    case: dict[str, Any] = Field(description="case file JSON (DESIGN.md)")
    target_month: TargetMonth = 12.0
    particles: Particles = POSTED_PARTICLES
    seed: Seed = 1


def _clinic(user: WebSession) -> str:
    assert user.clinic is not None
    return user.clinic


def _actor(user: WebSession) -> str:
    assert user.username is not None
    return user.username


def _today(as_of: dt.date | None) -> dt.date:
    return as_of or dt.date.today()


def _chart_dict(chart: Chart) -> dict[str, Any]:
    p = chart.patient
    return {
        "patient": {
            "id": p.id,
            "age_years": p.age_years,
            "bmi": p.bmi,
            "testis_volume_ml": list(p.testis_volume_ml) if p.testis_volume_ml else None,
            "ethnicity": p.ethnicity,
        },
        "goal": chart.goal,
        "history": {
            "androgens": [vars(a.item) for a in chart.androgens],
            "conditions": list(chart.conditions),
            "medications": [m.item.code for m in chart.medications],
        },
        **_observations(chart),
    }


def _observations(chart: Chart) -> dict[str, Any]:
    labs = []
    for keyed in chart.labs:
        r = keyed.item
        labs.append(
            {
                "date": r.date,
                "analyte": r.analyte,
                "value": r.value,
                "unit": r.unit,
                "censor": r.censor,
                "reported_value": r.reported_value,
                "reported_unit": r.reported_unit,
                "flag": r.flag,
                "reference": vars(r.reference),
                "confirmed": r.confirmed,
            }
        )
    return {"labs": labs, "semen": [vars(s.item) for s in chart.semen]}


@router.post("/interpret", tags=["interpret"])
def interpret(case: CaseBody, as_of: AsOf = None, *, user: User) -> dict[str, Any]:
    """Interpret a case (nothing is stored): the Assessment of DESIGN.md, each output cited."""
    return interpret_case(parse_case(case, as_of=_today(as_of))).to_dict()


@router.post("/prognosis", tags=["prognosis"])
def prognosis(
    request: Request, body: PrognosisRequest, as_of: AsOf = None, *, user: User
) -> list[dict[str, Any]]:
    """Recovery curves per protocol for a case (nothing is stored): one Prognosis JSON of
    DESIGN.md per outcome, in the order asked."""
    case = parse_case(body.case, as_of=_today(as_of))
    results = outlooks_of(request).run(
        lambda: prognose(
            case, body.protocols or None, body.outcomes or None, n=body.particles, seed=body.seed
        )
    )
    return [r.to_dict() for r in results]


@router.post("/plan", tags=["plan"])
def plan(request: Request, body: PlanRequest, as_of: AsOf = None, *, user: User) -> dict[str, Any]:
    """The phased plan for a case (nothing is stored): first step, alternatives ranked by
    P(goal by the target month), escalation rules, dated checks."""
    case = parse_case(body.case, as_of=_today(as_of))
    made = outlooks_of(request).run(
        lambda: plan_case(case, target_month=body.target_month, n=body.particles, seed=body.seed)
    )
    return made.to_dict()


def _check_span(who: Any, plan: Regimen | None, body: SimulateRequest) -> None:
    """The run goes from his first dose (his androgen history or the regimen's) to ``days``:
    at most ``MAX_SIM_DAYS`` (``MAX_PULSATILE_DAYS`` pulse by pulse), checked before work."""
    regimen = regimen_from_history(who) if who is not None else Regimen(())
    if plan is not None:
        regimen = regimen.combine(plan)
    first = min([0.0, *(e.start_d for e in regimen.entries)])
    limit = MAX_PULSATILE_DAYS if body.mode == "pulsatile" else MAX_SIM_DAYS
    if body.days - first > limit:
        raise SimulationError(
            "days",
            body.days,
            f"a run of at most {limit:g} days in {body.mode} mode from the first dose "
            f"(at {first:g} d: his history or the regimen's start)",
        )


@router.post("/simulate", tags=["simulate"])
def simulate(request: Request, body: SimulateRequest, user: User) -> dict[str, Any]:
    """One man's trajectory (the case's man or the reference man) under a regimen."""
    if body.mode == "pulsatile" and body.days > MAX_PULSATILE_DAYS:
        raise SimulationError(
            "days", body.days, f"at most {MAX_PULSATILE_DAYS:g} in pulsatile mode"
        )
    who = parse_case(body.case, as_of=dt.date.today()) if body.case is not None else None
    plan = parse_regimen(body.regimen, source="regimen") if body.regimen is not None else None
    _check_span(who, plan, body)
    trajectory = outlooks_of(request).run(
        lambda: simulate_one(who, plan, days=body.days, mode=body.mode)
    )
    step = max(1, len(trajectory.t_d) // MAX_POINTS)
    return {
        "mode": trajectory.mode,
        "status": trajectory.status.name,
        "units": dict(trajectory.units),
        "t_d": trajectory.t_d[::step].tolist(),
        "series": {
            name: np.nan_to_num(values[::step]).tolist()
            for name, values in trajectory.values.items()
        },
    }


@router.get("/patients", tags=["patients"])
def patients(request: Request, user: User) -> list[dict[str, Any]]:
    """The patients of your clinic with their number of results."""
    return [vars(p) for p in service.patients(store_of(request), _clinic(user))]


@router.post("/patients", tags=["patients"], status_code=201)
def add_patient(
    request: Request, case: CaseBody, as_of: AsOf = None, *, user: User
) -> dict[str, Any]:
    """Store a case (patient, history, results) in your clinic and assess it."""
    parsed = parse_case(case, as_of=_today(as_of))
    return service.add_case(store_of(request), _clinic(user), _actor(user), parsed)


@router.get(
    "/patients/{identifier}",
    tags=["patients"],
    responses={404: {"description": "no such patient in your clinic"}},
)
def patient(request: Request, identifier: Identifier, user: User) -> dict[str, Any]:
    """A stored patient: history and every result (canonical unit, as reported, interval)."""
    view = service.patient_view(store_of(request), _clinic(user), identifier, today=dt.date.today())
    return _chart_dict(view.chart)


@router.get(
    "/patients/{identifier}/observations",
    tags=["observations"],
    responses={404: {"description": "no such patient in your clinic"}},
)
def observations(request: Request, identifier: Identifier, user: User) -> dict[str, Any]:
    """A stored patient's laboratory results and semen analyses, oldest first."""
    view = service.patient_view(store_of(request), _clinic(user), identifier, today=dt.date.today())
    return _observations(view.chart)


@router.post(
    "/patients/{identifier}/observations",
    tags=["observations"],
    status_code=201,
    responses={404: {"description": "no such patient in your clinic"}},
)
def add_observations(
    request: Request, identifier: Identifier, body: Observations, user: User
) -> dict[str, Any]:
    """Add results (case-file entries) to a stored patient and reassess him as of today; on
    an adopted plan each new result is then judged against his forecast band, and the
    forecast learns from it, in a background job (``monitoring``: the job; its result lists
    the ``alerts`` raised, with rule and citation)."""
    store, clinic, today = store_of(request), _clinic(user), dt.date.today()
    view = service.patient_view(store, clinic, identifier, today=today)
    p = view.case.patient
    case = parse_case(
        {"patient": {"id": p.id, "age_years": p.age_years}, "labs": body.labs, "semen": body.semen},
        as_of=today,
    )
    return service.add_results(
        store,
        clinic,
        _actor(user),
        identifier,
        labs=case.labs,
        semen=case.semen,
        today=today,
        schedule=schedule_step(request, user),
    )


@router.get(
    "/patients/{identifier}/assessment",
    tags=["interpret"],
    responses={404: {"description": "no such patient in your clinic"}},
)
def assessment(request: Request, identifier: Identifier, user: User) -> dict[str, Any]:
    """The latest stored assessment (``assessed_on``) of a patient; null if none yet."""
    payload, assessed_on = service.latest(store_of(request), _clinic(user), identifier)
    return {"assessed_on": assessed_on, "assessment": payload}


@router.post(
    "/patients/{identifier}/assessment",
    tags=["interpret"],
    status_code=201,
    responses={404: {"description": "no such patient in your clinic"}},
)
def reassess(request: Request, identifier: Identifier, user: User) -> dict[str, Any]:
    """Assess a stored patient again as of today and keep the assessment."""
    today = dt.date.today()
    result = service.reassess(
        store_of(request), _clinic(user), _actor(user), identifier, today=today
    )
    return {"assessed_on": today, "assessment": result}


def _stored(request: Request, user: WebSession, identifier: str) -> tuple[RecordKey, Any]:
    """His record key (for the kept results) and his case as of today."""
    today = dt.date.today()
    view = service.patient_view(store_of(request), _clinic(user), identifier, today=today)
    scope = (view.assessment or {}).get("out_of_scope")
    if isinstance(scope, dict):  # as his page says: no curve for a record outside scope
        raise InputFileError("patient", view.case.patient.id,
                             "a record within androcast's scope for a prognosis or plan",
                             hint=str(scope.get("text", "")))
    return RecordKey(_clinic(user), view.case.patient.id, view.version, today), view.case


@router.get(
    "/patients/{identifier}/prognosis",
    tags=["prognosis"],
    responses={404: {"description": "no such patient in your clinic"}},
)
def patient_prognosis_api(
    request: Request,
    identifier: Identifier,
    user: User,
    protocol: Annotated[ProtocolIds, Query()] = [],  # noqa: B006 (FastAPI copies defaults)
    outcome: Annotated[OutcomeCodes, Query()] = [],  # noqa: B006
    particles: Annotated[Particles | None, Query(description=PARTICLES_DOC)] = None,
    seed: Annotated[Seed, Query()] = 1,
) -> list[dict[str, Any]]:
    """A stored patient's recovery curves as of today (``protocol``, ``outcome``
    repeatable), one Prognosis JSON per outcome; kept until his record changes. Default
    virtual men: the web app's (as on his page)."""
    record, case = _stored(request, user, identifier)
    results = patient_prognosis(
        outlooks_of(request),
        record,
        case,
        protocols=protocol,
        outcomes=outcome,
        particles=particles or settings_of(request).particles,
        seed=seed,
    )
    return [r.to_dict() for r in results]


@router.get(
    "/patients/{identifier}/plan",
    tags=["plan"],
    responses={404: {"description": "no such patient in your clinic"}},
)
def patient_plan_api(
    request: Request,
    identifier: Identifier,
    user: User,
    target_month: Annotated[TargetMonth, Query()] = 12.0,
    particles: Annotated[Particles | None, Query(description=PARTICLES_DOC)] = None,
    seed: Annotated[Seed, Query()] = 1,
) -> dict[str, Any]:
    """A stored patient's phased plan as of today; kept until his record changes."""
    record, case = _stored(request, user, identifier)
    made = patient_plan(
        outlooks_of(request),
        record,
        case,
        target_month=target_month,
        particles=particles or settings_of(request).particles,
        seed=seed,
    )
    return made.to_dict()


NO_SUCH: dict[int | str, dict[str, Any]] = {
    404: {"description": "no such patient in your clinic (or no adopted plan)"}
}


@router.get("/patients/{identifier}/monitoring", tags=["monitoring"], responses=NO_SUCH)
def monitoring(request: Request, identifier: Identifier, user: User) -> dict[str, Any]:
    """``androcast monitor``: his adopted plan, the latest forecast band (5-95 %), his
    results since the start against it, and every alert (rule, citation, severity, who
    acknowledged it and when)."""
    report = service.monitoring_view(
        store_of(request), _clinic(user), identifier, today=dt.date.today()
    )
    if report is None:
        raise service.NoPlan(identifier)
    return report


@router.post(
    "/patients/{identifier}/monitoring/plan",
    tags=["monitoring"],
    status_code=201,
    responses={404: {"description": "no such patient in your clinic"}},
)
def adopt_plan(
    request: Request, identifier: Identifier, body: PlanAdoption, user: User
) -> dict[str, Any]:
    """Adopt a protocol for him (an earlier plan is superseded): his forecast band on it, and
    alerts on results already after the start. The web app's virtual men (seconds)."""
    today = dt.date.today()
    adopted = service.adopt_plan(
        store_of(request),
        _clinic(user),
        _actor(user),
        identifier,
        protocol=body.protocol,
        start=body.start or today,
        today=today,
        particles=settings_of(request).particles,
        bound=outlooks_of(request).run,
    )
    return {
        "patient": identifier,
        "plan": adopted.plan,
        "forecast": adopted.forecast,
        "alerts": adopted.alerts,
    }


@router.post(
    "/patients/{identifier}/monitoring/stop",
    tags=["monitoring"],
    responses={404: {"description": "no such patient in your clinic, or no adopted plan"}},
)
def stop_plan(
    request: Request, identifier: Identifier, body: PlanStop, user: User
) -> dict[str, Any]:
    """``androcast patient stop-plan``: withdraw his adopted plan from a date (its start to
    today; default today) for a reason, both kept (audited); the courses of its drugs end
    that day and he is reassessed."""
    today = dt.date.today()
    stopped = service.stop_plan(store_of(request), _clinic(user), _actor(user), identifier,
                                on=body.date or today, reason=body.reason, today=today)
    return {"patient": identifier, "plan": stopped.plan, "courses": stopped.courses}


@router.post(
    "/patients/{identifier}/alerts/{alert_id}/acknowledge",
    tags=["monitoring"],
    responses={404: {"description": "no such patient in your clinic, or no such alert of his"}},
)
def acknowledge_alert(
    request: Request,
    identifier: Identifier,
    alert_id: Annotated[int, Path(ge=1, le=MAX_SEED, description="the alert's id")],
    user: User,
) -> dict[str, Any]:
    """Acknowledge one of his alerts: who (you) and when are kept, once (audited)."""
    return service.acknowledge_alert(
        store_of(request), _clinic(user), _actor(user), identifier, alert_id
    )


@router.get(
    "/patients/{identifier}/fhir",
    tags=["fhir"],
    responses={404: {"description": "no such patient in your clinic"}},
)
def fhir_export(request: Request, identifier: Identifier, user: User) -> dict[str, Any]:
    """The patient's record as a FHIR R4 transaction bundle (re-imports unchanged)."""
    return service.export_patient(store_of(request), _clinic(user), identifier)


@router.post("/fhir", tags=["fhir"], status_code=201)
def fhir_import(
    request: Request,
    bundle: Annotated[dict[str, Any], Body(description="a FHIR R4 Bundle")],
    user: User,
) -> dict[str, Any]:
    """Import a bundle into your clinic: all entries, or on any invalid entry nothing. A
    patient on an adopted plan has his new results judged in a background job
    (``monitoring``: the job by patient; its result lists the ``alerts``)."""
    return service.import_bundle(
        store_of(request),
        _clinic(user),
        _actor(user),
        bundle,
        today=dt.date.today(),
        schedule=schedule_step(request, user),
    )


@router.get("/catalogue/analytes", tags=["catalogue"])
def analytes(user: User) -> list[dict[str, Any]]:
    """Analytes with the units each accepts (canonical unit first)."""
    return [{"key": a.key, "name": a.name, "units": list(a.units)} for a in choices().analytes]
