"""Who is asking: the session behind the cookie, login required, roles and CSRF checks.

Unsafe requests (POST, PUT, PATCH, DELETE) must carry the session's CSRF token, in the
form field ``csrf_token`` or the ``X-CSRF-Token`` header (HTMX and the JSON API send the
header). The login form has one too: it belongs to the anonymous session it was served in.

Every authenticated request checks the user's row (one primary-key read): a user deactivated
since he logged in (in the web app or with ``androcast user disable``, another process) has
his session ended; a role changed takes effect at once. A user whose password is a one-time
one reaches only the password form (pages redirect there, the API answers 403) until he
changes it. A ``read_only`` user's unsafe request answers 403 (and is audited) unless the
route only computes (``COMPUTING_ROUTES``): new routes are writes until said otherwise.
"""

from __future__ import annotations

import hmac
from dataclasses import replace
from typing import Annotated

from fastapi import Depends, Request

from androcast.store import Store
from androcast.store.users import get_user
from androcast.web.accesslog import address_of
from androcast.web.sessions import COOKIE_NAME, SessionStore, WebSession

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
PASSWORD_FORM = "/account/password"
# What a user with a one-time password may still reach: changing it, and who he is.
WHILE_ONE_TIME = frozenset({PASSWORD_FORM, "/api/account/password", "/api/session"})
# Unsafe routes that store nothing (computations on what the request carries, or a
# patient's outlook kept in memory): a read-only user may use them.
COMPUTING_ROUTES = frozenset({
    "/api/interpret", "/api/prognosis", "/api/plan", "/api/simulate",
    "/api/jobs/prognosis", "/api/jobs/plan", "/api/jobs/outlook/{identifier}",
    PASSWORD_FORM, "/api/account/password",
})


class LoginRequired(Exception):
    """No live authenticated session: pages redirect to the login page, the API says 401."""


class Forbidden(Exception):
    """Authenticated, but the role does not allow this (403)."""

    def __init__(self, message: str = "Your role does not allow this.") -> None:
        super().__init__(message)
        self.message = message


class PasswordChangeRequired(Exception):
    """A one-time password still in use: pages go to the password form, the API says 403."""


class CsrfRejected(Exception):
    """An unsafe request without the session's CSRF token (403)."""


def session_store(request: Request) -> SessionStore:
    store = request.app.state.sessions
    assert isinstance(store, SessionStore)
    return store


def current_session(request: Request) -> WebSession | None:
    """The live session of the cookie (anonymous or logged in), or None."""
    cached = getattr(request.state, "web_session", None)
    if isinstance(cached, WebSession):
        return cached
    session = session_store(request).get(request.cookies.get(COOKIE_NAME))
    request.state.web_session = session
    return session


async def csrf_guard(request: Request) -> None:
    """Refuse an unsafe request whose CSRF token is not the session's."""
    if request.method in SAFE_METHODS:
        return
    session = current_session(request)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if session is None or not sent or not hmac.compare_digest(sent, session.csrf_token):
        raise CsrfRejected()


def _checked(request: Request, session: WebSession) -> WebSession | None:
    """The session as the user's row now says (role, one-time password), or None when he
    no longer may use it (gone, deactivated, one-time password expired)."""
    if getattr(request.state, "user_checked", False):
        return session
    store = request.app.state.store
    assert isinstance(store, Store) and session.user_id is not None
    with store.reading(snapshot=False) as db:  # one primary-key read
        account = get_user(db, session.user_id)
    if account is None or not account.active or (
        account.password_change_required and account.password_expired()
    ):
        session_store(request).end(session)
        return None
    if (account.role, account.password_change_required) != (session.role,
                                                            session.must_change_password):
        session = session_store(request).update(
            replace(session, role=account.role,
                    must_change_password=account.password_change_required))
    request.state.web_session = session
    request.state.user_checked = True
    return session


def _route_path(request: Request) -> str:
    route = request.scope.get("route")
    return str(getattr(route, "path", request.url.path))


def _refuse_write(request: Request, session: WebSession) -> None:
    request.app.state.access_audit.record(
        actor=session.username or "", action="denied", clinic=session.clinic,
        patient=None, what=f"{request.method} {_route_path(request)}",
        address=address_of(request.scope, request.app.state.settings.trusted_proxies))
    raise Forbidden("Your account is read-only: it can read records but not change them.")


def require_user(request: Request) -> WebSession:
    session = current_session(request)
    if session is None or not session.authenticated:
        raise LoginRequired()
    checked = _checked(request, session)
    if checked is None:
        raise LoginRequired()
    path = _route_path(request)
    if checked.must_change_password and path not in WHILE_ONE_TIME:
        raise PasswordChangeRequired()
    if (checked.role == "read_only" and request.method not in SAFE_METHODS
            and path not in COMPUTING_ROUTES):
        _refuse_write(request, checked)
    return checked


def require_admin(user: Annotated[WebSession, Depends(require_user)]) -> WebSession:
    if user.role != "admin":
        raise Forbidden()
    return user


User = Annotated[WebSession, Depends(require_user)]
Admin = Annotated[WebSession, Depends(require_admin)]
