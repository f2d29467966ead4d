"""Wall time and peak memory of a large shipped cohort on a 2-worker Dask LocalCluster.

Issue 17: 10^6 virtual men of a shipped cohort, streaming, memory flat in n. Chunks of men
run on the workers through the model-backed ``ModelEngine`` (``summarise_chunk``: each
worker samples its men from their own seeds and sends back only their summaries); at most
``--in-flight`` chunks are outstanding, and each summary is folded at once into fixed-size
tallies (per outcome: men reaching it by each day of the follow-up, and the censored; per
observable and reported month: sum and sum of squares), then dropped with its future. So
neither the client nor the cluster holds anything that grows with n. The cohort's follow-up
ends at the same time for every man, so the daily tally is its Kaplan-Meier curve exactly.

What Dask itself keeps is bounded here: the cohort and the engine go to the workers once
(scattered), so a task's message holds two keys and its men's range, and Dask's debugging
logs are kept short (``LOGS``). Its defaults keep the last 1000 messages of every batched
comm, and a task message held the pickled cohort and engine: 1000 chunks a worker is 10^6
men in chunks of 500, so the client's process (the scheduler runs in it) grew through the
whole run (~4 MB per 10^5 men in bench/results/population_memory_1e6.json; 2.8 MB per 10^5
with a no-op engine, 0.3-0.4 with these settings). Each worker's statistical profiler kept a
profile a second, 1000 of them, and every process's system monitor an hour of samples
(growth with time, whatever n).

Prints one JSON line: wall time, men/s, the client's peak RSS, each worker's peak RSS, the
resident memory of client and workers after 10 %, 50 % and 100 % of the men (flat in n when
they agree), and the share reaching each outcome by each reported month. ``--n`` smaller
than 10^6 gives the rate to extrapolate from (the printed ``extrapolated_1e6_s``).

    python bench/population_memory.py [--n 1000000] [--cohort contraception_liu2006]
                                      [--chunk-size 500] [--workers 2] [--in-flight 4]
                                      [--out bench/results/population_memory_1e6.json]

``--out`` also writes the JSON (with the load average at the start and the end) to a file;
every 5 % of the men a progress line (men done, men/s, resident memory, load) goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dask
import numpy as np
from distributed import Client, LocalCluster, wait

from androcast.population import DAYS_PER_MONTH, load_cohort
from androcast.population.backends import chunk_bounds
from androcast.population.cohort import Cohort
from androcast.population.engine import ModelEngine
from androcast.population.summary import ChunkSummary, summarise_chunk

#: Dask settings for a run whose memory must not grow with n (module doc): 100 entries of
#: each debugging log (the default 1000 held ~2000 task messages) and of the system monitor
#: (default 7200 samples, one every 0.5 s: an hour of growth), no worker profiler (it
#: samples every 10 ms for the dashboard, which this run does not start). Workers get them
#: from the nanny that starts them.
LOGS = {"distributed.admin.low-level-log-length": 100,
        "distributed.admin.system-monitor.log-length": 100,
        "distributed.worker.profile.enabled": False}


def resident_mb() -> float:
    """Current resident set size of this process (Linux /proc), MB."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 2**20


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


class Tally:
    """Fixed-size running summary of a cohort: O(follow-up days + months), not O(n)."""

    def __init__(self, cohort: Cohort) -> None:
        self.days = int(np.ceil(cohort.follow_up_months * DAYS_PER_MONTH)) + 1
        self.months = np.asarray(cohort.months, dtype=float)
        self.n = 0
        self.by_day: dict[str, np.ndarray] = {}
        self.censored: dict[str, int] = {}
        self.sums: dict[str, np.ndarray] = {}
        self.squares: dict[str, np.ndarray] = {}

    def add(self, summary: ChunkSummary) -> None:
        self.n += summary.stop - summary.start
        for code, t in summary.time_to_event_d.items():
            t = np.asarray(t, dtype=float)
            met = np.isfinite(t)
            days = np.clip(np.ceil(t[met]).astype(int), 0, self.days - 1)
            counts = np.bincount(days, minlength=self.days)
            self.by_day[code] = self.by_day.get(code, 0) + counts
            self.censored[code] = self.censored.get(code, 0) + int(np.sum(~met))
        for name, v in summary.at_months.items():
            v = np.asarray(v, dtype=float)
            self.sums[str(name)] = self.sums.get(str(name), 0) + np.nansum(v, axis=1)
            self.squares[str(name)] = self.squares.get(str(name), 0) + np.nansum(v * v, axis=1)

    def reached_by_month(self) -> dict[str, list[float]]:
        out = {}
        for code, counts in self.by_day.items():
            cumulative = np.cumsum(counts) / self.n
            idx = np.clip((self.months * DAYS_PER_MONTH).astype(int), 0, self.days - 1)
            out[code] = [round(float(cumulative[i]), 4) for i in idx]
        return out


def stream(client: Client, cohort: Cohort, engine: ModelEngine, n: int, chunk_size: int,
           in_flight: int, tally: Tally, checkpoint: Callable[[int], None]) -> None:
    """Every chunk through the cluster, at most ``in_flight`` at a time, folded into
    ``tally`` as it completes; ``checkpoint(done)`` after each. The cohort and the engine
    are sent to every worker once, not with each chunk."""
    cohort_on_workers, engine_on_workers = client.scatter([cohort, engine], broadcast=True,
                                                          hash=False)
    chunks = iter(chunk_bounds(n, chunk_size))
    running: set[Any] = set()
    done = 0
    while True:
        while len(running) < in_flight:
            bounds = next(chunks, None)
            if bounds is None:
                break
            running.add(client.submit(summarise_chunk, cohort_on_workers, engine_on_workers,
                                      *bounds, pure=False))
        if not running:
            return
        finished, running = wait(running, return_when="FIRST_COMPLETED")
        for future in finished:
            summary = future.result()
            tally.add(summary)
            done += summary.stop - summary.start
            future.release()
        del finished
        checkpoint(done)


def worker_rss(client: Client) -> dict[str, float]:
    return {w: round(v, 1) for w, v in client.run(resident_mb).items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--cohort", default="contraception_liu2006")
    parser.add_argument("--chunk-size", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--in-flight", type=int, default=4)
    parser.add_argument("--out", type=Path, default=None, help="also write the JSON here")
    args = parser.parse_args()
    load_start = os.getloadavg()
    cohort = load_cohort(args.cohort)
    engine = ModelEngine()
    with dask.config.set(LOGS), LocalCluster(
            n_workers=args.workers, threads_per_worker=1, processes=True,
            dashboard_address=None) as cluster, Client(cluster) as client:
        # every worker builds or loads its kernels outside the timing
        warm = [client.submit(summarise_chunk, cohort, engine, k, k + 2, pure=False,
                              workers=[w]) for k, w in enumerate(client.scheduler_info()[
                                  "workers"])]
        wait(warm)
        del warm
        marks = {max(1, args.n // 10): "10%", max(1, args.n // 2): "50%", args.n: "100%"}
        trace: dict[str, Any] = {}
        tally = Tally(cohort)

        step = max(1, args.n // 20)
        progress = {"next": step}

        def checkpoint(done: int) -> None:
            for mark, label in marks.items():
                if done >= mark and label not in trace:
                    trace[label] = {"client_mb": round(resident_mb(), 1),
                                    "workers_mb": worker_rss(client)}
            if done >= progress["next"]:  # every 5 %: a run stopped early still has its rate
                progress["next"] = (done // step + 1) * step
                elapsed = time.perf_counter() - start
                print(json.dumps({"done": done, "seconds": round(elapsed, 1),
                                  "men_per_s": round(done / elapsed, 1),
                                  "client_mb": round(resident_mb(), 1),
                                  "workers_mb": worker_rss(client),
                                  "load_average": [round(x, 2) for x in os.getloadavg()]}),
                      file=sys.stderr, flush=True)

        start = time.perf_counter()
        stream(client, cohort, engine, args.n, args.chunk_size, args.in_flight, tally,
               checkpoint)
        seconds = time.perf_counter() - start
        worker_peak = client.run(peak_mb)
    result = {
        "cohort": cohort.name, "n": tally.n, "chunk_size": args.chunk_size,
        "workers": args.workers, "seconds": round(seconds, 1),
        "men_per_s": round(args.n / seconds, 1),
        "extrapolated_1e6_s": round(1e6 / (args.n / seconds)),
        "client_peak_rss_mb": round(peak_mb(), 1),
        "worker_peak_rss_mb": {w: round(v, 1) for w, v in worker_peak.items()},
        "rss_by_progress": trace,
        "load_average": {"start": [round(x, 2) for x in load_start],
                         "end": [round(x, 2) for x in os.getloadavg()]},
        "reached_by_month": {"months": list(cohort.months), **tally.reached_by_month()},
    }
    print(json.dumps(result))
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=1) + "\n", "utf-8")


if __name__ == "__main__":
    main()
