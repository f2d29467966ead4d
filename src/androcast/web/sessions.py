"""Server-side sessions: the cookie holds only a random id; who is logged in stays here.

Each session carries its own CSRF token. Logging in replaces the anonymous session with a
new id (no session fixation). Sessions end after ``session_idle_s`` without a request or
``session_max_s`` in all. They live in this process's memory: a restart logs everyone out,
and one server process serves them (run uvicorn with one worker per store of sessions).

The store is bounded: anonymous sessions (every visit to the login page makes one) and
logged-in ones are kept apart, each ordered by last use (that order is the index), and each
capped (``max_anonymous``, ``max_authenticated``): beyond the cap the least recently used
goes. Expired sessions are swept from the stale end only, so a new session costs the
expired ones it removes, not a walk over every session.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace

COOKIE_NAME = "androcast_session"
MAX_ANONYMOUS = 10_000
MAX_AUTHENTICATED = 20_000


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
    must_change_password: bool = False

    @property
    def authenticated(self) -> bool:
        return self.user_id is not None


class SessionStore:
    """Sessions by id, thread-safe; ``clock`` is injectable for tests of expiry."""

    def __init__(
        self,
        *,
        idle_s: float,
        max_s: float,
        clock: Callable[[], float] = time.monotonic,
        max_anonymous: int = MAX_ANONYMOUS,
        max_authenticated: int = MAX_AUTHENTICATED,
    ) -> None:
        # Least recently used first in each: expiry and eviction look only at the front.
        self._anonymous: OrderedDict[str, WebSession] = OrderedDict()
        self._authenticated: OrderedDict[str, WebSession] = OrderedDict()
        self._lock = threading.Lock()
        self._idle_s = idle_s
        self._max_s = max_s
        self._clock = clock
        self._caps = {False: max_anonymous, True: max_authenticated}

    def __len__(self) -> int:
        return len(self._anonymous) + len(self._authenticated)

    def counts(self) -> tuple[int, int]:
        """(anonymous, logged-in) sessions kept now."""
        return len(self._anonymous), len(self._authenticated)

    def _table(self, session: WebSession) -> OrderedDict[str, WebSession]:
        return self._authenticated if session.authenticated else self._anonymous

    def _expired(self, session: WebSession, now: float) -> bool:
        return now - session.seen_s > self._idle_s or now - session.created_s > self._max_s

    def _put(self, session: WebSession, now: float) -> None:
        # Called with the lock held.
        table = self._table(session)
        table[session.id] = session
        table.move_to_end(session.id)
        self._sweep(table, now)

    def new(self) -> WebSession:
        """A fresh anonymous session (it carries the CSRF token of the login form)."""
        now = self._clock()
        session = WebSession(secrets.token_urlsafe(32), secrets.token_urlsafe(32), now, now)
        with self._lock:
            self._put(session, now)
        return session

    def get(self, session_id: str | None) -> WebSession | None:
        """The live session with this id (its idle clock restarts), or None."""
        if not session_id:
            return None
        now = self._clock()
        with self._lock:
            for table in (self._authenticated, self._anonymous):
                session = table.get(session_id)
                if session is None:
                    continue
                if self._expired(session, now):
                    del table[session_id]
                    return None
                session = replace(session, seen_s=now)
                table[session_id] = session
                table.move_to_end(session_id)
                return session
        return None

    def update(self, session: WebSession) -> WebSession:
        """Keep what changed about a live session (its role, a password to change)."""
        with self._lock:
            table = self._table(session)
            if session.id in table:
                table[session.id] = session
        return session

    def log_in(
        self,
        old: WebSession | None,
        *,
        user_id: int,
        username: str,
        role: str,
        clinic: str,
        must_change_password: bool = False,
    ) -> WebSession:
        """A new authenticated session replacing ``old`` (new id and new CSRF token)."""
        self.end(old)
        now = self._clock()
        session = WebSession(
            secrets.token_urlsafe(32), secrets.token_urlsafe(32), now, now,
            user_id=user_id, username=username, role=role, clinic=clinic,
            must_change_password=must_change_password,
        )
        with self._lock:
            self._put(session, now)
        return session

    def end(self, session: WebSession | None) -> None:
        if session is not None:
            with self._lock:
                self._anonymous.pop(session.id, None)
                self._authenticated.pop(session.id, None)

    def end_user(self, user_id: int, *, keep: str | None = None) -> int:
        """End every session of one user (but ``keep``); how many ended."""
        with self._lock:
            ids = [k for k, s in self._authenticated.items()
                   if s.user_id == user_id and k != keep]
            for key in ids:
                del self._authenticated[key]
        return len(ids)

    def _sweep(self, table: OrderedDict[str, WebSession], now: float) -> None:
        # The stale end only: idle expiry follows the order of last use; a session past
        # its maximum age but recently used goes when it is next asked for (``get``).
        while table:
            oldest = next(iter(table.values()))
            if not self._expired(oldest, now):
                break
            table.popitem(last=False)
        cap = self._caps[table is self._authenticated]
        while len(table) > cap:
            table.popitem(last=False)
