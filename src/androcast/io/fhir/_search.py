"""FHIR R4 search semantics (http://hl7.org/fhir/R4/search.html) for the REST API: resource
ids, date ranges with prefixes, tokens and string matches.

Dates are compared as ranges, as the specification says (``store.spans``, where the
store's date queries follow the same rules): ``2025-10`` is the whole month, and
``ge2025-10-15`` matches a result of that month because the month reaches past the 15th. A
date or time without a zone is read as UTC.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from androcast.io.fhir import _codes as c
from androcast.labs import analyte, analyte_keys, semen_parameters
from androcast.store.search import CodeMatch
from androcast.store.spans import PREFIXES, DateParam, Span, span_of

#: A FHIR resource id (R4 ``id`` datatype).
FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
HASHED = "h."  # ids of patients whose identifier is not a valid FHIR id


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


def code_match(token: Token) -> CodeMatch:
    """The stored results whose exported code may be ``token`` (``_export``): a laboratory
    result is coded with its stored LOINC, else its analyte's LOINC for the reported unit,
    else ``urn:androcast:analyte|<key>``; a semen analysis is the LOINC panel with one
    member per parameter measured. A superset: the caller checks each resource's code."""
    loinc = token.system in (None, c.LOINC)
    own = token.system in (None, c.ANALYTE_SYSTEM)
    if token.code is None:  # "system|": anything coded in that system
        return CodeMatch(all_labs=loinc or own, all_semen=loinc)
    code = token.code
    analytes = {key for key in analyte_keys() if code in analyte(key).loinc.values()} if loinc \
        else set()
    if own:
        analytes.add(code)
    fields = {name for name, p in semen_parameters().items() if p.loinc == code} if loinc \
        else set()
    return CodeMatch(loincs=frozenset({code} if loinc else ()), analytes=frozenset(analytes),
                     all_semen=loinc and code == c.semen_panel()[0],
                     semen_fields=frozenset(fields))


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


__all__ = ["PREFIXES", "DateParam", "Span", "Token", "any_token", "code_match", "effective_span",
           "identifier_digest", "name_matches", "observation_id", "patient_digest",
           "patient_id", "span_of"]
