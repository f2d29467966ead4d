"""Who is asking: the session behind the cookie, login required, roles and CSRF checks.

Unsafe requests (POST, PUT, PATCH, DELETE) must carry the session's CSRF token, in the
form field ``csrf_token`` or the ``X-CSRF-Token`` header (HTMX and the JSON API send the
header). The login form has one too: it belongs to the anonymous session it was served in.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request

from androcast.web.sessions import COOKIE_NAME, SessionStore, WebSession

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class LoginRequired(Exception):
    """No live authenticated session: pages redirect to the login page, the API says 401."""


class Forbidden(Exception):
    """Authenticated, but the role does not allow this (403)."""


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


def require_user(request: Request) -> WebSession:
    session = current_session(request)
    if session is None or not session.authenticated:
        raise LoginRequired()
    return session


def require_admin(user: Annotated[WebSession, Depends(require_user)]) -> WebSession:
    if user.role != "admin":
        raise Forbidden()
    return user


User = Annotated[WebSession, Depends(require_user)]
Admin = Annotated[WebSession, Depends(require_admin)]
