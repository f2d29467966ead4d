"""Logging in and out (page and API), with login rate limiting and session rotation."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from starlette.status import (
    HTTP_303_SEE_OTHER,
    HTTP_401_UNAUTHORIZED,
    HTTP_415_UNSUPPORTED_MEDIA_TYPE,
    HTTP_429_TOO_MANY_REQUESTS,
)

from androcast.store import Store
from androcast.store.users import find_user, set_password_hash
from androcast.web.auth import User, csrf_guard, current_session, session_store
from androcast.web.boundary import StrictJSONRoute
from androcast.web.passwords import hash_password, needs_rehash, verify_password
from androcast.web.ratelimit import LoginLimiter
from androcast.web.routes._shared import client_address, set_session_cookie, store_of
from androcast.web.sessions import WebSession
from androcast.web.templating import templates

router = APIRouter(route_class=StrictJSONRoute)


class Credentials(BaseModel):
    username: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1000)


class SessionInfo(BaseModel):
    username: str
    role: str
    clinic: str
    csrf_token: str


def _limiter(request: Request) -> LoginLimiter:
    limiter = request.app.state.login_limiter
    assert isinstance(limiter, LoginLimiter)
    return limiter


def _keys(request: Request, username: str) -> tuple[str, str]:
    """The limiter's keys: his address, and the user name tried from that address."""
    address = client_address(request)
    return f"address:{address}", f"user:{username.lower()}@{address}"


def _safe_next(target: str | None) -> str:
    # Only a path of this site: no scheme, no host, no protocol-relative //host.
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/patients"


def _authenticate(
    request: Request, store: Store, username: str, password: str
) -> tuple[WebSession | None, float]:
    """The new session if the password is right; else None and seconds to wait (0: none)."""
    limiter = _limiter(request)
    keys = _keys(request, username)
    wait = limiter.retry_after_s(*keys)
    if wait > 0:
        return None, wait
    with store.reading() as session:
        account = find_user(session, username)
    # Always one argon2 verification (against a dummy hash for an unknown user), so the
    # answer's time does not tell which user names exist.
    verified = verify_password(account.password_hash if account else None, password)
    audit = request.app.state.access_audit
    address = client_address(request)
    if account is None or not verified:
        limiter.failed(*keys)
        audit.record(actor=username[:200], action="login_fail",
                     clinic=account.clinic if account else None, patient=None,
                     what=request.url.path, address=address)
        return None, 0.0
    limiter.succeeded(keys[1])
    audit.record(actor=account.username, action="login", clinic=account.clinic, patient=None,
                 what=request.url.path, address=address)
    if account.password_hash and needs_rehash(account.password_hash):
        with store.transaction(account.username) as session:
            set_password_hash(session, account.username, hash_password(password))
    web = session_store(request).log_in(
        current_session(request),
        user_id=account.id,
        username=account.username,
        role=account.role,
        clinic=account.clinic,
    )
    return web, 0.0


def _login_page(
    request: Request, session: WebSession, *, message: str | None, status: int, target: str
) -> Response:
    response = templates().TemplateResponse(
        request,
        "login.html",
        {"csrf_token": session.csrf_token, "message": message, "next": target, "user": None},
        status_code=status,
    )
    set_session_cookie(request, response, session)
    return response


@router.get("/login", include_in_schema=False)
def login_form(request: Request, next: str | None = None) -> Response:
    session = current_session(request) or session_store(request).new()
    return _login_page(request, session, message=None, status=200, target=_safe_next(next))


@router.post("/login", include_in_schema=False, dependencies=[Depends(csrf_guard)])
def login(
    request: Request,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str, Form()] = "/patients",
) -> Response:
    web, wait = _authenticate(request, store_of(request), username, password)
    if web is None:
        anonymous = current_session(request) or session_store(request).new()
        if wait > 0:
            message = f"Too many failed logins: try again in {int(wait) + 1} s."
            status = HTTP_429_TOO_MANY_REQUESTS
        else:
            message, status = "Wrong user name or password.", HTTP_401_UNAUTHORIZED
        return _login_page(request, anonymous, message=message, status=status, target=next)
    response = RedirectResponse(_safe_next(next), status_code=HTTP_303_SEE_OTHER)
    set_session_cookie(request, response, web)
    return response


@router.post("/logout", include_in_schema=False, dependencies=[Depends(csrf_guard)])
def logout(request: Request) -> Response:
    session_store(request).end(current_session(request))
    response = RedirectResponse("/login", status_code=HTTP_303_SEE_OTHER)
    response.delete_cookie("androcast_session", path="/")
    return response


@router.post(
    "/api/login",
    tags=["session"],
    response_model=SessionInfo,
    responses={
        401: {"description": "wrong user name or password"},
        429: {"description": "too many failed logins"},
    },
)
def api_login(request: Request, credentials: Annotated[Credentials, Body()]) -> Any:
    """Log in with JSON credentials; the answer carries the CSRF token for unsafe requests.

    Only ``application/json`` is accepted, so a cross-site form cannot log a browser in.
    """
    if not request.headers.get("content-type", "").startswith("application/json"):
        return JSONResponse(
            {"error": {"message": "send the credentials as application/json"}},
            status_code=HTTP_415_UNSUPPORTED_MEDIA_TYPE,
        )
    web, wait = _authenticate(
        request, store_of(request), credentials.username, credentials.password
    )
    if web is None:
        if wait > 0:
            return JSONResponse(
                {"error": {"message": f"too many failed logins: try again in {int(wait) + 1} s"}},
                status_code=HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(int(wait) + 1)},
            )
        return JSONResponse(
            {"error": {"message": "wrong user name or password"}},
            status_code=HTTP_401_UNAUTHORIZED,
        )
    response = JSONResponse(_info(web).model_dump())
    set_session_cookie(request, response, web)
    return response


def _info(web: WebSession) -> SessionInfo:
    assert web.username and web.role and web.clinic
    return SessionInfo(
        username=web.username, role=web.role, clinic=web.clinic, csrf_token=web.csrf_token
    )


@router.get("/api/session", tags=["session"], response_model=SessionInfo)
def api_session(user: User) -> SessionInfo:
    """Who is logged in, and the CSRF token to send as ``X-CSRF-Token``."""
    return _info(user)
