"""`androcast serve`: the clinician web app on a host and port, over a database URL."""

from __future__ import annotations

import ipaddress
from dataclasses import replace

import typer

from androcast.cli import app
from androcast.cli._common import console, reporting_errors
from androcast.cli.records import DB_OPTION

LOOPBACK_NAMES = ("localhost",)


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run_server(
    host: str, port: int, db: str, *, secure_cookies: bool | None, particles: int | None = None
) -> None:
    """Serve the app with uvicorn (one process: sessions live in its memory)."""
    import uvicorn

    from androcast.web import WebSettings, create_app

    secure = (not is_loopback(host)) if secure_cookies is None else secure_cookies
    with reporting_errors():
        settings = WebSettings(database_url=db, secure_cookies=secure)
        if particles is not None:
            settings = replace(settings, particles=particles)
        web = create_app(settings)
    if not secure:
        console.print("session cookies without Secure: use this only on the loopback interface")
    uvicorn.run(web, host=host, port=port, log_level="info", proxy_headers=False)


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
        max=64,
        help="Virtual men in a patient's twin for the prognosis and plan of his page "
        "(default: the web app's).",
    ),
) -> None:
    """Serve the clinician web app (run `androcast db upgrade` first)."""
    run_server(host, port, db, secure_cookies=secure_cookies, particles=particles)
