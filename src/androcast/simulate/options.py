"""Solver options and the result status of a simulation (diffrax-style: remedy in the enum)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from androcast.errors import SimulationError

_METHODS = ("LSODA", "BDF", "Radau", "RK45", "DOP853")


@dataclass(frozen=True)
class SolverOptions:
    """How to integrate: scipy ``solve_ivp`` method and tolerances, never hidden.

    ``rtol``/``atol``: relative and absolute tolerances of every state (amount or
    concentration in model units). ``max_step_d``: longest step (None = solver's choice;
    the integrator also stops at every dose, infusion edge and GnRH pulse).
    ``output_step_d``: spacing of the returned trajectory (None = 1 d in the averaged mode,
    5 min in the pulse-resolved mode).
    """

    method: str = "LSODA"
    rtol: float = 1e-6
    atol: float = 1e-8
    max_step_d: float | None = None
    output_step_d: float | None = None

    def __post_init__(self) -> None:
        if self.method not in _METHODS:
            raise SimulationError("solver.method", self.method, f"one of {', '.join(_METHODS)}")
        for name in ("rtol", "atol"):
            value = getattr(self, name)
            if not 0 < value < 1:
                raise SimulationError(f"solver.{name}", value, "a tolerance between 0 and 1")
        if self.output_step_d is not None and not self.output_step_d > 0:
            raise SimulationError("solver.output_step_d", self.output_step_d, "a step > 0 days")
        if self.max_step_d is not None and not self.max_step_d > 0:
            raise SimulationError("solver.max_step_d", self.max_step_d, "a step > 0 days")


class Status(Enum):
    """Outcome of a simulation; each failure carries its remedy."""

    success = ""
    step_failed = (
        "the solver could not advance; use method='Radau' or 'BDF', or set a smaller max_step_d"
    )
    nonfinite = "a state became NaN or infinite; tighten rtol/atol or check doses and parameters"
    negative = "a state went below zero beyond tolerance; tighten atol or use method='Radau'"

    @property
    def remedy(self) -> str:
        return str(self.value)

    def error(self, t_d: float) -> SimulationError:
        return SimulationError("simulation", f"{self.name} at t = {t_d:.4g} d", self.remedy)
