"""Time-to-outcome summaries: the Kaplan-Meier estimate and the median of a sampled curve.

Liu 2006 analysed recovery with Kaplan-Meier curves [liu2006]; we summarise a virtual
cohort's event times the same way, so simulated and published curves (and their step
medians) are comparable. Times are in any unit; NaN marks a patient censored at
``censor_at`` (end of follow-up).

Every other curve androcast reports is a cumulative probability sampled at times (a twin's
weighted share of men by day, a couple's expected chance of conception by month): its
median is :func:`crossing_time`, the one definition they all use.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from androcast.errors import ParameterError

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class KaplanMeier:
    """Survival S(t) after each distinct event time (right-continuous step function)."""

    event_times: FloatArray  # distinct times with at least one event, ascending
    survival: FloatArray  # S just after each event time
    n: int

    def survival_at(self, t: float) -> float:
        """S(t): the probability that the event has not happened by time t."""
        k = int(np.searchsorted(self.event_times, t, side="right"))
        return 1.0 if k == 0 else float(self.survival[k - 1])

    def cumulative_probability(self, at: Sequence[float]) -> tuple[float, ...]:
        """1 - S(t) at each time: the probability of having reached the outcome by t."""
        return tuple(1.0 - self.survival_at(t) for t in at)

    def median(self) -> float | None:
        """Smallest time with S(t) <= 0.5; None if the curve never gets there."""
        reached = np.nonzero(self.survival <= 0.5 + 1e-12)[0]
        return float(self.event_times[reached[0]]) if reached.size else None


def kaplan_meier(times: FloatArray, observed: NDArray[np.bool_]) -> KaplanMeier:
    """Product-limit estimate from event or censoring times and an event indicator.

    At a tie, events are counted before censorings (the usual convention).
    """
    times = np.asarray(times, dtype=float)
    observed = np.asarray(observed, dtype=bool)
    if times.shape != observed.shape or times.ndim != 1:
        raise ParameterError(
            "times", times.shape, f"a 1-d array shaped like observed {observed.shape}"
        )
    if np.isnan(times).any() or (times < 0).any():
        raise ParameterError("times", "NaN or negative", "non-negative times")
    event_times = np.unique(times[observed])
    at_risk = np.array([(times >= t).sum() for t in event_times], dtype=float)
    events = np.array([(times[observed] == t).sum() for t in event_times], dtype=float)
    survival = np.cumprod(1.0 - events / at_risk) if event_times.size else np.empty(0)
    return KaplanMeier(event_times, survival, int(times.size))


def kaplan_meier_censored(time_to_event: FloatArray, censor_at: float) -> KaplanMeier:
    """KM from times where NaN means no event by ``censor_at`` (end of follow-up)."""
    observed = ~np.isnan(time_to_event)
    return kaplan_meier(np.where(observed, time_to_event, censor_at), observed)


def crossing_time(times: Sequence[float] | FloatArray, cumulative: Sequence[float] | FloatArray,
                  level: float = 0.5) -> float | None:
    """When a sampled cumulative probability first reaches ``level`` (linear between samples).

    None if it never does within the samples; the first time if it starts there.
    """
    t = np.asarray(times, dtype=float)
    f = np.asarray(cumulative, dtype=float)
    above = np.nonzero(f >= level)[0]
    if not above.size:
        return None
    i = int(above[0])
    if i == 0:
        return float(t[0])
    f0, f1 = float(f[i - 1]), float(f[i])
    return float(t[i - 1] + (t[i] - t[i - 1]) * (level - f0) / (f1 - f0))
