"""Calibration of the virtual population to published recovery data.

Targets are data (``data/targets.yaml``, numbers read from ``androcast.evidence``);
``evaluate`` simulates them for a :class:`~androcast.population.engine.PopulationModel`
on seeded cohorts; ``fit_population`` fits the weak parameters (spermatogonial reserve
kinetics, their variability, direction-only covariate effects) with few model runs;
``write_fit`` stores the result in ``data/fitted.yaml``, which the population engine
applies; ``render_report`` writes the HTML report.
"""

from __future__ import annotations

from androcast.calibrate.cohorts import calibration_cohort_names, cohort_variant
from androcast.calibrate.evaluate import Curve, TargetResult, evaluate, objective
from androcast.calibrate.fit import RESERVE, FitResult, Free, fit_population
from androcast.calibrate.report import render as render_report
from androcast.calibrate.roles import Role, roles
from androcast.calibrate.store import fit_document, fitted_path, load_fit, write_fit
from androcast.calibrate.targets import Target, select_targets, targets, wilson_interval

__all__ = [
    "RESERVE",
    "Curve",
    "FitResult",
    "Free",
    "Role",
    "Target",
    "TargetResult",
    "calibration_cohort_names",
    "cohort_variant",
    "evaluate",
    "fit_document",
    "fit_population",
    "fitted_path",
    "load_fit",
    "objective",
    "render_report",
    "roles",
    "select_targets",
    "targets",
    "wilson_interval",
    "write_fit",
]
