"""`androcast serve`: the clinician web app on a host and port, over a database URL."""

from __future__ import annotations

import ipaddress
import logging
import sys
from dataclasses import replace

import typer

from androcast.cli import app
from androcast.cli._common import console, reporting_errors
from androcast.cli.records import DB_OPTION

LOOPBACK_NAMES = ("localhost",)
TRUSTED_PROXY_OPTION = typer.Option(
    None,
    "--trusted-proxy",
    help="Address of a reverse proxy (TLS terminator) whose X-Forwarded-For names the "
    "client (repeatable); from other peers the header is ignored.",
)


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run_server(
    host: str,
    port: int,
    db: str,
    *,
    secure_cookies: bool | None,
    particles: int | None = None,
    trusted_proxies: tuple[str, ...] = (),
    one_time_hours: float | None = None,
) -> None:
    """Serve the app with uvicorn (one process: sessions live in its memory)."""
    import uvicorn

    from androcast.web import WebSettings, create_app

    secure = (not is_loopback(host)) if secure_cookies is None else secure_cookies
    with reporting_errors():
        settings = WebSettings(
            database_url=db, secure_cookies=secure, trusted_proxies=trusted_proxies
        )
        if particles is not None:
            settings = replace(settings, particles=particles)
        if one_time_hours is not None:
            settings = replace(settings, one_time_password_ttl_s=one_time_hours * 3600.0)
        web = create_app(settings)
    if not secure:
        console.print("session cookies without Secure: use this only on the loopback interface")
    # uvicorn's access log would name patients (their identifiers are in paths): the app
    # logs each request itself with the route's template instead (web.app.AccessLog).
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    # A request thread back from the database waits for the interpreter lock while a job
    # computes in Python; it asks for it back after this interval (default 5 ms, at every
    # round trip), so a page of a few round trips waited tens of ms per computing job.
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    uvicorn.run(web, host=host, port=port, log_level="info", proxy_headers=False,
                access_log=False, timeout_keep_alive=KEEP_ALIVE_S)


#: How long an idle connection is kept open. Longer than clients' own idle expiry (httpx 5 s,
#: uvicorn's default too): otherwise the server closes a connection just as a client sends
#: its next request on it, which that client sees as a dropped request (seen under load).
KEEP_ALIVE_S = 30
SWITCH_INTERVAL_S = 0.001


@app.command("serve")
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(8000, "--port", help="TCP port."),
    db: str = DB_OPTION,
    secure_cookies: bool | None = typer.Option(
        None,
        "--secure-cookies/--no-secure-cookies",
        help="Send the session cookie only over HTTPS (default: on unless HOST is loopback).",
    ),
    particles: int | None = typer.Option(
        None,
        "--particles",
        min=2,
        max=1024,
        help="Virtual men in a patient's twin for the prognosis and plan of his page "
        "(default: the web app's).",
    ),
    trusted_proxy: list[str] | None = TRUSTED_PROXY_OPTION,
    one_time_hours: float | None = typer.Option(
        None,
        "--one-time-hours",
        min=1,
        max=720,
        help="Hours a one-time password an admin gives in the web app works (default 72).",
    ),
) -> None:
    """Serve the clinician web app (run `androcast db upgrade` first)."""
    run_server(host, port, db, secure_cookies=secure_cookies, particles=particles,
               trusted_proxies=tuple(trusted_proxy or ()), one_time_hours=one_time_hours)
