"""Cost of gonadorelin in the batched engine (run on demand).

GnRH-deficient men (pulse mass 1 % of normal, x lognormal CV ~30 %) for 730 days of daily
output: the gonadorelin_pulsatile protocol (5 ug s.c. by pump every 90 min: 11,680 pulses,
which the averaged mode sees as one pump run), watchful waiting (no drug) for comparison, and
the one-patient averaged simulator on the pump. Prints one JSON line per case: compile time
of the schedule, wall and CPU seconds of the batch (after the kernel is built), steps per man.

    python bench/gnrh.py [--n 10 100] [--rtol 1e-3] [--threads 2]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from androcast.model.parameters import reference_parameters
from androcast.regimens import Regimen, compile_regimen, parse_regimen
from androcast.simulate import SolverOptions, simulate
from androcast.simulate.batch import simulate_batch

DAYS = 730.0
PUMP = [{"drug": "gonadorelin", "dose": "5 ug", "route": "sc_pump", "every": "90 min",
         "start": "0 d", "duration": f"{DAYS:g} d"}]


def run(name: str, regimen: Regimen, n: int, control: SolverOptions, threads: int) -> None:
    p0 = reference_parameters()
    rng = np.random.default_rng(1)
    p = p0.replace(gnrh_factor=0.01 * rng.lognormal(0.0, 0.3, n))
    started = time.perf_counter()
    schedule = compile_regimen(regimen, t_start_d=0.0, t_end_d=DAYS) if regimen.entries else (
        compile_regimen(Regimen(), t_start_d=0.0, t_end_d=DAYS))
    compile_s = time.perf_counter() - started
    t = np.arange(0.0, DAYS, 1.0)
    simulate_batch(p, [schedule] * n, t[:2], t_start_d=0.0, control=control,
                   threads=threads)  # build the kernel outside the timing
    wall, cpu = time.perf_counter(), time.process_time()
    out = simulate_batch(p, [schedule] * n, t, t_start_d=0.0, control=control, threads=threads,
                         observables=["testosterone_total", "lh"])
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert out.steps is not None
    print(json.dumps({"case": name, "n": n, "pulses": len(schedule.doses),
                      "schedule_compile_s": round(compile_s, 4), "wall_s": round(wall, 3),
                      "cpu_s": round(cpu, 3), "ms_per_man_cpu": round(1e3 * cpu / n, 2),
                      "steps_per_man": float(np.mean(out.steps)),
                      "t_day_729_median": round(float(np.median(
                          out.values["testosterone_total"][-1])), 2)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[10, 100])
    parser.add_argument("--rtol", type=float, default=1e-3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    control = SolverOptions(rtol=args.rtol, atol=1e-5)
    for n in args.n:
        run("gonadorelin_pulsatile", parse_regimen(PUMP), n, control, args.threads)
        run("watchful_waiting", Regimen(), n, control, args.threads)
    deficient = reference_parameters().replace(gnrh_factor=0.01)
    started = time.perf_counter()
    simulate(deficient, parse_regimen(PUMP), days=DAYS)
    print(json.dumps({"case": "one-patient averaged, pump", "n": 1,
                      "wall_s": round(time.perf_counter() - started, 3)}))


if __name__ == "__main__":
    main()
