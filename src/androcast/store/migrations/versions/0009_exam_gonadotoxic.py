"""patients keep the clinician's examination and past gonadotoxic treatment.

Issue 18 (with issue 15's case format): a case file's ``exam`` (vas deferens, varicocele,
visual fields) and ``history.gonadotoxic_treatment`` (chemotherapy, radiotherapy) were read
by the assessment but dropped by the store, so a stored man was assessed without them and
the FHIR export could not carry them. Kept as the case file writes them (JSON). Nullable.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE, never a batch table copy: on SQLite (foreign keys on) dropping the
# copied patient table would delete every record of every patient (ON DELETE CASCADE).


def upgrade() -> None:
    op.add_column("patient", sa.Column("exam", sa.JSON(), nullable=True))
    op.add_column("patient", sa.Column("gonadotoxic", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("patient", "gonadotoxic")
    op.drop_column("patient", "exam")
