"""The patient record store: SQLAlchemy models, Alembic migrations, an audit trail.

``upgrade(url)`` brings a database to the current schema; ``open_store(url)`` opens it.
``store.transaction(actor)`` is one write transaction (all or nothing, audited); the
repository functions (``save_chart``, ``load_chart``, ``adopt_plan``, ``save_alerts``,
...) persist what the core produced.
SQLite is the embedded default, PostgreSQL works by URL.
"""

from androcast.store.chart import (
    URI_SYSTEM,
    Chart,
    Keyed,
    MedicationUse,
    SourceKey,
    chart_from_case,
)
from androcast.store.engine import Store, head_revision, make_engine, open_store, upgrade
from androcast.store.monitoring import (
    StoredAlert,
    StoredForecast,
    StoredPlan,
    acknowledge_alert,
    active_plan,
    adopt_plan,
    last_plan,
    latest_forecast,
    list_alerts,
    save_alerts,
    save_forecast,
    stop_plan,
)
from androcast.store.records import (
    DEFAULT_CLINIC,
    AuditEntry,
    PatientSummary,
    PreparedChart,
    SaveSummary,
    add_lab_results,
    audit_trail,
    ensure_clinic,
    find_patient,
    latest_assessment,
    list_patients,
    load_chart,
    prepare_chart,
    save_assessment,
    save_chart,
    save_charts,
    update_patient,
)

__all__ = [
    "DEFAULT_CLINIC",
    "URI_SYSTEM",
    "AuditEntry",
    "Chart",
    "Keyed",
    "MedicationUse",
    "PatientSummary",
    "PreparedChart",
    "SaveSummary",
    "SourceKey",
    "Store",
    "StoredAlert",
    "StoredForecast",
    "StoredPlan",
    "acknowledge_alert",
    "active_plan",
    "add_lab_results",
    "adopt_plan",
    "audit_trail",
    "chart_from_case",
    "ensure_clinic",
    "find_patient",
    "head_revision",
    "last_plan",
    "latest_assessment",
    "latest_forecast",
    "list_alerts",
    "list_patients",
    "load_chart",
    "make_engine",
    "open_store",
    "prepare_chart",
    "save_alerts",
    "save_assessment",
    "save_chart",
    "save_charts",
    "save_forecast",
    "stop_plan",
    "update_patient",
    "upgrade",
]
