"""parse_when: a condition of the pathway and decline rules, read from its data or refused
with a message naming the rule's field (known answers; the rule files are read once and
cached, so these call the parser directly), and what When.holds reads of an assessment."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from androcast.errors import InputFileError
from androcast.interpret import interpret
from androcast.interpret.when import When, parse_when
from androcast.labs import load_case, parse_case

SOURCE = "rules.yaml[0]"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "cases"


def test_every_set_test_and_flag_is_read() -> None:
    when = parse_when(
        {
            "cause_any": ["klinefelter", 7],
            "finding_none": ["varicocele"],
            "class_none": True,
            "firm_cause": False,
            "androgen_history": True,
        },
        source=SOURCE,
    )
    assert when == When(
        {"cause_any": frozenset({"klinefelter", "7"}), "finding_none": frozenset({"varicocele"})},
        class_none=True,
        firm_cause=False,
        androgen_history=True,
    )
    assert parse_when({}, source=SOURCE) == When({}, None, None, None)
    # the codes checked against the vocabulary: the set tests', not the flags
    assert when.codes() == {
        "cause_any": frozenset({"klinefelter", "7"}),
        "finding_none": frozenset({"varicocele"}),
    }


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([1], "rules.yaml[0].when: [1] cannot be read; expected a mapping of tests"),
        (
            {"cause_any": ["x"], "bogus": 1},
            "rules.yaml[0].when: ['bogus'] cannot be read; expected tests among action_any, "
            "androgen_history, cause_any, cause_none, caution_any, class_none, finding_any, "
            "finding_none, firm_cause, goal_any, missing_any, pattern_any, top_cause_any",
        ),
        (
            {"cause_any": []},
            "rules.yaml[0].when.cause_any: [] cannot be read; expected a non-empty list of codes",
        ),
        (
            {"cause_any": "x"},
            "rules.yaml[0].when.cause_any: 'x' cannot be read; expected a non-empty list of codes",
        ),
        (
            {"firm_cause": "yes"},
            "rules.yaml[0].when.firm_cause: 'yes' cannot be read; expected true or false",
        ),
    ],
)
def test_a_malformed_condition_is_refused_naming_its_field(data: Any, message: str) -> None:
    with pytest.raises(InputFileError) as caught:
        parse_when(data, source=SOURCE)
    assert str(caught.value) == message


def test_holds_reads_cautions_missing_measures_and_the_goal_of_the_assessment() -> None:
    # Low T twice, no LH/FSH and no semen analysis, wanting fertility: the assessment
    # cautions against testosterone therapy and asks for the missing measures.
    labs = [
        {"date": d, "analyte": "testosterone_total", "value": v, "unit": "ng/dL"}
        for d, v in (("2025-10-01", 200), ("2025-11-01", 210))
    ]
    case = parse_case(
        {"patient": {"id": "W1", "age_years": 33}, "goal": "fertility", "labs": labs},
        as_of=dt.date(2025, 12, 1),
    )
    assessment = interpret(case)
    assert "avoid_testosterone_therapy" in assessment.caution_codes()
    assert "semen_analysis" in {m.measure for m in assessment.missing}

    def holds(data: dict[str, Any]) -> bool:
        return parse_when(data, source=SOURCE).holds(assessment, case)

    assert holds({"caution_any": ["avoid_testosterone_therapy"]})
    assert not holds({"caution_any": ["no_such_caution"]})
    assert holds({"missing_any": ["semen_analysis"]})
    assert not holds({"missing_any": ["no_such_measure"]})
    assert holds({"goal_any": ["fertility"]})
    assert not holds({"goal_any": ["testosterone"]})
    assert [cause.code for cause in assessment.causes] == []
    assert holds({"firm_cause": False})
    assert not holds({"firm_cause": True})


def test_top_cause_is_only_his_first_firm_cause_and_firm_cause_true_holds() -> None:
    # Prolactin raised with a suspected macroadenoma: two firm causes, prolactin ranked first.
    case = load_case(EXAMPLES / "hyperprolactinaemia.yaml", as_of=dt.date(2025, 10, 25))
    assessment = interpret(case)
    firm = [c.code for c in assessment.causes if c.confidence in ("high", "moderate")]
    assert firm[:2] == ["hyperprolactinemia", "pituitary_lesion_suspected"]

    def holds(data: dict[str, Any]) -> bool:
        return parse_when(data, source=SOURCE).holds(assessment, case)

    assert holds({"top_cause_any": ["hyperprolactinemia"]})
    assert not holds({"top_cause_any": ["pituitary_lesion_suspected"]})
    assert holds({"cause_any": ["pituitary_lesion_suspected"]})
    assert holds({"firm_cause": True})
    assert not holds({"firm_cause": False})
