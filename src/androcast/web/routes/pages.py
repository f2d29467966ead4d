"""The clinician's pages: patients, a patient's record and assessment, forms, FHIR import.

A patient's page also shows his monitoring: the form to adopt a plan or, once adopted, the
plan, his results against the forecast band and the alerts (each acknowledged by a button).

Forms post back to the page that showed them. Invalid input re-renders the form with each
error next to its input (HTTP 422; 200 for HTMX requests, which swap only what succeeds).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.status import (
    HTTP_202_ACCEPTED,
    HTTP_303_SEE_OTHER,
    HTTP_422_UNPROCESSABLE_CONTENT,
)

from androcast.display import label
from androcast.errors import AndrocastError, DateError, InputFileError
from androcast.interpret import Assessment, interpret
from androcast.protocol import pathway_for, plan_rules
from androcast.report import patient_report, render_report, timeline
from androcast.report.build import json_script
from androcast.report.charts import (
    forecast_band_figure,
    plan_figure,
    prognosis_figure,
    timeline_figure,
)
from androcast.report.flowsheet import flowsheet
from androcast.report.summary import BottomLine, NextCheck, bottom_line, current_drugs, next_check
from androcast.store import PatientSummary
from androcast.web import service
from androcast.web.auth import User, csrf_guard
from androcast.web.boundary import StrictJSONRoute, strict_loads
from androcast.web.catalogue import choices
from androcast.web.forms import (
    ANDROGEN_ROWS,
    LAB_ROWS,
    Errors,
    FieldError,
    parse_case_form,
    parse_lab_form,
    parse_semen_form,
)
from androcast.web.jobs import JobView
from androcast.web.outlook import (
    Outlook,
    RecordKey,
    kept_or_computed,
    kept_outlook,
)
from androcast.web.routes._patient_jobs import (
    adoption_key,
    schedule_step,
    start_adoption,
    step_key,
)
from androcast.web.routes._shared import (
    is_htmx,
    jobs_of,
    outlooks_of,
    owner_of,
    pages_of,
    settings_of,
    store_of,
)
from androcast.web.routes.jobs import start_outlook
from androcast.web.sessions import WebSession
from androcast.web.templating import templates

router = APIRouter(
    dependencies=[Depends(csrf_guard)], include_in_schema=False, route_class=StrictJSONRoute
)

MULTI_SELECTS = ("history.conditions", "history.medications")
# The monitoring chart's panels, most telling first (the chart draws at most six).
MONITORING_PANELS = (
    "testosterone_total",
    "lh",
    "fsh",
    "estradiol",
    "sperm_concentration",
    "inhibin_b",
    "shbg",
)


def _clinic(user: WebSession) -> str:
    assert user.clinic is not None
    return user.clinic


def _actor(user: WebSession) -> str:
    assert user.username is not None
    return user.username


def _page(
    request: Request, user: WebSession, name: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    base = {"user": user, "csrf_token": user.csrf_token, "choices": choices()}
    return templates().TemplateResponse(request, name, {**base, **context}, status_code=status)


def _form_values(form: Any) -> dict[str, Any]:
    """Form data as one value per input (lists for inputs sent several times)."""
    out: dict[str, Any] = {}
    for key in form:
        values = form.getlist(key)
        out[key] = values if len(values) > 1 or key in MULTI_SELECTS else values[0]
    return out


def _patient_url(identifier: str) -> str:
    return f"/patients/{quote(identifier, safe='')}"


@router.get("/")
def home(user: User) -> Response:
    return RedirectResponse("/patients", status_code=HTTP_303_SEE_OTHER)


@dataclass(frozen=True)
class PatientLine:
    """A row of the patient list as the page shows it."""

    identifier: str
    pattern: str
    open_alerts: int
    next_check: NextCheck | None
    summary: PatientSummary


def _matches(line: PatientLine, query: str) -> bool:
    """Whether a search (words, any order, any case) finds him: identifier, pattern, goal."""
    text = " ".join((line.identifier, line.pattern, line.summary.goal)).casefold()
    return all(word in text for word in query.casefold().split())


@router.get("/patients")
def patient_list(request: Request, user: User, q: str = "", password: str = "") -> HTMLResponse:
    """His clinic's patients with pattern, open alerts and next check; ``q`` searches."""
    today = dt.date.today()
    store, clinic = store_of(request), _clinic(user)
    stamp = service.clinic_stamp(store, clinic)

    def compute() -> list[PatientLine]:
        return [
            PatientLine(
                r.summary.identifier,
                label("pattern", r.pattern) if r.pattern else "not assessed",
                r.open_alerts,
                next_check(r.adopted, r.summary.last_result, today),
                r.summary,
            )
            for r in service.patient_rows(store, clinic)
        ]

    # Kept per clinic stamp (no patient has the empty identifier: the list's own key).
    record = RecordKey(clinic, "", stamp.versions, today)
    lines = kept_or_computed(pages_of(request), record, "patient list", compute,
                             params=(stamp,))
    shown = [line for line in lines if _matches(line, q)] if q.strip() else lines
    saved = "Your password is changed." if password == "changed" else None
    return _page(request, user, "patients.html",
                 {"patients": shown, "total": len(lines), "q": q, "saved": saved})


def _new_patient_page(
    request: Request, user: WebSession, values: dict[str, Any], errors: Errors, status: int
) -> HTMLResponse:
    return _page(
        request,
        user,
        "patient_new.html",
        {
            "values": values,
            "errors": errors,
            "lab_rows": LAB_ROWS,
            "androgen_rows": ANDROGEN_ROWS,
            "today": dt.date.today().isoformat(),
        },
        status,
    )


@router.get("/patients/new")
def new_patient_form(request: Request, user: User) -> HTMLResponse:
    return _new_patient_page(request, user, {}, {}, 200)


@router.post("/patients/new")
async def new_patient(request: Request, user: User) -> Response:
    values = _form_values(await request.form())
    case, errors = parse_case_form(values, as_of=dt.date.today())
    exists = case is not None and await run_in_threadpool(
        service.patient_exists, store_of(request), _clinic(user), case.patient.id
    )
    if case is not None and exists:
        errors = {
            "patient.id": FieldError(
                "patient.id",
                case.patient.id,
                "an identifier no patient of your clinic has (add results on his page)",
                "",
                f"patient.id: {case.patient.id!r} is already a patient of your clinic",
            )
        }
    if case is None or errors:
        return _new_patient_page(request, user, values, errors, HTTP_422_UNPROCESSABLE_CONTENT)
    await run_in_threadpool(service.add_case, store_of(request), _clinic(user), _actor(user), case)
    return RedirectResponse(_patient_url(case.patient.id), status_code=HTTP_303_SEE_OTHER)


def out_of_scope(view: service.PatientView) -> Mapping[str, Any] | None:
    """Why his record is outside androcast's scope, as his stored assessment says (e.g. a
    record whose gender is not male): then no prognosis or plan is computed or drawn."""
    scope = view.assessment.get("out_of_scope") if view.assessment else None
    return scope if isinstance(scope, Mapping) else None


def _record(user: WebSession, view: service.PatientView, today: dt.date) -> RecordKey:
    return RecordKey(_clinic(user), view.case.patient.id, view.version, today)


def _serialised(figure: Any) -> Markup | None:
    """A figure as its page's JSON script (``json_script``), made once where it is kept."""
    return None if figure is None else json_script(figure)


def _outlook_context(outlook: Outlook | None) -> dict[str, Any]:
    """The prognosis and plan as the templates read them (their JSON) with their charts."""
    if outlook is None:
        return {"outlook": None}
    prognosis, plan = outlook.prognosis.to_dict(), outlook.plan.to_dict()
    pregnancy = None if outlook.pregnancy is None else outlook.pregnancy.to_dict()
    age = None if pregnancy is None else pregnancy["basis"].get("partner_age_years")
    return {
        "outlook": {"prognosis": prognosis, "plan": plan, "pregnancy": pregnancy,
                    "partner_age": age},
        "prognosis_figure": _serialised(prognosis_figure(prognosis, pregnancy, age)),
        "plan_figure": _serialised(plan_figure(plan)),
        "error": None,
    }


def _monitoring_context(report: dict[str, Any] | None, plan_choices: dict[str, str],
                        today: dt.date) -> dict[str, Any]:
    """His monitoring as the template reads it: the report, its chart (units as clinicians
    write them) and the plan's escalations with their citations; and the protocols he may
    adopt (his first plan, or one that supersedes it)."""
    choices = {"plan_choices": plan_choices}
    if report is None:
        return {"monitoring": None, **choices}
    forecast = report["forecast"]
    bands = forecast["bands"]
    ordered = {
        k: bands[k]
        for k in (*MONITORING_PANELS, *bands)
        if k in bands
    }
    figure = forecast_band_figure({**forecast, "bands": ordered}, report["observations"],
                                  report["alerts"],
                                  today=today)
    acting = set(report["plan"]["escalations"])
    return {
        "monitoring": report,
        "monitoring_figure": _serialised(figure),
        "escalations": [e.for_regimen(report["plan"].get("regimen", ()))
                        for e in plan_rules().escalations if e.id in acting],
        "open_alerts": sum(1 for a in report["alerts"] if a["acknowledged_at"] is None),
        **choices,
    }


SAVED = {
    "lab": "Laboratory result saved; his assessment is updated.",
    "semen": "Semen analysis saved; his assessment is updated.",
    "plan": "Plan adopted; his forecast band and checks are below.",
    "stopped": "Plan stopped; its drugs end on the stop date and his assessment is updated.",
    "step": "His new results are judged against his forecast band; alerts, if any, are below.",
    "alert": "Alert acknowledged.",
    "reassessed": "Reassessed as of today.",
}


def _cheap_pathway(view: service.PatientView, assessment: Assessment | None = None
                   ) -> dict[str, Any]:
    """His pathway and first step as the plan rules choose them from his assessment (no
    simulation; ``assessment``: ``interpret(view.case)`` if already made)."""
    pathway = pathway_for(interpret(view.case) if assessment is None else assessment,
                          view.case)
    return {"pathway": pathway.id,
            "first_step": {"code": pathway.first, "text": pathway.first_text,
                           "citations": list(pathway.first_citations)}}


@dataclass(frozen=True)
class PageParts:
    """What his page shows that follows from his stored record alone (his record, its
    timeline, flowsheet and chart, the pathway his assessment chooses, his monitoring and
    the protocols he may adopt): pure functions of what his ``service.Stamp`` names, so kept
    per stamp and computed once, not on every view."""

    view: service.PatientView
    timeline: Any
    figure: Any
    sheet: Any
    pathway: dict[str, Any]
    report: dict[str, Any] | None
    monitoring: dict[str, Any]


def page_parts(request: Request, user: WebSession, identifier: str, today: dt.date
               ) -> tuple[PageParts, RecordKey]:
    """His page's parts (kept for his stamp, or read and computed now) and his record key."""
    store, clinic = store_of(request), _clinic(user)
    stamp = service.stamp(store, clinic, identifier)
    record = RecordKey(clinic, stamp.identifier, stamp.version, today)

    def compute() -> PageParts:
        # Read after the stamp: what is kept is never older than the stamp it is kept for.
        view = service.patient_view(store, clinic, stamp.identifier, today=today)
        lines = timeline(view.case)
        report = service.monitoring_view(store, clinic, stamp.identifier, today=today)
        interpreted = interpret(view.case)  # one interpretation for pathway and choices
        choices = service.plan_choices(view.case, interpreted)
        return PageParts(
            view=view,
            timeline=lines,
            figure=_serialised(timeline_figure(
                lines, view.case, today=today,
                adopted=None if report is None else report["plan"])),
            sheet=flowsheet(view.case, lines),
            pathway=_cheap_pathway(view, interpreted),
            report=report,
            monitoring=_monitoring_context(report, choices, today),
        )

    parts = kept_or_computed(pages_of(request), record, "page", compute, params=(stamp,))
    return parts, record


def _outlook_parts(request: Request, record: RecordKey, outlook: Outlook | None
                   ) -> dict[str, Any]:
    """``_outlook_context``, its charts kept for his record once his outlook is computed (his
    page's outlook is one per record: same twin seed and particles, same numbers)."""
    if outlook is None:
        return _outlook_context(None)
    return kept_or_computed(pages_of(request), record, "outlook",
                            lambda: _outlook_context(outlook),
                            params=(outlook.pregnancy is not None,))  # it may come later


def patient_bottom_line(
    view: service.PatientView,
    kept: Outlook | None,
    report: dict[str, Any] | None,
    today: dt.date,
    pathway: dict[str, Any] | None = None,
) -> BottomLine:
    """The bottom line of his page and report from what is stored or already computed
    (``pathway``: his ``_cheap_pathway`` if already made)."""
    adopted = None if report is None else report["plan"]
    drugs = current_drugs(
        androgens=view.case.history.androgens,
        medications=[m.item for m in view.chart.medications],
        adopted=adopted,
        today=today,
    )
    dates = [r.date for r in view.case.labs] + [s.date for s in view.case.semen]
    made = bottom_line(
        assessment=view.assessment,
        pathway=_cheap_pathway(view) if pathway is None else pathway,
        plan=None if kept is None else kept.plan.to_dict(),
        prognosis=None if kept is None else kept.prognosis.to_dict(),
        alerts=() if report is None else report["alerts"],
        adopted=adopted,
        drugs=drugs,
        latest_result=max(dates) if dates else None,
        today=today,
    )
    if out_of_scope(view) is not None:  # never "compute it below": there is nothing to compute
        return replace(made, forecast="none: the record is outside androcast's scope",
                       declined=True)
    return made


def _patient_page(
    request: Request,
    user: WebSession,
    identifier: str,
    *,
    errors: Errors | None = None,
    values: dict[str, Any] | None = None,
    status: int = 200,
) -> HTMLResponse:
    today = dt.date.today()
    parts, record = page_parts(request, user, identifier, today)
    view = parts.view
    particles = settings_of(request).particles
    kept = kept_outlook(outlooks_of(request), record, particles=particles)
    saved = SAVED.get(request.query_params.get("saved", ""))
    return _page(
        request,
        user,
        "patient.html",
        {
            "view": view,
            "patient": view.case.patient,
            "timeline": parts.timeline,
            "figure": parts.figure,
            "sheet": parts.sheet,
            "bottom": patient_bottom_line(view, kept, parts.report, today, parts.pathway),
            "saved": None if errors else saved,
            "assessment": view.assessment,
            "assessed_on": view.assessed_on,
            "errors": errors or {},
            "values": values or {},
            "today": today.isoformat(),
            "url": _patient_url(identifier),
            "particles": particles,
            "version": view.version,
            **_outlook_parts(request, record, kept),
            "out_of_scope": out_of_scope(view),
            **parts.monitoring,
            **_patient_jobs(request, user, view.case.patient.id),
        },
        status,
    )


@router.get("/patients/{identifier}")
def patient_page(request: Request, user: User, identifier: str) -> HTMLResponse:
    return _patient_page(request, user, identifier)


def _saved(identifier: str, what: str, anchor: str = "") -> RedirectResponse:
    """Back to his page with the confirmation of what was saved."""
    return RedirectResponse(f"{_patient_url(identifier)}?saved={what}{anchor}",
                            status_code=HTTP_303_SEE_OTHER)


def _after_result(
    request: Request,
    user: WebSession,
    identifier: str,
    values: dict[str, Any],
    errors: Errors,
    saved: str,
    anchor: str = "",
) -> Response:
    if errors:
        status = 200 if is_htmx(request) else HTTP_422_UNPROCESSABLE_CONTENT
        return _patient_page(request, user, identifier, errors=errors, values=values, status=status)
    return _saved(identifier, saved, anchor)


@router.post("/patients/{identifier}/labs")
async def add_lab(request: Request, user: User, identifier: str) -> Response:
    values = _form_values(await request.form())
    store, clinic, today = store_of(request), _clinic(user), dt.date.today()
    view = await run_in_threadpool(service.patient_view, store, clinic, identifier, today=today)
    result, errors = parse_lab_form(
        values, patient_id=identifier, age_years=view.case.patient.age_years, as_of=today
    )
    if result is not None:
        await run_in_threadpool(
            service.add_results,
            store,
            clinic,
            _actor(user),
            identifier,
            labs=(result,),
            today=today,
            schedule=schedule_step(request, user),
        )
    return _after_result(request, user, identifier, values, errors, "lab")


@router.post("/patients/{identifier}/semen")
async def add_semen(request: Request, user: User, identifier: str) -> Response:
    values = _form_values(await request.form())
    store, clinic, today = store_of(request), _clinic(user), dt.date.today()
    await run_in_threadpool(service.patient_view, store, clinic, identifier, today=today)
    analysis, errors = parse_semen_form(values, patient_id=identifier, as_of=today)
    if analysis is not None:
        await run_in_threadpool(
            service.add_results,
            store,
            clinic,
            _actor(user),
            identifier,
            semen=(analysis,),
            today=today,
            schedule=schedule_step(request, user),
        )
    return _after_result(request, user, identifier, values, errors, "semen")


PLAN_FIELDS = {"protocol": "plan.protocol", "start": "plan.start"}


@router.post("/patients/{identifier}/monitoring/plan")
async def adopt_plan(request: Request, user: User, identifier: str) -> Response:
    """Adopt one of the protocols appropriate for him: the protocol and start are checked
    now (an error at its field), his band is computed by a background job whose progress
    his page shows (``/patients/{identifier}/jobs/{job}``) until it confirms the plan."""
    values = _form_values(await request.form())
    today = dt.date.today()
    errors: Errors = {}
    text = str(values.get("plan.start") or "").strip()
    try:
        start = dt.date.fromisoformat(text) if text else today
    except ValueError:
        start = None
    try:
        if start is None:
            raise DateError("start", text, "an ISO date YYYY-MM-DD")
        await run_in_threadpool(
            start_adoption, request, user, identifier,
            protocol=str(values.get("plan.protocol") or ""), start=start,
        )
    except AndrocastError as err:
        if err.field not in PLAN_FIELDS:
            raise
        field = PLAN_FIELDS[err.field]
        errors = {field: FieldError.of(err, field)}
    if errors:
        return _after_result(request, user, identifier, values, errors, "plan")
    return RedirectResponse(f"{_patient_url(identifier)}#monitoring",
                            status_code=HTTP_303_SEE_OTHER)


STOP_FIELDS = {"date": "stop.date", "reason": "stop.reason"}


@router.post("/patients/{identifier}/monitoring/stop")
async def stop_plan(request: Request, user: User, identifier: str) -> Response:
    """Withdraw his adopted plan (the date and reason checked, each error at its field):
    kept as stopped in the audit trail, its drugs' courses end on that day."""
    values = _form_values(await request.form())
    today = dt.date.today()
    errors: Errors = {}
    text = str(values.get("stop.date") or "").strip()
    try:
        try:
            on = dt.date.fromisoformat(text) if text else today
        except ValueError:
            raise DateError("date", text, "an ISO date YYYY-MM-DD") from None
        await run_in_threadpool(
            service.stop_plan, store_of(request), _clinic(user), _actor(user), identifier,
            on=on, reason=str(values.get("stop.reason") or ""), today=today)
    except AndrocastError as err:
        if err.field not in STOP_FIELDS:
            raise
        field = STOP_FIELDS[err.field]
        errors = {field: FieldError.of(err, field)}
    if errors:
        return _after_result(request, user, identifier, values, errors, "stopped")
    return _saved(identifier, "stopped", "#monitoring")


def _patient_jobs(request: Request, user: WebSession, identifier: str) -> dict[str, Any]:
    """His plan adoption and monitoring step while they are queued or running (his page
    shows their progress and disables adopting meanwhile)."""
    runner, owner, clinic = jobs_of(request), owner_of(user), _clinic(user)
    adopting = runner.find(owner, adoption_key(clinic, identifier))
    stepping = runner.find(owner, step_key(clinic, identifier))
    return {
        "adoption_job": None if adopting is None else adopting.to_dict(),
        "step_job": None if stepping is None else stepping.to_dict(),
    }


#: What his page confirms once a job of his is done.
JOB_SAVED = {"adopt": "plan", "monitoring": "step"}


@router.get("/patients/{identifier}/jobs/{job_id}")
def patient_job(request: Request, user: User, identifier: str, job_id: str) -> Response:
    """A job of his (plan adoption, monitoring step) as his page follows it: its progress
    while it runs (HTMX asks again each second), then his page with the confirmation (an
    ``HX-Redirect``; a plain redirect without HTMX), or the job's error."""
    job = jobs_of(request).get(job_id, owner_of(user))
    url = _patient_url(identifier)
    if job.state == "done":
        target = f"{url}?saved={JOB_SAVED.get(job.kind, job.kind)}#monitoring"
        if is_htmx(request):
            return Response(status_code=200, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=HTTP_303_SEE_OTHER)
    context = {"job": job.to_dict(), "url": url}
    status = 200 if job.state == "failed" or is_htmx(request) else HTTP_202_ACCEPTED
    return _page(request, user, "_patient_job.html", context, status)


@router.post("/patients/{identifier}/alerts/{alert_id}/acknowledge")
def acknowledge_alert(request: Request, user: User, identifier: str, alert_id: int) -> Response:
    """Mark one of his alerts as seen by this clinician now."""
    service.acknowledge_alert(store_of(request), _clinic(user), _actor(user), identifier, alert_id)
    return _saved(identifier, "alert", "#monitoring")


@router.post("/patients/{identifier}/reassess")
def reassess(request: Request, user: User, identifier: str) -> Response:
    service.reassess(
        store_of(request), _clinic(user), _actor(user), identifier, today=dt.date.today()
    )
    return _saved(identifier, "reassessed", "#assessment")


def _outlook_job(request: Request, user: WebSession, identifier: str
                 ) -> tuple[Outlook | None, JobView]:
    """His outlook's job (queued unless kept or queued already), waited for a few seconds:
    its result when done in time, else None and the job to show the progress of."""
    job = start_outlook(request, user, identifier)
    runner, owner = jobs_of(request), owner_of(user)
    deadline = time.monotonic() + settings_of(request).outlook_wait_s
    while not job.finished and time.monotonic() < deadline:
        job = runner.wait(job.id, owner, deadline - time.monotonic())
    if job.state != "done":
        return None, job
    made = runner.result(job.id, owner)
    assert isinstance(made, Outlook)
    return made, job


@router.get("/patients/{identifier}/outlook")
def outlook(request: Request, user: User, identifier: str) -> HTMLResponse:
    """His prognosis and plan: kept for his record version, or computed by a background job
    (the page waits a few seconds for it, then shows its progress and asks again)."""
    today = dt.date.today()
    parts, _ = page_parts(request, user, identifier, today)
    context: dict[str, Any] = {
        "identifier": identifier,
        "url": _patient_url(identifier),
        "version": parts.view.version,
    }
    status = 200
    scope = out_of_scope(parts.view)
    if scope is not None:  # nothing to compute: the page says why, draws no curve
        context.update(outlook=None, error=None, out_of_scope=scope)
        name = "_outlook.html" if is_htmx(request) else "outlook.html"
        return _page(request, user, name, context, status)
    computed, job = _outlook_job(request, user, identifier)
    if computed is not None:
        # computed for his record as the job found it (maybe not as this page read it): its
        # charts are made here, not kept with the page's
        context.update(_outlook_context(computed))
        if is_htmx(request):  # his bottom line now has the forecast: swapped in too
            context["bottom"] = patient_bottom_line(parts.view, computed, parts.report, today,
                                                    parts.pathway)
    elif job.state == "failed":  # e.g. a record the twin cannot be personalised from
        context.update(outlook=None, error=job.error)
        status = 200 if is_htmx(request) else HTTP_422_UNPROCESSABLE_CONTENT
    else:
        context.update(outlook=None, error=None, job=job.to_dict())
        status = HTTP_202_ACCEPTED
    name = "_outlook.html" if is_htmx(request) else "outlook.html"
    return _page(request, user, name, context, status)


@router.get("/patients/{identifier}/report")
def report(request: Request, user: User, identifier: str, compute: bool = False) -> HTMLResponse:
    """The printable report (bottom line, assessment, results, charts, monitoring with its
    alerts and acknowledgements); with his prognosis and plan when computed
    (``?compute=true`` starts their job and waits a few seconds for it)."""
    today = dt.date.today()
    parts, record = page_parts(request, user, identifier, today)
    view, monitoring = parts.view, parts.report
    particles = settings_of(request).particles
    kept = (
        _outlook_job(request, user, identifier)[0]
        if compute and out_of_scope(view) is None  # outside scope: nothing to compute
        else kept_outlook(outlooks_of(request), record, particles=particles)
    )
    built = patient_report(
        view.case,
        view.assessment,
        assessed_on=view.assessed_on,
        clinic=_clinic(user),
        generated_on=today,
        prognosis=None if kept is None else kept.prognosis.to_dict(),
        plan=None if kept is None else kept.plan.to_dict(),
        bottom=patient_bottom_line(view, kept, monitoring, today, parts.pathway),
        monitoring=monitoring,
        pregnancy=None if kept is None or kept.pregnancy is None else kept.pregnancy.to_dict(),
    )
    return HTMLResponse(render_report(built, compute_url=f"{_patient_url(identifier)}/report"))


@router.get("/patients/{identifier}/fhir")
def fhir_export(request: Request, user: User, identifier: str) -> Response:
    bundle = service.export_patient(store_of(request), _clinic(user), identifier)
    filename = "".join(c if c.isalnum() or c in "-_" else "_" for c in identifier)
    return JSONResponse(
        bundle,
        media_type="application/fhir+json",
        headers={"Content-Disposition": f'attachment; filename="{filename}.fhir.json"'},
    )


@router.get("/fhir/import")
def fhir_import_form(request: Request, user: User) -> HTMLResponse:
    return _page(request, user, "fhir_import.html", {"error": None, "result": None})


@router.post("/fhir/import")
async def fhir_import(
    request: Request,
    user: User,
    bundle: Annotated[UploadFile | None, File()] = None,
    text: Annotated[str, Form()] = "",
) -> Response:
    limit = settings_of(request).max_body_bytes  # the same limit as the API's /api/fhir
    raw = (await bundle.read(limit + 1)).decode("utf-8", "replace") if bundle else ""
    raw = raw or text
    try:
        if len(raw.encode("utf-8", "replace")) > limit:
            raise InputFileError("bundle", f"{len(raw)} characters", f"at most {limit} bytes")
        if not raw.strip():
            raise InputFileError("bundle", None, "a FHIR R4 Bundle (JSON file or pasted text)")
        try:
            data = strict_loads(raw)
        except json.JSONDecodeError as err:
            raise InputFileError(
                "bundle", f"line {err.lineno}", "valid JSON", hint=err.msg
            ) from None
        result = await run_in_threadpool(
            service.import_bundle,
            store_of(request),
            _clinic(user),
            _actor(user),
            data,
            today=dt.date.today(),
            schedule=schedule_step(request, user),
        )
    except AndrocastError as err:
        context = {"error": FieldError.of(err), "result": None}
        return _page(request, user, "fhir_import.html", context, HTTP_422_UNPROCESSABLE_CONTENT)
    return _page(request, user, "fhir_import.html", {"error": None, "result": result})


@router.get("/ui/units")
def unit_options(request: Request, user: User) -> HTMLResponse:
    """The unit choices of the analyte picked in a result row (HTMX swaps them in)."""
    key = next((v for k, v in request.query_params.items() if k.endswith(".analyte")), "")
    return _page(
        request, user, "_unit_options.html", {"units": choices().units(key), "selected": ""}
    )
