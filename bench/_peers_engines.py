"""The engines of bench/peers.py: the same men and regimen through each solver.

Every engine returns the four compared observables as (days, men) arrays on the daily grid,
so the bench can time them and compare them with the same code.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from androcast.io.sbml import export_sbml
from androcast.model.parameters import Parameters
from androcast.model.pharmacology import build_species, route_ka
from androcast.model.rhs import STATE_NAMES
from androcast.model.steady_state import steady_state
from androcast.prognosis.accuracy import panel_men
from androcast.regimens import DoseSchedule, Regimen, compile_regimen, load_regimen
from androcast.simulate import SolverOptions, simulate
from androcast.simulate.batch import simulate_batch

FloatArray = NDArray[np.float64]
Observed = dict[str, FloatArray]

OBSERVABLES = ("testosterone_total", "lh", "fsh", "sperm_concentration")
#: The reference scenario ends 26 weeks after cessation of TRT (730 days from its first dose).
END_D = 26 * 7.0 + 2.0


@dataclasses.dataclass(frozen=True)
class Scenario:
    """The regimen, its compiled schedule and the daily output grid."""

    regimen: Regimen
    schedule: DoseSchedule
    t_start_d: float
    t_d: FloatArray


def scenario(path: str) -> Scenario:
    regimen = load_regimen(path)
    t_start = min(e.start_d for e in regimen.entries)
    end = t_start + 730.0
    schedule = compile_regimen(regimen, t_start_d=t_start, t_end_d=end)
    return Scenario(regimen, schedule, t_start, np.arange(t_start, end + 0.5, 1.0))


def population(n: int, seed: int) -> Parameters:
    """n men (ages 25-55, the shipped fit's IIV); man k is the same man for any n, so the
    peers' men are the first of androcast's (the accuracy panel's men)."""
    return panel_men(n, seed)


def man(p: Parameters, k: int) -> Parameters:
    """Man k of a population, as floats."""
    return dataclasses.replace(p, **{f.name: float(np.ravel(getattr(p, f.name))[
        k if np.ndim(getattr(p, f.name)) else 0]) for f in dataclasses.fields(p)})


def run_androcast(p: Parameters, n: int, sc: Scenario, control: SolverOptions,
                  threads: int | None, lockstep: bool = True) -> Observed:
    """``lockstep=False``: the compiled kernel's one-man-at-a-time loop (the engine before
    the lockstep lanes; bit-identical results)."""
    out = simulate_batch(p, [sc.schedule] * n, sc.t_d, t_start_d=sc.t_start_d, control=control,
                         observables=OBSERVABLES, threads=threads, lockstep=lockstep)
    return {name: np.asarray(out.values[name]) for name in OBSERVABLES}


def run_scipy(men: Sequence[Parameters], sc: Scenario, solver: SolverOptions) -> Observed:
    """One ``simulate`` per man (doses as events between breakpoints), stacked."""
    runs = [simulate(m, sc.schedule, days=float(sc.t_d[-1]), start_d=sc.t_start_d,
                     solver=solver) for m in men]
    return {name: np.column_stack([r.values[name] for r in runs]) for name in OBSERVABLES}


# -- libroadrunner ---------------------------------------------------------------------
# One SBML document (the reference man's), JIT-compiled once per process; each man then
# sets his parameters, drug constants and drug-free steady state and runs from time 0.


@cache
def _roadrunner(sbml: str) -> Any:
    import roadrunner  # optional peer: loaded only when benchmarked

    return roadrunner.RoadRunner(sbml)


def sbml_text(sc: Scenario) -> str:
    return export_sbml(None, sc.regimen, days=float(sc.t_d[-1])).text


def man_values(m: Parameters, sc: Scenario, ids: frozenset[str]) -> dict[str, float]:
    """SBML values of one man: his parameters, drug constants and initial states."""
    values = {f.name: float(getattr(m, f.name)) for f in dataclasses.fields(m)
              if f.name in ids}
    ka = {d.drug: k for d in sc.schedule.doses if (k := route_ka(d.drug, d.route)) is not None}
    for sp in build_species({d.drug for d in sc.schedule.doses}, m, ka):
        for f in dataclasses.fields(sp):
            name = f"{sp.code}_{f.name}"
            if name in ids:
                values[name] = float(getattr(sp, f.name))
    values.update(zip(STATE_NAMES, (float(v) for v in steady_state(m)), strict=True))
    return values


def roadrunner_ids(sbml: str) -> frozenset[str]:
    rr = _roadrunner(sbml)
    return frozenset(rr.model.getGlobalParameterIds())


def run_roadrunner_men(sbml: str, men_values: Sequence[Mapping[str, float]], days: int,
                       rtol: float, atol: float) -> Observed:
    rr = _roadrunner(sbml)
    rr.integrator.relative_tolerance = rtol
    rr.integrator.absolute_tolerance = atol
    rr.timeCourseSelections = ["time", *OBSERVABLES]
    columns: dict[str, list[FloatArray]] = {name: [] for name in OBSERVABLES}
    for values in men_values:
        rr.resetAll()
        for name, value in values.items():
            rr.setValue(name, value)
        result = rr.simulate(0.0, float(days), days + 1)
        for j, name in enumerate(OBSERVABLES, start=1):
            columns[name].append(np.asarray(result[:, j], dtype=float))
    return {name: np.column_stack(v) for name, v in columns.items()}


def run_roadrunner_pool(sbml: str, men_values: Sequence[Mapping[str, float]], days: int,
                        rtol: float, atol: float, pool: ProcessPoolExecutor,
                        workers: int) -> Observed:
    """The men split into ``workers`` contiguous chunks, one per process."""
    bounds = np.linspace(0, len(men_values), workers + 1).astype(int)
    futures = [pool.submit(run_roadrunner_men, sbml, list(men_values[a:b]), days, rtol, atol)
               for a, b in itertools.pairwise(bounds) if b > a]
    parts = [f.result() for f in futures]
    return {name: np.column_stack([part[name] for part in parts]) for name in OBSERVABLES}


def warm_pool(sbml: str, pool: ProcessPoolExecutor, workers: int) -> None:
    """Load (JIT-compile) the model in every worker before timing."""
    for f in [pool.submit(roadrunner_ids, sbml) for _ in range(workers)]:
        f.result()


def max_rel_error(got: Observed, want: Observed) -> float:
    """Largest |got - want| / want over the compared observables, days and men."""
    return max(float(np.max(np.abs(got[name] - want[name]) / np.abs(want[name])))
               for name in OBSERVABLES)
