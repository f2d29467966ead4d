"""The access audit: reads of a patient's record, exports, logins and failed logins, and
writes refused to a read-only user, each
kept with who, when, what and from where (``store.audit.record_access``).

Events are queued in memory and written in one short transaction about every second by a
background thread, so a page view never waits for a write (on SQLite, writes queue one at
a time). The queue is bounded (``max_pending``); beyond it the oldest event is dropped and
counted in the log, never the request refused. A crash loses at most the last second's
events; a clean shutdown writes them (``close``).
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from typing import Any

from androcast.errors import AndrocastError
from androcast.store import Store
from androcast.store.audit import record_access
from androcast.store.schema import utcnow

_LOG = logging.getLogger(__name__)
ACTIONS = ("read", "export", "login", "login_fail", "denied")


class AccessAudit:
    def __init__(self, store: Store, *, flush_s: float = 1.0, max_pending: int = 20_000
                 ) -> None:
        self._store = store
        self._flush_s = flush_s
        self._events: deque[dict[str, Any]] = deque(maxlen=max_pending)
        self._lock = threading.Lock()
        # One flush at a time: a flush asked for while the thread writes waits for it, so
        # what was recorded before ``flush()`` is in the database when it returns.
        self._flushing = threading.Lock()
        self._stop = threading.Event()
        self._dropped = 0
        self._thread = threading.Thread(target=self._run, name="androcast-access-audit",
                                        daemon=True)
        self._thread.start()

    def record(self, *, actor: str, action: str, clinic: str | None, patient: str | None,
               what: str, address: str) -> None:
        assert action in ACTIONS
        event = {"at": utcnow(), "actor": actor, "action": action, "clinic": clinic or "",
                 "patient": patient, "what": what, "address": address}
        with self._lock:
            if len(self._events) == self._events.maxlen:
                self._dropped += 1
            self._events.append(event)

    def flush(self) -> None:
        """Write what is queued now (one transaction)."""
        with self._flushing:
            self._flush()

    def _flush(self) -> None:
        with self._lock:
            events = list(self._events)
            self._events.clear()
            dropped, self._dropped = self._dropped, 0
        if dropped:
            _LOG.warning("access audit: %d events dropped (queue full)", dropped)
        if not events:
            return
        try:
            with self._store.transaction("access audit") as session:
                record_access(session, events)
        except AndrocastError as err:  # the database is busy: keep them for the next try
            _LOG.warning("access audit not written yet: %s", err.field)
            with self._lock:
                self._events.extendleft(reversed(events))

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.flush()

    def _run(self) -> None:
        while not self._stop.wait(self._flush_s):
            try:
                self.flush()
            except Exception:  # the thread must live on: the next flush tries again
                _LOG.exception("access audit flush failed")
