"""Initial schema: clinic, users, patients and their records, assessments, plans, forecasts,
alerts and the audit log (forecasts, plans and alerts are here from the start so monitoring
needs no migration of existing data).

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("table_name", sa.String(length=60), nullable=False),
        sa.Column("row_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "clinic",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clinic")),
        sa.UniqueConstraint("name", name=op.f("uq_clinic_name")),
    )
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=200), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=True),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("password_hash", sa.String(length=400), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinic.id"], name=op.f("fk_app_user_clinic_id_clinic")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("username", name=op.f("uq_app_user_username")),
    )
    op.create_table(
        "patient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("identifier", sa.String(length=200), nullable=False),
        sa.Column("identifier_system", sa.String(length=400), nullable=True),
        sa.Column("goal", sa.String(length=20), nullable=False),
        sa.Column("age_years", sa.Float(), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("bmi", sa.Float(), nullable=True),
        sa.Column("testis_left_ml", sa.Float(), nullable=True),
        sa.Column("testis_right_ml", sa.Float(), nullable=True),
        sa.Column("ethnicity", sa.String(length=40), nullable=True),
        sa.Column("conditions", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinic.id"], name=op.f("fk_patient_clinic_id_clinic")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient")),
        sa.UniqueConstraint(
            "clinic_id", "identifier", name=op.f("uq_patient_clinic_id_identifier")
        ),
    )
    op.create_table(
        "androgen_course",
        sa.Column("agent", sa.String(length=80), nullable=False),
        sa.Column("dose", sa.Float(), nullable=False),
        sa.Column("dose_unit", sa.String(length=10), nullable=False),
        sa.Column("every_d", sa.Float(), nullable=False),
        sa.Column("start", sa.Date(), nullable=True),
        sa.Column("stop", sa.Date(), nullable=True),
        sa.Column("route", sa.String(length=20), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_system", sa.String(length=400), nullable=False),
        sa.Column("key_value", sa.String(length=400), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_androgen_course_patient_id_patient"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_androgen_course")),
        sa.UniqueConstraint(
            "patient_id",
            "key_system",
            "key_value",
            name=op.f("uq_androgen_course_patient_id_key_system_key_value"),
        ),
    )
    with op.batch_alter_table("androgen_course", schema=None) as batch_op:
        batch_op.create_index(
            "ix_androgen_course_content", ["patient_id", "content_hash"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_androgen_course_patient_id"), ["patient_id"], unique=False
        )

    op.create_table(
        "assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("androcast_version", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_assessment_patient_id_patient"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment")),
    )
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assessment_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "lab_observation",
        sa.Column("analyte", sa.String(length=60), nullable=False),
        sa.Column("loinc", sa.String(length=20), nullable=True),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("censor", sa.String(length=1), nullable=True),
        sa.Column("reported_value", sa.Float(), nullable=False),
        sa.Column("reported_unit", sa.String(length=40), nullable=False),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        sa.Column("reference_low", sa.Float(), nullable=True),
        sa.Column("reference_high", sa.Float(), nullable=True),
        sa.Column("reference_unit", sa.String(length=40), nullable=False),
        sa.Column("reference_source", sa.Text(), nullable=False),
        sa.Column("reference_population", sa.Text(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_system", sa.String(length=400), nullable=False),
        sa.Column("key_value", sa.String(length=400), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_lab_observation_patient_id_patient"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lab_observation")),
        sa.UniqueConstraint(
            "patient_id",
            "key_system",
            "key_value",
            name=op.f("uq_lab_observation_patient_id_key_system_key_value"),
        ),
    )
    with op.batch_alter_table("lab_observation", schema=None) as batch_op:
        batch_op.create_index(
            "ix_lab_observation_content", ["patient_id", "content_hash"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_lab_observation_patient_id"), ["patient_id"], unique=False
        )

    op.create_table(
        "medication_course",
        sa.Column("code", sa.String(length=80), nullable=False),
        sa.Column("dose", sa.Float(), nullable=True),
        sa.Column("dose_unit", sa.String(length=10), nullable=True),
        sa.Column("every_d", sa.Float(), nullable=True),
        sa.Column("start", sa.Date(), nullable=True),
        sa.Column("stop", sa.Date(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_system", sa.String(length=400), nullable=False),
        sa.Column("key_value", sa.String(length=400), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_medication_course_patient_id_patient"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_medication_course")),
        sa.UniqueConstraint(
            "patient_id",
            "key_system",
            "key_value",
            name=op.f("uq_medication_course_patient_id_key_system_key_value"),
        ),
    )
    with op.batch_alter_table("medication_course", schema=None) as batch_op:
        batch_op.create_index(
            "ix_medication_course_content", ["patient_id", "content_hash"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_medication_course_patient_id"), ["patient_id"], unique=False
        )

    op.create_table(
        "plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("protocol", sa.String(length=80), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("start", sa.Date(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("androcast_version", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_plan_patient_id_patient"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan")),
    )
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "semen_analysis",
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("volume_ml", sa.Float(), nullable=True),
        sa.Column("concentration_m_per_ml", sa.Float(), nullable=True),
        sa.Column("concentration_censor", sa.String(length=1), nullable=True),
        sa.Column("progressive_motility_pct", sa.Float(), nullable=True),
        sa.Column("total_motility_pct", sa.Float(), nullable=True),
        sa.Column("normal_forms_pct", sa.Float(), nullable=True),
        sa.Column("abstinence_days", sa.Float(), nullable=True),
        sa.Column("pellet_sperm_seen", sa.Boolean(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_system", sa.String(length=400), nullable=False),
        sa.Column("key_value", sa.String(length=400), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_semen_analysis_patient_id_patient"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_semen_analysis")),
        sa.UniqueConstraint(
            "patient_id",
            "key_system",
            "key_value",
            name=op.f("uq_semen_analysis_patient_id_key_system_key_value"),
        ),
    )
    with op.batch_alter_table("semen_analysis", schema=None) as batch_op:
        batch_op.create_index(
            "ix_semen_analysis_content", ["patient_id", "content_hash"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_semen_analysis_patient_id"), ["patient_id"], unique=False
        )

    op.create_table(
        "forecast",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("androcast_version", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_forecast_patient_id_patient"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name=op.f("fk_forecast_plan_id_plan"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecast")),
    )
    with op.batch_alter_table("forecast", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_forecast_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("forecast_id", sa.Integer(), nullable=True),
        sa.Column("observation_id", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=80), nullable=False),
        sa.Column("rule", sa.String(length=80), nullable=False),
        sa.Column("citation", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(length=20), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("acknowledged_by", sa.String(length=200), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["forecast_id"],
            ["forecast.id"],
            name=op.f("fk_alert_forecast_id_forecast"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["observation_id"],
            ["lab_observation.id"],
            name=op.f("fk_alert_observation_id_lab_observation"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_alert_patient_id_patient"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert")),
    )
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alert_patient_id"), ["patient_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_patient_id"))

    op.drop_table("alert")
    with op.batch_alter_table("forecast", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_forecast_patient_id"))

    op.drop_table("forecast")
    with op.batch_alter_table("semen_analysis", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_semen_analysis_patient_id"))
        batch_op.drop_index("ix_semen_analysis_content")

    op.drop_table("semen_analysis")
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_patient_id"))

    op.drop_table("plan")
    with op.batch_alter_table("medication_course", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_medication_course_patient_id"))
        batch_op.drop_index("ix_medication_course_content")

    op.drop_table("medication_course")
    with op.batch_alter_table("lab_observation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lab_observation_patient_id"))
        batch_op.drop_index("ix_lab_observation_content")

    op.drop_table("lab_observation")
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_patient_id"))

    op.drop_table("assessment")
    with op.batch_alter_table("androgen_course", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_androgen_course_patient_id"))
        batch_op.drop_index("ix_androgen_course_content")

    op.drop_table("androgen_course")
    op.drop_table("patient")
    op.drop_table("app_user")
    op.drop_table("clinic")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_patient_id"))

    op.drop_table("audit_log")
