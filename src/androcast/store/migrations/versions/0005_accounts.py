"""user names per clinic; one-time passwords that must be changed and expire; deactivation.

Issue 20: user names were unique across all clinics, so a second clinic could not have its
own "alice"; the one-time admin password never expired and was never forced to change; a
user could not be deactivated. Existing users stay active and keep their passwords (nothing
says theirs were one-time ones); names unique before remain unique within their clinic.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_constraint("uq_app_user_username", type_="unique")
        batch_op.create_unique_constraint(
            "uq_app_user_clinic_id_username", ["clinic_id", "username"]
        )
        batch_op.create_index("ix_app_user_username", ["username"], unique=False)
        batch_op.add_column(
            sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch_op.add_column(
            sa.Column(
                "password_change_required",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )
        batch_op.add_column(
            sa.Column("password_expires_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    # Going back needs user names unique across clinics again: it fails (and changes
    # nothing) while two clinics share one.
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_column("password_expires_at")
        batch_op.drop_column("password_change_required")
        batch_op.drop_column("active")
        batch_op.drop_index("ix_app_user_username")
        batch_op.drop_constraint("uq_app_user_clinic_id_username", type_="unique")
        batch_op.create_unique_constraint("uq_app_user_username", ["username"])
