"""alert: the result an alert is about (date, observable, value, unit).

Monitoring alerts name the result they judged; a semen analysis has no lab_observation row
to point at, so the result is kept on the alert itself. Nullable: existing alerts keep none.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.add_column(sa.Column("date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("observable", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("value", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("unit", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.drop_column("unit")
        batch_op.drop_column("value")
        batch_op.drop_column("observable")
        batch_op.drop_column("date")
