"""The couple's question: the chance of a natural conception, month by month.

A pure core: published relations (female age, sperm concentration and total motile count,
couple heterogeneity by months already tried) as data with provenance in
``data/parameters.yaml``; ``model`` turns a couple and his monthly semen into a curve.
"""

from __future__ import annotations

from androcast.conception.model import (
    Couple,
    cumulative_at,
    cumulative_conception,
    female_age_ratio,
    male_ratio,
    monthly_chance,
)
from androcast.conception.parameters import (
    ConceptionParameters,
    conception_parameters,
    parameter_table,
)

__all__ = [
    "ConceptionParameters",
    "Couple",
    "conception_parameters",
    "cumulative_at",
    "cumulative_conception",
    "female_age_ratio",
    "male_ratio",
    "monthly_chance",
    "parameter_table",
]
