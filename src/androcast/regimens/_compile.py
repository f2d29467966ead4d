"""Compiling a regimen into dose events: boluses, pump pulses and infusions.

Doses are events, not rate terms: the integrator stops at each bolus and applies a jump to
the route's depot, and restarts at each infusion edge (``DoseSchedule.breakpoints``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from androcast.drugs import get_drug
from androcast.errors import RegimenError
from androcast.regimens._spec import Regimen, RegimenEntry

# Floating-point slack when stepping start + k * every up to stop (90 min = 0.0625 d ...).
_EPS_D = 1e-9


@dataclass(frozen=True)
class Dose:
    """A bolus (an injection, a tablet, a gel application or one pump pulse) at ``t_d``."""

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


def compile_regimen(regimen: Regimen, *, t_start_d: float, t_end_d: float) -> DoseSchedule:
    """The doses in ``[t_start_d, t_end_d)`` and the infusions clipped to that window."""
    if not t_end_d > t_start_d:
        raise RegimenError("t_end_d", t_end_d, f"a time after t_start_d ({t_start_d:g} d)")
    doses: list[Dose] = []
    infusions: list[Infusion] = []
    for entry in regimen.entries:
        if get_drug(entry.drug).route(entry.route).continuous:
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
    doses.sort(key=lambda d: (d.t_d, d.drug, d.route))
    infusions.sort(key=lambda i: (i.start_d, i.drug, i.route))
    return DoseSchedule(tuple(doses), tuple(infusions))
