"""results keep the time range their effective time covers, so the FHIR API's Observation
search by date is a query.

Issue 18: ``GET /fhir/Observation?date=...`` read every result of every patient of the
clinic and compared dates in Python. ``effective_start`` and ``effective_end`` (naive UTC,
``store.spans.stored_span``: the day, a partial date's month or year, an instant, a period)
are filled for the stored results here and by every save after.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from androcast.store.spans import naive_utc, stored_span

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("lab_observation", "semen_analysis")


# Plain ALTER TABLE and CREATE INDEX, never a batch table copy: on SQLite (foreign keys on)
# dropping the copied table would set the alerts' links to these results to NULL. The
# columns stay nullable for that reason; every save fills them.


def upgrade() -> None:
    bind = op.get_bind()
    for name in TABLES:
        op.add_column(name, sa.Column("effective_start", sa.DateTime(), nullable=True))
        op.add_column(name, sa.Column("effective_end", sa.DateTime(), nullable=True))
        table = sa.table(name, sa.column("id", sa.Integer), sa.column("date", sa.Date),
                         sa.column("effective", sa.JSON),
                         sa.column("effective_start", sa.DateTime),
                         sa.column("effective_end", sa.DateTime))
        rows = bind.execute(sa.select(table.c.id, table.c.date, table.c.effective)).all()
        spans = [(row.id, stored_span(row.date, row.effective)) for row in rows]
        if spans:
            bind.execute(
                table.update().where(table.c.id == sa.bindparam("row_id")).values(
                    effective_start=sa.bindparam("start"), effective_end=sa.bindparam("end")),
                [{"row_id": i, "start": naive_utc(s.start), "end": naive_utc(s.end)}
                 for i, s in spans],
            )
        op.create_index(f"ix_{name}_effective_start", name, ["effective_start"])


def downgrade() -> None:
    for name in reversed(TABLES):
        op.drop_index(f"ix_{name}_effective_start", table_name=name)
        op.drop_column(name, "effective_end")
        op.drop_column(name, "effective_start")
