"""SBML export of the HPG model with a regimen's doses as events (python-libsbml)."""

from __future__ import annotations

from androcast.io.sbml._document import Jump, Quantity, build_document, formula

__all__ = ["Jump", "Quantity", "build_document", "formula"]
