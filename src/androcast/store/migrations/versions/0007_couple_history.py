"""patients keep the rest of the couple's story: the partner's evaluation and how long they
have tried (months of infertility, children so far).

Issue 18 (found by the female_factor example): the case file carries them and the care
pathway reads them (a female factor makes the pathway no_male_treatment), but the store
dropped them, so a stored man's pathway could differ from his case file's. Nullable.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.add_column(sa.Column("partner_evaluation", sa.String(20), nullable=True))
        batch_op.add_column(sa.Column("infertility_months", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("children", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.drop_column("children")
        batch_op.drop_column("infertility_months")
        batch_op.drop_column("partner_evaluation")
