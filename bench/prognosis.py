"""Benchmark: a full prognosis of one case with default settings, over seeds, beside
libRoadRunner's time for one man of the reference scenario (issue 17), in one run.

For seeds 1..S: the time to personalise his twin and forecast every appropriate protocol
(wall and CPU time: on a loaded machine the CPU time over two says what the wall time
would be on two free cores), each protocol's probability by MONTH, its Monte Carlo
standard error (``basis.mc_se``), and whether the prognosis is low confidence. Then per
protocol the mean, the sd over seeds and the largest distance of a seed from the
reference: the seeds' mean, or with ``--reference N`` one prognosis of N virtual men
(seed 1000) as the converged value. libRoadRunner (the peer of ``bench/peers.py``, its
settings) runs ``--peer-n`` men of the reference scenario one after another; its time per
man is the yardstick (target: a prognosis in at most 3x that). Run on demand:

    python bench/prognosis.py [CASE] [--seeds 5] [--particles N] [--reference N]
        [--month 12] [--peer-n 5]
"""

from __future__ import annotations

import argparse
import os
import resource
import time
import warnings
from importlib.resources import files
from pathlib import Path

import _peers_engines as engines  # bench/ is on sys.path when run as a script
import numpy as np
from _cases import add_case_argument

from androcast.interpret import interpret
from androcast.labs import load_case
from androcast.prognosis import DEFAULT_PARTICLES, MONTHS, appropriate_protocols, prognose

PEER_RTOL = 1e-5  # bench/peers.py's peer tolerance


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_case_argument(parser)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--particles", type=int, default=DEFAULT_PARTICLES)
    parser.add_argument("--reference", type=int, default=None,
                        help="virtual men of one reference prognosis (default: seeds' mean)")
    parser.add_argument("--month", type=float, default=12.0)
    parser.add_argument("--peer-n", type=int, default=5, help="libRoadRunner's men")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=RuntimeWarning, module="scipy.integrate")
    print(f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}; "
          f"CPUs {os.cpu_count()}")
    one_man, one_man_cpu = _roadrunner_one_man(args.peer_n)
    print(f"libRoadRunner, reference scenario: {one_man:.3f} s per man, CPU {one_man_cpu:.3f} s "
          f"(serial, {args.peer_n} men, rtol {PEER_RTOL:g})")

    case = load_case(args.case)
    ids = [p.id for p in appropriate_protocols(interpret(case))]
    # the default months (to 24): the time is that of the prognosis a clinician gets
    months = tuple(sorted({*MONTHS, args.month}))
    at = months.index(args.month)
    prognose(case, ids, n=2, months=months)  # build/load the compiled kernels once
    rows: list[dict[str, float]] = []
    wall, cpu = [], []
    print(f"case {args.case}; {args.particles} virtual men; P by month {args.month:g}")
    print(f"{'seed':>4} {'wall s':>7} {'CPU s':>6} {'low conf':>8}  "
          + " ".join(f"{i:>16}" for i in ids))
    for seed in range(1, args.seeds + 1):
        t, c = time.perf_counter(), _cpu_s()
        result = prognose(case, ids, n=args.particles, seed=seed, months=months)[0]
        wall.append(time.perf_counter() - t)
        cpu.append(_cpu_s() - c)
        row = {f.protocol.id: f.curve.probability[at] for f in result.protocols}
        se = {f.protocol.id: f.curve.mc_se[at] for f in result.protocols}
        rows.append(row)
        if seed == 1:
            print(f"  (forecast men: {result.forecast_men}, the {args.particles} men of his "
                  "posterior with their companions)")
        print(f"{seed:>4} {wall[-1]:>7.1f} {cpu[-1]:>6.1f} {result.low_confidence!s:>8}  "
              + " ".join(f"{row[i]:>8.3f} ±{se[i]:.3f}" for i in ids), flush=True)
    if args.reference:
        result = prognose(case, ids, n=args.reference, seed=1000, months=months)[0]
        reference = {f.protocol.id: f.curve.probability[at] for f in result.protocols}
        label = f"{args.reference} men, seed 1000"
    else:
        reference = {i: float(np.mean([r[i] for r in rows])) for i in ids}
        label = "the seeds' mean"
    print(f"\nper protocol (reference: {label})")
    print(f"{'protocol':>16} {'reference':>9} {'mean':>6} {'sd':>6} {'max |dev|':>9}"
          "   (targets: sd <= 0.015, max |dev| <= 0.03)")
    for i in ids:
        p = np.array([r[i] for r in rows])
        print(f"{i:>16} {reference[i]:>9.3f} {p.mean():>6.3f} {p.std(ddof=1):>6.3f} "
              f"{np.max(np.abs(p - reference[i])):>9.3f}")
    # on two free cores the prognosis (two threads) takes about its CPU time / 2 and
    # libRoadRunner (serial) its CPU time: the CPU ratio holds under load, the wall one not
    print(f"\nprognosis: wall {np.mean(wall):.1f} s, CPU {np.mean(cpu):.1f} s per seed; "
          f"libRoadRunner one man: wall {one_man:.3f} s, CPU {one_man_cpu:.3f} s; ratio wall "
          f"{np.mean(wall) / one_man:.1f}x, (CPU / 2) / CPU {np.mean(cpu) / 2 / one_man_cpu:.1f}x "
          f"(target <= 3x)")
    print(f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


def _roadrunner_one_man(n: int) -> tuple[float, float]:
    """libRoadRunner's wall and CPU time per man of the reference scenario."""
    path = Path(str(files("androcast.examples").joinpath(
        "regimens/trt_then_clomiphene_hcg.yaml")))
    sc = engines.scenario(str(path))
    men = [engines.man(engines.population(n, 2024), k) for k in range(n)]
    sbml = engines.sbml_text(sc)
    ids = engines.roadrunner_ids(sbml)  # JIT once, outside the timing
    values = [engines.man_values(m, sc, ids) for m in men]
    t, c = time.perf_counter(), _cpu_s()
    engines.run_roadrunner_men(sbml, values, len(sc.t_d) - 1, PEER_RTOL, PEER_RTOL * 1e-2)
    return (time.perf_counter() - t) / n, (_cpu_s() - c) / n


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
