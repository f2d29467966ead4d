"""The stored fit (``data/fitted.yaml``): population values with provenance and the record.

The population engine reads this file (``androcast.population.engine.fitted_population``);
``androcast calibrate fit`` rewrites it. Every value names the target it was fitted to as
``androcast-fit:<target>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from androcast._yaml import load_data
from androcast.calibrate.fit import FitResult
from androcast.population.engine import (
    CovariateEffect,
    PopulationModel,
    fitted_population,
    parse_population_model,
)

HEADER = """\
# The calibrated virtual population (androcast calibrate fit; do not edit by hand).
# typical: values replacing the reference man's; variability: lognormal CV between men;
# covariate_effects: parameter *= exp(log_effect * x), x = covariate - reference or 1 at the
# level. Sources name the calibration targets (calibrate/data/targets.yaml) fitted to.
"""

#: Which targets each population value was fitted to.
PROVENANCE = {
    "typical": "androcast-fit:liu2006_recovery+kohn2017_p12+wenker2015",
    "variability": "androcast-fit:liu2006_recovery+kohn2017_p12+wenker2015",
}


def fitted_path() -> Path:
    """Where the packaged fit lives (inside the installed package)."""
    return Path(str(resources.files("androcast.calibrate").joinpath("data/fitted.yaml")))


def load_fit(path: Path | None = None) -> tuple[PopulationModel, Mapping[str, Any]]:
    """The stored population and the fit record (objective, n, seed, date, ...)."""
    if path is None:
        data = load_data(fitted_path().read_text("utf-8")) if fitted_path().is_file() else {}
        return fitted_population(), dict((data or {}).get("fit") or {})
    data = load_data(path.read_text("utf-8"))
    return parse_population_model(data, source=path.name), dict(data.get("fit") or {})


def _effect(e: CovariateEffect) -> dict[str, Any]:
    out: dict[str, Any] = {"parameter": e.parameter, "covariate": e.covariate}
    if e.level is not None:
        out["level"] = e.level
    else:
        out["reference"] = e.reference
    if e.span is not None:
        out["span"] = list(e.span)
    out["log_effect"] = round(e.log_effect, 4)
    out["source"] = e.source
    if e.basis:
        out["basis"] = e.basis
    return out


def fit_document(result: FitResult, *, date: str, targets: list[str]) -> dict[str, Any]:
    """The YAML mapping of a fit."""
    pop = result.population_
    return {
        "fit": {
            "date": date,
            "n": result.n,
            "seed": result.seed,
            "objective": round(result.objective_, 4),
            "evaluations": result.evaluations_,
            "targets": targets,
            "passed": {r.target.key: bool(r.passed) for r in result.results_},
        },
        "typical": {
            name: {"value": float(f"{v:.4g}"),
                   "source": pop.sources.get(f"typical.{name}", PROVENANCE["typical"])}
            for name, v in pop.typical.items()
        },
        "variability": {
            name: {"cv": float(f"{v:.4g}"),
                   "source": pop.sources.get(f"variability.{name}", PROVENANCE["variability"])}
            for name, v in pop.variability.items()
        },
        "covariate_effects": [_effect(e) for e in pop.effects],
    }


def write_fit(document: Mapping[str, Any], path: Path | None = None) -> Path:
    """Write a fit document (default: the packaged ``fitted.yaml``) and return the path."""
    target = path or fitted_path()
    text = HEADER + yaml.safe_dump(dict(document), sort_keys=False, allow_unicode=True)
    parse_population_model(load_data(text), source=target.name)  # never store junk
    target.write_text(text, encoding="utf-8")
    fitted_population.cache_clear()
    return target
