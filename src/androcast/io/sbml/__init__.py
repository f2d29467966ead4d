"""SBML export of the HPG model with a regimen's doses as events (python-libsbml).

``export_sbml(case, regimen)`` writes one man's model traced from ``androcast.model.rhs``;
``build_document`` is the writer underneath it.
"""

from __future__ import annotations

from androcast.io.sbml._document import (
    Jump,
    ModelEvent,
    Observable,
    Quantity,
    Switch,
    build_document,
    formula,
    infusion_switches,
)
from androcast.io.sbml._export import SbmlExport, export_sbml

__all__ = [
    "Jump",
    "ModelEvent",
    "Observable",
    "Quantity",
    "SbmlExport",
    "Switch",
    "build_document",
    "export_sbml",
    "formula",
    "infusion_switches",
]
