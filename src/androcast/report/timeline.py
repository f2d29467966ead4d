"""A patient's results over time: one series per analyte, and his semen analyses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from androcast.labs import Case, LabReport, lab_report
from androcast.labs.report import ResultRow, SemenRow

# The axis hormones first (the order a clinician reads a panel in); the rest follow.
AXIS_FIRST = ("testosterone_total", "lh", "fsh", "estradiol", "prolactin", "shbg", "inhibin_b")


@dataclass(frozen=True)
class AnalyteSeries:
    """Every result of one analyte, oldest first, in its canonical unit."""

    analyte: str
    name: str
    unit: str
    results: tuple[ResultRow, ...]

    @property
    def latest(self) -> ResultRow:
        return self.results[-1]


@dataclass(frozen=True)
class Timeline:
    series: tuple[AnalyteSeries, ...]
    semen: tuple[SemenRow, ...]
    report: LabReport


def _rank(key: str) -> tuple[int, str]:
    return (AXIS_FIRST.index(key), key) if key in AXIS_FIRST else (len(AXIS_FIRST), key)


def timeline(case: Case) -> Timeline:
    """The case's results grouped by analyte (axis hormones first) and its semen analyses."""
    report = lab_report(case)
    grouped: dict[str, list[ResultRow]] = {}
    for row in sorted(report.results, key=lambda r: r.date):
        grouped.setdefault(row.analyte, []).append(row)
    series = tuple(
        AnalyteSeries(key, rows[0].name, rows[0].unit, tuple(rows))
        for key, rows in sorted(grouped.items(), key=lambda item: _rank(item[0]))
    )
    return Timeline(series, report.semen, report)


def reference_label(row: ResultRow) -> str:
    """The interval as a clinician reads it: ``9.153-31.76 nmol/L``, ``≤ 20 ng/L``, none."""
    return row.reference.describe()


def citation_key(citation: str) -> str:
    """The bibliography key a citation starts with (``mulhall2018, Diagnosis ...``)."""
    return citation.split(",")[0].split(" ")[0].strip()


def full_reference(citation: str, references: Mapping[str, Any]) -> str | None:
    value = references.get(citation_key(citation))
    return None if value is None else str(value)
