"""Benchmark: how much one man's forecast moves with the seed, by number of virtual men.

A prognosis is a Monte Carlo estimate from a tempered SMC posterior; its 90 % interval is a
Bayesian bootstrap of the final men, which does not see the correlation the resample-move
steps leave between them. This prints, for each particle count, the mean, sd and range of
P(outcome by MONTH) over seeds, how often the interval covers the mean of the largest
count (the best estimate this run has), and the wall time per prognosis. Run on demand:

    python bench/prognosis_seeds.py [CASE] [--particles 32 64 256] [--seeds 8]
        [--protocol watchful_waiting] [--month 12]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _cases import add_case_argument  # bench/ is on sys.path when run as a script

from androcast.labs import load_case
from androcast.prognosis import prognose


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    add_case_argument(parser)
    parser.add_argument("--particles", type=int, nargs="+", default=[32, 64, 256])
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--protocol", default="watchful_waiting")
    parser.add_argument("--month", type=float, default=12.0)
    args = parser.parse_args()
    case = load_case(args.case)
    prognose(case, [args.protocol], n=2, months=(args.month,))  # compiled kernels once
    runs: dict[int, list[tuple[float, float, float, float]]] = {}
    for n in args.particles:
        runs[n] = []
        for seed in range(1, args.seeds + 1):
            t = time.perf_counter()
            curve = prognose(case, [args.protocol], n=n, months=(args.month,),
                             seed=seed)[0].protocols[0].curve
            low, high = curve.interval_90[0]
            runs[n].append((curve.probability[0], low, high, time.perf_counter() - t))
    best = float(np.mean([r[0] for r in runs[max(args.particles)]]))
    print(f"case {args.case}; {args.protocol}, P by month {args.month:g}; "
          f"{args.seeds} seeds; reference {best:.3f} (mean at {max(args.particles)} men)")
    print(f"{'N':>5} {'mean':>6} {'sd':>6} {'min':>6} {'max':>6} {'covers':>7} {'s each':>7}")
    for n, rows in runs.items():
        p = np.array([r[0] for r in rows])
        covers = sum(low <= best <= high for _, low, high, _ in rows)
        print(f"{n:>5} {p.mean():>6.3f} {p.std():>6.3f} {p.min():>6.3f} {p.max():>6.3f} "
              f"{covers:>4}/{len(rows):<2} {np.mean([r[3] for r in rows]):>7.2f}")


if __name__ == "__main__":
    main()
