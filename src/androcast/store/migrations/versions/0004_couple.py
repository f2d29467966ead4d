"""patients keep the couple's goal: the partner's age and the months they hope to conceive in.

Issue 22: the patient page's pregnancy curve and the plan's comparison with assisted
reproduction need the female partner's age (and the goal horizon); a case file carried them
but the store dropped them. Nullable (nothing was kept before).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.add_column(sa.Column("partner_age_years", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("goal_within_months", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.drop_column("goal_within_months")
        batch_op.drop_column("partner_age_years")
