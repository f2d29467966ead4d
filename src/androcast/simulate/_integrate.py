"""Integrate one man between dose events: boluses jump depot states, pulses kick GnRH."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.integrate import solve_ivp

from androcast.errors import UnitError
from androcast.model._math import SCALAR
from androcast.model.parameters import FloatArray, Parameters
from androcast.model.pharmacology import (
    STATES_PER_SPECIES,
    Species,
    dose_targets,
    is_gnrh,
)
from androcast.model.rhs import N_PHYSIOLOGY, STATE_NAMES, Inputs, rhs
from androcast.regimens import Dose, DoseSchedule
from androcast.simulate.options import SolverOptions, Status

_G = STATE_NAMES.index("G")
#: A negative state beyond this (relative to its scale) is a failure, not round-off.
_NEGATIVE_SLACK = 1e-6
#: An input edge this close before an output time has already switched at that time (the
#: compiled batch engine's tolerance too).
EDGE_SLACK_D = 1e-9
#: Body weight used to turn ng/kg gonadorelin doses into µg (a design choice).
BODY_WEIGHT_KG = 75.0


@dataclass(frozen=True)
class PumpRun:
    """Regular gonadorelin pulses, seen by the averaged mode as a mean occupancy."""

    start_d: float
    stop_d: float
    pulse_ug: float
    frequency_per_d: float


def gonadorelin_ug(dose: Dose) -> float:
    if dose.unit == "ug":
        return dose.amount
    if dose.unit == "ng/kg":
        return dose.amount * BODY_WEIGHT_KG / 1000.0
    if dose.unit == "mg":
        return dose.amount * 1000.0
    raise UnitError(f"{dose.drug}.unit", dose.unit, "ug, mg or ng/kg for gonadorelin")


def pump_runs(doses: Sequence[Dose], default_interval_d: float) -> tuple[PumpRun, ...]:
    """Group gonadorelin boluses into runs of equal, regularly spaced pulses."""
    runs: list[PumpRun] = []
    pulses = sorted((d for d in doses if is_gnrh(d.drug)), key=lambda d: d.t_d)
    i = 0
    while i < len(pulses):
        j = i
        amount = gonadorelin_ug(pulses[i])
        gap = pulses[i + 1].t_d - pulses[i].t_d if i + 1 < len(pulses) else default_interval_d
        gap = gap if gap <= 1.0 else default_interval_d
        while (j + 1 < len(pulses) and abs(pulses[j + 1].t_d - pulses[j].t_d - gap) < 1e-6
               and gonadorelin_ug(pulses[j + 1]) == amount):
            j += 1
        # start + count x gap, not last + gap: summed round-off would put the run's end a
        # hair before the regimen's stop, a needless extra breakpoint
        runs.append(PumpRun(pulses[i].t_d, pulses[i].t_d + (j - i + 1) * gap, amount, 1.0 / gap))
        i = j + 1
    return tuple(runs)


def gnrh_inputs(schedule: DoseSchedule, runs: Sequence[PumpRun],
                t: float) -> tuple[float, float, float]:
    """Gonadorelin inputs at ``t`` (right-continuous): continuous rate (µg/d), and the pulse
    (µg) and frequency (1/d) of the pump run then in progress (the averaged mode's pump).

    The one definition of what gonadorelin the averaged model sees, for the one-patient
    simulator and the batch engine alike.
    """
    rate = sum(gonadorelin_ug(Dose(t, inf.drug, inf.route, inf.rate_per_d, inf.unit))
               for inf in schedule.infusions
               if is_gnrh(inf.drug) and inf.start_d <= t < inf.stop_d)
    pulse_ug = frequency = 0.0
    for run in runs:
        if run.start_d <= t < run.stop_d:
            pulse_ug, frequency = run.pulse_ug, run.frequency_per_d
    return float(rate), pulse_ug, frequency


def gnrh_edges(schedule: DoseSchedule, runs: Sequence[PumpRun]) -> tuple[float, ...]:
    """The times at which :func:`gnrh_inputs` may change (sorted)."""
    times = {e for inf in schedule.infusions if is_gnrh(inf.drug)
             for e in (inf.start_d, inf.stop_d)}
    times.update(e for run in runs for e in (run.start_d, run.stop_d))
    return tuple(sorted(times))


class Integrator:
    """Piecewise integration of one man; built per simulation."""

    def __init__(self, p: Parameters, species: tuple[Species, ...], schedule: DoseSchedule,
                 pulsatile: bool, solver: SolverOptions, rng: np.random.Generator | None):
        self.p = p
        self.species = species
        self.index = {sp.code: j for j, sp in enumerate(species)}
        self.schedule = schedule
        self.pulsatile = pulsatile
        self.solver = solver
        self.rng = rng
        self.runs = () if pulsatile else pump_runs(schedule.doses, float(p.tau0))

    # -- inputs between events ---------------------------------------------------------
    def inputs(self, t: float) -> Inputs:
        infusion = [0.0] * len(self.species)
        for inf in self.schedule.infusions:
            if inf.start_d <= t < inf.stop_d and not is_gnrh(inf.drug):
                for target in dose_targets(inf.drug, inf.route):
                    infusion[self.index[target.species]] += inf.rate_per_d * target.fraction
        gnrh_rate, pump_ug, pump_f = gnrh_inputs(self.schedule, self.runs, t)
        return Inputs(pulsatile=1.0 if self.pulsatile else 0.0, gnrh_infusion_ug_per_d=gnrh_rate,
                      pump_pulse_ug=pump_ug, pump_frequency_per_d=pump_f,
                      infusion=tuple(infusion))

    def observed_inputs(self, t_d: FloatArray) -> Inputs:
        """The species' infusion rates at every output time (right-continuous, an edge
        within 1e-9 d counted as passed, as the compiled batch engine does). Serum T is
        quasi-steady: testosterone given as a rate (an infusion, gel) is in the observed
        T only through these inputs."""
        rates = np.zeros((len(self.species), t_d.size))
        for inf in self.schedule.infusions:
            if is_gnrh(inf.drug):
                continue
            on = (t_d >= inf.start_d - EDGE_SLACK_D) & (t_d < inf.stop_d - EDGE_SLACK_D)
            for target in dose_targets(inf.drug, inf.route):
                rates[self.index[target.species], on] += inf.rate_per_d * target.fraction
        return Inputs(pulsatile=1.0 if self.pulsatile else 0.0,
                      infusion=tuple(rates) if np.any(rates) else ())

    # -- events ------------------------------------------------------------------------
    def apply_dose(self, y: FloatArray, dose: Dose) -> None:
        if is_gnrh(dose.drug):
            if self.pulsatile:
                y[_G] += float(self.p.gamma_GnRH) * gonadorelin_ug(dose)
            return
        for target in dose_targets(dose.drug, dose.route):
            j = self.index[target.species]
            y[N_PHYSIOLOGY + STATES_PER_SPECIES * j + target.compartment] += (
                dose.amount * target.fraction)

    def next_pulse_interval(self, y: FloatArray, t: float) -> tuple[float, float]:
        """Mass (K_G units) and interval (d) of the endogenous pulse fired now."""
        _, obs = rhs(t, y, self.p, self.inputs(t), self.species, observe=True)
        interval = float(obs["pulse_interval"])
        if self.rng is not None:
            cv = float(self.p.pulse_cv)
            shape = 1.0 / cv**2
            interval *= float(self.rng.gamma(shape, 1.0 / shape))
        return float(obs["pulse_mass"]), interval

    def _segment_rhs(self, u: Inputs) -> Callable[[float, FloatArray], FloatArray]:
        def fun(t: float, y: FloatArray) -> FloatArray:
            # Python floats are faster than numpy scalars; overshoot below 0 is clipped
            try:
                return np.asarray(rhs(t, np.maximum(y, 0.0).tolist(), self.p, u, self.species,
                                      xp=SCALAR))
            except (ZeroDivisionError, OverflowError, ValueError):
                return np.full(y.shape, np.nan)  # reported as a failed status, not a crash

        return fun

    # -- the run -----------------------------------------------------------------------
    def run(self, y0: FloatArray, t0: float, t1: float,
            t_out: FloatArray) -> tuple[FloatArray, FloatArray, Status]:
        # averaged mode: a pump pulse is no event, its run's edges are (inputs change there)
        doses = sorted((d for d in self.schedule.doses
                        if self.pulsatile or not is_gnrh(d.drug)), key=lambda d: d.t_d)
        events = sorted({*(d.t_d for d in doses),
                         *(e for i in self.schedule.infusions for e in (i.start_d, i.stop_d)),
                         *(r.start_d for r in self.runs), *(r.stop_d for r in self.runs)})
        events = [e for e in events if t0 <= e < t1]
        di = 0
        y = y0.copy()
        t = t0
        next_pulse = t0 if self.pulsatile else np.inf
        out_t: list[FloatArray] = []
        out_y: list[FloatArray] = []
        ei = 0
        scale = np.maximum(np.abs(y0), 1.0)
        while t < t1:
            while di < len(doses) and doses[di].t_d <= t + 1e-12:
                self.apply_dose(y, doses[di])
                di += 1
            if self.pulsatile and next_pulse <= t + 1e-12:
                mass, interval = self.next_pulse_interval(y, t)
                y[_G] += mass
                next_pulse = t + interval
            while ei < len(events) and events[ei] <= t + 1e-12:
                ei += 1
            t_next = min(t1, next_pulse, events[ei] if ei < len(events) else np.inf)
            if di < len(doses):
                t_next = min(t_next, doses[di].t_d)
            if t_next - t < 1e-10:  # coincident events: nothing to integrate
                t = t_next
                continue
            mask = (t_out >= t) & (t_out < t_next) if t_next < t1 else (t_out >= t) & (t_out <= t1)
            u = self.inputs(t)
            fun = self._segment_rhs(u)
            kwargs = {} if self.solver.max_step_d is None else {"max_step": self.solver.max_step_d}
            t_keep = t_out[mask]
            t_eval = t_keep if t_keep.size and t_keep[-1] >= t_next else np.append(t_keep, t_next)
            sol = solve_ivp(fun, (t, t_next), y, method=self.solver.method,
                            rtol=self.solver.rtol, atol=self.solver.atol,
                            t_eval=t_eval, **kwargs)
            if sol.status < 0 or sol.t.size < t_eval.size:
                return _stack(out_t, out_y, y.size), np.array([t]), Status.step_failed
            if np.any(sol.y < -_NEGATIVE_SLACK * scale[:, None]):
                return _stack(out_t, out_y, y.size), np.array([t]), Status.negative
            if t_keep.size:  # values above -slack are round-off of states decaying to 0
                out_t.append(sol.t[: t_keep.size])
                out_y.append(np.maximum(sol.y[:, : t_keep.size], 0.0))
            y = sol.y[:, -1].copy()
            if not np.all(np.isfinite(y)):
                return _stack(out_t, out_y, y.size), np.array([t_next]), Status.nonfinite
            if np.any(y < -_NEGATIVE_SLACK * scale):
                return _stack(out_t, out_y, y.size), np.array([t_next]), Status.negative
            y = np.maximum(y, 0.0)
            t = t_next
        return _stack(out_t, out_y, y.size), np.array([t1]), Status.success


def _stack(ts: list[FloatArray], ys: list[FloatArray], n: int) -> FloatArray:
    if not ts:
        return np.zeros((n + 1, 0))
    return np.vstack([np.concatenate(ts), np.concatenate(ys, axis=1)])
