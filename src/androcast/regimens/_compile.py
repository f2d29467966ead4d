"""Compiling a regimen into dose events: boluses, pump pulses and infusions.

Doses are events, not rate terms: the integrator stops at each bolus and applies a jump to
the route's depot, and restarts at each infusion edge (``DoseSchedule.breakpoints``).
A zero-order route (testosterone gel) gives each administration as a constant rate over
the route's release time; those segments are summed into one piecewise-constant rate per
drug and route, so two years of daily gel are one infusion, not 900 integrator stops.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from androcast.drugs import get_drug
from androcast.errors import RegimenError
from androcast.regimens._spec import Regimen, RegimenEntry

# Floating-point slack when stepping start + k * every up to stop (90 min = 0.0625 d ...).
_EPS_D = 1e-9


@dataclass(frozen=True)
class Dose:
    """A bolus (an injection, a tablet or one pump pulse) at ``t_d``; gel is zero order."""

    t_d: float
    drug: str
    route: str
    amount: float
    unit: str


@dataclass(frozen=True)
class Infusion:
    """A constant rate into the route's compartment from ``start_d`` until ``stop_d``."""

    drug: str
    route: str
    start_d: float
    stop_d: float
    rate_per_d: float
    unit: str  # of the amount; the rate is unit per day


@dataclass(frozen=True)
class DoseSchedule:
    """Every dose event of a regimen inside a time window, sorted by time."""

    doses: tuple[Dose, ...]
    infusions: tuple[Infusion, ...]

    def breakpoints(self) -> tuple[float, ...]:
        """Sorted unique times of every dose and infusion edge (known discontinuities)."""
        times = {d.t_d for d in self.doses}
        for infusion in self.infusions:
            times.update((infusion.start_d, infusion.stop_d))
        return tuple(sorted(times))

    def infusion_rate(self, drug: str, route: str, t_d: float) -> float:
        """The summed infusion rate of one drug and route at ``t_d`` (right-continuous)."""
        return sum(
            i.rate_per_d
            for i in self.infusions
            if i.drug == drug and i.route == route and i.start_d <= t_d < i.stop_d
        )


_new = object.__new__
_set = object.__setattr__


def _dose(t_d: float, drug: str, route: str, amount: float, unit: str) -> Dose:
    """``Dose(t_d, drug, route, amount, unit)`` with its fields set at once: the frozen
    dataclass's ``__init__`` sets each field through ``object.__setattr__`` (~0.75 us a
    dose, ~0.4 here), and a two-year regimen has ~300 doses. Dose has no ``__post_init__``
    (a test checks this builds the same record as the constructor)."""
    dose = _new(Dose)
    _set(dose, "__dict__", {"t_d": t_d, "drug": drug, "route": route, "amount": amount,
                            "unit": unit})
    return dose


def _dose_times(entry: RegimenEntry, t_start_d: float, t_end_d: float) -> list[float]:
    if entry.every_d is None:
        return [entry.start_d] if t_start_d <= entry.start_d < t_end_d else []
    first = max(0, math.ceil((t_start_d - entry.start_d) / entry.every_d - _EPS_D))
    times: list[float] = []
    k = first
    while True:
        t = entry.start_d + k * entry.every_d
        if t >= min(entry.stop_d, t_end_d) - _EPS_D:
            return times
        times.append(t)
        k += 1


Segment = tuple[float, float, float]  # start_d, stop_d, rate per day


def _release_segments(entry: RegimenEntry, release_d: float, t_start_d: float,
                      t_end_d: float) -> list[Segment]:
    """One segment per administration of a zero-order entry, clipped to the window.

    An administration before ``t_start_d`` whose release runs into the window counts (its
    remainder is not in any state: a zero-order route has no depot).
    """
    rate = entry.dose / release_d
    out: list[Segment] = []
    for t in _dose_times(entry, t_start_d - release_d, t_end_d):
        start, stop = max(t, t_start_d), min(t + release_d, t_end_d)
        if stop > start + _EPS_D:
            out.append((start, stop, rate))
    return out


def _summed_segments(segments: list[Segment]) -> list[Segment]:
    """The piecewise-constant sum of possibly overlapping constant-rate segments.

    A sweep over the edges (edges within ``_EPS_D`` are one edge): between two edges the
    rate is the sum over the segments running then, counted per rate so no round-off
    builds up over a thousand starts and stops. Gaps are dropped; neighbours with equal
    rates are joined.
    """
    edges = sorted([(a, r, 1) for a, _, r in segments] + [(b, r, -1) for _, b, r in segments])
    running: Counter[float] = Counter()
    out: list[Segment] = []
    i = 0
    while i < len(edges):
        t = edges[i][0]
        while i < len(edges) and edges[i][0] <= t + _EPS_D:
            running[edges[i][1]] += edges[i][2]
            i += 1
        if i == len(edges):
            break
        rate = math.fsum(r * n for r, n in running.items() if n)
        t_next = edges[i][0]
        if rate <= 0.0:
            continue
        if out and out[-1][1] == t and out[-1][2] == rate:
            out[-1] = (out[-1][0], t_next, rate)
        else:
            out.append((t, t_next, rate))
    return out


def _zero_order_infusions(entries: list[RegimenEntry], t_start_d: float,
                          t_end_d: float) -> list[Infusion]:
    """The summed release of every zero-order entry, one run of infusions per drug/route."""
    groups: dict[tuple[str, str, str], list[Segment]] = {}
    for entry in entries:
        release_d = get_drug(entry.drug).route(entry.route).release_d
        key = (entry.drug, entry.route, entry.dose_unit)
        groups.setdefault(key, []).extend(
            _release_segments(entry, release_d, t_start_d, t_end_d))
    return [Infusion(drug, route, a, b, rate, unit)
            for (drug, route, unit), segments in groups.items()
            for a, b, rate in _summed_segments(segments)]


def compile_regimen(regimen: Regimen, *, t_start_d: float, t_end_d: float) -> DoseSchedule:
    """The doses in ``[t_start_d, t_end_d)`` and the infusions clipped to that window.

    Zero-order administrations become summed infusions (see the module doc).
    """
    if not t_end_d > t_start_d:
        raise RegimenError("t_end_d", t_end_d, f"a time after t_start_d ({t_start_d:g} d)")
    doses: list[Dose] = []
    infusions: list[Infusion] = []
    zero_order: list[RegimenEntry] = []
    for entry in regimen.entries:
        route = get_drug(entry.drug).route(entry.route)
        if route.zero_order:
            zero_order.append(entry)
            continue
        if route.continuous:
            start, stop = max(entry.start_d, t_start_d), min(entry.stop_d, t_end_d)
            if stop > start and entry.every_d is not None:
                rate = entry.dose / entry.every_d
                infusions.append(
                    Infusion(entry.drug, entry.route, start, stop, rate, entry.dose_unit)
                )
            continue
        doses.extend(
            _dose(t, entry.drug, entry.route, entry.dose, entry.dose_unit)
            for t in _dose_times(entry, t_start_d, t_end_d)
        )
    infusions += _zero_order_infusions(zero_order, t_start_d, t_end_d)
    doses.sort(key=lambda d: (d.t_d, d.drug, d.route))
    infusions.sort(key=lambda i: (i.start_d, i.drug, i.route))
    return DoseSchedule(tuple(doses), tuple(infusions))
