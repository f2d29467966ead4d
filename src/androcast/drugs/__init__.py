"""The drug catalogue: each drug's routes, accepted doses, PK parameters and site of action.

Records live in ``data/<code>.yaml``; PK values reference the evidence tables where a
published number exists, so each value carries its source, flag and confidence.
"""

from __future__ import annotations

from androcast.drugs._catalogue import drug_codes, get_drug
from androcast.drugs._types import (
    CONTINUOUS_ROUTES,
    RESTORATION_KINDS,
    ROUTES,
    Drug,
    DrugKind,
    Param,
    Route,
)

__all__ = [
    "CONTINUOUS_ROUTES",
    "RESTORATION_KINDS",
    "ROUTES",
    "Drug",
    "DrugKind",
    "Param",
    "Route",
    "drug_codes",
    "get_drug",
]
