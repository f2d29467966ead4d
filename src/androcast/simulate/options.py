"""Solver options and the result status of a simulation (diffrax-style: remedy in the enum).

One frozen :class:`SolverOptions` drives every integrator: the one-man integrator (scipy
``solve_ivp``, :func:`androcast.simulate.simulate`) and the batch engines (Rosenbrock with
per-man steps in C, or shared steps in numpy: :func:`androcast.simulate.simulate_batch`).
The named presets below are the controls the project uses, each with the measurement that
justifies it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from androcast.errors import SimulationError

_METHODS = ("LSODA", "BDF", "Radau", "RK45", "DOP853")

#: Longest step of the batch engines when ``max_step_d`` is None (days).
BATCH_MAX_STEP_D = 1.0


@dataclass(frozen=True)
class SolverOptions:
    """How to integrate; tolerances are never hidden.

    Every integrator: ``rtol``/``atol`` (relative and absolute tolerance of every state,
    in model units; the batch engines judge drug amounts relative to the dose instead) and
    ``max_step_d``, the longest step (None: the one-man solver's own choice, and
    :data:`BATCH_MAX_STEP_D` in the batch engines; every integrator also stops at each dose,
    infusion edge and GnRH pulse).

    One man (``simulate``): ``method``, the scipy ``solve_ivp`` method; ``output_step_d``,
    the spacing of the returned trajectory (None = 1 d in the averaged mode, 5 min in the
    pulse-resolved mode).

    Batch engines (``simulate_batch``; the Rosenbrock tableau is its ``method`` argument):
    ``h0_d`` first step; ``h_after_jump_d`` largest step after a dose; ``h_min_d`` smallest
    step before a man fails; ``jacobian_age`` steps a Jacobian is reused (numpy engine);
    ``max_steps``; ``oral_mean_rate``: regular daily oral doses as their mean rate
    (``_mean_rate``; only where a use has measured that its outcomes hold, as
    :data:`FORECAST`); ``dense_output``: compiled engine, outputs interpolated (cubic
    Hermite) and steps not stopped on them.
    """

    rtol: float = 1e-6
    atol: float = 1e-8
    max_step_d: float | None = None
    method: str = "LSODA"
    output_step_d: float | None = None
    h0_d: float = 1e-3
    h_after_jump_d: float = 0.02
    h_min_d: float = 1e-9
    jacobian_age: int = 40
    max_steps: int = 1_000_000
    oral_mean_rate: bool = False
    dense_output: bool = False

    def __post_init__(self) -> None:
        if self.method not in _METHODS:
            raise SimulationError("solver.method", self.method, f"one of {', '.join(_METHODS)}")
        for name in ("rtol", "atol"):
            value = getattr(self, name)
            if not 0 < value < 1:
                raise SimulationError(f"solver.{name}", value, "a tolerance between 0 and 1")
        for name in ("output_step_d", "max_step_d"):
            value = getattr(self, name)
            if value is not None and not value > 0:
                raise SimulationError(f"solver.{name}", value, "a step > 0 days")
        for name in ("h0_d", "h_after_jump_d", "h_min_d"):
            value = getattr(self, name)
            if not value > 0:
                raise SimulationError(f"solver.{name}", value, "a step > 0 days")
        for name in ("jacobian_age", "max_steps"):
            value = getattr(self, name)
            if not value >= 1:
                raise SimulationError(f"solver.{name}", value, "a count >= 1")

    @property
    def batch_max_step_d(self) -> float:
        """The longest step of the batch engines."""
        return BATCH_MAX_STEP_D if self.max_step_d is None else self.max_step_d


#: The default of ``simulate_batch``: rtol 1e-5.
BATCH = SolverOptions(rtol=1e-5, atol=1e-8)

#: The control of forecasts, whose outcomes (times to 5, 15 and 20 M/mL, probabilities by
#: month) are measured against :data:`REFERENCE` on every shipped protocol after a year of
#: TRT (``androcast.prognosis.accuracy``; tests/prognosis/test_accuracy.py): regular daily
#: tablets as their mean rate, outputs interpolated and steps up to the forecast's weekly
#: grid, rtol 1e-2. 40 men: times within 0.39 d (hCG, 15 M/mL), no monthly probability
#: moved; trajectories are up to ~10 % off around a course's end (bench/peers.py).
FORECAST = SolverOptions(rtol=1e-2, atol=1e-4, max_step_d=7.0, oral_mean_rate=True,
                         dense_output=True)

#: The reference the forecast's outcome errors are measured against (with RODAS4, order 4).
REFERENCE = SolverOptions(rtol=1e-8, atol=1e-10)


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
