"""Benchmark: a full prognosis of one case with default settings, over seeds, beside
libRoadRunner's time for one man of the reference scenario (issue 17), in one run.

For seeds 1..S: the time to personalise his twin and forecast every appropriate protocol
(wall and CPU time: on a loaded machine the CPU time over two says what the wall time
would be on two free cores), each protocol's probability by MONTH, its Monte Carlo
standard error (``basis.mc_se``), whether the prognosis is low confidence, and each
protocol's deviation from the converged value. Then per protocol the mean, the sd over
seeds and the largest deviation (targets: sd <= 0.015, every seed within 0.03).
libRoadRunner (the peer of ``bench/peers.py``, its settings) runs ``--peer-n`` men of the
reference scenario one after another; its time per man is the yardstick (target: a
prognosis in at most 3x that).

The converged value: ``--reference`` computes it (``--reference-seeds`` prognoses of
``--reference-men`` virtual men, each man with FORECAST_MEN - 1 companions, pooled: the mean
of the runs, its standard error from their spread and their own mc_se) and stores it in
REFERENCE (tests/reference/, the stored benchmark runs); every later run reads it (a case
without a stored reference is compared with its seeds' mean). Run on demand:

    python bench/prognosis.py [CASE] [--seeds 5] [--particles N] [--month 12] [--peer-n 5]
    python bench/prognosis.py [CASE] --reference [--reference-men 1024] [--reference-seeds 3]
"""

from __future__ import annotations

import argparse
import json
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
from androcast.labs import Case, load_case
from androcast.prognosis import DEFAULT_PARTICLES, MONTHS, appropriate_protocols, prognose
from androcast.twin.companions import FORECAST_MEN

PEER_RTOL = 1e-5  # bench/peers.py's peer tolerance
REFERENCE = Path(__file__).parents[1] / "tests" / "reference" / "prognosis_reference.json"
#: Seeds of the reference runs (apart from the benchmark's 1..S).
REFERENCE_SEED = 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_case_argument(parser)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--particles", type=int, default=DEFAULT_PARTICLES)
    parser.add_argument("--reference", action="store_true",
                        help=f"compute and store the converged value ({REFERENCE.name})")
    parser.add_argument("--reference-men", type=int, default=1024)
    parser.add_argument("--reference-seeds", type=int, default=3)
    parser.add_argument("--month", type=float, default=12.0)
    parser.add_argument("--peer-n", type=int, default=5, help="libRoadRunner's men")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=RuntimeWarning, module="scipy.integrate")
    print(f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}; "
          f"CPUs {os.cpu_count()}")

    case = load_case(args.case)
    ids = [p.id for p in appropriate_protocols(interpret(case))]
    # the default months (to 24): the time is that of the prognosis a clinician gets
    months = tuple(sorted({*MONTHS, args.month}))
    at = months.index(args.month)
    prognose(case, ids, n=2, months=months)  # build/load the compiled kernels once
    if args.reference:
        _store_reference(case, _case_key(args.case), ids, months, args.reference_men,
                         args.reference_seeds)
        return
    stored = _stored_reference(_case_key(args.case), months)
    one_man, one_man_cpu = _roadrunner_one_man(args.peer_n)
    print(f"libRoadRunner, reference scenario: {one_man:.3f} s per man, CPU {one_man_cpu:.3f} s "
          f"(serial, {args.peer_n} men, rtol {PEER_RTOL:g})")
    rows: list[dict[str, float]] = []
    wall, cpu = [], []
    reference = {i: v[at] for i, v in (stored or {}).items()}
    label = (f"the stored converged value, {REFERENCE.name}" if stored else
             "the seeds' mean (no stored converged value)")
    print(f"case {args.case}; {args.particles} virtual men; P by month {args.month:g} and its "
          f"deviation from {label}")
    print(f"{'seed':>4} {'wall s':>7} {'CPU s':>6} {'low conf':>8}  "
          + " ".join(f"{i:>22}" for i in ids))
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
        dev = {i: row[i] - reference.get(i, float("nan")) for i in ids}
        print(f"{seed:>4} {wall[-1]:>7.1f} {cpu[-1]:>6.1f} {result.low_confidence!s:>8}  "
              + " ".join(f"{row[i]:>7.3f} ±{se[i]:.3f} {dev[i]:>+6.3f}" for i in ids),
              flush=True)
    for i in ids:  # a protocol without a stored value: the seeds' mean
        reference.setdefault(i, float(np.mean([r[i] for r in rows])))
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


def _case_key(path: str) -> str:
    """The case's name in REFERENCE: its file name (no machine path)."""
    return Path(path).name


def _stored_reference(key: str, months: tuple[float, ...]) -> dict[str, list[float]] | None:
    """Each protocol's stored converged probability by ``months`` (None: not stored)."""
    if not REFERENCE.exists():
        return None
    entry = json.loads(REFERENCE.read_text(encoding="utf-8")).get("cases", {}).get(key)
    if entry is None or [float(m) for m in entry["months"]] != list(months):
        return None
    return {i: v["probability"] for i, v in entry["protocols"].items()}


def _store_reference(case: Case, key: str, ids: list[str], months: tuple[float, ...],
                     men: int, seeds: int) -> None:
    """Pool ``seeds`` prognoses of ``men`` virtual men into REFERENCE (module doc)."""
    load = os.getloadavg()
    runs = []
    for k in range(seeds):
        t, c = time.perf_counter(), _cpu_s()
        result = prognose(case, ids, n=men, seed=REFERENCE_SEED + k, months=months,
                          forecast_men=FORECAST_MEN)[0]
        runs.append({f.protocol.id: (f.curve.probability, f.curve.mc_se)
                     for f in result.protocols})
        print(f"reference seed {REFERENCE_SEED + k}: {men} men x {FORECAST_MEN}, "
              f"{time.perf_counter() - t:.0f} s, CPU {_cpu_s() - c:.0f} s, converged "
              f"{result.posterior.converged_ if result.posterior else None}", flush=True)
    protocols: dict[str, dict[str, list[float] | list[list[float]]]] = {}
    for i in ids:
        p = np.array([r[i][0] for r in runs])
        own = np.array([r[i][1] for r in runs])
        # the pooled mean's error: the runs' spread, never below their own reported errors
        spread = p.std(axis=0, ddof=1) / np.sqrt(seeds) if seeds > 1 else own[0]
        se = np.maximum(spread, np.sqrt(np.mean(own**2, axis=0) / seeds))
        mean = [round(float(v), 4) for v in p.mean(axis=0)]
        error = [round(float(v), 4) for v in se]
        protocols[i] = {"probability": mean, "se": error,
                        "runs": [[round(float(v), 4) for v in row] for row in p]}
        print(f"{i:>16} " + " ".join(f"{m:g}: {v:.3f}±{e:.3f}" for m, v, e in
                                     zip(months, mean, error, strict=True)))
    data = json.loads(REFERENCE.read_text(encoding="utf-8")) if REFERENCE.exists() else {}
    data.setdefault("cases", {})[key] = {
        "months": list(months), "virtual_men": men, "forecast_men": FORECAST_MEN,
        "seeds": [REFERENCE_SEED + k for k in range(seeds)], "protocols": protocols,
        "load_average": [round(v, 2) for v in (*load, *os.getloadavg())]}
    REFERENCE.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"stored in {REFERENCE.relative_to(REFERENCE.parents[2])}")


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
