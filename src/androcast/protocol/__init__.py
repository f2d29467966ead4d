"""The phased protocol planner: pathway, ranked alternatives, escalations, monitoring."""

from androcast.protocol.planner import (
    Alternative,
    Check,
    Plan,
    escalations_for,
    monitoring_checks,
    plan,
)
from androcast.protocol.rules import (
    Escalation,
    Monitoring,
    Pathway,
    PlanRules,
    all_citations,
    plan_rules,
)

__all__ = [
    "Alternative",
    "Check",
    "Escalation",
    "Monitoring",
    "Pathway",
    "Plan",
    "PlanRules",
    "all_citations",
    "escalations_for",
    "monitoring_checks",
    "plan",
    "plan_rules",
]
