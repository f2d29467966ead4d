"""Background jobs: long computations (prognoses, plans, reports, monitoring steps) run
outside the request, in a small pool, each within a time budget, with progress to show.

The interface (what the pages and their progress bars rely on)::

    runner = JobRunner(workers=2, max_pending=16, budget_s=120.0)
    job = runner.submit(owner, "outlook", work, result_url="/patients/P001/outlook", key=...)
    runner.get(job.id, owner).to_dict()
      -> {"id", "kind", "state", "progress", "message", "error", "result_url",
          "status_url", "events_url"}
    runner.result(job.id, owner)   # the value ``work`` returned (state "done")

``work`` is called in a worker thread with a ``Progress``: ``progress(0.5, "plan made")``
reports how far it got (0-1) and a short message; it raises ``JobExpired`` once the job has
run past its budget (counted from its submission: a job that waited it out in the queue is
not started), so a computation that reports at its steps stops at the next one (a thread
cannot be killed: the computations are bounded in size before they start, the budget stops
the rest). Two jobs with the same ``key`` never run at once. States: ``queued``,
``running``, ``done`` and ``failed`` (``error`` holds the message: the AndrocastError's
text, or that it took longer than its budget).

``owner`` (clinic and user name) scopes a job: another owner's job is not found, unless the
job names an ``audience`` (an owner prefix, say the clinic's ``"A/"``) that the owner is
in. ``key`` names what a job computes (say, his outlook at record version 7): while a job
with the same key is queued or running (and visible to the owner), ``submit`` returns it
instead of queueing another, so a reloaded page never queues the same work twice;
``join_running=False`` joins only a job that has not started (work that reads its input
when it starts, like a monitoring step after new results: one already running may have read
too early). ``find`` answers the unfinished job of a key. At most ``max_pending`` jobs wait
or run; beyond that ``submit`` raises ``QueueFull`` (503 with Retry-After at the edge),
except for ``essential`` work that must follow a write already made (bounded by its key:
one waiting per key). ``priority``: lower runs first (a clinician waiting on a save before a
report); in order of submission within one. Finished jobs are kept ``keep_s`` seconds and at
most ``max_kept`` of them (oldest dropped first).

``nice``: the workers run at this much lower CPU priority than the server (Linux sets it
per thread; the simulation's threads a job starts inherit it), so on a busy machine the
requests of clinicians waiting at their screens are served before a report computing in
the background (measured with ``bench/load.py --mix``). 0 leaves them as they are.

``result_url`` defaults to ``/api/jobs/{id}/result`` (for work returning JSON); a job that
fills a cache instead names the page that shows what it made.

HTTP (``routes/jobs.py``): ``GET /api/jobs/{id}`` answers the dict above; ``GET
/api/jobs/{id}/result`` the JSON result of a job that returns one; ``GET
/api/jobs/{id}/events`` streams the dict as server-sent events (``event: status``) until
the job finishes.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import os
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, Literal

from androcast.errors import AndrocastError

_LOG = logging.getLogger(__name__)
State = Literal["queued", "running", "done", "failed"]
FINISHED: tuple[State, ...] = ("done", "failed")


class JobExpired(Exception):
    """The job ran past its time budget (raised at its next progress report)."""


class JobNotFound(LookupError):
    """No job with this id for this owner (another owner's job is not found either)."""

    def __init__(self, job_id: str) -> None:
        super().__init__(f"job {job_id!r} not found (finished jobs are kept a few minutes)")


class JobNotDone(Exception):
    """The job's result was asked for before it finished (or it failed)."""

    def __init__(self, job_id: str, state: str) -> None:
        super().__init__(f"job {job_id!r} is {state}: no result")
        self.state = state


class QueueFull(Exception):
    """Too many jobs waiting or running: try again in a few seconds."""

    retry_after_s = 5

    def __init__(self, pending: int) -> None:
        super().__init__(
            f"the server is busy with {pending} computations: try again in a few seconds"
        )


@dataclass
class _Job:
    id: str
    owner: str
    kind: str
    key: Hashable | None
    budget_s: float
    result_url: str | None
    created_s: float
    audience: str | None = None
    state: State = "queued"
    progress: float = 0.0
    message: str = "waiting for a free worker"
    error: str | None = None
    started_s: float | None = None
    finished_s: float | None = None
    result: Any = None
    changed: threading.Condition = field(default_factory=threading.Condition)


@dataclass(frozen=True)
class JobView:
    """One job as its owner sees it (a snapshot)."""

    id: str
    kind: str
    state: State
    progress: float
    message: str
    error: str | None
    result_url: str | None

    @property
    def finished(self) -> bool:
        return self.state in FINISHED

    def to_dict(self) -> dict[str, Any]:
        base = f"/api/jobs/{self.id}"
        return {
            "id": self.id,
            "kind": self.kind,
            "state": self.state,
            "progress": round(self.progress, 3),
            "message": self.message,
            "error": self.error,
            "result_url": self.result_url or f"{base}/result",
            "status_url": base,
            "events_url": f"{base}/events",
        }


class Progress:
    """What a job's work reports through: how far (0-1) and a short message."""

    def __init__(self, job: _Job, deadline_s: float, clock: Callable[[], float]) -> None:
        self._job = job
        self._deadline_s = deadline_s
        self._clock = clock

    def __call__(self, fraction: float, message: str = "") -> None:
        self.check()
        with self._job.changed:
            self._job.progress = min(1.0, max(self._job.progress, float(fraction)))
            if message:
                self._job.message = message
            self._job.changed.notify_all()

    def check(self) -> None:
        """Raise ``JobExpired`` if the job has run past its budget."""
        if self._clock() > self._deadline_s:
            raise JobExpired()


def _visible(job: _Job, owner: str) -> bool:
    return job.owner == owner or (job.audience is not None and owner.startswith(job.audience))


def _view(job: _Job) -> JobView:
    return JobView(
        job.id, job.kind, job.state, job.progress, job.message, job.error, job.result_url
    )


def _lower_priority(nice: int) -> None:
    """Lower this thread's CPU priority by ``nice`` (Linux: per thread; threads it starts
    inherit it). Elsewhere, or not permitted, it stays as it is."""
    if nice <= 0 or not hasattr(os, "setpriority"):
        return
    try:
        me = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, me, min(19, os.getpriority(os.PRIO_PROCESS, me) + nice))
    except OSError as err:
        _LOG.warning("job workers keep their priority: %s", err)


class JobRunner:
    """A small pool of worker threads running jobs within their budgets."""

    def __init__(
        self,
        *,
        workers: int = 2,
        max_pending: int = 16,
        budget_s: float = 120.0,
        keep_s: float = 600.0,
        max_kept: int = 256,
        clock: Callable[[], float] = time.monotonic,
        nice: int = 0,
    ) -> None:
        self.budget_s = budget_s
        self._nice = nice
        # A heap of (priority, order, job, work); ``None`` work stops a worker.
        self._heap: list[tuple[int, int, _Job | None, Callable[[Progress], Any] | None]] = []
        self._order = itertools.count()
        self._ready = threading.Condition()
        self._running_keys: set[Hashable] = set()
        self._deferred: dict[Hashable, list[tuple[int, int, _Job | None,
                                                  Callable[[Progress], Any] | None]]] = {}
        # Daemon threads (not a ThreadPoolExecutor, whose threads the interpreter joins at
        # exit): a server stopping does not wait for a long computation to end.
        self._workers = [
            threading.Thread(target=self._serve, name=f"androcast-job-{i}", daemon=True)
            for i in range(workers)
        ]
        for worker in self._workers:
            worker.start()
        self._max_pending = max_pending
        self._keep_s = keep_s
        self._max_kept = max_kept
        self._clock = clock
        self._jobs: OrderedDict[str, _Job] = OrderedDict()
        self._lock = threading.Lock()

    def submit(
        self,
        owner: str,
        kind: str,
        work: Callable[[Progress], Any],
        *,
        key: Hashable | None = None,
        budget_s: float | None = None,
        result_url: str | None = None,
        audience: str | None = None,
        join_running: bool = True,
        essential: bool = False,
        priority: int = 1,
    ) -> JobView:
        """Queue ``work`` (or return the unfinished job with the same ``key``)."""
        now = self._clock()
        with self._lock:
            self._forget_old(now)
            if key is not None:
                joinable = ("queued", "running") if join_running else ("queued",)
                for job in self._jobs.values():
                    if job.key == key and job.state in joinable and _visible(job, owner):
                        return _view(job)
            pending = sum(1 for j in self._jobs.values() if j.state not in FINISHED)
            if pending >= self._max_pending and not essential:
                raise QueueFull(pending)
            job = _Job(
                id=secrets.token_urlsafe(12),
                owner=owner,
                kind=kind,
                key=key,
                budget_s=self.budget_s if budget_s is None else budget_s,
                result_url=result_url,
                created_s=now,
                audience=audience,
            )
            self._jobs[job.id] = job
        self._put(priority, job, work)
        return _view(job)

    def finished(self, owner: str, kind: str, result: Any, *,
                 result_url: str | None = None) -> JobView:
        """A job that is done already with ``result`` (what was asked for is kept): its
        asker follows it as any other, without it waiting in the queue."""
        now = self._clock()
        job = _Job(id=secrets.token_urlsafe(12), owner=owner, kind=kind, key=None,
                   budget_s=0.0, result_url=result_url, created_s=now, state="done",
                   progress=1.0, message="done", started_s=now, finished_s=now,
                   result=result)
        with self._lock:
            self._forget_old(now)
            self._jobs[job.id] = job
        return _view(job)

    def find(self, owner: str, key: Hashable) -> JobView | None:
        """The queued or running job of ``key`` that ``owner`` may see, if any."""
        with self._lock:
            for job in self._jobs.values():
                if job.key == key and job.state not in FINISHED and _visible(job, owner):
                    return _view(job)
        return None

    def get(self, job_id: str, owner: str) -> JobView:
        return _view(self._job(job_id, owner))

    def result(self, job_id: str, owner: str) -> Any:
        job = self._job(job_id, owner)
        if job.state != "done":
            raise JobNotDone(job_id, job.state)
        return job.result

    def wait(self, job_id: str, owner: str, timeout_s: float) -> JobView:
        """The job once it changes (or finishes) or after ``timeout_s``, whichever is first."""
        job = self._job(job_id, owner)
        with job.changed:
            if job.state not in FINISHED:
                job.changed.wait(timeout_s)
            return _view(job)

    def wait_idle(self, timeout_s: float) -> bool:
        """Wait until no job is queued or running (True), or ``timeout_s`` passed (False)."""
        deadline = self._clock() + timeout_s
        while True:
            with self._lock:
                busy = [j for j in self._jobs.values() if j.state not in FINISHED]
            if not busy:
                return True
            left = deadline - self._clock()
            if left <= 0:
                return False
            with busy[0].changed:
                if busy[0].state not in FINISHED:
                    busy[0].changed.wait(min(left, 1.0))

    def shutdown(self) -> None:
        """Stop taking jobs: each worker ends after its current one (not waited for)."""
        for _ in self._workers:
            self._put(-1, None, None)  # before any job still waiting

    def _put(self, priority: int, job: _Job | None, work: Callable[[Progress], Any] | None
             ) -> None:
        with self._ready:
            heapq.heappush(self._heap, (priority, next(self._order), job, work))
            self._ready.notify()

    def _serve(self) -> None:
        _lower_priority(self._nice)
        while True:
            with self._ready:
                while True:
                    while not self._heap:
                        self._ready.wait()
                    item = heapq.heappop(self._heap)
                    job = item[2]
                    if job is None or job.key is None or job.key not in self._running_keys:
                        break
                    # Two jobs of one key never run at once (his second monitoring step
                    # starts from what the first kept): it waits for the first to end.
                    self._deferred.setdefault(job.key, []).append(item)
                if job is not None and job.key is not None:
                    self._running_keys.add(job.key)
            work = item[3]
            if job is None or work is None:
                return
            try:
                self._run(job, work)
            finally:
                if job.key is not None:
                    with self._ready:
                        self._running_keys.discard(job.key)
                        for waiting in self._deferred.pop(job.key, []):
                            heapq.heappush(self._heap, waiting)
                        self._ready.notify_all()

    def _job(self, job_id: str, owner: str) -> _Job:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None or not _visible(job, owner):
            raise JobNotFound(job_id)
        return job

    def _run(self, job: _Job, work: Callable[[Progress], Any]) -> None:
        start = self._clock()
        # The budget counts from submission: a job that waited it out for a worker is not
        # started (whoever asked has long given up; the server is too busy).
        progress = Progress(job, job.created_s + job.budget_s, self._clock)
        with job.changed:
            job.state, job.started_s, job.message = "running", start, "started"
            job.changed.notify_all()
        state: State = "done"
        error: str | None = None
        result: Any = None
        try:
            try:
                progress.check()
            except JobExpired:
                state, error = "failed", (
                    f"waited longer than its budget of {job.budget_s:g} s for a free worker: "
                    "the server is busy, try again later")
            else:
                result = work(progress)
        except JobExpired:
            state, error = "failed", f"took longer than its budget of {job.budget_s:g} s"
        except AndrocastError as err:
            state, error = "failed", str(err)
        except Exception:  # a job's failure is its state, not the worker's
            state, error = "failed", "the computation failed (see the server log)"
            _LOG.exception("job %s (%s) failed", job.id, job.kind)
        with job.changed:
            job.state, job.error, job.result = state, error, result
            job.finished_s = self._clock()
            if state == "done":
                job.progress, job.message = 1.0, "done"
            else:
                job.message = "failed"
            job.changed.notify_all()

    def _forget_old(self, now: float) -> None:
        # Called with the lock held: finished jobs go after keep_s, and beyond max_kept.
        finished = [
            j for j in self._jobs.values() if j.state in FINISHED and j.finished_s is not None
        ]
        for job in finished:
            assert job.finished_s is not None
            if now - job.finished_s > self._keep_s:
                del self._jobs[job.id]
        excess = len(self._jobs) - self._max_kept
        for job in [j for j in self._jobs.values() if j.state in FINISHED][: max(0, excess)]:
            del self._jobs[job.id]
