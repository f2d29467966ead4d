"""Each case's Assessment expectations (expectations.yaml), read as the suite's README says.

One test per case and key, so a failure names the case and the clinical statement. A case
not yet met is a strict xfail with its reason (``GAPS``): it turns red the day it passes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest

from .suite import assessment, case_ids_with, codes, expected, requirement_met

# (case, key) -> why androcast does not meet it yet. Empty when the suite passes.
_RULES_PENDING = (
    "the interpretation rules for the suite's new codes (issue 15 part 2) have not landed yet"
)
GAPS: Mapping[tuple[str, str], str] = {}


def _params(key: str) -> list[Any]:
    out = []
    for case_id in case_ids_with(key):
        reason = GAPS.get((case_id, key))
        marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
        out.append(pytest.param(case_id, id=case_id, marks=marks))
    return out


def _why(case_id: str, found: Any) -> str:
    return f"{case_id}: got {found}; why: {expected(case_id).get('why', '').strip()[:400]}"


@pytest.mark.parametrize("case_id", _params("pattern"))
def test_pattern(case_id: str) -> None:
    pattern = assessment(case_id)["pattern"]
    assert pattern in expected(case_id)["pattern"], _why(case_id, pattern)


@pytest.mark.parametrize("case_id", _params("pattern_forbidden"))
def test_pattern_forbidden(case_id: str) -> None:
    pattern = assessment(case_id)["pattern"]
    assert pattern not in expected(case_id)["pattern_forbidden"], _why(case_id, pattern)


@pytest.mark.parametrize("case_id", _params("causes_top2_any_of"))
def test_causes_top2(case_id: str) -> None:
    causes = assessment(case_id)["causes"]
    wanted = expected(case_id)["causes_top2_any_of"]
    if wanted == []:  # no cause with moderate or high confidence
        firm = [c["code"] for c in causes if c["confidence"] in ("moderate", "high")]
        assert firm == [], _why(case_id, firm)
    else:
        top2 = codes(causes)[:2]
        assert any(code in top2 for code in wanted), _why(case_id, top2)


def _absent(key: str, section: str) -> Callable[[str], None]:
    def check(case_id: str) -> None:
        present = codes(assessment(case_id)[section])
        wrong = [code for code in expected(case_id)[key] if code in present]
        assert wrong == [], _why(case_id, present)

    return check


def _present(key: str, section: str) -> Callable[[str], None]:
    def check(case_id: str) -> None:
        present = codes(assessment(case_id)[section])
        missing = [r for r in expected(case_id)[key] if not requirement_met(r, present)]
        assert missing == [], _why(case_id, present)

    return check


@pytest.mark.parametrize("case_id", _params("causes_forbidden"))
def test_causes_forbidden(case_id: str) -> None:
    _absent("causes_forbidden", "causes")(case_id)


@pytest.mark.parametrize("case_id", _params("findings_required"))
def test_findings_required(case_id: str) -> None:
    _present("findings_required", "findings")(case_id)


@pytest.mark.parametrize("case_id", _params("findings_forbidden"))
def test_findings_forbidden(case_id: str) -> None:
    _absent("findings_forbidden", "findings")(case_id)


@pytest.mark.parametrize("case_id", _params("actions_required"))
def test_actions_required(case_id: str) -> None:
    _present("actions_required", "actions")(case_id)


@pytest.mark.parametrize("case_id", _params("actions_forbidden"))
def test_actions_forbidden_in_assessment(case_id: str) -> None:
    """The Assessment part; the plan's protocols are checked with the plan."""
    _absent("actions_forbidden", "actions")(case_id)


@pytest.mark.parametrize("case_id", _params("cautions_required"))
def test_cautions_required(case_id: str) -> None:
    _present("cautions_required", "cautions")(case_id)
