"""The processes of the HPG model, one small function each, grouped by organ.

:func:`androcast.model.rhs.rhs` sums them into each state's derivative. Sections (a)-(e)
follow ``hpg-model.md`` 6.2; every function's docstring names its equation and source, and
every constant is a parameter of ``data/parameters.yaml`` with provenance. Drug terms are in
:mod:`androcast.model.pharmacology`.
"""

from __future__ import annotations

from androcast.model.terms import (
    baseline,
    hypothalamus,
    leydig,
    pituitary,
    sertoli,
    spermatogenesis,
    steroids,
)

#: The term modules in the order the model reference documents them.
MODULES = (baseline, hypothalamus, pituitary, leydig, steroids, sertoli, spermatogenesis)

__all__ = ["MODULES", "baseline", "hypothalamus", "leydig", "pituitary", "sertoli",
           "spermatogenesis", "steroids"]
