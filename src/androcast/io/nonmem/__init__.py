"""NONMEM-style event tables (one row per dose or observation) for population PK/PD tools.

``case_events(case, regimen)`` gives one man's table: his androgen history and any extra
regimen as dose rows (exactly the events ``regimens.compile_regimen`` gives ``simulate``)
and his lab and semen results as observation rows in the labs catalogue's canonical units.
``population_events(cohort, n)`` gives one ID per virtual man with his doses, covariates
and simulated observables. ``EventTable.write`` puts the CSV (columns ``COLUMNS`` then
covariates) and a YAML legend of the CMT numbers, units, time unit and origin beside it.

Conventions: EVID 1 dose / 0 observation, MDV 1 on doses; a bolus (each pump pulse too) has
RATE 0, an infusion one row with AMT = the whole amount and RATE = amount per time unit
(so AMT/RATE is its duration, as NONMEM reads it). Censored results follow Monolix's
CENS/LIMIT columns, which nlmixr2 reads alike (``CENSORING_CONVENTION``). TIME is in days
or hours, from time 0 of DESIGN.md (cessation of androgens) or from each ID's first record.
"""

from androcast.io.nonmem._case import case_events, case_schedule
from androcast.io.nonmem._population import (
    DEFAULT_OBSERVABLES,
    MODEL_OBSERVABLES,
    default_days,
    population_events,
)
from androcast.io.nonmem._table import (
    CENSORING_CONVENTION,
    COLUMNS,
    ORIGINS,
    TIME_UNITS,
    Compartment,
    EventRow,
    EventTable,
    legend_path_for,
)

__all__ = [
    "CENSORING_CONVENTION",
    "COLUMNS",
    "DEFAULT_OBSERVABLES",
    "MODEL_OBSERVABLES",
    "ORIGINS",
    "TIME_UNITS",
    "Compartment",
    "EventRow",
    "EventTable",
    "case_events",
    "case_schedule",
    "default_days",
    "legend_path_for",
    "population_events",
]
