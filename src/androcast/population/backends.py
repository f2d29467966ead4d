"""Where chunks of virtual men run: in this process, in local processes, or on a Dask cluster.

The same ``run_cohort`` call scales from a laptop to a cluster (``DaskCluster("tcp://host:
8786")``). Chunks are sampled from each man's own seed on the worker and only their
summaries travel back, so results are identical for any backend, chunk size or number of
workers, and 10^5 men fit in memory.
"""

from __future__ import annotations

import functools
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

from androcast.errors import ParameterError
from androcast.population.cohort import Cohort
from androcast.population.summary import (
    AbstractEngine,
    ChunkSummary,
    CohortResult,
    combine,
    summarise_chunk,
)

ChunkTask = Callable[[int, int], ChunkSummary]


class AbstractBackend(ABC):
    """Runs chunk tasks and yields their summaries as they complete (in any order)."""

    @abstractmethod
    def map_chunks(
        self, task: ChunkTask, chunks: Sequence[tuple[int, int]]
    ) -> Iterator[ChunkSummary]: ...


@dataclass(frozen=True)
class InProcess(AbstractBackend):
    """Chunks one after another in this process (the default; no pickling)."""

    def map_chunks(
        self, task: ChunkTask, chunks: Sequence[tuple[int, int]]
    ) -> Iterator[ChunkSummary]:
        for start, stop in chunks:
            yield task(start, stop)


@dataclass(frozen=True)
class LocalProcesses(AbstractBackend):
    """Chunks on a pool of local worker processes (``concurrent.futures``)."""

    max_workers: int | None = None

    def map_chunks(
        self, task: ChunkTask, chunks: Sequence[tuple[int, int]]
    ) -> Iterator[ChunkSummary]:
        with ProcessPoolExecutor(max_workers=self.max_workers) as pool:
            futures = [pool.submit(task, start, stop) for start, stop in chunks]
            for future in as_completed(futures):
                yield future.result()


@dataclass(frozen=True)
class DaskCluster(AbstractBackend):
    """Chunks on a Dask cluster: ``scheduler`` is its address (``tcp://host:8786``).

    Needs the ``scale`` extra (``pip install androcast[scale]``); workers need androcast.
    """

    scheduler: str

    def map_chunks(
        self, task: ChunkTask, chunks: Sequence[tuple[int, int]]
    ) -> Iterator[ChunkSummary]:
        try:
            from distributed import Client
            from distributed import as_completed as dask_completed
        except ImportError:
            raise ParameterError(
                "scheduler", self.scheduler, "the 'scale' extra installed (dask[distributed])"
            ) from None
        client: Any = Client(self.scheduler)  # type: ignore[no-untyped-call]
        try:
            starts = [a for a, _ in chunks]
            stops = [b for _, b in chunks]
            futures = client.map(task, starts, stops, pure=False)
            for future in dask_completed(futures):  # type: ignore[no-untyped-call]
                yield future.result()
        finally:
            client.close()


def chunk_bounds(n: int, chunk_size: int) -> tuple[tuple[int, int], ...]:
    """Consecutive (start, stop) ranges of at most ``chunk_size`` men covering 0..n-1."""
    if n < 1:
        raise ParameterError("n", n, "at least one virtual patient")
    if chunk_size < 1:
        raise ParameterError("chunk_size", chunk_size, "at least one patient per chunk")
    return tuple((a, min(a + chunk_size, n)) for a in range(0, n, chunk_size))


def run_cohort(
    cohort: Cohort,
    n: int,
    engine: AbstractEngine,
    *,
    backend: AbstractBackend | None = None,
    chunk_size: int = 1000,
    progress: Callable[[int], None] | None = None,
) -> CohortResult:
    """Simulate ``n`` virtual men of a cohort and summarise their outcomes.

    ``progress`` is called with the number of men finished after each chunk.
    """
    chunks = chunk_bounds(n, chunk_size)
    task = functools.partial(summarise_chunk, cohort, engine)
    summaries = []
    for summary in (backend or InProcess()).map_chunks(task, chunks):
        summaries.append(summary)
        if progress is not None:
            progress(summary.stop - summary.start)
    return combine(cohort, n, summaries)
