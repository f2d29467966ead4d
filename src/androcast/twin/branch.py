"""Branch many regimens from one shared history: simulate the history once, then fork.

A prognosis runs every man through the same androgen history and then through each
protocol. The history is simulated once (:func:`history_state`, every man's full state on
the branch day); every regimen then starts from that state, all regimens and men in one
batch of the compiled engine (:func:`simulate_branches`). Each man is integrated on his
own in that engine, so the order of the batch's columns (chosen to balance its threads)
never changes a number. The solution of an initial-value problem does not depend on where
it is cut, so the curves equal those of a full re-simulation to the solver's tolerance.

Two controls (issue 17): the history, whose values are scored against his results, runs
at the twin's ``CONTROL``; the branches, whose outcomes the clinician reads (times to a
concentration, probabilities by month), run at ``simulate.FORECAST`` (daily tablets
as their mean rate, dense output, steps up to a week, rtol 1e-2), whose outcome budget
(times within a day, monthly probabilities within 0.005 of a tight reference) holds on
every shipped protocol after a year of TRT with the history at either control
(``prognosis.accuracy``; tests/prognosis/test_accuracy.py).

A caller who only needs each man's first time at an outcome may pass ``done``: the run is
then cut into segments of ``segment`` output times, and a man whose ``done`` holds at a
segment's end is not simulated further (his later values are NaN). While any man runs,
the first column (man 0 on the first regimen) runs too, because the batch's drug records
take their potencies from its first man; so do the records of the full run.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from androcast.model import Parameters
from androcast.regimens import DoseSchedule, Regimen, compile_regimen
from androcast.simulate._mean_rate import mean_rate_orals
from androcast.simulate.batch import BatchState, simulate_batch
from androcast.simulate.options import FORECAST, SolverOptions
from androcast.twin.simulate import CONTROL

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]
#: ``done(values)``: per column, whether he needs no later output (values: (times, columns)).
Done = Callable[[Mapping[str, FloatArray]], BoolArray]
_EVENT_SLACK_D = 1e-9  # the engine applies an event up to 1e-9 d early, with that step
#: The control of the branches (module doc).
BRANCH_CONTROL: SolverOptions = FORECAST


@dataclass(frozen=True)
class HistoryState:
    """The men's full states on one day after their history, and whose they are.

    Kept by personalisation, whose last simulation of the history ends on his latest
    result, the day a prognosis starts from; the parameters say which men it is of.
    """

    state: BatchState
    parameters: Parameters

    def is_of(self, p: Parameters, day: float) -> bool:
        """Whether this is the state of exactly the men ``p`` on model day ``day``."""
        return self.state.t_d == day and all(
            np.array_equal(getattr(self.parameters, f.name), getattr(p, f.name))
            for f in dataclasses.fields(p))


def combine_states(states: Sequence[HistoryState], pick: IntArray, *,
                   columns: IntArray | None = None) -> HistoryState | None:
    """Man k's state taken from ``states[pick[k]]``, its column ``columns[k]`` (default k).

    None unless every state is on the same day with the same drugs.
    """
    first = states[0]
    if any(s.state.t_d != first.state.t_d or s.state.species != first.state.species
           for s in states):
        return None
    cols = np.arange(pick.size) if columns is None else columns
    y = np.empty((first.state.y.shape[0], pick.size))
    changes: dict[str, FloatArray] = {}
    per_man = [f.name for f in dataclasses.fields(first.parameters)
               if np.ndim(getattr(first.parameters, f.name)) == 1]
    for name in per_man:
        changes[name] = np.empty(pick.size)
    for j, s in enumerate(states):
        mine = pick == j
        y[:, mine] = s.state.y[:, cols[mine]]
        for name in per_man:
            changes[name][mine] = np.asarray(getattr(s.parameters, name), dtype=float)[cols[mine]]
    p = first.parameters.replace(**changes) if changes else first.parameters
    return HistoryState(BatchState(first.state.t_d, y, first.state.species), p)


def simulation_start(history: Regimen, day: float) -> float:
    """Model day the simulation starts on: before his first dose, day 0 and ``day - 1``."""
    return min([0.0, day - 1.0, *(e.start_d for e in history.entries)])


def simulate_history(
    p: Parameters, history: Regimen, n: int, t_d: FloatArray, observables: Sequence[str],
) -> tuple[dict[str, FloatArray], HistoryState | None]:
    """Observables (len(t_d), N) of the N men through ``history``, and their final states.

    Each man starts from his drug-free steady state at :func:`simulation_start`. The
    final states are returned when no dose falls on the last output day or later (the
    state would hold a dose a branch from that day gives again), else None.
    """
    t_out = np.asarray(t_d, dtype=float)
    t_start = simulation_start(history, float(t_out[0]))
    schedule = compile_regimen(history, t_start_d=t_start, t_end_d=float(t_out[-1]) + 1.0)
    run = simulate_batch(p, [schedule] * n, t_out, t_start_d=t_start, control=CONTROL,
                         observables=observables)
    values = {name: np.asarray(run.values[name]) for name in observables}
    late = any(d.t_d >= t_out[-1] - _EVENT_SLACK_D for d in schedule.doses)
    if late or run.final is None:
        return values, None
    return values, HistoryState(run.final, p)


def history_state(p: Parameters, history: Regimen, n: int, day: float, *,
                  known: HistoryState | None = None) -> BatchState:
    """Every man's full state on model day ``day`` after the doses of ``history`` before it.

    ``known`` is used when it is the state of these men on that day; otherwise each man
    is simulated from his drug-free steady state at :func:`simulation_start`. Doses on
    ``day`` itself or later belong to the branches.
    """
    if known is not None and known.is_of(p, day):
        return known.state
    t_start = simulation_start(history, day)
    schedule = compile_regimen(history, t_start_d=t_start, t_end_d=day)
    run = simulate_batch(p, [schedule] * n, np.array([day]), t_start_d=t_start,
                         control=CONTROL, observables=())
    assert run.final is not None  # the compiled engine always returns it
    return run.final


def simulate_branches(
    p: Parameters,
    state: BatchState,
    regimens: Sequence[Regimen],
    t_d: FloatArray,
    observables: Sequence[str],
    *,
    done: Done | None = None,
    segment: int | None = None,
    threads: int | None = None,
) -> tuple[dict[str, FloatArray], ...]:
    """Observables (len(t_d), N) of every man on each regimen, branched from ``state``.

    ``state`` holds the N men's states on day ``state.t_d`` (:func:`history_state`);
    the doses of each regimen from that day on are given. ``t_d`` are the output times
    (ascending, from ``state.t_d``). ``done`` and ``segment``: see the module doc.
    ``threads``: of the engine (default: every CPU this process may use); any value gives
    the same numbers.
    """
    n, k = state.y.shape[1], len(regimens)
    t_out = np.asarray(t_d, dtype=float)
    t_end = float(t_out[-1]) + 1.0
    schedules = [compile_regimen(r, t_start_d=state.t_d, t_end_d=t_end) for r in regimens]
    if BRANCH_CONTROL.oral_mean_rate:
        # as rates before the run is cut into segments, so a segment's end cuts the rate
        # (``_after``) instead of dropping the tablet a later segment would start at
        schedules = [mean_rate_orals(s) for s in schedules]
    man, arm = np.tile(np.arange(n), k), np.repeat(np.arange(k), n)
    values = {name: np.full((t_out.size, n * k), np.nan) for name in observables}
    workers = threads or _cpus()
    columns = _balanced(np.arange(n * k), workers)
    y, species, t_begin = state.y[:, man[columns]], state.species, state.t_d
    step = segment if done is not None and segment else t_out.size
    for i0 in range(0, t_out.size, step):
        i1 = min(i0 + step, t_out.size)
        # doses at t_begin are already in the state a later segment starts from
        given = [s if i0 == 0 else _after(s, t_begin + _EVENT_SLACK_D) for s in schedules]
        run = simulate_batch(
            _take(p, man[columns]), [given[a] for a in arm[columns]], t_out[i0:i1],
            t_start_d=t_begin, control=BRANCH_CONTROL, observables=observables,
            threads=workers,
            y0=BatchState(t_begin, y, species))
        for name in observables:
            values[name][i0:i1, columns] = run.values[name]
        assert run.final is not None
        y, species, t_begin = run.final.y, run.final.species, float(t_out[i1 - 1])
        if done is None or i1 == t_out.size:
            continue
        keep = ~done({name: v[:i1, columns] for name, v in values.items()})
        if not keep.any():
            break  # every man is done
        keep[columns == 0] = True  # the batch's drug records come from its first man
        order = np.argsort(columns[keep])
        columns = _balanced(columns[keep][order], workers)
        y = y[:, keep][:, order][:, _balanced(np.arange(columns.size), workers)]
    return tuple({name: v[:, a * n:(a + 1) * n] for name, v in values.items()}
                 for a in range(k))


def _balanced(sorted_columns: IntArray, workers: int) -> IntArray:
    """Columns dealt out in turn to the engine's contiguous per-thread blocks.

    The engine gives thread w the w-th contiguous block; dealing every ``workers``-th
    column into one block spreads each regimen (and its costly men) over every thread.
    """
    m = sorted_columns.size
    blocks = [np.arange(w, m, workers) for w in range(workers)]
    return sorted_columns[np.concatenate(blocks)]


def _after(schedule: DoseSchedule, t_d: float) -> DoseSchedule:
    """The doses after ``t_d`` and the infusions still running then (clipped to it)."""
    return DoseSchedule(
        doses=tuple(d for d in schedule.doses if d.t_d > t_d),
        infusions=tuple(dataclasses.replace(i, start_d=max(i.start_d, t_d))
                        for i in schedule.infusions if i.stop_d > t_d))


def _take(p: Parameters, index: IntArray) -> Parameters:
    """The men ``index`` of ``p`` (per-man arrays indexed; shared floats kept)."""
    changes: dict[str, FloatArray] = {}
    for f in dataclasses.fields(p):
        value = getattr(p, f.name)
        if np.ndim(value) == 1:
            changes[f.name] = np.asarray(value, dtype=float)[index]
    return p.replace(**changes) if changes else p


def _cpus() -> int:
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity else (os.cpu_count() or 1)
