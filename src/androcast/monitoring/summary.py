"""What a clinician reads of a monitored man: the plan, his results against the band, alerts.

Plain data for the adapters (CLI, web) to render; they add nothing of their own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from androcast.labs import Case
from androcast.monitoring.alerts import outside_band_sd
from androcast.monitoring.band import Band, unit_of
from androcast.monitoring.step import MonitoringState, acting_escalations
from androcast.twin import observations


def plan_payload(state: MonitoringState, case: Case) -> dict[str, Any]:
    """The adopted plan as stored with it: protocol, start, regimen, escalations, basis."""
    p = state.protocol
    return {
        "protocol": p.id, "name": p.name, "start": state.start.isoformat(),
        "regimen": [dict(e) for e in p.regimen], "citations": list(p.citations),
        "escalations": sorted(acting_escalations(p, case)),
        "n_virtual": state.posterior.n, "seed": state.posterior.cohort.seed,
        "horizon_weeks": state.horizon_weeks,
    }


def results_against_band(case: Case, band: Band) -> list[dict[str, Any]]:
    """Each result since the plan start that the model predicts, with the band on its date."""
    rows = []
    for o in observations(case, band.plan_start):
        if o.date < band.plan_start:
            continue
        edges = band.at(o.observable, o.date)
        outside = outside_band_sd(o, band)
        rows.append({
            "date": o.date.isoformat(), "observable": o.observable, "value": o.value,
            "censor": o.censor, "unit": unit_of(o.observable),
            "p05": None if edges is None else edges[0],
            "p50": None if edges is None else edges[1],
            "p95": None if edges is None else edges[2],
            "outside_band_sd": None if outside is None else round(outside[0], 2),
        })
    return rows


def monitoring_report(
    plan: Mapping[str, Any], band: Band, case: Case, alerts: Iterable[Mapping[str, Any]]
) -> dict[str, Any]:
    """The plan, the latest band, his results against it, and the alerts (JSON-ready)."""
    return {
        "patient": case.patient.id,
        "plan": dict(plan),
        "forecast": band.to_dict(),
        "observations": results_against_band(case, band),
        "alerts": [dict(a) for a in alerts],
    }
