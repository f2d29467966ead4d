"""One-patient simulation of the HPG-axis model: doses as events, explicit solver options.

``simulate(patient_or_case, regimen, days=..., mode="averaged")`` returns a
:class:`Trajectory` of serum and semen observables in named units.
"""

from __future__ import annotations

from androcast.simulate._integrate import gonadorelin_ug, pump_runs
from androcast.simulate._one import simulate
from androcast.simulate._patient import PatientLike, covariates_of, history_of, parameters_of
from androcast.simulate.batch import BatchState, BatchTrajectory, simulate_batch
from androcast.simulate.options import BATCH, FORECAST, REFERENCE, SolverOptions, Status
from androcast.simulate.trajectory import OBSERVABLE_UNITS, Trajectory

__all__ = [
    "BATCH",
    "FORECAST",
    "OBSERVABLE_UNITS",
    "REFERENCE",
    "BatchState",
    "BatchTrajectory",
    "PatientLike",
    "SolverOptions",
    "Status",
    "Trajectory",
    "covariates_of",
    "gonadorelin_ug",
    "history_of",
    "parameters_of",
    "pump_runs",
    "simulate",
    "simulate_batch",
]
