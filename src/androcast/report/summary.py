"""The bottom line of a patient, as the top of his page and of his report state it.

Pattern in words, pathway and first step, the key forecast or why there is none, open
alerts, the next check and the drugs he takes now. Built from what is stored or already
computed (his assessment, a kept plan, his adopted plan and its alerts): nothing here
simulates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from androcast import display
from androcast.population import DAYS_PER_MONTH
from androcast.protocol import plan_rules
from androcast.protocol.planner import monitoring_checks


@dataclass(frozen=True)
class CurrentDrug:
    """A drug he takes now: its name, dose and schedule in words, since when, and from where
    we know it (his adopted plan or his history)."""

    code: str
    name: str
    dose: str
    since: dt.date | None
    source: str


@dataclass(frozen=True)
class NextCheck:
    date: dt.date
    what: str
    overdue: bool


@dataclass(frozen=True)
class BottomLine:
    pattern: str
    pathway: str | None
    first_step: str | None
    first_step_citations: tuple[str, ...]
    forecast: str | None  # the key forecast, or why there is none
    declined: bool
    open_alerts: tuple[Mapping[str, Any], ...]
    next_check: NextCheck | None
    drugs: tuple[CurrentDrug, ...]


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def _taking(start: Any, stop: Any, today: dt.date) -> bool:
    began, ended = _date(start), _date(stop)
    return (began is None or began <= today) and (ended is None or ended >= today)


def current_drugs(
    *,
    androgens: Iterable[Any] = (),
    medications: Iterable[Any] = (),
    adopted: Mapping[str, Any] | None = None,
    today: dt.date,
) -> tuple[CurrentDrug, ...]:
    """What he takes now: his adopted plan's drugs (from its start), androgens without a
    stop, and medication courses that cover today (a bare code counts as current)."""
    out: dict[str, CurrentDrug] = {}
    if adopted is not None and _date(adopted.get("start")) is not None:
        start = _date(adopted.get("start"))
        assert start is not None
        for e in adopted.get("regimen", ()):
            code = str(e["drug"])
            schedule = display.every(display.parse_every(e.get("every")))
            route = display.label("route", e.get("route")) if e.get("route") else ""
            dose = ", ".join(p for p in (display.dose(e.get("dose", "")), schedule, route) if p)
            if start <= today:
                out[code] = CurrentDrug(code, display.label("drug", code), dose, start,
                                        "adopted plan")
    for a in androgens:
        if _taking(a.start, a.stop, today) and a.agent not in out:
            dose = f"{display.dose(a.dose, a.dose_unit)}, {display.every(a.every_d)}"
            out[a.agent] = CurrentDrug(a.agent, display.label("drug", a.agent), dose,
                                       _date(a.start), "history")
    for m in medications:
        code = m if isinstance(m, str) else str(m.code)
        if code in out:
            continue
        if isinstance(m, str):
            out[code] = CurrentDrug(code, display.label("drug", code), "", None, "history")
            continue
        if not _taking(m.start, m.stop, today):
            continue
        parts = []
        if m.dose is not None:
            parts.append(display.dose(m.dose, m.dose_unit))
        if m.every_d is not None:
            parts.append(display.every(m.every_d))
        out[code] = CurrentDrug(code, display.label("drug", code), ", ".join(parts),
                                _date(m.start), "history")
    return tuple(out.values())


def next_check(
    adopted: Mapping[str, Any] | None, latest_result: dt.date | None, today: dt.date
) -> NextCheck | None:
    """The next dated check of his adopted plan's schedule; a past check with no result on
    or after it is overdue. None without an adopted plan."""
    start = None if adopted is None else _date(adopted.get("start"))
    if adopted is None or start is None:
        return None
    rules = plan_rules()
    acting = set(adopted.get("escalations", ()))
    escalations = tuple(e for e in rules.escalations if e.id in acting)
    months = float(adopted.get("horizon_weeks", 52)) * 7 / DAYS_PER_MONTH
    checks = monitoring_checks(start, escalations, rules.monitoring, months,
                               drug_change=bool(adopted.get("regimen")))
    for c in checks:
        if c.date < today and (latest_result is None or latest_result < c.date):
            return NextCheck(c.date, display.check(c.what), overdue=True)
    upcoming = [c for c in checks if c.date >= today]
    if not upcoming:
        return None
    first = upcoming[0]
    same_day = [display.check(c.what) for c in upcoming if c.date == first.date]
    return NextCheck(first.date, "; ".join(dict.fromkeys(same_day)), overdue=False)


def _declined(plan: Mapping[str, Any] | None, prognosis: Mapping[str, Any] | None) -> str | None:
    """The reason code a plan or prognosis gives for drawing no curves, if any."""
    forecast = None if plan is None else plan.get("forecast")
    if isinstance(forecast, Mapping) and forecast.get("declined"):
        reason = forecast["declined"]
        return str(reason.get("reason") if isinstance(reason, Mapping) else reason)
    declined = None if prognosis is None else prognosis.get("declined")
    if isinstance(declined, Mapping):
        return str(declined.get("reason"))
    return None


def key_forecast(plan: Mapping[str, Any]) -> str | None:
    """The best-ranked alternative in one sentence (None without one)."""
    alternatives: Sequence[Mapping[str, Any]] = plan.get("alternatives") or ()
    if not alternatives:
        return None
    best = alternatives[0]
    low, high = best["interval_90"][-1]
    month = display.number(float(plan["target_month"]))
    tied = best.get("tied_with") or ()
    return (
        f"{display.protocol(best)}: {best['probability_by_target']:.0%} chance "
        f"of {display.outcome(str(plan['goal_outcome']))} by month {month} "
        f"(90 % interval {low:.0%}–{high:.0%})"
        + ("" if not tied else "; tied within Monte Carlo error with "
           + ", ".join(display.label("protocol", str(t)) for t in tied))
    )


def unranked_forecast(plan: Mapping[str, Any], prognosis: Mapping[str, Any] | None) -> str:
    """The forecast line of a plan that ranks no protocol: his pathway leads to none now,
    and curves drawn for a man who keeps his androgens are a what-if, said so."""
    basis = {} if prognosis is None else prognosis.get("basis") or {}
    scenario = basis.get("scenario")
    if isinstance(scenario, Mapping) and scenario.get("what_if"):
        return f"No protocol ranked on his pathway. {scenario['text']}"
    return (f"No protocol ranked: his pathway ({display.label('pathway', plan.get('pathway'))})"
            f" does not lead to hormonal stimulation now")


def bottom_line(
    *,
    assessment: Mapping[str, Any] | None,
    pathway: Mapping[str, Any] | None,
    plan: Mapping[str, Any] | None,
    prognosis: Mapping[str, Any] | None,
    alerts: Iterable[Mapping[str, Any]],
    adopted: Mapping[str, Any] | None,
    drugs: tuple[CurrentDrug, ...],
    latest_result: dt.date | None,
    today: dt.date,
) -> BottomLine:
    """His bottom line. ``pathway`` is ``{"pathway", "first_step"}`` as a plan states them
    (the kept ``plan`` wins when there is one); ``alerts`` those of his adopted plan."""
    chosen = plan if plan is not None else pathway
    pattern = display.label("pattern", assessment.get("pattern")) if assessment else "Not assessed"
    step = None if chosen is None else chosen.get("first_step")
    reason = _declined(plan, prognosis)
    forecast = display.label("declined", reason) if reason else (
        None if plan is None else key_forecast(plan) or unranked_forecast(plan, prognosis))
    return BottomLine(
        pattern=pattern,
        pathway=None if chosen is None else display.label("pathway", chosen.get("pathway")),
        first_step=None if not step else str(step.get("text") or
                                             display.label("action", step.get("code"))),
        first_step_citations=tuple(step.get("citations", ())) if step else (),
        forecast=forecast,
        declined=reason is not None,
        open_alerts=tuple(a for a in alerts if a.get("acknowledged_at") is None),
        next_check=next_check(adopted, latest_result, today),
        drugs=drugs,
    )
