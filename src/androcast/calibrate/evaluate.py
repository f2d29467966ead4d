"""Simulate the calibration targets for a population model and score them.

Every target runs on a seeded virtual cohort of ``n`` men (common random numbers: the same
men for every candidate population). Each cohort (or variant) runs once per evaluation,
whatever the number of targets reading it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from androcast.calibrate.cohorts import cohort_variant
from androcast.calibrate.paired import DIRECTION_Z, paired_effect
from androcast.calibrate.targets import Target
from androcast.population import (
    DAYS_PER_MONTH,
    Cohort,
    CohortResult,
    run_cohort,
    sample_patients,
)
from androcast.population.engine import ModelEngine, PopulationModel
from androcast.regimens import Regimen

Progress = Callable[[str], None]
FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Curve:
    """A cumulative recovery curve (months, probability) of one cohort run."""

    label: str
    months: tuple[float, ...]
    probability: tuple[float, ...]


@dataclass(frozen=True)
class TargetResult:
    """A target's simulated value, its Monte-Carlo standard error and the verdict."""

    target: Target
    simulated: float | None  # None: not reached (e.g. median beyond follow-up)
    mc_se: float  # Monte-Carlo standard error at this n (direction: of the paired effect)
    n: int
    curves: tuple[Curve, ...]

    @property
    def z(self) -> float | None:
        """Direction targets: the paired effect in its own Monte-Carlo SE (else None)."""
        if self.target.kind != "direction" or self.simulated is None or self.mc_se <= 0:
            return None
        return self.simulated / self.mc_se

    @property
    def passed(self) -> bool:
        """Within the published interval widened by 2 Monte-Carlo SE; a direction: above
        its stated minimum and above DIRECTION_Z of its paired Monte-Carlo SE."""
        t = self.target
        if self.simulated is None:
            return False
        if t.kind == "direction":
            return self.simulated > max(t.min_effect, DIRECTION_Z * self.mc_se)
        margin = 2 * self.mc_se
        return t.low - margin <= self.simulated <= t.high + margin

    @property
    def residual(self) -> float:
        """Standardised distance from the published value (objective term)."""
        t = self.target
        if t.kind == "direction":
            bar = max(t.min_effect, DIRECTION_Z * self.mc_se)
            short = bar - (self.simulated if self.simulated is not None else -1.0)
            return max(short, 0.0) / 0.01
        simulated = self.simulated if self.simulated is not None else t.high + 3 * t.sd
        return (simulated - t.value) / math.hypot(t.sd, self.mc_se)


def objective(results: Sequence[TargetResult]) -> float:
    """Sum of squared standardised residuals."""
    return float(sum(r.residual**2 for r in results))


def evaluate(
    targets: Sequence[Target],
    population: PopulationModel,
    *,
    n: int,
    seed: int = 1,
    progress: Progress | None = None,
) -> list[TargetResult]:
    """Simulate every target's cohort(s) once and read each target's statistic."""
    engine = ModelEngine(population=population)
    runs: dict[str, CohortResult] = {}

    def run(name: str, change: Mapping[str, object], outcomes: list[str]) -> CohortResult:
        key = json.dumps([name, change, sorted(outcomes)], sort_keys=True)
        if key not in runs:
            if progress is not None:
                progress(name)
            cohort = cohort_variant(name, {**change, "seed": seed}, outcomes)
            runs[key] = run_cohort(cohort, n, engine, chunk_size=n)
        return runs[key]

    wanted: dict[str, set[str]] = {}
    for t in targets:
        if t.outcome:
            wanted.setdefault(t.cohort, set()).add(t.outcome)
    results = []
    for t in targets:
        if t.kind == "change":
            results.append(_change(t, engine, n, seed))
            continue
        if t.kind == "mean_recovery":
            results.append(mean_recovery(t, engine, n, seed))
            continue
        outcomes = sorted(wanted[t.cohort])
        assert t.outcome is not None
        if t.kind == "direction":
            assert t.statistic is not None
            ra = run(t.cohort, t.variant_a, outcomes)
            rb = run(t.cohort, t.variant_b, outcomes)
            paired = paired_effect(ra, rb, t.outcome, t.statistic, seed=seed)
            results.append(TargetResult(t, paired.effect, paired.se, n,
                                        (_curve(ra, t.outcome, "a"), _curve(rb, t.outcome, "b"))))
            continue
        if t.kind == "odds_ratio":  # variant a: the trials' design, made in both arms
            ra = run(t.cohort, t.variant_a, outcomes)
            rb = run(t.cohort, t.variant_b, outcomes)
            value, se = odds_ratio(ra, rb, t.outcome, t.month)
            results.append(TargetResult(t, value, se, n,
                                        (_curve(ra, t.outcome, "as given"),
                                         _curve(rb, t.outcome, "control"))))
            continue
        r = run(t.cohort, {}, outcomes)
        simulated, se = _statistic(r, t.outcome, t.kind, t.month, n)
        results.append(TargetResult(t, simulated, se, n, (_curve(r, t.outcome, "simulated"),)))
    return results


def odds_ratio(a: CohortResult, b: CohortResult, outcome: str, month: float | None
               ) -> tuple[float, float]:
    """Odds ratio of a couple outcome by ``month``, arm a vs arm b, and its Monte Carlo SE.

    Each arm's proportion is the mean of its couples' expected chances (men the engine could
    not simulate in either arm left out); the same men are in
    both arms (common random numbers), so the SE comes from each man's paired influence on
    log(OR) (delta method) and is carried to the OR scale by multiplying by the OR.
    """
    months = list(a.outcomes[outcome].months)
    assert month is not None and month in months, f"month {month} not among {months}"
    j = months.index(month)
    pa, pb = a.chance_by_couple[outcome][:, j], b.chance_by_couple[outcome][:, j]
    simulated = np.isfinite(pa) & np.isfinite(pb)  # men simulated in both arms
    pa, pb = pa[simulated], pb[simulated]
    ma, mb = float(pa.mean()), float(pb.mean())
    ratio = (ma / (1 - ma)) / (mb / (1 - mb))
    influence = (pa - ma) / (ma * (1 - ma)) - (pb - mb) / (mb * (1 - mb))
    se_log = float(influence.std(ddof=1) / math.sqrt(pa.size)) if pa.size > 1 else 0.0
    return ratio, ratio * se_log


def _curve(r: CohortResult, outcome: str, label: str) -> Curve:
    c = r.outcomes[outcome]
    return Curve(label, c.months, c.probability)


def _statistic(r: CohortResult, outcome: str, kind: str, month: float | None, n: int
               ) -> tuple[float | None, float]:
    curve = r.outcomes[outcome]
    months = np.asarray(curve.months)
    prob = np.asarray(curve.probability)
    if kind == "probability":
        assert month is not None
        p = float(np.interp(month, months, prob))
        return p, math.sqrt(max(p * (1 - p), 0.25 / n) / n)
    tte = r.time_to_event_months[outcome]
    if kind == "median":
        if curve.median_months is None:
            return None, 0.0
        m = float(curve.median_months)
        # SE of a median: sqrt(1/(4n)) / density of the time at the median
        j = int(np.clip(np.searchsorted(months, m), 1, len(months) - 1))
        density = (prob[j] - prob[j - 1]) / (months[j] - months[j - 1])
        return m, math.sqrt(0.25 / n) / max(density, 1e-3)
    reached = tte[np.isfinite(tte)]
    if reached.size == 0:
        return None, 0.0
    return float(reached.mean()), float(reached.std(ddof=1) / math.sqrt(reached.size)
                                        if reached.size > 1 else 0.0)


def _change(t: Target, engine: ModelEngine, n: int, seed: int) -> TargetResult:
    cohort = cohort_variant(t.cohort, {"seed": seed})
    assert t.observable is not None and t.month is not None
    sample = sample_patients(cohort, 0, n)
    t_d = np.array([0.0, t.month * DAYS_PER_MONTH])
    values = engine.trajectory(cohort, sample, t_d, [t.observable]).values[t.observable]
    delta = values[1] - values[0]
    return TargetResult(t, float(delta.mean()), float(delta.std(ddof=1) / math.sqrt(n)), n, ())


#: months after time 0 at which a mean_recovery target reads the men's mean (every week)
RECOVERY_GRID_MONTHS = np.arange(0.0, 36.0 + 1e-9, 0.25)


def mean_recovery(t: Target, engine: ModelEngine, n: int, seed: int,
                  cohort: Cohort | None = None) -> TargetResult:
    """Months until the men's mean ``observable`` first reaches ``reached`` x their mean
    without androgens (the same men: the cohort run without its exposure or treatment).

    Shankara-Narayana 2020 report the time for past users to reach the non-users' mean; a
    model mean that approaches it from below never equals it, so "reached" is within 5 %
    (design choice). The Monte-Carlo SE is a bootstrap over men (seeded). ``cohort``: a
    variant of the target's cohort (default: the target's own, with ``seed``).
    """
    assert t.observable is not None
    cohort = cohort or cohort_variant(t.cohort, {"seed": seed})
    sample = sample_patients(cohort, 0, n)
    t_d = RECOVERY_GRID_MONTHS * DAYS_PER_MONTH
    after = engine.trajectory(cohort, sample, t_d, [t.observable]).values[t.observable]
    drug_free = replace(cohort, androgen=None, regimen=Regimen(()))
    base = engine.trajectory(drug_free, sample, np.array([0.0, 1.0]),
                             [t.observable]).values[t.observable][0]
    value = _first_reached(after.mean(axis=1), t.reached * base.mean())
    rng = np.random.default_rng(seed)
    boots = []
    for _ in range(200):
        men = rng.integers(0, n, n)
        b = _first_reached(after[:, men].mean(axis=1), t.reached * base[men].mean())
        boots.append(np.nan if b is None else b)
    finite = np.asarray(boots)[np.isfinite(boots)]
    se = float(finite.std(ddof=1)) if finite.size > 1 else 0.0
    months = tuple(float(m) for m in RECOVERY_GRID_MONTHS)
    share = tuple(float(v) for v in after.mean(axis=1) / base.mean())
    return TargetResult(t, value, se, n, (Curve("mean / drug-free mean", months, share),))


def _first_reached(mean: FloatArray, level: float) -> float | None:
    """First month (interpolated on the grid) at which ``mean`` rises to ``level``, after
    the suppression has begun to lift (values before the lowest point do not count)."""
    low = int(np.argmin(mean))
    above = np.nonzero(mean[low:] >= level)[0]
    if above.size == 0:
        return None
    j = low + int(above[0])
    if j == 0:
        return 0.0
    m0, m1 = RECOVERY_GRID_MONTHS[j - 1], RECOVERY_GRID_MONTHS[j]
    v0, v1 = mean[j - 1], mean[j]
    return float(m0 + (m1 - m0) * (level - v0) / (v1 - v0)) if v1 != v0 else float(m1)
