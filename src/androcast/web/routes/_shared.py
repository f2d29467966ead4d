"""What every router needs: the open store, the settings, setting the session cookie."""

from __future__ import annotations

from fastapi import Request, Response

from androcast.store import Store
from androcast.web.accesslog import address_of
from androcast.web.jobs import JobRunner
from androcast.web.outlook import ResultCache
from androcast.web.sessions import COOKIE_NAME, WebSession
from androcast.web.settings import WebSettings


def store_of(request: Request) -> Store:
    store = request.app.state.store
    assert isinstance(store, Store)
    return store


def outlooks_of(request: Request) -> ResultCache:
    cache = request.app.state.outlooks
    assert isinstance(cache, ResultCache)
    return cache


def pages_of(request: Request) -> ResultCache:
    """What patient pages show, kept per record (``routes.pages``)."""
    cache = request.app.state.pages
    assert isinstance(cache, ResultCache)
    return cache


def jobs_of(request: Request) -> JobRunner:
    runner = request.app.state.jobs
    assert isinstance(runner, JobRunner)
    return runner


def clinic_of(user: WebSession) -> str:
    assert user.clinic is not None
    return user.clinic


def actor_of(user: WebSession) -> str:
    """Who a write is recorded as (the audit trail's actor)."""
    assert user.username is not None
    return user.username


def owner_of(user: WebSession) -> str:
    """Whose a background job is: his clinic and user name (user names are per clinic)."""
    return f"{user.clinic}/{user.username}"


def settings_of(request: Request) -> WebSettings:
    settings = request.app.state.settings
    assert isinstance(settings, WebSettings)
    return settings


def set_session_cookie(request: Request, response: Response, session: WebSession) -> None:
    """HttpOnly, SameSite=Lax, and Secure unless the settings allow plain HTTP (loopback)."""
    settings = settings_of(request)
    response.set_cookie(
        COOKIE_NAME,
        session.id,
        max_age=int(settings.session_max_s),
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
    )


def client_address(request: Request) -> str:
    """Who is asking, by address (``accesslog.address_of``: a trusted proxy's header)."""
    return address_of(request.scope, settings_of(request).trusted_proxies)


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"
