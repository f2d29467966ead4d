"""The FastAPI application: pages, JSON API, static assets, security headers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from androcast import DISCLAIMER, __version__
from androcast.store import Store, open_store
from androcast.web import problems
from androcast.web.access_audit import AccessAudit
from androcast.web.accesslog import AccessLog
from androcast.web.auth import User
from androcast.web.boundary import BodyLimit
from androcast.web.jobs import JobRunner
from androcast.web.outlook import ResultCache
from androcast.web.ratelimit import LoginLimiter
from androcast.web.routes import account, admin, api, auth, fhir, jobs, pages
from androcast.web.sessions import SessionStore
from androcast.web.settings import WebSettings

# Every asset is served from this server: nothing loads from the internet.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; frame-ancestors 'none'; "
    "form-action 'self'; base-uri 'none'; object-src 'none'"
)


_HEADERS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
)


class SecurityHeaders:
    """CSP and friends on every response; ``no-store`` on all but static assets.

    A plain ASGI middleware (no per-request task as with ``@app.middleware``).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(n, v) for n, v in _HEADERS if n not in present]
                if not static and b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _plotly_js() -> str:
    """plotly.min.js as the ``plotly`` package ships it (no CDN)."""
    return str(resources.files("plotly").joinpath("package_data/plotly.min.js"))


def create_app(settings: WebSettings, *, store: Store | None = None) -> FastAPI:
    """The web app over the store at ``settings.database_url`` (or an already open ``store``).

    The store's schema must be at the head migration (``androcast db upgrade``).
    """
    opened = store if store is not None else open_store(settings.database_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        app.state.jobs.shutdown()
        app.state.access_audit.close()
        if store is None:
            opened.close()

    app = FastAPI(
        title="androcast",
        version=__version__,
        description=f"Male fertility restoration toolkit: JSON API. {DISCLAIMER}",
        lifespan=lifespan,
        # The interactive docs load their scripts from a CDN: not here. The description
        # itself is served behind login at /api/openapi.json.
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.max_body_bytes = settings.max_body_bytes
    app.state.settings = settings
    app.state.store = opened
    app.state.sessions = SessionStore(idle_s=settings.session_idle_s, max_s=settings.session_max_s)
    app.state.login_limiter = LoginLimiter(
        max_failures=settings.login_max_failures, window_s=settings.login_window_s
    )
    app.state.outlooks = ResultCache(max_entries=settings.outlook_cache_entries)
    # What his page shows computed from his record (cheap but not free): kept apart from
    # the outlooks so that busy pages never push out a prognosis that took seconds.
    app.state.pages = ResultCache(max_entries=settings.page_cache_entries)
    app.state.access_audit = AccessAudit(opened)
    app.state.jobs = JobRunner(
        workers=settings.job_workers,
        max_pending=settings.job_queue,
        budget_s=settings.job_budget_s,
        nice=settings.job_nice,
    )

    plotly_js = _plotly_js()

    @app.get("/api/openapi.json", include_in_schema=False)
    def openapi(user: User) -> dict[str, Any]:
        return app.openapi()

    @app.get("/static/vendor/plotly.min.js", include_in_schema=False)
    def plotly() -> FileResponse:
        return FileResponse(
            plotly_js,
            media_type="text/javascript",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    app.mount("/static", StaticFiles(packages=[("androcast.web", "static")]), name="static")
    problems.install(app)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(AccessLog)
    app.include_router(auth.router)
    app.include_router(account.router)
    app.include_router(api.router)
    app.include_router(jobs.router)
    app.include_router(admin.router)
    app.include_router(pages.router)
    # After the pages: the FHIR API's catch-all must not shadow the /fhir/import page.
    app.include_router(fhir.router)
    return app
