"""Prognosis for one man: recovery curves per protocol, personalised to his results."""

from androcast.prognosis.curves import Curve, weighted_curve
from androcast.prognosis.decline import REASONS, Decline, decline_for
from androcast.prognosis.forecast import (
    DEFAULT_PARTICLES,
    MONTHS,
    AssessmentClass,
    Prognosis,
    ProtocolForecast,
    default_outcome,
    forecast_twin,
    prognose,
    start_day,
)
from androcast.prognosis.protocols import (
    Protocol,
    appropriate_protocols,
    get_protocol,
    protocol_ids,
    protocols,
    why_not,
)

__all__ = [
    "DEFAULT_PARTICLES",
    "MONTHS",
    "REASONS",
    "AssessmentClass",
    "Curve",
    "Decline",
    "Prognosis",
    "Protocol",
    "ProtocolForecast",
    "appropriate_protocols",
    "decline_for",
    "default_outcome",
    "forecast_twin",
    "get_protocol",
    "prognose",
    "protocol_ids",
    "protocols",
    "start_day",
    "weighted_curve",
    "why_not",
]
