"""Logging in and out (page and API), with login rate limiting and session rotation.

User names are unique within a clinic only. A user gives his clinic with his name; he may
leave it out when his name is used in no other clinic (so nothing changes for a clinic
whose names were unique before user names became per-clinic). The login form fills the
clinic in from the browser's last successful login (cookie ``androcast_clinic``; a clinic's
link may also carry it as ``/login?clinic=North``), so a user types only his name and
password. Failures never say which of clinic, name or password was wrong.

A one-time password logs in to the password form only (``auth.PasswordChangeRequired``);
an expired one, or a deactivated account, is refused after the password was checked.
"""

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
from androcast.store.users import UserAccount, find_user, rehash_password
from androcast.web.auth import PASSWORD_FORM, User, csrf_guard, current_session, session_store
from androcast.web.boundary import StrictJSONRoute
from androcast.web.passwords import hash_password, needs_rehash, verify_password
from androcast.web.ratelimit import LoginLimiter
from androcast.web.routes._shared import client_address, set_session_cookie, store_of
from androcast.web.sessions import WebSession
from androcast.web.templating import templates

router = APIRouter(route_class=StrictJSONRoute)


CLINIC_COOKIE = "androcast_clinic"
WRONG = "Wrong clinic, user name or password."
EXPIRED = (
    "Your one-time password has expired: ask your clinic's administrator for a new one."
)
DISABLED = "This account is deactivated: ask your clinic's administrator."


class Credentials(BaseModel):
    username: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1000)
    clinic: str | None = Field(
        default=None,
        max_length=200,
        description="Your clinic; needed only when your user name is used in another one.",
    )


class SessionInfo(BaseModel):
    username: str
    role: str
    clinic: str
    csrf_token: str
    must_change_password: bool = Field(
        description="True while the password is a one-time one: change it first "
        "(POST /api/account/password); until then other requests answer 403."
    )


def _limiter(request: Request) -> LoginLimiter:
    limiter = request.app.state.login_limiter
    assert isinstance(limiter, LoginLimiter)
    return limiter


def _keys(request: Request, username: str, clinic: str | None = None) -> tuple[str, str]:
    """The limiter's keys: his address, and the user name tried from that address (a
    guesser elsewhere never locks him out: his own address has its own count)."""
    address = client_address(request)
    return f"address:{address}", f"user:{(clinic or '').lower()}/{username.lower()}@{address}"


def _clinic_given(clinic: str | None) -> str | None:
    return clinic.strip() or None if clinic else None


def _safe_next(target: str | None) -> str:
    # Only a path of this site: no scheme, no host, no protocol-relative //host.
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/patients"


def _authenticate(
    request: Request, store: Store, clinic: str | None, username: str, password: str
) -> tuple[WebSession | None, float, str]:
    """The new session if the password is right; else None, the seconds to wait (0: none)
    and what to tell him."""
    limiter = _limiter(request)
    keys = _keys(request, username, clinic)
    wait = limiter.retry_after_s(*keys)
    if wait > 0:
        return None, wait, ""
    with store.reading() as session:
        account = find_user(session, username, clinic)
    # Always one argon2 verification (against a dummy hash for an unknown user), so the
    # answer's time does not tell which user names exist.
    verified = verify_password(account.password_hash if account else None, password)
    audit = request.app.state.access_audit
    address = client_address(request)
    if account is None or not verified:
        limiter.failed(*keys)
        audit.record(actor=username[:200], action="login_fail",
                     clinic=account.clinic if account else clinic, patient=None,
                     what=request.url.path, address=address)
        return None, 0.0, WRONG
    limiter.succeeded(keys[1])
    refused = _refusal(account)
    audit.record(actor=account.username, action="login_fail" if refused else "login",
                 clinic=account.clinic, patient=None,
                 what=f"{request.url.path} ({refused})" if refused else request.url.path,
                 address=address)
    if refused:
        return None, 0.0, EXPIRED if refused == "expired" else DISABLED
    if account.password_hash and needs_rehash(account.password_hash):
        with store.transaction(account.username) as session:
            rehash_password(session, account.id, hash_password(password))
    web = session_store(request).log_in(
        current_session(request),
        user_id=account.id,
        username=account.username,
        role=account.role,
        clinic=account.clinic,
        must_change_password=account.password_change_required,
    )
    request.state.web_session = web
    return web, 0.0, ""


def _refusal(account: UserAccount) -> str:
    """Why a user whose password is right may not log in ("": he may)."""
    if not account.active:
        return "deactivated"
    if account.password_change_required and account.password_expired():
        return "expired"
    return ""


def _remember_clinic(request: Request, response: Response, clinic: str) -> None:
    # Not a secret (it is on every page he sees): fills the login form in next time.
    response.set_cookie(CLINIC_COOKIE, clinic, max_age=365 * 86400, httponly=True,
                        samesite="lax", secure=request.app.state.settings.secure_cookies,
                        path="/login")


def _login_page(
    request: Request, session: WebSession, *, message: str | None, status: int, target: str,
    clinic: str | None = None,
) -> Response:
    shown = clinic if clinic is not None else request.cookies.get(CLINIC_COOKIE, "")
    response = templates().TemplateResponse(
        request,
        "login.html",
        {"csrf_token": session.csrf_token, "message": message, "next": target, "user": None,
         "clinic": shown[:200]},
        status_code=status,
    )
    set_session_cookie(request, response, session)
    return response


@router.get("/login", include_in_schema=False)
def login_form(request: Request, next: str | None = None, clinic: str | None = None
               ) -> Response:
    session = current_session(request) or session_store(request).new()
    return _login_page(request, session, message=None, status=200, target=_safe_next(next),
                       clinic=clinic)


@router.post("/login", include_in_schema=False, dependencies=[Depends(csrf_guard)])
def login(
    request: Request,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str, Form()] = "/patients",
    clinic: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    given = _clinic_given(clinic)
    web, wait, message = _authenticate(request, store_of(request), given, username, password)
    if web is None:
        anonymous = current_session(request) or session_store(request).new()
        status = HTTP_401_UNAUTHORIZED
        if wait > 0:
            message = f"Too many failed logins: try again in {int(wait) + 1} s."
            status = HTTP_429_TOO_MANY_REQUESTS
        return _login_page(request, anonymous, message=message, status=status, target=next,
                           clinic=clinic)
    target = PASSWORD_FORM if web.must_change_password else _safe_next(next)
    response = RedirectResponse(target, status_code=HTTP_303_SEE_OTHER)
    set_session_cookie(request, response, web)
    assert web.clinic is not None
    _remember_clinic(request, response, web.clinic)
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
    web, wait, message = _authenticate(
        request, store_of(request), _clinic_given(credentials.clinic), credentials.username,
        credentials.password,
    )
    if web is None:
        if wait > 0:
            return JSONResponse(
                {"error": {"message": f"too many failed logins: try again in {int(wait) + 1} s"}},
                status_code=HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(int(wait) + 1)},
            )
        return JSONResponse(
            {"error": {"message": message[0].lower() + message[1:].rstrip(".")}},
            status_code=HTTP_401_UNAUTHORIZED,
        )
    response = JSONResponse(_info(web).model_dump())
    set_session_cookie(request, response, web)
    return response


def _info(web: WebSession) -> SessionInfo:
    assert web.username and web.role and web.clinic
    return SessionInfo(
        username=web.username, role=web.role, clinic=web.clinic, csrf_token=web.csrf_token,
        must_change_password=web.must_change_password,
    )


@router.get("/api/session", tags=["session"], response_model=SessionInfo)
def api_session(user: User) -> SessionInfo:
    """Who is logged in, and the CSRF token to send as ``X-CSRF-Token``."""
    return _info(user)
