"""What the compiled kernel reads: per-man input vectors and the per-man event table.

Men whose dose schedules are equal share their events (built once, then tiled), so a
population on one regimen costs one schedule's worth of Python work.

Gonadorelin has no PK states: its pump pulses are not jumps but, as in the one-patient
simulator's averaged mode, runs of regular pulses (``pump_runs``) that set the pump inputs
of ``U`` at each run's start and stop; a continuous gonadorelin infusion sets its rate.
Only the edges of those runs are events, so a 90-min pump does not cut every man's steps.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache, lru_cache

import numpy as np
from numpy.typing import NDArray

from androcast.errors import SimulationError
from androcast.model import N_PHYSIOLOGY, STATE_NAMES, Parameters, Species
from androcast.model.pharmacology import STATES_PER_SPECIES, DoseTarget, dose_targets, is_gnrh
from androcast.regimens import DoseSchedule
from androcast.simulate._batch_compiled import CompiledKernel, EventTable
from androcast.simulate._integrate import gnrh_edges, gnrh_inputs, pump_runs

FloatArray = NDArray[np.float64]


def parameter_matrix(kernel: CompiledKernel, p: Parameters, species: Sequence[Species],
                     n: int) -> FloatArray:
    """(N, len(kernel.inputs)): model parameters (floats or (N,) arrays) then drug constants."""
    sources = _input_sources(kernel.inputs)
    if n == 1:  # one man: one row from a list (a numpy store per input was ~0.05 ms)
        values = [getattr(p, name) if j < 0 else getattr(species[j], name)
                  for j, name in sources]
        return np.array([[v if type(v) is float else np.asarray(v, dtype=float).item()
                          for v in values]])
    matrix = np.empty((n, len(sources)))
    for q, (j, name) in enumerate(sources):
        matrix[:, q] = getattr(p, name) if j < 0 else getattr(species[j], name)
    return matrix


@lru_cache(maxsize=64)  # one parse of the kernel's input names, not one per simulation
def _input_sources(inputs: tuple[str, ...]) -> tuple[tuple[int, str], ...]:
    """Where each input comes from: (-1, parameter) for ``p_<name>``, (j, field) for
    ``s<j>_<field>`` (species j)."""
    sources = []
    for name in inputs:
        if name.startswith("p_"):
            sources.append((-1, name[2:]))
        else:
            j, field = name[1:].split("_", 1)
            sources.append((int(j), field))
    return tuple(sources)


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
    drugs = {d.drug for d in schedule.doses} | {i.drug for i in schedule.infusions}
    gnrh = any(_is_gnrh(drug) for drug in drugs)
    if gnrh:
        if gnrh_input is None:
            raise SimulationError("batch.kernel", "without gonadorelin inputs",
                                  "a kernel built for gonadorelin (gnrh=True)")
        rows += gnrh_rows(schedule, gnrh_input, pulse_interval_d, t_start_d)
    # (active position, fraction) of each drug and route's targets, resolved once; the
    # doses' rows as columns, not tuples: a tuple per dose and numpy's parse of the list
    # of tuples were a quarter of a one-man run's event table (312 doses: 0.20 -> 0.15 ms)
    resolved: dict[tuple[str, str], list[tuple[float, float]]] = {}
    times: list[float] = []
    targets_of: list[float] = []
    amounts: list[float] = []
    for dose in schedule.doses:
        key = (dose.drug, dose.route)
        targets = resolved.get(key)
        if targets is None:
            if gnrh and _is_gnrh(dose.drug):
                targets = []  # a pump pulse: part of its run's inputs
            else:
                targets = []
                for target in _targets(dose.drug, dose.route):
                    full = (N_PHYSIOLOGY + STATES_PER_SPECIES * index[target.species]
                            + target.compartment)
                    if full not in position:
                        raise SimulationError(names[full], dose.drug,
                                              "a compartment with dynamics in the averaged model")
                    targets.append((float(position[full]), target.fraction))
            resolved[key] = targets
        t = max(dose.t_d, t_start_d)
        for q, fraction in targets:
            times.append(t)
            targets_of.append(q)
            amounts.append(dose.amount * fraction)
    infusions = [inf for inf in schedule.infusions if not _is_gnrh(inf.drug)]
    edges = sorted({e for inf in infusions for e in (inf.start_d, inf.stop_d)})
    after: list[tuple[float, float, float, float]] = []
    for t in edges:
        rate = np.zeros(len(index))
        for inf in infusions:
            if inf.start_d <= t < inf.stop_d:
                for target in _targets(inf.drug, inf.route):
                    rate[index[target.species]] += inf.rate_per_d * target.fraction
        after += [(max(t, t_start_d), 1.0, float(j), float(r)) for j, r in enumerate(rate)]
    # rows in the order gonadorelin inputs, doses, infusion edges (the stable sort's ties)
    table = np.empty((len(rows) + len(times) + len(after), 4))
    table[:len(rows)] = np.array(rows, dtype=float).reshape(-1, 4)
    doses = table[len(rows):len(rows) + len(times)]
    doses[:, 0] = times
    doses[:, 1] = 0.0
    doses[:, 2] = targets_of
    doses[:, 3] = amounts
    table[len(rows) + len(times):] = np.array(after, dtype=float).reshape(-1, 4)
    return table[np.argsort(table[:, 0], kind="stable")]


def event_table(kernel: CompiledKernel, schedules: Sequence[DoseSchedule],
                species: Sequence[Species], t_start_d: float,
                pulse_interval_d: float) -> EventTable:
    """Every man's events; ``pulse_interval_d`` is how long an isolated gonadorelin pulse
    counts for in the averaged mode (the one-patient simulator uses the man's ``tau0``)."""
    index = {sp.code: j for j, sp in enumerate(species)}
    gnrh_input = len(species) if kernel.gnrh else None
    position = {full: pos for pos, full in enumerate(kernel.active)}
    # equal schedules (by value: a cohort compiles one per man, most of them alike) share
    # one table; building it was ~0.5 ms a man, hashing a schedule is ~20 us, so the same
    # schedule object (a batch of men on one regimen) is looked up by identity first:
    # hashing it again for every man was ~2 % of a forecast's CPU time
    built: dict[DoseSchedule, NDArray[np.float64]] = {}
    same: dict[int, NDArray[np.float64]] = {}  # id -> table; ``schedules`` keeps them alive
    tables = []
    for schedule in schedules:
        table = same.get(id(schedule))
        if table is None:
            table = built.get(schedule)
            if table is None:
                table = built[schedule] = _schedule_events(
                    schedule, index, position, kernel.state_names, t_start_d, gnrh_input,
                    pulse_interval_d)
            same[id(schedule)] = table
        tables.append(table)
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
    # the central adaptation is ~1e-8 without androgens but lives on 0-1: judged against its
    # drug-free value it would demand absolute errors of 1e-14 and drive the step size
    size[:, STATE_NAMES.index("Adp")] = 1.0
    size[:, STATE_NAMES.index("Adf")] = 1.0
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
