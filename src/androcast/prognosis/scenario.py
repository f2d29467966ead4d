"""What his curves assume about the androgens he takes now (one voice with his plan).

Every protocol starts at a stop of his testosterone or anabolic steroids (the model has no
restoration protocol given alongside them: androgens suppress the axis the protocols
stimulate). For a man whose own assessment asks him to stop (``stop_exogenous_androgen``:
he wants fertility) the curves are his plan. For a man who keeps them (his goal is his
testosterone, his plan continues his therapy: pathway ``adjust_current_therapy``) they answer
a question he may ask, "what if I stopped", and must say so wherever they are shown, or the
forecast would contradict the plan beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from androcast import display
from androcast.interpret import Assessment
from androcast.labs import Case

#: The assessment's action that makes stopping his androgens part of his plan.
STOP_ACTION = "stop_exogenous_androgen"


@dataclass(frozen=True)
class Scenario:
    """``code`` ``stops_androgens_now`` (his plan stops them) or ``what_if_stops_androgens``
    (his plan continues them; the curves are a what-if, never his plan)."""

    code: str
    what_if: bool
    drugs: tuple[str, ...]
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "what_if": self.what_if, "drugs": list(self.drugs),
                "text": self.text}


def _in_a_sentence(name: str) -> str:
    """"Testosterone gel" as it reads mid-sentence; "hCG" kept as written."""
    return name[:1].lower() + name[1:] if name[1:2].islower() else name


def scenario_of(case: Case, assessment: Assessment) -> Scenario | None:
    """The scenario of a man who takes androgens now (None: he takes none)."""
    drugs = tuple(dict.fromkeys(u.agent for u in case.history.androgens if u.stop is None))
    if not drugs:
        return None
    names = " and ".join(_in_a_sentence(display.label("drug", d)) for d in drugs)
    if STOP_ACTION in assessment.action_codes():
        return Scenario("stops_androgens_now", False, drugs,
                        f"As planned: he stops {names} now and each protocol starts at that "
                        f"stop.")
    return Scenario("what_if_stops_androgens", True, drugs,
                    f"What if he stopped {names} now: his plan continues it, so these curves "
                    f"are not his plan but what each protocol would give after a stop today.")
