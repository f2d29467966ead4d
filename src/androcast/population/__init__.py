"""Virtual populations: outcomes, cohort files, seeded sampling and execution backends."""

from androcast.population.backends import (
    AbstractBackend,
    DaskCluster,
    InProcess,
    LocalProcesses,
    chunk_bounds,
    run_cohort,
)
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
from androcast.population.summary import (
    PERCENTILES,
    AbstractEngine,
    ChunkSummary,
    CohortResult,
    ObservableBands,
    OutcomeCurve,
    sampling_times_d,
    summarise_chunk,
)
from androcast.population.survival import KaplanMeier, kaplan_meier, kaplan_meier_censored

__all__ = [
    "DAYS_PER_MONTH",
    "OBSERVABLE_UNITS",
    "OUTCOME_FORMS",
    "PERCENTILES",
    "AbstractBackend",
    "AbstractEngine",
    "AndrogenExposure",
    "AndrogenOption",
    "ChunkSummary",
    "Cohort",
    "CohortResult",
    "CohortSample",
    "DaskCluster",
    "InProcess",
    "KaplanMeier",
    "LocalProcesses",
    "Observable",
    "ObservableBands",
    "Outcome",
    "OutcomeCurve",
    "Variability",
    "chunk_bounds",
    "cohort_names",
    "kaplan_meier",
    "kaplan_meier_censored",
    "load_cohort",
    "parse_cohort",
    "parse_distribution",
    "parse_outcome",
    "parse_outcomes",
    "patient_seed",
    "run_cohort",
    "sample_patients",
    "sampling_times_d",
    "summarise_chunk",
    "time_to_event",
]
