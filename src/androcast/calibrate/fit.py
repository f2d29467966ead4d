"""Fit the weak population parameters to the targets with few model runs.

Design for a small budget: common random numbers (the same seeded men for every
candidate), a few hundred men per evaluation, few free parameters on a log scale, and a
derivative-free optimiser (Nelder-Mead) with a capped number of evaluations. The fit runs
in two stages: (1) the marginal Liu 2006 curve fixes the reserve kinetics and their
variability; (2) each direction-only covariate effect gets the smallest size that shows its
published direction (the papers give no hazard ratios): above the target's stated minimum
and clear of its paired Monte-Carlo error (``TargetResult.passed``); then stage 1 is refined
once.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from androcast.calibrate.evaluate import TargetResult, evaluate, objective
from androcast.calibrate.targets import Target, select_targets
from androcast.population.engine import CovariateEffect, PopulationModel

Progress = Callable[[str], None]

#: Sources of fitted values name the target they were fitted to after this prefix.
FIT_SOURCE = "androcast-fit:"


@dataclass(frozen=True)
class Free:
    """A free parameter: ``typical.<name>``, ``variability.<name>`` or ``effect.<index>``."""

    where: str  # "typical" | "variability" | "effect"
    name: str  # parameter name, or the effect's index as text
    low: float  # bounds on the natural scale (the search is on log scale)
    high: float


#: Stage 1: the kinetics of the spermatogonial reserve and their variability (Liu 2006).
#: The self-renewal share w_sr is not free: below 1 the reserve-independent regeneration
#: restores every man within weeks and the objective rises steeply (w_sr 0.97: objective
#: x5), so the fit holds it at its bound, w_sr = 1 (regeneration only from survivors).
RESERVE = (
    Free("typical", "k_rg", 0.005, 0.2),
    Free("typical", "k_dg", 0.002, 0.05),
    Free("variability", "k_rg", 0.2, 2.5),
    Free("variability", "k_dg", 0.1, 2.0),
)


def apply(population: PopulationModel, free: Sequence[Free], values: Sequence[float]
          ) -> PopulationModel:
    """The population with the free parameters set to ``values`` (natural scale)."""
    typical = {f.name: v for f, v in zip(free, values, strict=True) if f.where == "typical"}
    cvs = {f.name: v for f, v in zip(free, values, strict=True) if f.where == "variability"}
    effects = [e.log_effect for e in population.effects]
    for f, v in zip(free, values, strict=True):
        if f.where == "effect":
            effects[int(f.name)] = v
    return population.with_values(typical, effects if population.effects else None, cvs)


def current(population: PopulationModel, f: Free) -> float:
    if f.where == "typical":
        return float(population.typical[f.name])
    if f.where == "variability":
        return float(population.variability[f.name])
    return float(population.effects[int(f.name)].log_effect)


@dataclass(frozen=True)
class FitResult:
    population_: PopulationModel
    objective_: float
    results_: tuple[TargetResult, ...]
    evaluations_: int
    n: int
    seed: int


def fit_free(
    population: PopulationModel,
    free: Sequence[Free],
    targets: Sequence[Target],
    *,
    n: int,
    seed: int,
    max_evals: int,
    progress: Progress | None = None,
) -> tuple[PopulationModel, float, int]:
    """Nelder-Mead on log-scaled bounded parameters; returns (population, objective, evals)."""
    lo = np.log([f.low for f in free])
    hi = np.log([f.high for f in free])
    x0 = np.clip(np.log([current(population, f) for f in free]), lo, hi)
    count = 0

    def cost(x: np.ndarray) -> float:
        nonlocal count
        count += 1
        values = np.exp(np.clip(x, lo, hi))
        penalty = float(np.sum((x - np.clip(x, lo, hi)) ** 2)) * 100.0
        value = objective(evaluate(targets, apply(population, free, values), n=n, seed=seed))
        if progress is not None:
            shown = ", ".join(f"{f.where}.{f.name}={v:.4g}" for f, v in zip(free, values,
                                                                          strict=True))
            progress(f"evaluation {count}: objective {value:.3f} ({shown})")
        return value + penalty

    simplex = [x0] + [x0 + np.where(np.arange(len(free)) == i, 0.15, 0.0)
                      for i in range(len(free))]
    best = minimize(cost, x0, method="Nelder-Mead",
                    options={"maxfev": max_evals, "initial_simplex": np.array(simplex),
                             "xatol": 0.02, "fatol": 0.05})
    values = np.exp(np.clip(best.x, lo, hi))
    return apply(population, free, values), float(best.fun), count


def size_effect(
    population: PopulationModel,
    index: int,
    targets: Sequence[Target],
    *,
    n: int,
    seed: int,
    sign: float,
    steps: Sequence[float] = (0.1, 0.2, 0.4, 0.7, 1.0, 1.5),
    progress: Progress | None = None,
) -> tuple[PopulationModel, int]:
    """The smallest |log_effect| in ``steps`` whose directions all pass their verdicts
    (each its stated minimum and DIRECTION_Z paired Monte-Carlo SE at this n)."""
    count = 0
    chosen = population
    for size in steps:
        candidate = apply(population, [Free("effect", str(index), 0, 0)], [sign * size])
        results = evaluate(targets, candidate, n=n, seed=seed)
        count += 1
        if progress is not None:
            for result in results:
                progress(f"{result.target.key}: log effect {sign * size:+.2f} -> "
                         f"{result.simulated}")
        chosen = candidate
        if all(result.passed for result in results):
            break
    return chosen, count


def fit_population(
    start: PopulationModel,
    *,
    n: int = 200,
    seed: int = 1,
    max_evals: int = 40,
    target_keys: list[str] | None = None,
    progress: Progress | None = None,
) -> FitResult:
    """Both stages; then every selected target is evaluated once for the record."""
    fitted = [t for t in select_targets(target_keys) if t.fit]
    population, _, evals = fit_free(start, RESERVE, fitted, n=n, seed=seed,
                                    max_evals=max_evals, progress=progress)
    # stage 2: direction-only effects, sized to their direction (sign from the paper)
    directions = {t.key: t for t in select_targets(target_keys)}
    for i, effect in enumerate(population.effects):
        sized = [directions[key] for key in sized_by(effect) if key in directions]
        if not sized:
            continue
        sign = math.copysign(1.0, effect.log_effect) if effect.log_effect else 1.0
        # numeric covariates act per unit (per year of age): steps a tenth as large
        scale = 1.0 if effect.level is not None else 0.1
        population, used = size_effect(population, i, sized, n=n, seed=seed,
                                       sign=sign * scale, progress=progress)
        evals += used
    if max_evals >= 2:
        population, _, used = fit_free(population, RESERVE, fitted, n=n, seed=seed,
                                       max_evals=max_evals // 2, progress=progress)
        evals += used
    results = evaluate(select_targets(target_keys), population, n=n, seed=seed)
    value = objective([r for r in results if r.target.fit])
    return FitResult(population, value, tuple(results), evals, n, seed)


def sized_by(effect: CovariateEffect) -> tuple[str, ...]:
    """The direction targets an effect is sized to: its source ``androcast-fit:<target>``,
    or ``androcast-fit:<target>+<target>`` when the smallest step must show both."""
    return tuple(effect.source.removeprefix(FIT_SOURCE).split("+"))
