"""The population layer's view of the model: which parameters exist."""

from __future__ import annotations

import dataclasses
from functools import cache

from androcast.model import Parameters


@cache
def parameter_names() -> frozenset[str]:
    """Names of the fields of ``androcast.model.Parameters`` (targets of variability)."""
    return frozenset(f.name for f in dataclasses.fields(Parameters))
