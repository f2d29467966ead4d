"""Peak memory of a large cohort through the population layer (run on demand).

Issue 5 asks for 10^5 virtual men with streamed summaries in <= 2 GB. The men run in
chunks through ``run_cohort`` and the model-backed ``ModelEngine`` (the compiled batch
engine); each chunk sends back only its summaries, so memory should not grow with n beyond
the summaries themselves (ten observables x the reporting months x n floats). Prints one
JSON line: peak RSS, resident memory after the first chunk and at the end, time, men/s.

The default cohort is small on purpose (no androgen history, hCG for three months) so that
10^5 men take minutes, not hours; ``--cohort`` runs a shipped cohort or a file instead.

    python bench/population_memory.py [--n 100000] [--chunk-size 1000] [--cohort NAME]
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

from androcast.population import load_cohort, parse_cohort, run_cohort
from androcast.population.cohort import Cohort
from androcast.population.engine import ModelEngine

SMALL = {
    "name": "hcg_three_months",
    "seed": 1,
    "follow_up_months": 3,
    "months": [0, 1, 2, 3],
    "outcomes": ["concentration_ge_20m_per_ml", "lh_normal"],
    "covariates": {
        "age_years": {"distribution": "uniform", "low": 25, "high": 55},
        "baseline_concentration_m_per_ml": {"distribution": "lognormal", "median": 40,
                                            "cv": 0.6},
    },
    "regimen": [{"drug": "hcg", "dose": "1500 IU", "route": "sc", "every": "3 d",
                 "start": "0 d", "duration": "90 d"}],
}


def resident_mb() -> float:
    """Current resident set size of this process (Linux /proc), MB."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--chunk-size", type=int, default=1000)
    parser.add_argument("--cohort", default=None, help="a shipped cohort or a cohort file")
    args = parser.parse_args()
    cohort: Cohort = load_cohort(args.cohort) if args.cohort else parse_cohort(SMALL)
    engine = ModelEngine()
    run_cohort(cohort, 2, engine, chunk_size=2)  # build or load the kernel outside the timing
    before = resident_mb()
    after_first: list[float] = []

    def progress(_: int) -> None:
        if not after_first:
            after_first.append(resident_mb())

    start = time.perf_counter()
    result = run_cohort(cohort, args.n, engine, chunk_size=args.chunk_size, progress=progress)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    print(json.dumps({
        "cohort": cohort.name, "n": result.n, "chunk_size": args.chunk_size,
        "peak_rss_mb": round(peak_mb, 1), "rss_before_mb": round(before, 1),
        "rss_after_first_chunk_mb": round(after_first[0], 1),
        "rss_end_mb": round(resident_mb(), 1), "seconds": round(seconds, 1),
        "men_per_s": round(args.n / seconds, 1),
    }))


if __name__ == "__main__":
    main()
