"""The access log: one line per request, naming the route, never the patient.

A path such as ``/patients/P001/fhir`` names a patient, so the log shows the route's
template (``/patients/{identifier}/fhir``) instead, with the status, the time taken and the
client's address; who read which record is the audit trail's (``store.audit``), kept in
the database with the clinic's other records.
"""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOG = logging.getLogger("androcast.access")


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
            client = scope.get("client") or ("-", 0)
            LOG.info(
                '%s "%s %s" %d %.0f ms',
                client[0],
                scope.get("method", "-"),
                route_of(scope),
                status,
                (time.perf_counter() - began) * 1000.0,
            )
