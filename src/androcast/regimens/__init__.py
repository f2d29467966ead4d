"""Regimens: the regimen file, its checks against the drug catalogue, and dose events.

``load_regimen``/``parse_regimen`` read the regimen file of DESIGN.md; ``compile_regimen``
turns a ``Regimen`` into a ``DoseSchedule`` of bolus ``Dose``s (each pump pulse is one) and
``Infusion``s with the ``breakpoints`` the integrator must stop at; ``regimen_from_history``
places a case's androgen courses before time 0 (last dose + one interval, Handelsman 2005);
``restoration_history`` places the restoration drugs he takes now on the same axis.
"""

from __future__ import annotations

from androcast.regimens._compile import Dose, DoseSchedule, Infusion, compile_regimen
from androcast.regimens._history import (
    T0_CONVENTION,
    current_restoration_courses,
    regimen_from_history,
    restoration_history,
    time_zero,
)
from androcast.regimens._parse import load_regimen, parse_regimen
from androcast.regimens._spec import Regimen, RegimenEntry

__all__ = [
    "T0_CONVENTION",
    "Dose",
    "DoseSchedule",
    "Infusion",
    "Regimen",
    "RegimenEntry",
    "compile_regimen",
    "current_restoration_courses",
    "load_regimen",
    "parse_regimen",
    "regimen_from_history",
    "restoration_history",
    "time_zero",
]
