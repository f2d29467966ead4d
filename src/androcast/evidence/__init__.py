"""The evidence base shipped with androcast: published values and the bibliography.

``reference_values.yaml`` and ``model_parameters.yaml`` are the project's evidence tables
(clinical facts and model parameters, each with a citation key and a verification flag).
Code refers to a number by its dotted key, e.g.
``evidence("testosterone_total.aua2018_low_t_cutoff")``, so that a threshold is never
repeated and its source travels with it.
"""

from __future__ import annotations

from androcast.evidence._tables import (
    Evidence,
    bibliography,
    citation,
    evidence,
    evidence_keys,
)

__all__ = ["Evidence", "bibliography", "citation", "evidence", "evidence_keys"]
