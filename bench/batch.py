"""Throughput of the batched engine on the issue-5 reference scenario (run on demand).

TRT 150 mg/week (testosterone enanthate) for 52 weeks, then clomiphene 25 mg/day and hCG
1500 IU three times a week (every 2.33 d here) for 26 weeks; 730 days of daily output.

    python bench/batch.py --n 200 [--rtol 1e-4] [--days 730]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from androcast.model.parameters import reference_parameters
from androcast.regimens import compile_regimen, parse_regimen
from androcast.simulate.batch import StepControl, simulate_batch

REFERENCE = [
    {
        "drug": "testosterone_enanthate",
        "dose": "150 mg",
        "route": "im",
        "every": "7 d",
        "start": "0 d",
        "duration": "364 d",
    },
    {
        "drug": "clomiphene_citrate",
        "dose": "25 mg",
        "route": "oral",
        "every": "1 d",
        "start": "364 d",
        "duration": "182 d",
    },
    {
        "drug": "hcg",
        "dose": "1500 IU",
        "route": "sc",
        "every": "56 h",
        "start": "364 d",
        "duration": "182 d",
    },
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--days", type=float, default=730.0)
    parser.add_argument("--rtol", type=float, default=1e-4)
    args = parser.parse_args()
    p0 = reference_parameters()
    rng = np.random.default_rng(1)
    p = p0.replace(DSP0=p0.DSP0 * rng.lognormal(0.0, 0.3, args.n))
    schedule = compile_regimen(parse_regimen(REFERENCE), t_start_d=0.0, t_end_d=args.days)
    t = np.arange(0.0, args.days, 1.0)
    start = time.perf_counter()
    simulate_batch(
        p,
        [schedule] * args.n,
        t,
        t_start_d=0.0,
        control=StepControl(rtol=args.rtol, atol=args.rtol * 1e-2),
    )
    elapsed = time.perf_counter() - start
    print(
        json.dumps(
            {
                "n": args.n,
                "days": args.days,
                "rtol": args.rtol,
                "seconds": round(elapsed, 2),
                "patients_per_s": round(args.n / elapsed, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
