"""observations keep their FHIR status, effective time and details; patients their gender.

Issue 18: an entered-in-error or preliminary result was exported as final, partial dates
and instants lost their precision, and interpretation, performer, note, name and gender were
dropped. Existing results were all imported as final (non-final ones were refused or lost),
so they get ``final``; the other columns are nullable (nothing was kept before).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OBSERVATION_TABLES = ("lab_observation", "semen_analysis")


def upgrade() -> None:
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.add_column(sa.Column("gender", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("names", sa.JSON(), nullable=True))
    for table in _OBSERVATION_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("status", sa.String(length=20), nullable=False, server_default="final")
            )
            batch_op.add_column(sa.Column("effective", sa.JSON(), nullable=True))
            batch_op.add_column(sa.Column("details", sa.JSON(), nullable=True))


def downgrade() -> None:
    for table in _OBSERVATION_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("details")
            batch_op.drop_column("effective")
            batch_op.drop_column("status")
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.drop_column("names")
        batch_op.drop_column("gender")
