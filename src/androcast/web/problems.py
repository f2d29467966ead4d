"""Errors at the edge: each becomes a status and the same message as the CLI prints.

The API answers ``{"error": {"field", "value", "expected", "hint", "message"}}``; pages
show the message in the layout. Paths under ``/api/`` are the API.
"""

from __future__ import annotations

import copy
import logging
import math
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.status import (
    HTTP_303_SEE_OTHER,
    HTTP_401_UNAUTHORIZED,
    HTTP_403_FORBIDDEN,
    HTTP_404_NOT_FOUND,
    HTTP_409_CONFLICT,
    HTTP_422_UNPROCESSABLE_CONTENT,
    HTTP_503_SERVICE_UNAVAILABLE,
)

from androcast.errors import AndrocastError, CaseProblems, IdentifierError, StoreError
from androcast.web.auth import (
    PASSWORD_FORM,
    CsrfRejected,
    Forbidden,
    LoginRequired,
    PasswordChangeRequired,
    current_session,
)
from androcast.web.jobs import JobNotDone, JobNotFound, QueueFull
from androcast.web.service import AlertNotFound, NoPlan, PatientNotFound
from androcast.web.templating import templates

_LOG = logging.getLogger(__name__)


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


MAX_SHOWN = 200  # characters of a bad value echoed back


def _plain(value: Any) -> Any:
    """A value as JSON can carry it back: non-finite numbers as text, long text cut, lone
    surrogates replaced, containers named (a bad input is never echoed whole)."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, bool | int | float) or value is None:
        return value
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    text = str(value).encode("utf-8", "replace").decode("utf-8")
    return text if len(text) <= MAX_SHOWN else f"{text[:MAX_SHOWN]}... ({len(text)} characters)"


MAX_MESSAGE = 20_000  # a case with many bad fields names each


def _text(message: str) -> str:
    cut = message.encode("utf-8", "replace").decode("utf-8")
    return cut if len(cut) <= MAX_MESSAGE else cut[:MAX_MESSAGE] + "..."


def error_body(err: AndrocastError) -> dict[str, Any]:
    if _internal(err):  # the database's URL, path or driver message stay in the server log
        return {"error": {"field": "database", "value": None, "expected": "", "hint": "",
                          "message": UNAVAILABLE}}
    shown = _shown(err)
    body = {
        "field": err.field,
        "value": _plain(err.value),
        "expected": _text(shown.expected),
        "hint": _text(err.hint),
        "message": _text(str(shown)),
    }
    if isinstance(shown, CaseProblems):  # every bad field, each as its own error
        body["problems"] = [error_body(p)["error"] for p in shown.problems]
    return {"error": body}


UNAVAILABLE = "the database is busy or unavailable: try again in a few seconds"


def _internal(err: AndrocastError) -> bool:
    return isinstance(err, StoreError) and err.field == "database"


def _shown(err: AndrocastError) -> AndrocastError:
    """The error with its value as it is echoed back (cut, made plain)."""
    if isinstance(err, CaseProblems):
        return CaseProblems(err.field, [_shown(p) for p in err.problems], hint=err.hint)
    shown = copy.copy(err)
    shown.value = _plain(err.value)
    return shown


def _validation_body(exc: RequestValidationError) -> dict[str, Any]:
    """FastAPI's validation errors in the project's format: the first as ``error``, all of
    them (every bad field) under ``error.problems``."""
    problems = []
    for item in exc.errors():
        location = [str(part) for part in item.get("loc", ()) if part not in ("body", "query",
                                                                           "path")]
        field = ".".join(location) or "body"
        expected = str(item.get("msg", "a valid value"))
        context = item.get("ctx") or {}
        if item.get("type") == "json_invalid" and "error" in context:
            expected = f"valid JSON ({context['error']})"
        if item.get("type") == "json_invalid":
            field, value = "body", None
        else:
            value = _plain(item.get("input"))
        problems.append({"field": field, "value": value, "expected": _text(expected),
                         "message": _text(f"{field}: {value!r} is invalid; expected {expected}")})
    first: dict[str, Any] = problems[0] if problems else {
        "field": "body", "value": None, "expected": "a valid request", "message": "invalid"}
    message = "; ".join(str(p["message"]) for p in problems) or str(first["message"])
    return {"error": {**first, "hint": "", "message": _text(message), "problems": problems}}


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
    if isinstance(err, IdentifierError):
        return HTTP_422_UNPROCESSABLE_CONTENT
    if isinstance(err, StoreError):
        conflict = err.field in ("transaction", "username", "clinic", "--user")
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
    async def _forbidden(request: Request, exc: Forbidden) -> Response:
        return _message(request, HTTP_403_FORBIDDEN, "Not allowed", exc.message)

    @app.exception_handler(PasswordChangeRequired)
    async def _change_first(request: Request, _exc: PasswordChangeRequired) -> Response:
        if is_api(request):
            return JSONResponse(
                {"error": {"message": "your password is a one-time password: change it first "
                           "(POST /api/account/password with current, new and repeat, or "
                           f"the page {PASSWORD_FORM})"}},
                status_code=HTTP_403_FORBIDDEN,
            )
        if request.headers.get("HX-Request") == "true":
            return Response(status_code=HTTP_403_FORBIDDEN, headers={"HX-Redirect": PASSWORD_FORM})
        return RedirectResponse(PASSWORD_FORM, status_code=HTTP_303_SEE_OTHER)

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
        if _internal(exc):
            _LOG.warning("store unavailable: %s", exc)
        response = (
            JSONResponse(error_body(exc), status_code=status)
            if is_api(request)
            else _message(request, status, "Cannot do that", error_body(exc)["error"]["message"])
        )
        if status == HTTP_503_SERVICE_UNAVAILABLE:
            response.headers["Retry-After"] = "5"
        return response

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        body = _validation_body(exc)
        if is_api(request):
            return JSONResponse(body, status_code=HTTP_422_UNPROCESSABLE_CONTENT)
        return _message(request, HTTP_422_UNPROCESSABLE_CONTENT, "Cannot do that",
                        body["error"]["message"])

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else "the request cannot be served"
        response = _message(request, exc.status_code, "Cannot do that", _text(detail))
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        # A bug: logged with its traceback; the user sees no internal detail.
        _LOG.error("unexpected error on %s %s", request.method, request.url.path,
                   exc_info=exc)
        return JSONResponse(
            {"error": {"message": "the server failed on this request (it is logged)"}},
            status_code=500,
        )
