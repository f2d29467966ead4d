"""Personalisation: a posterior over one man's virtual twins given his own results."""

from androcast.twin.branch import (
    HistoryState,
    history_state,
    simulate_branches,
    simulate_history,
    simulation_start,
)
from androcast.twin.observations import ErrorModel, Observation, error_models, observations
from androcast.twin.posterior import (
    Posterior,
    effective_sample_size,
    log_likelihood,
    personalise,
    resample_move,
    update,
)
from androcast.twin.prior import case_time_zero, latest_result_date, twin_cohort
from androcast.twin.simulate import simulate_regimens, tile_parameters

__all__ = [
    "ErrorModel",
    "HistoryState",
    "Observation",
    "Posterior",
    "case_time_zero",
    "effective_sample_size",
    "error_models",
    "history_state",
    "latest_result_date",
    "log_likelihood",
    "observations",
    "personalise",
    "resample_move",
    "simulate_branches",
    "simulate_history",
    "simulate_regimens",
    "simulation_start",
    "tile_parameters",
    "twin_cohort",
    "update",
]
