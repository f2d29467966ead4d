"""Helpers the store tests share: import a FHIR bundle in one transaction, count rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from androcast.io.fhir import parse_bundle
from androcast.store import Store, save_charts
from androcast.store.schema import Base


def import_bundle(store: Store, bundle: Any, *, as_of: dt.date) -> None:
    """Parse ``bundle`` as of ``as_of`` and save its charts in one transaction."""
    charts = parse_bundle(bundle, as_of=as_of)
    with store.transaction("importer") as session:
        save_charts(session, charts)


def row_counts(store: Store, *, skip: frozenset[str] = frozenset()) -> dict[str, int]:
    """Rows in every table (but those in ``skip``), by table name."""
    with store.reading() as session:
        return {
            table.name: session.execute(select(func.count()).select_from(table)).scalar_one()
            for table in Base.metadata.sorted_tables
            if table.name not in skip
        }
