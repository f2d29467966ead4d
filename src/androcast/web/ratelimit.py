"""Login rate limiting: too many failed logins from one address, or for one user name from
one address.

Keys are the client address and the pair (user name, address): a guesser gets few tries
per address, and nobody can lock a named user out from elsewhere (failures for "alice"
from one address do not block alice at her own desk). The store is bounded: at most
``max_keys`` keys, the stalest dropped first, and expired failures are swept as it goes.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

MAX_KEYS = 10_000


class LoginLimiter:
    """At most ``max_failures`` failed logins per key within ``window_s`` seconds."""

    def __init__(
        self,
        *,
        max_failures: int,
        window_s: float,
        max_keys: int = MAX_KEYS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()
        self._max = max_failures
        self._window_s = window_s
        self._max_keys = max_keys
        self._clock = clock

    def __len__(self) -> int:
        return len(self._failures)

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.get(key)
        if times is None:
            return deque()
        while times and now - times[0] > self._window_s:
            times.popleft()
        if not times:
            del self._failures[key]
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
                times = self._failures.setdefault(key, deque(maxlen=self._max))
                times.append(now)
                self._failures.move_to_end(key)
            self._sweep(now)

    def succeeded(self, *keys: str) -> None:
        """Forget the failures of ``keys`` (the user's pair, not the address: one account
        of his own must not let a guesser reset the address's count)."""
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)

    def _sweep(self, now: float) -> None:
        # The least recently failed keys first: expired ones go, then any beyond max_keys.
        for key in list(self._failures)[:8]:
            self._recent(key, now)
        while len(self._failures) > self._max_keys:
            self._failures.popitem(last=False)
