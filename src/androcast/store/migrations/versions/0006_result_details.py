"""results keep what the case file and FHIR give beyond the value: a blood draw's clock time
and fasting, semen pH and the post-ejaculate urine examination.

Issue 18: the morning-and-fasting testosterone rule and the semen rules read them, a case
file and a FHIR bundle carry them, but the store dropped them, so a stored man was assessed
without them. Nullable (nothing was kept before).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("lab_observation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sample_time", sa.Time(), nullable=True))
        batch_op.add_column(sa.Column("fasting", sa.Boolean(), nullable=True))
    with op.batch_alter_table("semen_analysis", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ph", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("urine_sperm_seen", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("urine_total_sperm_million", sa.Float(), nullable=True))
        batch_op.add_column(
            sa.Column("urine_progressive_motility_pct", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("semen_analysis", schema=None) as batch_op:
        batch_op.drop_column("urine_progressive_motility_pct")
        batch_op.drop_column("urine_total_sperm_million")
        batch_op.drop_column("urine_sperm_seen")
        batch_op.drop_column("ph")
    with op.batch_alter_table("lab_observation", schema=None) as batch_op:
        batch_op.drop_column("fasting")
        batch_op.drop_column("sample_time")
