"""Run a twin's particles through regimens with the batched (compiled) engine."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from androcast.model import Parameters
from androcast.regimens import Regimen, compile_regimen
from androcast.simulate.batch import simulate_batch
from androcast.simulate.options import SolverOptions

FloatArray = NDArray[np.float64]

#: Integrator tolerances of the twin (personalisation and prognosis). Looser than the
#: population engine's 1e-4 (population.engine.ModelEngine): the twin scores results of
#: 15-40 % measurement error and reads outcomes on a weekly grid; at 1e-3 the full prognosis of
#: the post-TRT and post-AAS examples (64 men, 6 protocols) gave the same probabilities to
#: the 4th decimal as at 1e-4 in 55-65 % of the time (bench/prognosis.py).
CONTROL = SolverOptions(rtol=1e-3, atol=1e-5)


def tile_parameters(p: Parameters, reps: int) -> Parameters:
    """The N men's parameters repeated ``reps`` times (block r of N men is copy r)."""
    changes: dict[str, FloatArray] = {}
    for f in dataclasses.fields(p):
        value = getattr(p, f.name)
        if np.ndim(value) == 1:
            changes[f.name] = np.tile(np.asarray(value, dtype=float), reps)
    return p.replace(**changes) if changes else p


def simulate_regimens(
    p: Parameters,
    regimens: Sequence[Regimen],
    t_d: FloatArray,
    observables: Sequence[str],
) -> dict[str, FloatArray]:
    """Observables (len(t_d), len(regimens)) of man k on regimen k, from his steady state.

    Integration starts before the first dose and the first output time, drug-free.
    """
    starts = [e.start_d for r in regimens for e in r.entries]
    t_start = min([0.0, float(t_d[0]) - 1.0, *starts])
    t_end = float(t_d[-1]) + 1.0
    # a regimen shared by many men is compiled once (the engine then builds its events once)
    compiled = {id(r): compile_regimen(r, t_start_d=t_start, t_end_d=t_end) for r in regimens}
    schedules = [compiled[id(r)] for r in regimens]
    trajectory = simulate_batch(p, schedules, np.asarray(t_d, dtype=float),
                                t_start_d=t_start, control=CONTROL, observables=observables)
    return {name: np.asarray(trajectory.values[name]) for name in observables}
