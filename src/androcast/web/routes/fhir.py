"""The FHIR R4 REST API under ``/fhir``: CapabilityStatement, Patient read and search,
Observation and DiagnosticReport read and search, transaction and batch bundles
(``web.fhir_rest``).

Same login as the rest of the app (the session cookie; the CSRF token as ``X-CSRF-Token``
on POST), same clinic tenancy, every patient read audited. Answers are
``application/fhir+json``; every error is an OperationOutcome (``FhirRoute``), never the
JSON API's error shape or an HTML page.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from androcast.errors import AndrocastError, StoreError
from androcast.web import fhir_rest
from androcast.web.auth import (
    CsrfRejected,
    Forbidden,
    LoginRequired,
    PasswordChangeRequired,
    User,
    csrf_guard,
)
from androcast.web.boundary import StrictJSONRequest
from androcast.web.fhir_rest import (
    FHIR_JSON,
    JSON_TYPES,
    FhirRequestError,
    Found,
    Read,
    Search,
    outcome,
)
from androcast.web.problems import error_body
from androcast.web.routes._patient_jobs import schedule_step
from androcast.web.routes._shared import client_address, clinic_of, outlooks_of, store_of
from androcast.web.service import PatientNotFound
from androcast.web.sessions import WebSession

_LOG = logging.getLogger(__name__)


class FhirResponse(Response):
    media_type = FHIR_JSON

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _failure(status: int, code: str, text: str, expression: str | None = None,
             severity: str = "error") -> FhirResponse:
    return FhirResponse(outcome(severity, code, text, expression), status_code=status)


def _expression(field: str) -> str:
    """An error's field as FHIRPath: bundle elements from ``Bundle``."""
    if field.startswith("entry["):
        return f"Bundle.{field}"
    if field.startswith("bundle."):
        return "Bundle." + field[len("bundle."):]
    return field


def _from_androcast(err: AndrocastError) -> FhirResponse:
    body = error_body(err)["error"]
    if isinstance(err, StoreError):
        if err.field == "database":
            response = _failure(503, "transient", body["message"])
            response.headers["Retry-After"] = "5"
            return response
        return _failure(409, "conflict", body["message"])
    return _failure(422, "invalid", body["message"], _expression(err.field))


class FhirRoute(APIRoute):
    """A route whose body is strict JSON and whose every failure is an OperationOutcome."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def fhir(request: Request) -> Response:
            try:
                return await handler(StrictJSONRequest(request.scope, request.receive))
            except LoginRequired:
                return _failure(401, "login", "log in first (POST /api/login) and send the "
                                "session cookie")
            except Forbidden as err:
                return _failure(403, "forbidden", err.message)
            except PasswordChangeRequired:
                return _failure(403, "forbidden", "your password is a one-time password: "
                                "change it first (POST /api/account/password)")
            except CsrfRejected:
                return _failure(403, "forbidden", "send the session's CSRF token as "
                                "X-CSRF-Token (GET /api/session)")
            except PatientNotFound as err:
                return _failure(404, "not-found", str(err), "Patient.id")
            except FhirRequestError as err:
                return _failure(err.status, err.code, err.text, err.expression)
            except RequestValidationError as err:
                first = (err.errors() or [{}])[0]
                where = ".".join(str(p) for p in first.get("loc", ()))
                return _failure(400, "invalid", f"{where}: {first.get('msg', 'invalid')}")
            except AndrocastError as err:
                return _from_androcast(err)
            except HTTPException as err:
                code = "too-costly" if err.status_code == 413 else "processing"
                return _failure(err.status_code, code, str(err.detail))
            except Exception:  # a bug: logged with its traceback, no detail to the client
                _LOG.exception("unexpected error on %s %s", request.method, request.url.path)
                return _failure(500, "exception", "the server failed on this request (it is "
                                "logged)", severity="fatal")

        return fhir


router = APIRouter(prefix="/fhir", route_class=FhirRoute, dependencies=[Depends(csrf_guard)],
                   include_in_schema=False)


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/fhir"


def _params(request: Request) -> list[tuple[str, str]]:
    params = list(request.query_params.multi_items())
    wanted = dict(params).get("_format")
    if wanted is not None and wanted not in JSON_TYPES:
        raise FhirRequestError(406, "not-supported", f"_format {wanted!r}: this server "
                               "speaks JSON only (application/fhir+json)", "_format")
    return params


def _audit(request: Request, user: WebSession, found: list[Found], template: str) -> None:
    """Each patient whose record is returned: one read in the access audit."""
    audit = request.app.state.access_audit
    for identifier in dict.fromkeys(f.identifier for f in found):
        audit.record(actor=user.username or "", action="read", clinic=user.clinic,
                     patient=identifier, what=template, address=client_address(request))


@router.get("/metadata")
def metadata(request: Request) -> FhirResponse:
    """The CapabilityStatement: public, as FHIR clients read it before they log in; it
    names no patient."""
    _params(request)
    return FhirResponse(fhir_rest.capability(_base(request)))


@router.get("/Patient/{id}")
def read_patient(request: Request, id: str, user: User) -> FhirResponse:
    found = _read(request, user, "Patient", fhir_rest.read_patient, id)
    version = found.resource["meta"]["versionId"]
    return FhirResponse(found.resource, headers={"ETag": f'W/"{version}"'})


def _searchset(request: Request, user: WebSession, kind: str, search: Search) -> FhirResponse:
    """A search of ``kind`` within his clinic as a searchset; each patient on the returned
    page is one read in the access audit."""
    params = _params(request)
    found = search(store_of(request), clinic_of(user), params)
    bundle = fhir_rest.searchset(_base(request), kind, found, params)
    offset, count = fhir_rest.paging(params)
    _audit(request, user, found[offset: offset + count], f"/fhir/{kind}")
    return FhirResponse(bundle)


def _read(request: Request, user: WebSession, kind: str, read: Read, id: str) -> Found:
    _params(request)
    found = read(store_of(request), clinic_of(user), id)
    _audit(request, user, [found], f"/fhir/{kind}/{{id}}")
    return found


@router.get("/Patient")
def search_patients(request: Request, user: User) -> FhirResponse:
    return _searchset(request, user, "Patient", fhir_rest.search_patients)


@router.get("/Observation/{id}")
def read_observation(request: Request, id: str, user: User) -> FhirResponse:
    return FhirResponse(_read(request, user, "Observation", fhir_rest.read_observation,
                              id).resource)


@router.get("/Observation")
def search_observations(request: Request, user: User) -> FhirResponse:
    return _searchset(request, user, "Observation", fhir_rest.search_observations)


@router.get("/DiagnosticReport/{id}")
def read_report(request: Request, id: str, user: User) -> FhirResponse:
    return FhirResponse(_read(request, user, "DiagnosticReport", fhir_rest.read_report,
                              id).resource)


@router.get("/DiagnosticReport")
def search_reports(request: Request, user: User) -> FhirResponse:
    return _searchset(request, user, "DiagnosticReport", fhir_rest.search_reports)


@router.post("")
@router.post("/")
async def bundle(request: Request, user: User) -> FhirResponse:
    """A transaction or batch Bundle: its transaction-response or batch-response."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in JSON_TYPES:
        raise FhirRequestError(415, "not-supported", f"Content-Type {kind or 'none'!r}: send "
                               "application/fhir+json", "Content-Type")
    try:
        data = await request.json()
    except ValueError as err:  # not JSON, or JSON strict_loads refuses
        raise FhirRequestError(400, "structure", f"the body is not valid JSON: {err}") from None
    store, clinic = store_of(request), clinic_of(user)
    actor, bound = user.username or "", outlooks_of(request).run
    # The import computes (reassessment, monitoring): off the event loop.
    answer = await run_in_threadpool(
        fhir_rest.process_bundle, store, clinic, actor, data, today=dt.date.today(),
        bound=bound, schedule=schedule_step(request, user))
    return FhirResponse(answer)


@router.api_route("/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def unsupported(request: Request, rest: str, user: User) -> FhirResponse:
    """Anything else under /fhir: an OperationOutcome, not the app's HTML page."""
    raise FhirRequestError(404 if request.method == "GET" else 405, "not-supported",
                           f"{request.method} /fhir/{rest} is not supported here: see "
                           "/fhir/metadata", None)
