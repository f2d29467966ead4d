"""The time range a result's effective time covers, as FHIR search compares it.

A date is a range at its precision (``2025-10`` is the whole month; R4 search, section
3.1.1.4.2), a date or time without a zone is read as UTC, and a period runs from its start
to its end. The store keeps each result's range beside it (``effective_start``,
``effective_end``, naive UTC) so a search by date is a query, not a scan of every result.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from androcast.errors import InputFileError

_DATE = re.compile(
    r"(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2})"
    r"(?:T(?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?P<f>\.\d+)?)?"
    r"(?P<z>Z|[+-]\d{2}:\d{2})?)?)?)?"
)
PREFIXES = ("eq", "ne", "gt", "lt", "ge", "le", "sa", "eb")


@dataclass(frozen=True)
class Span:
    """A half-open time range [start, end) in UTC."""

    start: dt.datetime
    end: dt.datetime


def span_of(text: str, *, field: str = "date") -> Span:
    """The range a FHIR date, dateTime or instant covers (its precision's range)."""
    found = _DATE.fullmatch(text.strip()) if isinstance(text, str) else None
    if found is None:
        raise InputFileError(field, text, "a FHIR date such as 2025, 2025-10, 2025-10-15 or "
                                          "2025-10-15T08:30:00Z")
    g = found.groupdict()
    try:
        zone = _zone(g["z"])
        year = int(g["y"])
        if g["m"] is None:
            start = dt.datetime(year, 1, 1, tzinfo=dt.UTC)
            return Span(start, dt.datetime(year + 1, 1, 1, tzinfo=dt.UTC))
        month = int(g["m"])
        if g["d"] is None:
            start = dt.datetime(year, month, 1, tzinfo=dt.UTC)
            after = dt.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=dt.UTC)
            return Span(start, after)
        day = int(g["d"])
        if g["H"] is None:
            start = dt.datetime(year, month, day, tzinfo=dt.UTC)
            return Span(start, start + dt.timedelta(days=1))
        second = int(g["S"] or 0)
        fraction = g["f"] or ""
        start = dt.datetime(year, month, day, int(g["H"]), int(g["M"]), second,
                            round(float("0" + fraction) * 1e6) if fraction else 0,
                            tzinfo=zone).astimezone(dt.UTC)
    except ValueError:
        raise InputFileError(field, text, "a calendar date that exists") from None
    step = (dt.timedelta(seconds=10.0 ** -(len(fraction) - 1)) if fraction
            else dt.timedelta(seconds=1) if g["S"] else dt.timedelta(minutes=1))
    return Span(start, start + step)


def _zone(text: str | None) -> dt.tzinfo:
    if text is None or text == "Z":
        return dt.UTC
    sign = 1 if text[0] == "+" else -1
    hours, minutes = int(text[1:3]), int(text[4:6])
    return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))


@dataclass(frozen=True)
class DateParam:
    prefix: str
    span: Span

    @classmethod
    def parse(cls, text: str, field: str) -> DateParam:
        prefix = text[:2] if text[:2] in PREFIXES else "eq"
        rest = text[2:] if text[:2] in PREFIXES else text
        return cls(prefix, span_of(rest, field=field))

    def matches(self, target: Span) -> bool:
        """R4 search, section 3.1.1.4.2: the prefix against the target's range."""
        p = self.span
        contains = p.start <= target.start and target.end <= p.end
        if self.prefix == "eq":
            return contains
        if self.prefix == "ne":
            return not contains
        if self.prefix in ("gt", "sa"):
            return target.end > p.end if self.prefix == "gt" else target.start >= p.end
        if self.prefix in ("lt", "eb"):
            return target.start < p.start if self.prefix == "lt" else target.end <= p.start
        if self.prefix == "ge":
            return contains or target.end > p.end
        return contains or target.start < p.start  # le


def day_span(day: dt.date) -> Span:
    """A whole calendar day (UTC)."""
    start = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    return Span(start, start + dt.timedelta(days=1))


def stored_span(day: dt.date, effective: Mapping[str, Any] | None) -> Span:
    """The range of a stored result: its effective time as the source gave it
    (``{"dateTime": ...}``, ``{"instant": ...}``, ``{"period": {...}}``), else its day."""
    if effective:
        text = effective.get("dateTime", effective.get("instant"))
        if isinstance(text, str):
            return span_of(text)
        period = effective.get("period")
        if isinstance(period, Mapping) and (period.get("start") or period.get("end")):
            start = span_of(period.get("start") or period["end"])
            end = span_of(period.get("end") or period["start"])
            return Span(start.start, end.end)
    return day_span(day)


def naive_utc(moment: dt.datetime) -> dt.datetime:
    """A UTC time without its zone, as the span columns hold it (SQLite keeps no zone)."""
    return moment.astimezone(dt.UTC).replace(tzinfo=None)
