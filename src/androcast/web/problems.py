"""Errors at the edge: each becomes a status and the same message as the CLI prints.

The API answers ``{"error": {"field", "value", "expected", "hint", "message"}}``; pages
show the message in the layout. Paths under ``/api/`` are the API.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.status import (
    HTTP_303_SEE_OTHER,
    HTTP_401_UNAUTHORIZED,
    HTTP_403_FORBIDDEN,
    HTTP_404_NOT_FOUND,
    HTTP_409_CONFLICT,
    HTTP_422_UNPROCESSABLE_CONTENT,
    HTTP_503_SERVICE_UNAVAILABLE,
)

from androcast.errors import AndrocastError, StoreError
from androcast.web.auth import CsrfRejected, Forbidden, LoginRequired, current_session
from androcast.web.jobs import JobNotDone, JobNotFound, QueueFull
from androcast.web.service import AlertNotFound, NoPlan, PatientNotFound
from androcast.web.templating import templates


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _plain(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def error_body(err: AndrocastError) -> dict[str, Any]:
    return {
        "error": {
            "field": err.field,
            "value": _plain(err.value),
            "expected": err.expected,
            "hint": err.hint,
            "message": str(err),
        }
    }


def _message(request: Request, status: int, title: str, message: str) -> Response:
    if is_api(request):
        return JSONResponse({"error": {"message": message}}, status_code=status)
    session = current_session(request)
    context = {
        "title": title,
        "message": message,
        "user": session if session is not None and session.authenticated else None,
        "csrf_token": session.csrf_token if session is not None else "",
    }
    return templates().TemplateResponse(request, "problem.html", context, status_code=status)


def _status(err: AndrocastError) -> int:
    if isinstance(err, StoreError):
        conflict = err.field in ("transaction", "username")
        return HTTP_409_CONFLICT if conflict else HTTP_503_SERVICE_UNAVAILABLE
    return HTTP_422_UNPROCESSABLE_CONTENT


def install(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def _login(request: Request, _exc: LoginRequired) -> Response:
        if is_api(request):
            return JSONResponse(
                {"error": {"message": "log in first (POST /api/login)"}},
                status_code=HTTP_401_UNAUTHORIZED,
            )
        target = f"/login?next={quote(request.url.path, safe='/')}"
        if request.headers.get("HX-Request") == "true":
            # An expired session behind an HTMX form: the whole page goes to the login.
            return Response(status_code=HTTP_401_UNAUTHORIZED, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=HTTP_303_SEE_OTHER)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, _exc: Forbidden) -> Response:
        return _message(
            request, HTTP_403_FORBIDDEN, "Not allowed", "Your role does not allow this."
        )

    @app.exception_handler(CsrfRejected)
    async def _csrf(request: Request, _exc: CsrfRejected) -> Response:
        return _message(
            request,
            HTTP_403_FORBIDDEN,
            "Form refused",
            "The form's security token is missing or out of date: reload the page and try again.",
        )

    @app.exception_handler(PatientNotFound)
    @app.exception_handler(AlertNotFound)
    @app.exception_handler(NoPlan)
    async def _not_found(request: Request, exc: LookupError) -> Response:
        return _message(request, HTTP_404_NOT_FOUND, "Not found", str(exc))

    @app.exception_handler(JobNotFound)
    async def _no_job(request: Request, exc: JobNotFound) -> Response:
        return _message(request, HTTP_404_NOT_FOUND, "Not found", str(exc))

    @app.exception_handler(JobNotDone)
    async def _not_done(request: Request, exc: JobNotDone) -> Response:
        return _message(request, HTTP_409_CONFLICT, "Not ready", str(exc))

    @app.exception_handler(QueueFull)
    async def _busy(request: Request, exc: QueueFull) -> Response:
        response = _message(request, HTTP_503_SERVICE_UNAVAILABLE, "Busy", str(exc))
        response.headers["Retry-After"] = str(exc.retry_after_s)
        return response

    @app.exception_handler(AndrocastError)
    async def _androcast(request: Request, exc: AndrocastError) -> Response:
        status = _status(exc)
        if is_api(request):
            return JSONResponse(error_body(exc), status_code=status)
        return _message(request, status, "Cannot do that", str(exc))
