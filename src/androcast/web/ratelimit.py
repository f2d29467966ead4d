"""Login rate limiting: too many failed logins from one address or for one user name."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable


class LoginLimiter:
    """At most ``max_failures`` failed logins per key within ``window_s`` seconds.

    Keys are the client address and the user name tried, so neither guessing many
    passwords for one user nor many users from one address gets far.
    """

    def __init__(
        self, *, max_failures: int, window_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()
        self._max = max_failures
        self._window_s = window_s
        self._clock = clock

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures[key]
        while times and now - times[0] > self._window_s:
            times.popleft()
        return times

    def retry_after_s(self, *keys: str) -> float:
        """Seconds until another attempt is allowed for all ``keys`` (0: allowed now)."""
        now = self._clock()
        wait = 0.0
        with self._lock:
            for key in keys:
                times = self._recent(key, now)
                if len(times) >= self._max:
                    wait = max(wait, self._window_s - (now - times[0]))
        return wait

    def failed(self, *keys: str) -> None:
        now = self._clock()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)

    def succeeded(self, *keys: str) -> None:
        """Forget the failures of ``keys`` (the user name, not the address: one account
        of his own must not let a guesser reset the address's count)."""
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)
