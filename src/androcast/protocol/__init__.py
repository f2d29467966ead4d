"""The phased protocol planner: pathway, ranked alternatives, escalations, monitoring."""

from androcast.protocol.pathways import PATHWAYS, Pathway, pathway_for, pathway_rules
from androcast.protocol.planner import (
    Alternative,
    Check,
    Phase,
    Plan,
    Step,
    escalations_for,
    monitoring_checks,
    phases,
    plan,
)
from androcast.protocol.rules import (
    Escalation,
    Monitoring,
    PlanRules,
    all_citations,
    plan_rules,
)

__all__ = [
    "PATHWAYS",
    "Alternative",
    "Check",
    "Escalation",
    "Monitoring",
    "Pathway",
    "Phase",
    "Plan",
    "PlanRules",
    "Step",
    "all_citations",
    "escalations_for",
    "monitoring_checks",
    "pathway_for",
    "pathway_rules",
    "phases",
    "plan",
    "plan_rules",
]
