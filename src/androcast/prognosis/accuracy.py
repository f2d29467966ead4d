"""Outcome-level accuracy of the batch engine: what the clinician sees, against a tight reference.

Issue 17 judges the engine where its error would show: after a year of TRT (testosterone
cypionate 150 mg/week, the reference scenario's history), every shipped protocol is given
for ``follow_up_months``; each man's time to 5, 15 and 20 M/mL and the share of men who
reached each by every reported month (the prognosis's months) must agree with a tight
reference solution within 1 day and 0.005. Trajectory error is reported elsewhere
(``bench/peers.py``), not targeted here.

Both runs take the same men (ages 25-55, the shipped fit's variability; man k is the same
man for any n) through the same history and branches, so the difference is the solver's.
Times to a threshold are the first crossing of the daily sperm concentration, linear
between days (so the comparison measures the solver, not the output grid); a man who
reaches it in one run only counts the days from his time to the end of the follow-up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from androcast.model import Parameters
from androcast.population import DAYS_PER_MONTH, CohortSample
from androcast.population.engine import cohort_parameters, fitted_population
from androcast.prognosis.forecast import MONTHS
from androcast.prognosis.protocols import Protocol, protocols
from androcast.regimens import compile_regimen, parse_regimen
from androcast.simulate._batch_methods import RODAS4, ROS3, Rosenbrock
from androcast.simulate.batch import BatchState, simulate_batch
from androcast.simulate.options import REFERENCE, SolverOptions

FloatArray = NDArray[np.float64]

#: A year of weekly testosterone cypionate, the last injection a week before day 0
#: (``examples/regimens/trt_then_clomiphene_hcg.yaml``; Handelsman 2005's time zero).
TRT_YEAR = [{"drug": "testosterone_cypionate", "dose": "150 mg", "route": "im", "every": "7 d",
             "start": "-52 wk", "stop": "0 d"}]
THRESHOLDS_M_PER_ML = (5.0, 15.0, 20.0)
#: The owner's budget (issue 17): times within a day, probabilities within 0.005.
BUDGET_DT_DAYS = 1.0
BUDGET_DP = 0.005
AGE_RANGE = (25.0, 55.0)


@dataclass(frozen=True)
class OutcomeErrors:
    """Largest outcome errors over the panel, and where they were."""

    max_dt_days: float
    max_dp: float
    worst_dt: tuple[str, float]  # (protocol, threshold) of max_dt_days
    worst_dp: tuple[str, float, float]  # (protocol, threshold, month) of max_dp
    per_protocol: dict[str, tuple[float, float]]  # id -> (max dt, max dp)

    def holds(self) -> bool:
        return self.max_dt_days <= BUDGET_DT_DAYS and self.max_dp <= BUDGET_DP


def panel_men(n: int, seed: int) -> Parameters:
    """n men: ages drawn with ``seed`` (one stream per man, so man k is the same for any
    n), the shipped fit's typical values and inter-individual variability."""
    ages = np.array([
        np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(k,))).uniform(*AGE_RANGE)
        for k in range(n)])
    sample = CohortSample(index=np.arange(n, dtype=np.int64), covariates={"age_years": ages},
                          categories={}, androgen_option=None, androgen_doses=None,
                          parameter_factors={})
    return cohort_parameters(sample, None, fitted_population())


def panel_concentrations(p: Parameters, n: int, control: SolverOptions, *,
                         method: Rosenbrock = ROS3, follow_up_months: float = max(MONTHS),
                         panel: Sequence[Protocol] | None = None,
                         history_control: SolverOptions | None = None) -> dict[str, FloatArray]:
    """Daily sperm concentration (days, n) of the n men on each protocol after the TRT year
    (day 0 first), integrated with ``control`` and ``method``; the TRT year with
    ``history_control`` if given (a prognosis scores his history at the twin's control and
    branches at ``FORECAST``: ``twin.branch``)."""
    days = float(np.ceil(follow_up_months * DAYS_PER_MONTH))
    history = parse_regimen(TRT_YEAR, source="TRT year")
    t_start = min(e.start_d for e in history.entries)
    schedule = compile_regimen(history, t_start_d=t_start, t_end_d=0.0)
    run = simulate_batch(p, [schedule] * n, np.array([0.0]), t_start_d=t_start,
                         control=history_control or control, observables=(), method=method)
    assert run.final is not None  # the compiled engine always returns it
    state: BatchState = run.final
    t_out = np.arange(0.0, days + 0.5, 1.0)
    out: dict[str, FloatArray] = {}
    for protocol in panel or protocols():
        branch = compile_regimen(protocol.regimen_from(0.0, days + 1.0), t_start_d=0.0,
                                 t_end_d=days + 1.0)
        values = simulate_batch(p, [branch] * n, t_out, t_start_d=0.0, control=control,
                                observables=("sperm_concentration",), y0=state,
                                method=method).values["sperm_concentration"]
        out[protocol.id] = np.asarray(values)
    return out


def crossing_days(t_d: FloatArray, values: FloatArray, threshold: float) -> FloatArray:
    """First time each column reaches ``threshold``, linear between samples; NaN = never."""
    met = values >= threshold
    ever = met.any(axis=0)
    i = np.argmax(met, axis=0)
    cols = np.arange(values.shape[1])
    prev = np.maximum(i - 1, 0)
    v0, v1 = values[prev, cols], values[i, cols]
    frac = np.where((i > 0) & (v1 > v0), (threshold - v0) / np.where(v1 > v0, v1 - v0, 1.0),
                    0.0)
    t = np.where(i > 0, t_d[prev] + frac * (t_d[i] - t_d[prev]), t_d[i])
    return np.where(ever, t, np.nan)


def compare(got: dict[str, FloatArray], want: dict[str, FloatArray],
            months: Sequence[float] = MONTHS) -> OutcomeErrors:
    """Outcome errors of ``got`` against ``want`` (both from :func:`panel_concentrations`)."""
    per: dict[str, tuple[float, float]] = {}
    worst_dt: tuple[str, float] = ("", 0.0)
    worst_dp: tuple[str, float, float] = ("", 0.0, 0.0)
    max_dt = max_dp = 0.0
    for pid, ref in want.items():
        t_d = np.arange(ref.shape[0], dtype=float)
        end = float(t_d[-1])
        p_dt = p_dp = 0.0
        for thr in THRESHOLDS_M_PER_ML:
            a, b = crossing_days(t_d, got[pid], thr), crossing_days(t_d, ref, thr)
            dt = np.where(np.isnan(a) & np.isnan(b), 0.0,
                          np.abs(np.nan_to_num(a, nan=end) - np.nan_to_num(b, nan=end)))
            for m in months:
                cut = m * DAYS_PER_MONTH
                dp = abs(float(np.mean(np.nan_to_num(a, nan=np.inf) <= cut))
                         - float(np.mean(np.nan_to_num(b, nan=np.inf) <= cut)))
                if dp > max_dp:
                    max_dp, worst_dp = dp, (pid, thr, m)
                p_dp = max(p_dp, dp)
            d = float(np.max(dt))
            if d > max_dt:
                max_dt, worst_dt = d, (pid, thr)
            p_dt = max(p_dt, d)
        per[pid] = (p_dt, p_dp)
    return OutcomeErrors(max_dt, max_dp, worst_dt, worst_dp, per)


def outcome_errors(n: int, control: SolverOptions, *, seed: int = 2024,
                   reference: SolverOptions = REFERENCE, reference_method: Rosenbrock | None = None,
                   follow_up_months: float = max(MONTHS)) -> OutcomeErrors:
    """The panel's outcome errors of ``control`` (ROS3) against ``reference``
    (``reference_method``, default RODAS4) for n men."""
    p = panel_men(n, seed)
    got = panel_concentrations(p, n, control, follow_up_months=follow_up_months)
    want = panel_concentrations(p, n, reference, method=reference_method or RODAS4,
                                follow_up_months=follow_up_months)
    return compare(got, want)


__all__ = ["OutcomeErrors", "compare", "crossing_days", "outcome_errors", "panel_concentrations",
           "panel_men"]
