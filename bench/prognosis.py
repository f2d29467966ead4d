"""Benchmark: a full prognosis (all appropriate protocols) for one case.

Issue 6 asks for <= 2 s on 2 cores. Prints, for each particle count, the time to
personalise (tempered SMC through his history) and to simulate every
appropriate protocol, the CPU time of both (all threads; on a loaded machine it says what
the wall time would be on two free cores, about half of it), and the ESS. Run on demand:

    python bench/prognosis.py [CASE] [--particles 16 32 64]
"""

from __future__ import annotations

import argparse
import os
import resource
import time

from _cases import add_case_argument  # bench/ is on sys.path when run as a script

from androcast.interpret import interpret
from androcast.labs import load_case
from androcast.prognosis import appropriate_protocols, prognose
from androcast.twin import personalise


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    add_case_argument(parser)
    parser.add_argument("--particles", type=int, nargs="+", default=[16, 32, 64])
    args = parser.parse_args()
    case = load_case(args.case)
    ids = [p.id for p in appropriate_protocols(interpret(case))]
    print(f"case {args.case}; CPUs {os.cpu_count()}; protocols {', '.join(ids)}")
    prognose(case, ids, n=2)  # build/load the compiled kernels once
    print(f"{'N':>5} {'personalise s':>14} {'protocols s':>12} {'total s':>8} "
          f"{'CPU s':>6} {'men/s':>7} {'ESS':>6}")
    for n in args.particles:
        t, cpu = time.perf_counter(), _cpu_s()
        post = personalise(case, n=n)
        t_post = time.perf_counter() - t
        t = time.perf_counter()
        prognose(case, ids, n=n, posterior=post)
        t_prot = time.perf_counter() - t
        rate = n * len(ids) / t_prot
        print(f"{n:>5} {t_post:>14.1f} {t_prot:>12.1f} {t_post + t_prot:>8.1f} "
              f"{_cpu_s() - cpu:>6.1f} {rate:>7.1f} {post.ess_:>6.1f}")


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
