"""The treatment arms a prognosis compares (``data/protocols.yaml``) and who they suit.

The interpretation layer decides what is appropriate for him: its cautions, findings or
actions exclude arms (``avoid_serm_monotherapy`` excludes SERM alone, visual symptoms on a
SERM or an advice to stop it exclude every SERM arm, ...), an arm with ``indicated_for``
needs one of those causes (pulsatile gonadorelin needs an intact pituitary with a
hypothalamic cause), and an arm with ``requires_action`` needs his assessment to advise
that drug (an aromatase inhibitor only with a high estradiol or a low T/E2).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from androcast._yaml import load_data
from androcast.errors import UnknownCodeError
from androcast.interpret import Assessment
from androcast.regimens import Regimen, parse_regimen


@dataclass(frozen=True)
class Protocol:
    """One arm: its regimen from its own start (day 0), and who it suits."""

    id: str
    name: str
    regimen: tuple[dict[str, Any], ...]  # regimen-file entries, times from the start
    excluded_by: tuple[str, ...]  # caution, finding or action codes
    indicated_for: tuple[str, ...]
    citations: tuple[str, ...]
    requires_action: tuple[str, ...] = ()
    #: for a man on restoration drugs now, what the arm does to them (``current.CHANGES``)
    change: str | None = None

    def regimen_from(self, start_d: float, duration_d: float) -> Regimen:
        """The regimen started on model day ``start_d`` and given for ``duration_d`` days."""
        entries = []
        for entry in self.regimen:
            start = float(str(entry["start"]).split()[0])
            entries.append({**entry, "start": f"{start_d + start} d",
                            "duration": f"{duration_d - start} d"})
        return parse_regimen(entries, source=f"protocol {self.id}")


@cache
def protocols() -> tuple[Protocol, ...]:
    """Every protocol shipped with androcast, in file order."""
    text = resources.files("androcast.prognosis").joinpath("data/protocols.yaml").read_text(
        "utf-8")
    return tuple(
        Protocol(
            id=str(p["id"]),
            name=str(p["name"]),
            regimen=tuple(p.get("regimen") or ()),
            excluded_by=tuple(p.get("excluded_by") or ()),
            indicated_for=tuple(p.get("indicated_for") or ()),
            citations=tuple(p.get("citations") or ()),
            requires_action=tuple(p.get("requires_action") or ()),
        )
        for p in load_data(text)["protocols"]
    )


def protocol_ids() -> tuple[str, ...]:
    return tuple(p.id for p in protocols())


def get_protocol(protocol_id: str, *, field: str = "protocol") -> Protocol:
    """The protocol with this id; UnknownCodeError listing the ids otherwise."""
    for p in protocols():
        if p.id == protocol_id:
            return p
    raise UnknownCodeError(field, protocol_id, "one of " + ", ".join(protocol_ids()))


def why_not(protocol: Protocol, assessment: Assessment) -> str | None:
    """Why the protocol is not appropriate for him (None when it is)."""
    have = {"caution": set(assessment.caution_codes()),
            "finding": {f.code for f in assessment.findings},
            "action": set(assessment.action_codes())}
    for kind, codes in have.items():
        hits = [c for c in protocol.excluded_by if c in codes]
        if hits:
            return f"{kind} " + ", ".join(hits)
    missing = [a for a in protocol.requires_action if a not in have["action"]]
    if missing:
        return "needs the action " + ", ".join(missing) + " in his assessment"
    if protocol.indicated_for and not set(protocol.indicated_for) & set(
            assessment.cause_codes()):
        return "indicated for " + ", ".join(protocol.indicated_for)
    return None


def appropriate_protocols(assessment: Assessment) -> tuple[Protocol, ...]:
    """The protocols his interpretation does not rule out."""
    return tuple(p for p in protocols() if why_not(p, assessment) is None)
