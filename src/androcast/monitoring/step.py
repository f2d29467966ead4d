"""The monitoring step: judge each new result against the band made before it, then learn.

``start_monitoring`` personalises his twin on the results up to the plan start and makes
the first band; the plan is the posterior's ``treatment``, so his men are simulated on it,
and should ``twin.update`` have to personalise him again from the prior (results his men
cannot explain), that posterior is on the plan too. ``monitor`` takes his case with new
results and, one date at a time (oldest first): judges that date's results against the
current band (``alerts``), adds them to the posterior (``twin.update``), and makes the
next band. A result flagged far outside the band is left out of the update until it is
confirmed (``LabResult.confirmed``; then it is learnt, without being judged again): one wrong
value, or a dose of a drug the plan does not know, would otherwise drag the forecast away
from the man.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from androcast.interpret import interpret
from androcast.labs import Case
from androcast.monitoring.alerts import Alert, Visit, far_outside_keys, judge_visit
from androcast.monitoring.band import Band, forecast_band, plan_regimen
from androcast.monitoring.rules import alert_rules
from androcast.prognosis import Protocol, get_protocol
from androcast.prognosis.current import for_him
from androcast.protocol import escalations_for
from androcast.twin import Observation, Posterior, case_time_zero, observations, personalise, update

Key = tuple[str, dt.date]


@dataclass(frozen=True)
class MonitoringState:
    """A man on an adopted plan: his posterior (history = androgens + plan) and its band."""

    protocol: Protocol
    start: dt.date
    posterior: Posterior
    band: Band
    held_out: frozenset[Key]  # results left out of the forecast (flagged, not confirmed)
    horizon_weeks: int = 52

    def pending(self, case: Case) -> tuple[Observation, ...]:
        """His results the state has not judged yet, oldest first."""
        seen = self.posterior.used_ | self.held_out
        return tuple(o for o in observations(case, self.posterior.t0) if o.key not in seen)


@dataclass(frozen=True)
class VisitResult:
    date: dt.date
    alerts: tuple[Alert, ...]
    band_before: Band
    band_after: Band


@dataclass(frozen=True)
class StepResult:
    visits: tuple[VisitResult, ...]
    state: MonitoringState

    @property
    def alerts(self) -> tuple[Alert, ...]:
        return tuple(a for v in self.visits for a in v.alerts)


def _up_to(case: Case, day: dt.date, leave_out: frozenset[Key] = frozenset()) -> Case:
    labs = tuple(r for r in case.labs if r.date <= day and (r.analyte, r.date) not in leave_out)
    semen = tuple(s for s in case.semen
                  if s.date <= day and ("sperm_concentration", s.date) not in leave_out)
    return replace(case, labs=labs, semen=semen, as_of=max(day, case.as_of))


def start_monitoring(
    case: Case,
    protocol_id: str,
    start: dt.date,
    *,
    n: int = 64,
    seed: int = 1,
    horizon_weeks: int = 52,
) -> MonitoringState:
    """His twin personalised on the results up to ``start``, and the band of the protocol."""
    baseline = _up_to(case, start)
    # his restoration drugs of the day before the start continued at his dose, or stopped
    day_before = replace(baseline, as_of=start - dt.timedelta(days=1))
    protocol = for_him(get_protocol(protocol_id, field="protocol"), day_before,
                       interpret(day_before).action_codes())
    start_d = float((start - case_time_zero(baseline)).days)
    posterior = personalise(baseline, n=n, seed=seed,
                            treatment=plan_regimen(protocol, start_d), treatment_start=start)
    band = forecast_band(posterior, protocol, start, as_of=start, horizon_weeks=horizon_weeks)
    return MonitoringState(protocol, start, posterior, band, frozenset(), horizon_weeks)


def acting_escalations(protocol: Protocol, case: Case) -> frozenset[str]:
    """The escalations that act on the protocol for him now (his cautions as of the case:
    a low estradiol before hCG no longer rules out an AI once hCG has raised it)."""
    return frozenset(escalation_advice(protocol, case))


def escalation_advice(protocol: Protocol, case: Case) -> dict[str, str]:
    """The advice of each escalation acting on the protocol for him now, for its regimen
    (a raise never above the dose he is already on at its ceiling), by id."""
    cautions = set(interpret(case).caution_codes())
    return {e.id: e.then for e in escalations_for(protocol, cautions)}


def monitor(state: MonitoringState, case: Case) -> StepResult:
    """Judge and learn from each new result of ``case``, one date at a time (module doc)."""
    rules = alert_rules()
    # a held-out result the laboratory has since confirmed is learnt now (judged already)
    released = frozenset(k for k in state.held_out if _confirmed(case, k))
    state = replace(state, held_out=state.held_out - released)
    pending = state.pending(case)
    visits: list[VisitResult] = []
    for day in sorted({o.date for o in pending}):
        todays = tuple(o for o in pending if o.date == day)
        new = tuple(o for o in todays if o.key not in released)
        known = _up_to(case, day)
        advice = escalation_advice(state.protocol, known)
        visit = Visit(day, known, state.start, new, frozenset(advice), advice)
        before = state.band
        # a result dated on or before the start (entered late) is baseline: learnt, not judged
        alerts = judge_visit(visit, before, rules) if day > state.start and new else ()
        flagged = {k for k in far_outside_keys(alerts, rules) if not _confirmed(case, k)}
        state = _learn(state, _up_to(case, day, state.held_out | flagged), flagged, day)
        visits.append(VisitResult(day, alerts, before, state.band))
    return StepResult(tuple(visits), state)


def _confirmed(case: Case, key: Key) -> bool:
    observable, day = key
    return any(r.confirmed for r in case.labs if r.analyte == observable and r.date == day)


def _learn(state: MonitoringState, known: Case, flagged: set[Key],
           day: dt.date) -> MonitoringState:
    held = state.held_out | flagged
    warnings: tuple[str, ...] = ()
    # the posterior's treatment is the plan: personalised again, his men stay on it
    updated = update(state.posterior, known)
    if held:
        listed = ", ".join(f"{name} {d.isoformat()}" for name, d in sorted(held))
        warnings = (*warnings, f"left out of the forecast until confirmed: {listed}")
    band = forecast_band(updated, state.protocol, state.start, as_of=day,
                         horizon_weeks=state.horizon_weeks, warnings=warnings)
    return replace(state, posterior=updated, band=band, held_out=frozenset(held))


def follow_up(case: Case, protocol_id: str, start: dt.date, *, n: int = 64, seed: int = 1,
              horizon_weeks: int = 52) -> StepResult:
    """``start_monitoring`` then ``monitor`` over every result after the start."""
    state = start_monitoring(case, protocol_id, start, n=n, seed=seed,
                             horizon_weeks=horizon_weeks)
    return monitor(state, case)
