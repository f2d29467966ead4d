"""Batched simulation: N virtual men at once, from the model's own right-hand side.

The equations are :func:`androcast.model.rhs.rhs` (states (n, N), parameters floats or
(N,) arrays); nothing here repeats them. Each man has his own dose schedule: boluses are
jumps of his depot states at their times, infusions are piecewise-constant inputs, and the
shared steps of the ROS2 integrator stop at the union of every man's breakpoints. Runs in the
pulse-averaged mode. The drug-free starting state of every man is found by a batched Newton
iteration on the same right-hand side.

Gonadorelin is given as the one-patient simulator's averaged mode gives it (the same
``Inputs`` of the same rhs): a continuous infusion as its rate, a pump as runs of regular
pulses (``pump_runs``: pulse D µg every T days). A pulse kicks portal GnRH by γD (K_G units),
cleared at k_G, so over one period the receptor's mean occupancy against the competitive
load L is (1/T)∫₀ᵀ γD e^(-k_G t)/(γD e^(-k_G t) + L) dt = ln(1 + γD/L)/(k_G T), and its
mean resensitisation block ('hold', Hill n_rec above z_rec) is
ln(1 + (γD/(L z_rec))^n_rec)/(n_rec k_G T), assuming the pulse is cleared before the next
(k_G T >> 1). Desensitisation and release being linear in occupancy, the train's daily
means follow (rhs section (b); tested against the pulse-resolved mode).

Where a forecast's time went (issue 17, ``FORECAST``; bench/peers.py's reference scenario,
compiled engine, one thread, CPU ms per man on the shared machine at load ~19, slower per
step than the figures of ``_batch_integrator_c``): rtol 1e-3 6423 steps 8.3 ms; rtol 1e-2
(the outcome budget holds, see ``prognosis.accuracy``) 3152 steps 4.3 ms; daily clomiphene
as its centred mean rate (``_mean_rate``) 1479 steps 2.4 ms; dense output 1489 steps 2.3 ms;
steps up to 7 d 1338 steps 2.0 ms. What is left: the TRT year 817 steps (~16 a week: T, Fa
and LH after each injection), clomiphene + hCG 456 (~6 per hCG dose), the last 26 weeks 63.
Tried and not kept: 10x looser tolerances on the fast hormonal states (LH, FSH, their
pools, receptor, Blk, Fa, Fe, Fp: 674 steps, but hCG's time to 15 M/mL moved 18.8 d; 3x:
2.8 d), rtol 3e-2 (hCG 3.9 d).

Then the same steps on SIMD lanes (``_batch_lanes``, 8 men per AVX-512 vector, each with
his own steps, bit-identical): 1335 steps (126 refused) a man, 1.46 -> 0.68 CPU ms a man
(one thread, best of 4 runs of 300 men at load ~7). Of what is left, libm's pow() (x^1.9
and the controller's err^(-1/3), lane by lane to stay bit-identical) is ~19 %, the
one-man dense output (derivs and observe at each output) ~17 %. Tried and not kept: 16
lanes (0.99 ms), 4 lanes (0.87 ms), -O3 (no change).

Then (300 men, one thread, the kernel alone, best of 5 alternating at load ~8): rpow's
whole and half exponents on whole vectors and observe computing only the selected
observables (bit-identical) 0.866 -> 0.725 CPU ms a man; x^n for the other exponents and
the controller by the kernels' own ``xpow`` on vectors (``_batch_csource``; lanes and one
man still bit-identical, outputs within 3e-12 of libm's pow(), the same steps) -> 0.635.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import sys
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from androcast.errors import ParameterError, SimulationError
from androcast.model.parameters import Parameters
from androcast.model.pharmacology import (
    STATES_PER_SPECIES,
    Species,
    build_species,
    dose_targets,
    is_gnrh,
    route_ka,
)
from androcast.model.rhs import N_PHYSIOLOGY, Inputs, rhs
from androcast.model.steady_state import reference_state
from androcast.regimens import DoseSchedule
from androcast.simulate import _batch_compiled
from androcast.simulate._batch_inputs import (
    event_table,
    gnrh_rows,
    parameter_matrix,
    typical_size,
)
from androcast.simulate._batch_methods import ROS3, Rosenbrock
from androcast.simulate._batch_rosenbrock import batch_jacobian, integrate_batch
from androcast.simulate._integrate import EDGE_SLACK_D
from androcast.simulate._mean_rate import mean_rate_all
from androcast.simulate.options import BATCH, SolverOptions

FloatArray = NDArray[np.float64]

__all__ = [
    "BatchState",
    "BatchTrajectory",
    "Engine",
    "SolverOptions",
    "batch_species",
    "batch_steady_state",
    "simulate_batch",
    "uses_gnrh",
]


@dataclass(frozen=True)
class BatchState:
    """The full state of N men at one time, to branch further simulations from.

    ``y`` has shape (N_PHYSIOLOGY + 4 x len(species), N): physiology, then the depot,
    slow depot, central and peripheral amounts of each drug species in ``species`` order.
    The species records travel with the state so a branch on other drugs keeps the drugs
    still in the body (a testosterone depot, say) on their own kinetics.
    """

    t_d: float
    y: FloatArray
    species: tuple[Species, ...]


@dataclass(frozen=True)
class BatchTrajectory:
    """Observables of N men at shared times: ``values[name]`` has shape (len(t_d), N).

    ``final`` is every man's full state at the last output time (after doses given then);
    ``steps``/``rejected`` are the integrator's work per man (compiled engine only).
    ``status`` is each man's result (compiled engine): 0 = integrated, 1 = a step fell below
    ``h_min``, 2 = the step budget ran out. With ``throw=False`` a failed man's values are NaN
    and the others are kept, so one stiff man cannot sink a population run.
    """

    t_d: FloatArray
    values: Mapping[str, FloatArray]
    species: tuple[str, ...]
    final: BatchState | None = None
    steps: NDArray[np.int64] | None = None  # compiled engine: steps attempted per man
    rejected: NDArray[np.int64] | None = None  # compiled engine: of which refused
    status: NDArray[np.int32] | None = None  # compiled engine: 0 ok, 1 h_min, 2 max_steps

    @property
    def failed(self) -> NDArray[np.bool_]:
        """Which men did not integrate (all False where the engine reports no status)."""
        n = next(iter(self.values.values())).shape[1] if self.values else 0
        if self.status is None:
            return np.zeros(n, dtype=bool)
        failed: NDArray[np.bool_] = np.asarray(self.status) != 0
        return failed


def _scalar_view(p: Parameters, n: int) -> Parameters:
    """The first man's parameters as floats (for the drug records, which take scalars)."""
    values = {name: getattr(p, name) for name in _field_names()}
    if all(type(v) is float for v in values.values()):
        return p  # already one man's floats
    return dataclasses.replace(p, **{
        name: v if type(v) is float else float(np.ravel(v)[0]) for name, v in values.items()})


@functools.cache  # the fields of a dataclass do not change; dataclasses.fields is slow-ish
def _field_names() -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(Parameters))


def _check_shapes(p: Parameters, n: int) -> None:
    for name in _field_names():
        value = getattr(p, name)
        if type(value) is float:
            continue
        shape = np.shape(value)
        if shape not in ((), (n,)):
            raise ParameterError(f"parameters.{name}", shape, f"a float or an array of ({n},)")


def batch_steady_state(p: Parameters, n: int, *, tol: float = 1e-10) -> FloatArray:
    """Drug-free steady state of every man (pulse-averaged), shape (N_PHYSIOLOGY, N).

    Newton's method on the batched right-hand side, from the reference man's analytic
    state; states whose derivative is identically zero in this mode (portal GnRH) stay put.
    """
    y = np.tile(reference_state(_scalar_view(p, n))[:, None], (1, n))
    u = Inputs(pulsatile=0.0)

    def f(t: float, state: FloatArray) -> FloatArray:
        return np.asarray(rhs(t, state, p, u), dtype=float)

    scale = np.maximum(np.abs(y[:, :1]), 1e-3)
    for _ in range(50):
        fy = f(0.0, y)
        jac = batch_jacobian(f, 0.0, y, fy, scale[:, 0])
        frozen = np.all(jac == 0.0, axis=2)  # rows with no dynamics (frozen states)
        idx = np.nonzero(frozen)
        jac[idx[0], idx[1], idx[1]] = 1.0
        rhs_vec = np.where(frozen.T, 0.0, fy)
        step = np.linalg.solve(jac, -rhs_vec.T[..., None])[..., 0].T
        y = y + step
        if np.max(np.abs(step) / scale) < tol:
            break
    if not np.all(np.isfinite(y)) or np.max(np.abs(f(0.0, y)) / scale) > 1e-6:
        raise SimulationError(
            "steady_state",
            "batch",
            "a drug-free steady state for every man",
            hint="check the sampled parameters (variability too wide?)",
        )
    return np.clip(y, 0.0, None)


@dataclass(frozen=True)
class _Events:
    """Dose jumps and infusion-rate changes of the whole batch, keyed by time."""

    jumps: Mapping[float, tuple[NDArray[np.int64], NDArray[np.int64], FloatArray]]
    rates: Mapping[float, FloatArray]  # time -> infusion rate per (species, man) from then on
    breakpoints: FloatArray
    #: time -> gonadorelin inputs (rate, pump pulse, pump frequency) per man from then on
    gnrh: Mapping[float, FloatArray] = dataclasses.field(default_factory=dict)


def _drug_routes(schedules: Sequence[DoseSchedule]) -> dict[str, set[str]]:
    routes: dict[str, set[str]] = defaultdict(set)
    for schedule in {id(s): s for s in schedules}.values():  # shared schedules once
        for dose in schedule.doses:
            routes[dose.drug].add(dose.route)
        for inf in schedule.infusions:
            routes[inf.drug].add(inf.route)
    return routes


def uses_gnrh(schedules: Sequence[DoseSchedule]) -> bool:
    """Whether any schedule gives gonadorelin (the batch then needs its inputs)."""
    return any(is_gnrh(drug) for drug in _drug_routes(schedules))


def batch_species(p: Parameters, schedules: Sequence[DoseSchedule]) -> tuple[Species, ...]:
    """The drug species of a batch (one absorption rate per drug).

    Gonadorelin has no species (no PK states): it enters through the inputs (see the
    module docstring). PD potencies are the first man's (drug records hold one value per
    batch).
    """
    return _batch_species(_drug_routes(schedules), _scalar_view(p, len(schedules)))


def _batch_species(drug_routes: Mapping[str, set[str]],
                   scalar: Parameters) -> tuple[Species, ...]:
    """:func:`batch_species` from the batch's drug routes and its first man's floats."""
    routes = {drug: used for drug, used in drug_routes.items() if not is_gnrh(drug)}
    overrides: dict[str, float] = {}
    for drug, used in routes.items():
        kas = {route_ka(drug, r) for r in used}
        if len(kas) > 1:
            raise SimulationError(
                "batch", drug, "one absorption rate per drug in a batch (split by route)"
            )
        (ka,) = kas
        if ka is not None:
            overrides[drug] = ka
    return build_species(routes, scalar, ka_overrides=overrides)


def _with_carried(species: tuple[Species, ...], y0: BatchState | None) -> tuple[Species, ...]:
    """The batch's species after those carried in ``y0`` (carried ones keep their place)."""
    if y0 is None:
        return species
    carried = {sp.code: sp for sp in y0.species}
    for sp in species:
        if sp.code in carried and carried[sp.code] != sp:
            raise SimulationError(
                "y0.species", sp.code,
                "the same kinetics as in the state it branches from (one route per drug)")
    return y0.species + tuple(sp for sp in species if sp.code not in carried)


def _initial_state(p: Parameters, n: int, species: tuple[Species, ...],
                   y0: BatchState | None, t_start_d: float) -> FloatArray:
    """(n_states, N): ``y0`` on this batch's species layout, or the drug-free steady state."""
    rows = N_PHYSIOLOGY + STATES_PER_SPECIES * len(species)
    if y0 is None:
        return np.vstack([batch_steady_state(p, n), np.zeros((rows - N_PHYSIOLOGY, n))])
    carried = N_PHYSIOLOGY + STATES_PER_SPECIES * len(y0.species)
    given = np.asarray(y0.y, dtype=float)
    if given.ndim == 1:
        given = np.repeat(given[:, None], n, axis=1)
    if given.shape != (carried, n):
        raise ParameterError("y0.y", given.shape, f"shape ({carried}, {n}) or ({carried},)")
    if y0.t_d != t_start_d:
        raise ParameterError("y0.t_d", y0.t_d, f"the start of this run, {t_start_d:g} d")
    # carried species come first in the layout (see _with_carried); new ones start empty
    return np.vstack([given, np.zeros((rows - carried, n))])


def _species_and_events(
    p: Parameters, schedules: Sequence[DoseSchedule], t_start_d: float,
    y0: BatchState | None = None,
) -> tuple[tuple[Species, ...], _Events]:
    n = len(schedules)
    species = _with_carried(batch_species(p, schedules), y0)
    index = {sp.code: j for j, sp in enumerate(species)}
    jumps: dict[float, list[tuple[int, int, float]]] = defaultdict(list)
    gnrh_changes: dict[float, list[tuple[int, int, float]]] = defaultdict(list)
    interval = float(_scalar_view(p, n).tau0)
    for k, schedule in enumerate(schedules):
        for t, _, q, value in gnrh_rows(schedule, 0, interval, t_start_d):
            gnrh_changes[t].append((int(q), k, value))
        for dose in schedule.doses:
            if is_gnrh(dose.drug):
                continue  # pump pulses are runs of inputs (gnrh_rows)
            for target in dose_targets(dose.drug, dose.route):
                row = N_PHYSIOLOGY + STATES_PER_SPECIES * index[target.species] + target.compartment
                jumps[max(dose.t_d, t_start_d)].append((row, k, dose.amount * target.fraction))
    edges = sorted({e for s in schedules for i in s.infusions for e in (i.start_d, i.stop_d)
                    if not is_gnrh(i.drug)})
    rates: dict[float, FloatArray] = {}
    for t in [t_start_d, *edges]:
        rate = np.zeros((len(species), n))
        for k, schedule in enumerate(schedules):
            for inf in schedule.infusions:
                if inf.start_d <= t < inf.stop_d and not is_gnrh(inf.drug):
                    for target in dose_targets(inf.drug, inf.route):
                        rate[index[target.species], k] += inf.rate_per_d * target.fraction
        rates[t] = rate
    packed = {
        t: (
            np.array([r for r, _, _ in items]),
            np.array([k for _, k, _ in items]),
            np.array([a for _, _, a in items]),
        )
        for t, items in jumps.items()
    }
    gnrh: dict[float, FloatArray] = {}
    current = np.zeros((3, n))
    for t in sorted(gnrh_changes):  # each man's inputs from t on (rows in his edge order)
        current = current.copy()
        for q, k, value in gnrh_changes[t]:
            current[q, k] = value
        gnrh[t] = current
    breakpoints = np.array(sorted(set(packed) | set(rates) | set(gnrh)))
    return species, _Events(packed, rates, breakpoints, gnrh)


Engine = Literal["compiled", "numpy"]


def simulate_batch(
    p: Parameters,
    schedules: Sequence[DoseSchedule],
    t_d: FloatArray,
    *,
    t_start_d: float,
    control: SolverOptions = BATCH,
    engine: Engine = "compiled",
    observables: Sequence[str] | None = None,
    threads: int | None = None,
    cache_dir: Path | None = None,
    y0: BatchState | None = None,
    method: Rosenbrock = ROS3,
    throw: bool = True,
    lockstep: bool = True,
) -> BatchTrajectory:
    """Simulate N men (``len(schedules)``) from their drug-free steady state at ``t_start_d``.

    ``y0`` branches from a given state instead (``final`` of an earlier run, or one man's
    state tiled): its ``t_d`` must equal ``t_start_d``, and ``schedules`` then hold only
    what is given from ``t_start_d`` on (earlier doses would be given at ``t_start_d``;
    an infusion running across the branch point must be repeated in the branch).

    ``p`` holds floats or (N,) arrays; ``t_d`` are the output times (ascending, after
    ``t_start_d``). ``observables``: names of the model's observables to return (default:
    all; fewer saves memory, N x len(t_d) floats each). ``engine="compiled"`` (default)
    runs a C kernel generated from the model's rhs with per-man adaptive Rosenbrock (ROS3) steps on
    ``threads`` threads (default: the CPUs this process may use), built once and cached
    in ``cache_dir`` (default ``~/.cache/androcast/kernels``); ``engine="numpy"`` runs the
    vectorised ROS2 integrator with shared steps (no compiler needed, much slower).
    Tolerances are ``control.rtol``/``control.atol`` for both. ``method``: the compiled
    engine's Rosenbrock method (ROS3; RODAS4 for tight reference solutions).
    ``throw``: by default the first man who fails to integrate raises a SimulationError;
    with ``throw=False`` (populations) each man's ``status`` is reported and a failed man's
    values are NaN (the numpy engine shares its steps across men, so it always raises).
    ``lockstep``: the compiled engine runs several men per vector (``_batch_lanes``; each
    with his own steps, results bit-identical to one man at a time); False runs one man
    after another (for comparing the two).
    """
    n = len(schedules)
    if n == 0:
        raise ParameterError("schedules", 0, "at least one man")
    _check_shapes(p, n)
    t_out = np.asarray(t_d, dtype=float)
    if t_out.size == 0 or t_out[0] < t_start_d or np.any(np.diff(t_out) <= 0):
        raise ParameterError("t_d", "output times", f"ascending times from {t_start_d:g} d")
    if engine not in ("compiled", "numpy"):
        raise ParameterError("engine", engine, "compiled or numpy")
    if control.oral_mean_rate:
        schedules = mean_rate_all(schedules)
    if engine == "compiled" and _batch_compiled.find_compiler() is None:
        _no_compiler_notice()
        engine = "numpy"
    if engine == "numpy":
        result = _simulate_numpy(p, schedules, t_out, t_start_d, control, y0)
    else:
        result = simulate_compiled(p, schedules, t_out, t_start_d, control, observables,
                                   threads or _cpus(), cache_dir, method, y0=y0, throw=throw,
                                   lockstep=lockstep)
    if observables is not None:
        unknown = sorted(set(observables) - set(result.values))
        if unknown:
            raise ParameterError("observables", unknown[0],
                                 f"one of {', '.join(sorted(result.values))}")
        result = dataclasses.replace(
            result, values={name: result.values[name] for name in observables})
    return result


@functools.cache  # once per process
def _no_compiler_notice() -> None:
    print("androcast: no C compiler (cc, gcc or clang) on the PATH: simulating with the "
          "numpy engine, much slower; install one for the compiled kernels", file=sys.stderr,
          flush=True)


def _cpus() -> int:
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity else (os.cpu_count() or 1)


def _simulate_numpy(
    p: Parameters,
    schedules: Sequence[DoseSchedule],
    t_out: FloatArray,
    t_start_d: float,
    control: SolverOptions,
    start: BatchState | None,
) -> BatchTrajectory:
    n = len(schedules)
    species, events = _species_and_events(p, schedules, t_start_d, start)
    y0 = _initial_state(p, n, species, start, t_start_d)
    given = {"rate": events.rates.get(t_start_d), "gnrh": events.gnrh.get(t_start_d)}
    current = {"u": _inputs(given["rate"], given["gnrh"])}

    def f(t: float, y: FloatArray) -> FloatArray:
        return np.asarray(rhs(t, y, p, current["u"], species), dtype=float)

    def jump(t: float, y: FloatArray) -> FloatArray:
        if t in events.rates or t in events.gnrh:
            given["rate"] = events.rates.get(t, given["rate"])
            given["gnrh"] = events.gnrh.get(t, given["gnrh"])
            current["u"] = _inputs(given["rate"], given["gnrh"])
        if t in events.jumps:
            rows, cols, amounts = events.jumps[t]
            y = y.copy()
            np.add.at(y, (rows, cols), amounts)
        return y

    states = integrate_batch(
        f, y0, t_start_d, t_out, events.breakpoints, jump, control
    )
    observed: dict[str, list[FloatArray]] = defaultdict(list)
    for i in range(t_out.size):
        # occupancy and receptor hold see the gonadorelin inputs then in effect
        since = [t for t in events.gnrh if t <= t_out[i]]
        # serum T is quasi-steady: testosterone given as a rate is seen through the rates
        # (an edge within EDGE_SLACK_D has switched, as in the compiled engine)
        rate_since = max(t for t in events.rates if t <= t_out[i] + EDGE_SLACK_D)
        u = _inputs(events.rates[rate_since], events.gnrh[max(since)] if since else None)
        _, values = rhs(t_out[i], states[i], p, u, species, observe=True)
        for name, v in values.items():
            observed[name].append(np.broadcast_to(np.asarray(v, dtype=float), (n,)))
    return BatchTrajectory(
        t_d=t_out,
        values={name: np.stack(rows) for name, rows in observed.items()},
        species=tuple(sp.code for sp in species),
        final=BatchState(float(t_out[-1]), states[-1], species),
    )


def simulate_compiled(
    p: Parameters,
    schedules: Sequence[DoseSchedule],
    t_out: FloatArray,
    t_start_d: float,
    control: SolverOptions,
    observables: Sequence[str] | None,
    threads: int,
    cache_dir: Path | None,
    method: Rosenbrock = ROS3,
    *,
    y0: BatchState | None = None,
    throw: bool = True,
    lockstep: bool = True,
) -> BatchTrajectory:
    """The compiled engine (see :func:`simulate_batch`)."""
    n = len(schedules)
    scalar = _scalar_view(p, n)  # once: it was a fair share of a one-man run's setup
    routes = _drug_routes(schedules)
    species = _with_carried(_batch_species(routes, scalar), y0)
    kernel = _batch_compiled.kernel(species, method, cache_dir,
                                    gnrh=any(is_gnrh(drug) for drug in routes))
    names = list(kernel.observables if observables is None else observables)
    unknown = sorted(set(names) - set(kernel.observables))
    if unknown:
        raise ParameterError("observables", unknown[0], f"one of {', '.join(kernel.observables)}")
    params = parameter_matrix(kernel, p, species, n)
    events = event_table(kernel, schedules, species, t_start_d, float(scalar.tau0))
    if y0 is None:
        start = _compiled_steady_state(kernel, params, scalar, n, threads)
    else:
        start = _initial_state(p, n, species, y0, t_start_d).T
    settings = _batch_compiled.Control(
        h0_d=control.h0_d, h_max_d=control.batch_max_step_d,
        h_min_d=control.h_min_d, max_steps=control.max_steps, dense=control.dense_output)
    # drug amounts are judged relative to the dose, not to what is left: tracking an
    # emptying depot to 1e-4 of its last microgram would cost most of the steps
    drug = np.asarray(kernel.active) >= N_PHYSIOLOGY
    size = typical_size(kernel, start, events, species)
    atol = np.where(drug, control.rtol, control.atol) * size  # (N, n_active)
    rtol = np.where(drug, 0.0, control.rtol)
    out, status, steps, rejected, y_end = kernel.run(params, start, t_start_d, t_out, events, names,
                                       settings, rtol, atol, threads, lockstep)
    failed = np.flatnonzero(status)
    if failed.size and throw:
        k = int(failed[0])
        reason = "a step above h_min" if status[k] == 1 else "fewer steps (raise max_steps)"
        raise SimulationError(f"batch[{k}]", f"status {int(status[k])}", reason,
                              hint="tighten the tolerances or check this man's parameters")
    values = {name: out[q] for q, name in enumerate(names)}
    end = np.ascontiguousarray(y_end.T)
    if failed.size:  # what a failed man's arrays hold is not a result: never let it pass as one
        for series in values.values():
            series[:, failed] = np.nan
        end[:, failed] = np.nan
    return BatchTrajectory(
        t_d=t_out, values=values, species=tuple(sp.code for sp in species),
        final=BatchState(float(t_out[-1]), end, species),
        steps=steps, rejected=rejected, status=np.asarray(status, dtype=np.int32))


def _compiled_steady_state(kernel: _batch_compiled.CompiledKernel, params: FloatArray,
                           scalar: Parameters, n: int, threads: int) -> FloatArray:
    """(N, n_states): :func:`batch_steady_state`'s root, found in the kernel (no numpy
    Jacobian by differences: that took most of a one-man run), from the analytic state of
    ``scalar`` (the first man's floats)."""
    guess = np.zeros((n, len(kernel.state_names)))
    guess[:, :N_PHYSIOLOGY] = reference_state(scalar)
    y, status = kernel.steady_state(params, guess, threads)
    if np.any(status):
        raise SimulationError(
            "steady_state",
            f"batch[{int(np.flatnonzero(status)[0])}]",
            "a drug-free steady state for every man",
            hint="check the sampled parameters (variability too wide?)",
        )
    return y


def _inputs(rate: FloatArray | None, gnrh: FloatArray | None = None) -> Inputs:
    """Averaged-mode inputs: species infusion rates (species, N) and the gonadorelin
    inputs (3, N) of :func:`androcast.simulate._integrate.gnrh_inputs`."""
    infusion = () if rate is None or not np.any(rate) else tuple(rate)
    if gnrh is None or not np.any(gnrh):
        return Inputs(pulsatile=0.0, infusion=infusion)
    return Inputs(pulsatile=0.0, infusion=infusion, gnrh_infusion_ug_per_d=gnrh[0],
                  pump_pulse_ug=gnrh[1], pump_frequency_per_d=gnrh[2])
