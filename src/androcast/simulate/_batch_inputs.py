"""What the compiled kernel reads: per-man input vectors and the per-man event table.

Men who share a dose schedule object share its events (built once, then tiled), so a
population on one regimen costs one schedule's worth of Python work.

Gonadorelin has no PK states: its pump pulses are not jumps but, as in the one-patient
simulator's averaged mode, runs of regular pulses (``pump_runs``) that set the pump inputs
of ``U`` at each run's start and stop; a continuous gonadorelin infusion sets its rate.
Only the edges of those runs are events, so a 90-min pump does not cut every man's steps.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np
from numpy.typing import NDArray

from androcast.errors import SimulationError
from androcast.model import N_PHYSIOLOGY, Parameters, Species
from androcast.model.pharmacology import STATES_PER_SPECIES, DoseTarget, dose_targets, is_gnrh
from androcast.regimens import DoseSchedule
from androcast.simulate._batch_compiled import CompiledKernel, EventTable
from androcast.simulate._integrate import gnrh_edges, gnrh_inputs, pump_runs

FloatArray = NDArray[np.float64]


def parameter_matrix(kernel: CompiledKernel, p: Parameters, species: Sequence[Species],
                     n: int) -> FloatArray:
    """(N, len(kernel.inputs)): model parameters (floats or (N,) arrays) then drug constants."""
    columns = []
    for name in kernel.inputs:
        if name.startswith("p_"):
            value = getattr(p, name[2:])
        else:  # s<j>_<field>
            j, field = name[1:].split("_", 1)
            value = getattr(species[int(j)], field)
        columns.append(np.broadcast_to(np.asarray(value, dtype=float), (n,)))
    return np.ascontiguousarray(np.stack(columns, axis=1))


@cache
def _targets(drug: str, route: str) -> tuple[DoseTarget, ...]:
    return dose_targets(drug, route)


@cache
def _is_gnrh(drug: str) -> bool:
    return is_gnrh(drug)


def gnrh_rows(schedule: DoseSchedule, first_input: int, pulse_interval_d: float,
              t_start_d: float) -> list[tuple[float, float, float, float]]:
    """Input rows (t, 1, index, value) of the gonadorelin inputs from ``first_input`` on.

    ``pulse_interval_d``: how long an isolated pulse counts for (``pump_runs``).
    """
    runs = pump_runs(schedule.doses, pulse_interval_d)
    rows: list[tuple[float, float, float, float]] = []
    for t in gnrh_edges(schedule, runs):
        values = gnrh_inputs(schedule, runs, t)
        rows += [(max(t, t_start_d), 1.0, float(first_input + q), v)
                 for q, v in enumerate(values)]
    return rows


def _schedule_events(schedule: DoseSchedule, index: dict[str, int], position: dict[int, int],
                     names: Sequence[str], t_start_d: float, gnrh_input: int | None,
                     pulse_interval_d: float) -> NDArray[np.float64]:
    """Rows (t, kind, index, value) of one schedule, sorted by time."""
    rows: list[tuple[float, float, float, float]] = []
    gnrh = any(_is_gnrh(d.drug) for d in schedule.doses) or any(
        _is_gnrh(i.drug) for i in schedule.infusions)
    if gnrh:
        if gnrh_input is None:
            raise SimulationError("batch.kernel", "without gonadorelin inputs",
                                  "a kernel built for gonadorelin (gnrh=True)")
        rows += gnrh_rows(schedule, gnrh_input, pulse_interval_d, t_start_d)
    for dose in schedule.doses:
        if gnrh and _is_gnrh(dose.drug):
            continue  # a pump pulse: part of its run's inputs
        for target in _targets(dose.drug, dose.route):
            full = N_PHYSIOLOGY + STATES_PER_SPECIES * index[target.species] + target.compartment
            if full not in position:
                raise SimulationError(names[full], dose.drug,
                                      "a compartment with dynamics in the averaged model")
            rows.append((max(dose.t_d, t_start_d), 0.0, float(position[full]),
                         dose.amount * target.fraction))
    infusions = [inf for inf in schedule.infusions if not _is_gnrh(inf.drug)]
    edges = sorted({e for inf in infusions for e in (inf.start_d, inf.stop_d)})
    for t in edges:
        rate = np.zeros(len(index))
        for inf in infusions:
            if inf.start_d <= t < inf.stop_d:
                for target in _targets(inf.drug, inf.route):
                    rate[index[target.species]] += inf.rate_per_d * target.fraction
        rows += [(max(t, t_start_d), 1.0, float(j), float(r)) for j, r in enumerate(rate)]
    table = np.array(rows, dtype=float).reshape(-1, 4)
    return table[np.argsort(table[:, 0], kind="stable")]


def event_table(kernel: CompiledKernel, schedules: Sequence[DoseSchedule],
                species: Sequence[Species], t_start_d: float,
                pulse_interval_d: float) -> EventTable:
    """Every man's events; ``pulse_interval_d`` is how long an isolated gonadorelin pulse
    counts for in the averaged mode (the one-patient simulator uses the man's ``tau0``)."""
    index = {sp.code: j for j, sp in enumerate(species)}
    gnrh_input = len(species) if kernel.gnrh else None
    position = {full: pos for pos, full in enumerate(kernel.active)}
    built: dict[int, NDArray[np.float64]] = {}
    tables = []
    for schedule in schedules:
        key = id(schedule)
        if key not in built:
            built[key] = _schedule_events(schedule, index, position, kernel.state_names,
                                          t_start_d, gnrh_input, pulse_interval_d)
        tables.append(built[key])
    counts = np.array([len(t) for t in tables], dtype=np.int64)
    pointer = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    rows = np.concatenate(tables) if tables else np.zeros((0, 4))
    return EventTable(
        pointer=pointer,
        t=np.ascontiguousarray(rows[:, 0]),
        kind=np.ascontiguousarray(rows[:, 1], dtype=np.int32),
        index=np.ascontiguousarray(rows[:, 2], dtype=np.int32),
        value=np.ascontiguousarray(rows[:, 3]),
    )


def typical_size(kernel: CompiledKernel, y0: FloatArray, events: EventTable,
                 species: Sequence[Species]) -> FloatArray:
    """Typical size of every active state of every man (N, n_active), the unit of his
    absolute tolerances.

    Physiological states: their starting (drug-free) value; drug compartments: the largest
    amount dosed into that species. Absolute errors are then judged against what the state
    usually holds, not in its raw unit (a depot of 100 mg and a receptor fraction of 0.1
    need different absolute tolerances). Each man's sizes are his own, so his result does
    not depend on the other men of the batch (or on how a cohort is chunked).
    """
    size = np.abs(y0).copy()  # (N, n_states)
    doses = events.kind == 0
    man = np.repeat(np.arange(size.shape[0]), np.diff(events.pointer))[doses]
    full = np.asarray(kernel.active)[events.index[doses]]
    amount = events.value[doses]
    for j in range(len(species)):
        first = N_PHYSIOLOGY + STATES_PER_SPECIES * j
        mine = (full >= first) & (full < first + STATES_PER_SPECIES)
        if np.any(mine):
            largest = np.zeros(size.shape[0])
            np.maximum.at(largest, man[mine], amount[mine])
            dosed = largest > 0
            size[dosed, first:first + STATES_PER_SPECIES] = largest[dosed, None]
    size = np.where(size > 0, size, 1.0)
    return np.ascontiguousarray(size[:, np.asarray(kernel.active)])
