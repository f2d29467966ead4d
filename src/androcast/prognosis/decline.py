"""Whether his forecast declines to draw curves: read from his Assessment, never decided here.

The decision and its reason are the Assessment's (``interpret.declines``, data
``interpret/declines.yaml``): where the model has no mechanism for his problem (obstruction,
ejaculatory dysfunction, genetic or primary spermatogenic failure, a cause outside the
model, an urgent red flag, too little data, or no deficit at all), the assessment, the
prognosis and the plan say so with the same code, and no curve is drawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from androcast.interpret import Assessment
from androcast.interpret.declines import REASONS, decline_rules

__all__ = ["REASONS", "Decline", "decline_for"]


@dataclass(frozen=True)
class Decline:
    """A declined forecast: the reason code (DESIGN.md), a sentence, the rule and sources."""

    reason: str
    text: str
    rule: str
    citations: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"reason": self.reason, "text": self.text, "rule": self.rule,
                "citations": list(self.citations)}


def decline_for(assessment: Assessment) -> Decline | None:
    """His Assessment's coded decline (None: curves are drawn): the decision is the
    Assessment's alone, so the forecast and the plan never contradict it."""
    own = assessment.prognosis.declined
    if own is None:
        return None
    _, sentences = decline_rules()
    return Decline(own.reason, own.text or sentences.get(own.reason, ""),
                   own.rule or assessment.prognosis.rule or "assessment", own.citations)
