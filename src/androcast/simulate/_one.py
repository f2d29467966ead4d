"""simulate(): one man, one regimen, from his drug-free steady state."""

from __future__ import annotations

from typing import Literal

import numpy as np

from androcast.drugs import get_drug
from androcast.errors import SimulationError
from androcast.model.pharmacology import STATES_PER_SPECIES, build_species, route_ka
from androcast.model.rhs import N_PHYSIOLOGY, STATE_NAMES, rhs
from androcast.model.steady_state import steady_state
from androcast.regimens import DoseSchedule, Regimen, compile_regimen
from androcast.simulate._integrate import Integrator
from androcast.simulate._patient import PatientLike, history_of, parameters_of
from androcast.simulate.options import SolverOptions, Status
from androcast.simulate.trajectory import OBSERVABLE_UNITS, Trajectory

Mode = Literal["averaged", "pulsatile"]
_PULSATILE_OUTPUT_STEP_D = 5.0 / 1440.0


def simulate(
    patient_or_case: PatientLike,
    regimen_or_schedule: Regimen | DoseSchedule | None = None,
    *,
    days: float,
    mode: Mode = "averaged",
    solver: SolverOptions = SolverOptions(),  # noqa: B008 - frozen, immutable default
    seed: int | None = None,
    throw: bool = True,
    start_d: float | None = None,
) -> Trajectory:
    """Simulate one man from his drug-free steady state until day ``days``.

    ``patient_or_case``: a Case (covariates from the patient and labs; its androgen history
    is prepended via ``regimen_from_history``), a Patient, model Covariates or Parameters,
    or None for the reference man. ``regimen_or_schedule``: a Regimen (time 0 = cessation
    of androgens or start of treatment) or an already compiled DoseSchedule. The run starts
    at ``start_d`` (default: the first dose, or 0) and the trajectory covers ``[start, days]``.
    ``mode``: "averaged" (pulse-averaged, months-years) or "pulsatile" (GnRH pulses every
    ~95 min; with ``seed`` the intervals are gamma-distributed with CV ``pulse_cv``).
    ``throw=False`` returns a partial trajectory whose ``status`` names the failure.
    """
    if mode not in ("averaged", "pulsatile"):
        raise SimulationError("mode", mode, "averaged or pulsatile")
    if not days > (start_d if start_d is not None else -np.inf) or not np.isfinite(days):
        raise SimulationError("days", days, "a finite end time after the start")
    p = parameters_of(patient_or_case)
    regimen = history_of(patient_or_case)
    if isinstance(regimen_or_schedule, Regimen):
        regimen = regimen.combine(regimen_or_schedule)
    earliest = min([0.0, *(e.start_d for e in regimen.entries)])
    if isinstance(regimen_or_schedule, DoseSchedule):
        schedule = regimen_or_schedule
        earliest = min([earliest, *schedule.breakpoints()])
    t0 = earliest if start_d is None else start_d
    if not days > t0:
        raise SimulationError("days", days, f"an end time after the start ({t0:g} d)")
    if not isinstance(regimen_or_schedule, DoseSchedule):
        schedule = (compile_regimen(regimen, t_start_d=t0, t_end_d=days)
                    if regimen.entries else DoseSchedule((), ()))

    ka = {}
    for dose in schedule.doses:
        if get_drug(dose.drug).route(dose.route).zero_order:  # no depot would absorb it
            raise SimulationError(
                "schedule.doses", f"{dose.drug} {dose.route} bolus at {dose.t_d:g} d",
                "a zero-order route as infusions (compile_regimen releases each application "
                "over its duration)")
        override = route_ka(dose.drug, dose.route)
        if override is not None:
            ka[dose.drug] = override
    species = build_species({d.drug for d in schedule.doses}
                            | {i.drug for i in schedule.infusions}, p, ka)
    y0 = np.concatenate([steady_state(p), np.zeros(STATES_PER_SPECIES * len(species))])
    pulsatile = mode == "pulsatile"
    step = solver.output_step_d or (_PULSATILE_OUTPUT_STEP_D if pulsatile else 1.0)
    t_out = np.arange(t0, days + step * 1e-9, step)
    rng = np.random.default_rng(seed) if (pulsatile and seed is not None) else None
    integrator = Integrator(p, species, schedule, pulsatile, solver, rng)
    out, t_end, status = integrator.run(y0, t0, float(days), t_out)
    if status is not Status.success and throw:
        raise status.error(float(t_end[0]))
    t_d, states = out[0], out[1:]
    _, obs = rhs(t_d, states, p, integrator.observed_inputs(t_d), species, observe=True)
    values = {name: np.asarray(np.broadcast_to(obs[name], t_d.shape), dtype=float)
              for name in OBSERVABLE_UNITS}
    values["testosterone_free"] = values["testosterone_free"] * 1000.0  # nmol/L -> pmol/L
    names = STATE_NAMES + tuple(
        f"{sp.code}.{c}" for sp in species for c in ("depot", "depot_slow", "central",
                                                     "peripheral"))
    assert len(names) == N_PHYSIOLOGY + STATES_PER_SPECIES * len(species)
    return Trajectory(t_d=t_d, values=values, status=status, mode=mode,
                      doses=schedule.doses, states=states, state_names=names)
