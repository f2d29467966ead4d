"""Server-side sessions: the cookie holds only a random id; who is logged in stays here.

Each session carries its own CSRF token. Logging in replaces the anonymous session with a
new id (no session fixation). Sessions end after ``session_idle_s`` without a request or
``session_max_s`` in all. They live in this process's memory: a restart logs everyone out,
and one server process serves them (run uvicorn with one worker per store of sessions).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

COOKIE_NAME = "androcast_session"


@dataclass(frozen=True)
class WebSession:
    id: str
    csrf_token: str
    created_s: float
    seen_s: float
    user_id: int | None = None
    username: str | None = None
    role: str | None = None
    clinic: str | None = None

    @property
    def authenticated(self) -> bool:
        return self.user_id is not None


class SessionStore:
    """Sessions by id, thread-safe; ``clock`` is injectable for tests of expiry."""

    def __init__(
        self, *, idle_s: float, max_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._sessions: dict[str, WebSession] = {}
        self._lock = threading.Lock()
        self._idle_s = idle_s
        self._max_s = max_s
        self._clock = clock

    def _expired(self, session: WebSession, now: float) -> bool:
        return now - session.seen_s > self._idle_s or now - session.created_s > self._max_s

    def new(self) -> WebSession:
        """A fresh anonymous session (it carries the CSRF token of the login form)."""
        now = self._clock()
        session = WebSession(secrets.token_urlsafe(32), secrets.token_urlsafe(32), now, now)
        with self._lock:
            self._sessions[session.id] = session
            self._sweep(now)
        return session

    def get(self, session_id: str | None) -> WebSession | None:
        """The live session with this id (its idle clock restarts), or None."""
        if not session_id:
            return None
        now = self._clock()
        with self._lock:
            session = self._sessions.get(session_id)
            if session is None:
                return None
            if self._expired(session, now):
                del self._sessions[session_id]
                return None
            session = replace(session, seen_s=now)
            self._sessions[session_id] = session
            return session

    def log_in(
        self, old: WebSession | None, *, user_id: int, username: str, role: str, clinic: str
    ) -> WebSession:
        """A new authenticated session replacing ``old`` (new id and new CSRF token)."""
        self.end(old)
        fresh = self.new()
        session = replace(fresh, user_id=user_id, username=username, role=role, clinic=clinic)
        with self._lock:
            self._sessions[session.id] = session
        return session

    def end(self, session: WebSession | None) -> None:
        if session is not None:
            with self._lock:
                self._sessions.pop(session.id, None)

    def _sweep(self, now: float) -> None:
        # Called with the lock held, on each new session: expired ones do not pile up.
        for key in [k for k, s in self._sessions.items() if self._expired(s, now)]:
            del self._sessions[key]
