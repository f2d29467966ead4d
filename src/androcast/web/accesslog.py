"""The access log: one line per request, naming the route, never the patient; and the
access audit of each successful read or export of a patient's record.

A path such as ``/patients/P001/fhir`` names a patient, so the log shows the route's
template (``/patients/{identifier}/fhir``) instead, with the status, the time taken and the
client's address. Who read which record is the audit trail's (``web.access_audit``): kept
in the database with the clinic's other records, with who, when, what and from where.
"""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from androcast.errors import AndrocastError
from androcast.labs import patient_identifier

LOG = logging.getLogger("androcast.access")
EXPORTS = ("/fhir", "/report")


def address_of(scope: Scope, trusted: tuple[str, ...]) -> str:
    """The client's address: the peer, or behind a trusted proxy the last address it
    appended to X-Forwarded-For (a client cannot forge what the proxy adds; from any other
    peer the header is ignored)."""
    client = scope.get("client") or ("unknown", 0)
    peer = str(client[0])
    if peer not in trusted:
        return peer
    forwarded = ""
    for name, value in scope.get("headers", []):
        if name == b"x-forwarded-for":
            forwarded = value.decode("latin-1")
    hops = [h.strip() for h in forwarded.split(",") if h.strip()]
    while hops and hops[-1] in trusted:  # proxies of ours in a chain
        hops.pop()
    return hops[-1][:64] if hops else peer


def _audit(scope: Scope, template: str, status: int, address: str) -> None:
    """A successful read (GET) or export of a patient's record goes to the access audit."""
    if "{identifier}" not in template or scope.get("method") != "GET" or status >= 400:
        return
    session = (scope.get("state") or {}).get("web_session")
    audit = getattr(scope["app"].state, "access_audit", None)
    if session is None or audit is None or not session.authenticated:
        return
    try:
        patient = patient_identifier(scope.get("path_params", {}).get("identifier", ""), "id")
    except AndrocastError:
        return
    action = "export" if template.endswith(EXPORTS) else "read"
    audit.record(actor=session.username, action=action, clinic=session.clinic,
                 patient=patient, what=template, address=address)


def route_of(scope: Scope) -> str:
    """The matched route's template, or a placeholder for a path that matched none."""
    route = scope.get("route")
    template = getattr(route, "path", None)
    if isinstance(template, str):
        return template
    path = str(scope.get("path", ""))
    return path if path.startswith("/static/") else "(no route)"


class AccessLog:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        status = 500

        async def recording(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, recording)
        finally:
            template = route_of(scope)
            settings = getattr(scope["app"].state, "settings", None)
            address = address_of(scope, getattr(settings, "trusted_proxies", ()))
            LOG.info(
                '%s "%s %s" %d %.0f ms',
                address,
                scope.get("method", "-"),
                template,
                status,
                (time.perf_counter() - began) * 1000.0,
            )
            _audit(scope, template, status, address)
