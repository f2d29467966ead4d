"""Virtual populations: outcomes, cohort files, seeded sampling and execution backends."""

from androcast.population.outcomes import (
    OBSERVABLE_UNITS,
    OUTCOME_FORMS,
    Observable,
    Outcome,
    parse_outcome,
    parse_outcomes,
    time_to_event,
)
from androcast.population.survival import KaplanMeier, kaplan_meier, kaplan_meier_censored

__all__ = [
    "OBSERVABLE_UNITS",
    "OUTCOME_FORMS",
    "KaplanMeier",
    "Observable",
    "Outcome",
    "kaplan_meier",
    "kaplan_meier_censored",
    "parse_outcome",
    "parse_outcomes",
    "time_to_event",
]
