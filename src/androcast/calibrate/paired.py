"""The effect of a direction target and its Monte Carlo error, from the same men twice.

A direction target runs one cohort twice with one covariate changed (common random numbers:
the same sampled men, seed kept). Its effect is the statistic of variant a minus that of b,
and its Monte Carlo standard error comes from the per-man paired differences, not from two
independent binomial errors: the shared variation between the men cancels, which is what
common random numbers are for.

The verdict needs both the stated clinical minimum (``min_effect``, a design choice of the
target) and ``DIRECTION_Z`` standard errors, so a pass is not one seed's luck at one n.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from androcast.calibrate.targets import Statistic
from androcast.errors import SimulationError
from androcast.population import CohortResult
from androcast.population.survival import kaplan_meier_censored

#: standard errors the effect must exceed: a one-sided 3-sigma bar (p ~ 0.0013), so that over
#: the dozen direction targets of the report a pass by Monte Carlo noise alone is unlikely
#: (design choice, issue 21 item 3)
DIRECTION_Z = 3.0

#: bootstrap resamples of the men for the SE of a difference of medians (seeded)
BOOTSTRAP = 200


@dataclass(frozen=True)
class PairedEffect:
    """Statistic of a minus b on the men simulated in both variants, with its MC SE."""

    effect: float | None  # None: a median not reached in a variant
    se: float
    men: int  # men simulated in both variants

    @property
    def z(self) -> float | None:
        """The effect in its own standard errors (None when either is undefined or SE 0)."""
        if self.effect is None or self.se <= 0:
            return None
        return self.effect / self.se


def paired_effect(a: CohortResult, b: CohortResult, outcome: str, statistic: Statistic,
                  *, seed: int = 1) -> PairedEffect:
    """Effect of variant a over b and its SE from each man's paired difference.

    Probability at a month: each man's difference of the indicators "reached by the month"
    (mean = difference of the Kaplan-Meier curves, no censoring before follow-up); SE =
    SD of the differences / sqrt(men). Median months: b minus a (a faster = shorter median,
    a positive effect), its SE a seeded bootstrap over the men, each resample keeping a man's
    two runs together.
    """
    if a.n != b.n:  # an entry condition admitted different men: no pairing to speak of
        raise SimulationError(f"{outcome}: men per variant", (a.n, b.n),
                              "the same men in both variants (no entry condition)")
    both = ~(_failed(a) | _failed(b))
    ta, tb = a.time_to_event_months[outcome][both], b.time_to_event_months[outcome][both]
    men = int(both.sum())
    if statistic.kind == "probability":
        assert statistic.month is not None
        diff = _reached(ta, statistic.month) - _reached(tb, statistic.month)
        se = float(diff.std(ddof=1) / math.sqrt(men)) if men > 1 else 0.0
        return PairedEffect(float(diff.mean()), se, men)
    effect = _median_gap(ta, tb)
    rng = np.random.default_rng(seed)
    boots = [_median_gap(ta[pick], tb[pick])
             for pick in (rng.integers(0, men, men) for _ in range(BOOTSTRAP))]
    finite = np.array([g for g in boots if g is not None])
    se = float(finite.std(ddof=1)) if finite.size > 1 else 0.0
    return PairedEffect(effect, se, men)


def _failed(r: CohortResult) -> NDArray[np.bool_]:
    return np.zeros(r.n, dtype=bool) if r.failed is None else r.failed


def _reached(tte: NDArray[np.float64], month: float) -> NDArray[np.float64]:
    return (np.nan_to_num(tte, nan=math.inf) <= month).astype(float)


def _median_gap(ta: NDArray[np.float64], tb: NDArray[np.float64]) -> float | None:
    """Kaplan-Meier median of b minus that of a (never reached: NaN, censored after all)."""
    ma = kaplan_meier_censored(ta, censor_at=math.inf).median()
    mb = kaplan_meier_censored(tb, censor_at=math.inf).median()
    return None if ma is None or mb is None else mb - ma
