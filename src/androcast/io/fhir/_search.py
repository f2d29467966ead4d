"""FHIR R4 search semantics (http://hl7.org/fhir/R4/search.html) for the REST API: resource
ids, date ranges with prefixes, tokens and string matches.

Dates are compared as ranges, as the specification says: ``2025-10`` is the whole month,
and ``ge2025-10-15`` matches a result of that month because the month reaches past the
15th. A date or time without a zone is read as UTC.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from androcast.errors import InputFileError

#: A FHIR resource id (R4 ``id`` datatype).
FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
HASHED = "h."  # ids of patients whose identifier is not a valid FHIR id
PREFIXES = ("eq", "ne", "gt", "lt", "ge", "le", "sa", "eb")
_DATE = re.compile(
    r"(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2})"
    r"(?:T(?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?P<f>\.\d+)?)?"
    r"(?P<z>Z|[+-]\d{2}:\d{2})?)?)?)?"
)


def _digest(text: str, n: int) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:n]


def patient_id(identifier: str) -> str:
    """His resource id: his identifier when it is a valid FHIR id, else a digest of it (an
    identifier may hold spaces, ``_``, ``:``, ``+`` or ``#``, which an id may not)."""
    if FHIR_ID.fullmatch(identifier) and not identifier.startswith(HASHED):
        return identifier
    return HASHED + _digest(identifier, 40)


def observation_id(identifier: str, system: str, value: str) -> str:
    """A result's resource id: stable for its source key, naming neither him nor the key."""
    return f"{_digest(identifier, 16)}.{_digest(f'{system}|{value}', 24)}"


def patient_digest(resource_id: str) -> str:
    """The part of an Observation id that says whose it is."""
    return resource_id.split(".", 1)[0]


def identifier_digest(identifier: str) -> str:
    return _digest(identifier, 16)


# -- dates ------------------------------------------------------------------------------------


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


def effective_span(resource: Mapping[str, Any]) -> Span | None:
    """The range an Observation's effective[x] covers (a period: from start to end)."""
    if "effectiveDateTime" in resource:
        return span_of(resource["effectiveDateTime"])
    if "effectiveInstant" in resource:
        return span_of(resource["effectiveInstant"])
    period = resource.get("effectivePeriod")
    if isinstance(period, Mapping) and (period.get("start") or period.get("end")):
        start = span_of(period.get("start") or period["end"])
        end = span_of(period.get("end") or period["start"])
        return Span(start.start, end.end)
    return None


# -- tokens and strings -----------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    """``system|code`` (``system`` None: any system; empty: no system)."""

    system: str | None
    code: str | None

    @classmethod
    def parse(cls, text: str) -> Token:
        if "|" not in text:
            return cls(None, text)
        system, code = text.split("|", 1)
        return cls(system, code or None)

    def matches(self, system: str | None, code: str | None) -> bool:
        if self.system is not None and (system or "") != self.system:
            return False
        return self.code is None or code == self.code


def any_token(tokens: Iterable[Token], codings: Iterable[tuple[str | None, str | None]]
              ) -> bool:
    pairs = list(codings)
    return any(t.matches(s, c) for t in tokens for s, c in pairs)


def _folded(text: str) -> str:
    """Case and accents ignored, as string search does."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def name_matches(names: Iterable[Mapping[str, Any]], text: str) -> bool:
    """String search on HumanName: any part (family, given, prefix, suffix, text) or any
    word of it starts with ``text``, ignoring case and accents."""
    wanted = _folded(text.strip())
    for name in names:
        parts: list[str] = []
        for element in ("family", "text"):
            if isinstance(name.get(element), str):
                parts.append(name[element])
        for element in ("given", "prefix", "suffix"):
            parts += [p for p in name.get(element) or [] if isinstance(p, str)]
        words = [w for part in parts for w in [part, *part.split()]]
        if any(_folded(word).startswith(wanted) for word in words):
            return True
    return False
