"""Monitoring a man on an adopted plan: each new result against his forecast band.

``start_monitoring(case, protocol, start)`` personalises his twin on the results up to the
plan start and forecasts the band of every observable on the protocol; ``monitor(state,
case)`` judges each new result against the band made before it (alert rules as data,
``data/alerts.yaml``, cited), then updates the twin with it and forecasts again.
``state_to_payload`` / ``state_from_payload`` keep a state between sessions (the store
persists the payload).
"""

from androcast.monitoring.alerts import Alert, outside_band_sd, sperm_present
from androcast.monitoring.band import Band, ObservableBand, forecast_band, weighted_quantiles
from androcast.monitoring.rules import AlertRule, AlertRules, alert_rules, parse_alert_rules
from androcast.monitoring.state import state_from_payload, state_to_payload
from androcast.monitoring.step import (
    MonitoringState,
    StepResult,
    VisitResult,
    acting_escalations,
    follow_up,
    monitor,
    start_monitoring,
)
from androcast.monitoring.summary import monitoring_report, plan_payload, results_against_band

__all__ = [
    "Alert",
    "AlertRule",
    "AlertRules",
    "Band",
    "MonitoringState",
    "ObservableBand",
    "StepResult",
    "VisitResult",
    "acting_escalations",
    "alert_rules",
    "follow_up",
    "forecast_band",
    "monitor",
    "monitoring_report",
    "outside_band_sd",
    "parse_alert_rules",
    "plan_payload",
    "results_against_band",
    "sperm_present",
    "start_monitoring",
    "state_from_payload",
    "state_to_payload",
    "weighted_quantiles",
]
