"""A regimen as the user wrote it, in days relative to time 0 (cessation of androgens)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RegimenEntry:
    """One drug given by one route from ``start_d`` until (not including) ``stop_d``.

    ``dose`` is per administration in ``dose_unit`` (the route's unit); for continuous
    routes it is the amount per ``every_d``. ``every_d`` is None for a single dose, which
    is then given at ``start_d`` (and ``stop_d == start_d``).
    """

    drug: str
    dose: float
    dose_unit: str
    route: str
    every_d: float | None
    start_d: float
    stop_d: float

    @property
    def duration_d(self) -> float:
        return self.stop_d - self.start_d


@dataclass(frozen=True)
class Regimen:
    """Drug entries, in the order they were written. An empty regimen is watchful waiting."""

    entries: tuple[RegimenEntry, ...] = ()

    def combine(self, *others: Regimen) -> Regimen:
        """This regimen's entries followed by the others' (e.g. history, then treatment)."""
        entries = list(self.entries)
        for other in others:
            entries.extend(other.entries)
        return Regimen(tuple(entries))

    def drugs(self) -> tuple[str, ...]:
        """The distinct drug codes, in order of first appearance."""
        return tuple(dict.fromkeys(e.drug for e in self.entries))
