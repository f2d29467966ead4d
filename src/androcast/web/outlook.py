"""A stored patient's prognosis and plan, computed once per record version.

A prognosis takes seconds (his twin personalised, every protocol simulated), so the pages
load it as a fragment, and a repeat view, the API and the report reuse what was computed.
Results are kept in a bounded in-process cache keyed by his clinic, identifier, record
version, the date they are made as of and the parameters asked for: any change to his
record bumps the version, and a result for a newer version (or date) drops those of his
older ones. Two requests for the same result compute it once (the second waits for the first);
at most ``max_running`` computations run at a time (the rest queue), so a burst of
requests cannot take every core.

The plan personalises his twin itself; the prognosis of the page reuses that twin (same
particles and seed give the same twin), so a page costs one personalisation.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from androcast.labs import Case
from androcast.prognosis import Prognosis, forecast_twin, prognose
from androcast.prognosis.pregnancy import PREGNANCY_NATURAL, shows_pregnancy
from androcast.protocol import Plan, plan

T = TypeVar("T")

DEFAULT_TARGET_MONTH = 12.0
DEFAULT_SEED = 1


@dataclass(frozen=True)
class RecordKey:
    """Which patient, at which record version, as of which date."""

    clinic: str
    identifier: str
    version: int
    as_of: dt.date


@dataclass(frozen=True)
class _Key:
    record: RecordKey
    what: str  # "twin", "prognosis" or "plan"
    params: tuple[Any, ...]


class ResultCache:
    """Results by key, least recently used dropped beyond ``max_entries``."""

    def __init__(self, max_entries: int = 64, max_running: int = 2) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[_Key, Future[Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._running = threading.BoundedSemaphore(max_running)

    def __len__(self) -> int:
        return len(self._entries)

    def peek(self, key: _Key) -> Any | None:
        """The result if it is computed already (None while computing or when absent)."""
        with self._lock:
            future = self._entries.get(key)
            if future is None or not future.done() or future.exception() is not None:
                return None
            self._entries.move_to_end(key)
            return future.result()

    def get(self, key: _Key, compute: Callable[[], T]) -> T:
        """The result for ``key``, computed by ``compute`` unless present or being computed."""
        with self._lock:
            future = self._entries.get(key)
            owner = future is None
            if future is None:
                future = Future()
                self._insert(key, future)
            else:
                self._entries.move_to_end(key)
        if not owner:
            return cast(T, future.result())
        try:
            with self._running:
                value = compute()
        except BaseException as err:
            with self._lock:  # a failure is not kept: the next request tries again
                if self._entries.get(key) is future:
                    del self._entries[key]
            future.set_exception(err)
            raise
        future.set_result(value)
        return value

    def run(self, compute: Callable[[], T]) -> T:
        """Compute something not kept (a posted case) within the same bound on computations."""
        with self._running:
            return compute()

    def put(self, key: _Key, value: Any) -> None:
        """Keep an already computed result (unless one is there)."""
        with self._lock:
            if key not in self._entries:
                future: Future[Any] = Future()
                future.set_result(value)
                self._insert(key, future)

    def _insert(self, key: _Key, future: Future[Any]) -> None:
        record = key.record
        stale = [
            k
            for k in self._entries
            if (k.record.clinic, k.record.identifier) == (record.clinic, record.identifier)
            and (k.record.version, k.record.as_of) < (record.version, record.as_of)
        ]  # a late result of an older version leaves the newer ones in place
        for k in stale:
            del self._entries[k]
        self._entries[key] = future
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)


def kept_or_computed(cache: ResultCache, record: RecordKey, what: str,
                     compute: Callable[[], T], params: tuple[Any, ...] = ()) -> T:
    """A quick result of his record (milliseconds, say the protocols he may adopt): kept per
    record version (and ``params``) like the rest, but computed outside the bound on long
    computations, so a page never waits behind a prognosis for it."""
    key = _Key(record, what, params)
    kept = cache.peek(key)
    if kept is None:
        kept = compute()
        cache.put(key, kept)
    return cast(T, kept)


@dataclass(frozen=True)
class Outlook:
    """What the patient page shows: his goal's prognosis per protocol and the phased plan."""

    prognosis: Prognosis
    plan: Plan
    # the couple's chance of a natural conception under the same protocols (his page shows
    # it beside his semen's curve); None when he has no partner's age or no fertility goal
    pregnancy: Prognosis | None = None


def _plan_key(record: RecordKey, target_month: float, particles: int, seed: int) -> _Key:
    return _Key(record, "plan", (float(target_month), particles, seed))


def _prognosis_key(
    record: RecordKey,
    protocols: Sequence[str],
    outcomes: Sequence[str],
    particles: int,
    seed: int,
) -> _Key:
    return _Key(record, "prognosis", (tuple(protocols), tuple(outcomes), particles, seed))


def _twin_key(record: RecordKey, particles: int, seed: int) -> _Key:
    return _Key(record, "twin", (particles, seed))


def patient_plan(
    cache: ResultCache,
    record: RecordKey,
    case: Case,
    *,
    target_month: float = DEFAULT_TARGET_MONTH,
    particles: int,
    seed: int = DEFAULT_SEED,
) -> Plan:
    """His phased plan (``protocol.plan``); its twin is kept for his prognoses."""
    result = cache.get(
        _plan_key(record, target_month, particles, seed),
        lambda: plan(case, target_month=target_month, n=particles, seed=seed),
    )
    if result.prognosis is not None and result.prognosis.posterior is not None:
        cache.put(_twin_key(record, particles, seed), result.prognosis.posterior)
    return result


def patient_prognosis(
    cache: ResultCache,
    record: RecordKey,
    case: Case,
    *,
    protocols: Sequence[str] = (),
    outcomes: Sequence[str] = (),
    particles: int,
    seed: int = DEFAULT_SEED,
) -> tuple[Prognosis, ...]:
    """His prognosis per outcome (``prognosis.prognose``; default protocols and outcome)."""
    twin_key = _twin_key(record, particles, seed)

    def compute() -> tuple[Prognosis, ...]:
        twin = cache.peek(twin_key)
        if twin is None:
            twin = forecast_twin(case, n=particles, seed=seed)
            cache.put(twin_key, twin)
        return prognose(
            case, protocols or None, outcomes or None, n=particles, seed=seed, posterior=twin
        )

    return cache.get(_prognosis_key(record, protocols, outcomes, particles, seed), compute)


def patient_outlook(
    cache: ResultCache, record: RecordKey, case: Case, *, particles: int
) -> Outlook:
    """The page's prognosis and plan, computed (plan first: its twin serves both) or kept."""
    made = patient_plan(cache, record, case, particles=particles)
    prognosis = patient_prognosis(cache, record, case, particles=particles)
    return Outlook(prognosis[0], made, patient_pregnancy(cache, record, case,
                                                         particles=particles))


PREGNANCY_OUTCOMES = (PREGNANCY_NATURAL,)


def patient_pregnancy(cache: ResultCache, record: RecordKey, case: Case, *, particles: int
                      ) -> Prognosis | None:
    """The couple's pregnancy curve for his page (kept apart from the default prognosis,
    whose kept answer the API serves), or None where it is not shown."""
    if not shows_pregnancy(case):
        return None
    return patient_prognosis(cache, record, case, outcomes=PREGNANCY_OUTCOMES,
                             particles=particles)[0]


def kept_outlook(cache: ResultCache, record: RecordKey, *, particles: int) -> Outlook | None:
    """The page's prognosis and plan if both are computed already (nothing is computed)."""
    made = cache.peek(_plan_key(record, DEFAULT_TARGET_MONTH, particles, DEFAULT_SEED))
    prognosis = cache.peek(_prognosis_key(record, (), (), particles, DEFAULT_SEED))
    if made is None or prognosis is None:
        return None
    pregnancy = cache.peek(_prognosis_key(record, (), PREGNANCY_OUTCOMES, particles,
                                          DEFAULT_SEED))
    return Outlook(prognosis[0], made, None if pregnancy is None else pregnancy[0])
