"""Fit targets and validation targets: which published numbers a fit has seen.

A target is a **fit** target when the stored calibration was fitted to it: it is in the
objective of ``androcast calibrate fit`` (``fit: true`` in targets.yaml), a parameter was
fitted to it outside that objective (``fitted_by``), or a covariate effect of the stored
population was sized to show its direction (the effect's source ``androcast-fit:<target>``,
several joined by ``+``).
Its pass shows that the fit holds, not that the model predicts. Every other target is a
**validation** target: no fit used it, so its verdict is a test of the model.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

from androcast.calibrate.fit import sized_by
from androcast.calibrate.targets import Target
from androcast.population.engine import PopulationModel

Role = Literal["fit", "validation"]


def roles(targets: Sequence[Target], population: PopulationModel) -> Mapping[str, Role]:
    """Each target's role under the stored population."""
    sized = {key for e in population.effects for key in sized_by(e)}
    return {t.key: "fit" if t.fit or t.fitted_by or t.key in sized else "validation"
            for t in targets}
