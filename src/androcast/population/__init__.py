"""Virtual populations: outcomes, cohort files, seeded sampling and execution backends."""

from androcast.population.cohort import (
    DAYS_PER_MONTH,
    AndrogenExposure,
    AndrogenOption,
    Cohort,
    Variability,
    cohort_names,
    load_cohort,
    parse_cohort,
)
from androcast.population.distributions import parse_distribution
from androcast.population.outcomes import (
    OBSERVABLE_UNITS,
    OUTCOME_FORMS,
    Observable,
    Outcome,
    parse_outcome,
    parse_outcomes,
    time_to_event,
)
from androcast.population.sampling import CohortSample, patient_seed, sample_patients
from androcast.population.survival import KaplanMeier, kaplan_meier, kaplan_meier_censored

__all__ = [
    "DAYS_PER_MONTH",
    "OBSERVABLE_UNITS",
    "OUTCOME_FORMS",
    "AndrogenExposure",
    "AndrogenOption",
    "Cohort",
    "CohortSample",
    "KaplanMeier",
    "Observable",
    "Outcome",
    "Variability",
    "cohort_names",
    "kaplan_meier",
    "kaplan_meier_censored",
    "load_cohort",
    "parse_cohort",
    "parse_distribution",
    "parse_outcome",
    "parse_outcomes",
    "patient_seed",
    "sample_patients",
    "time_to_event",
]
