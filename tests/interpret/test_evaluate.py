"""Evaluation over a real case: units, censored results, lab intervals, three-valued logic."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from androcast.interpret.evaluate import EvaluationError, Evaluator, Truth
from androcast.interpret.expression import parse_expression
from androcast.interpret.facts import Facts, convert
from androcast.interpret.knowledge import threshold
from androcast.interpret.values import Quantity
from androcast.labs import parse_case

AS_OF = dt.date(2025, 12, 1)


def _lab(analyte: str, value: Any, unit: str, **extra: Any) -> dict[str, Any]:
    return {"date": "2025-10-01", "analyte": analyte, "value": value, "unit": unit, **extra}


def _truth(text: str, labs: list[dict[str, Any]], **case: Any) -> tuple[Truth, Evaluator]:
    data = {"patient": {"id": "t"}, "goal": "fertility", "labs": labs, **case}
    facts = Facts(parse_case(data, as_of=AS_OF), lambda kind, code: (False, ()))
    evaluator = Evaluator(facts, threshold, convert)
    return evaluator.truth(parse_expression(text)), evaluator


LOW_T = 'testosterone_total < evidence("testosterone_total.aua2018_low_t_cutoff")'


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [(299, "ng/dL", True), (301, "ng/dL", False), (10.3, "nmol/L", True), (10.5, "nmol/L", False)],
)
def test_threshold_in_ng_dl_compared_in_the_results_unit(
    value: float, unit: str, expected: bool
) -> None:
    # 300 ng/dL = 10.40 nmol/L (clinical.md section 9: x 0.03467)
    truth, _ = _truth(LOW_T, [_lab("testosterone_total", value, unit)])
    assert truth is expected


def test_censored_below_limit_is_known_low_but_not_known_equal() -> None:
    assert (
        _truth(
            'lh < evidence("testosterone_total.emas_lh_elevated")', [_lab("lh", "<0.1", "IU/L")]
        )[0]
        is True
    )
    assert (
        _truth(
            'lh > evidence("testosterone_total.emas_lh_elevated")', [_lab("lh", "<0.1", "IU/L")]
        )[0]
        is False
    )
    # "<20" says nothing about whether the value exceeds 9.4
    assert (
        _truth('lh > evidence("testosterone_total.emas_lh_elevated")', [_lab("lh", "<20", "IU/L")])[
            0
        ]
        is None
    )


def test_missing_input_is_unknown_and_kleene_logic_applies() -> None:
    truth, evaluator = _truth(f"{LOW_T} and lh in_ref low", [])
    assert truth is None
    assert evaluator.trace.unknown == ["testosterone_total", "lh"]
    truth, _ = _truth(f"{LOW_T} and lh in_ref low", [_lab("testosterone_total", 600, "ng/dL")])
    assert truth is False  # false and unknown = false
    truth, _ = _truth(f"{LOW_T} or lh in_ref low", [_lab("testosterone_total", 150, "ng/dL")])
    assert truth is True  # true or unknown = true


def test_laboratory_interval_overrides_the_default_and_is_named() -> None:
    ref = {"low": 1.0, "high": 8.0, "unit": "IU/L", "source": "Lab A", "population": "men"}
    truth, evaluator = _truth("lh in_ref low", [_lab("lh", 1.5, "IU/L", reference=ref)])
    assert truth is False  # low by the FAMHES default (2.2), normal by the lab's 1.0
    assert [r.source for r in evaluator.trace.ranges] == ["Lab A"]
    truth, evaluator = _truth("lh in_ref low", [_lab("lh", 1.5, "IU/L")])
    assert truth is True
    assert "famhes" in evaluator.trace.ranges[0].source


def test_count_over_series_and_near_threshold() -> None:
    labs = [
        {"date": "2025-09-01", "analyte": "testosterone_total", "value": 250, "unit": "ng/dL"},
        {"date": "2025-10-01", "analyte": "testosterone_total", "value": 280, "unit": "ng/dL"},
    ]
    assert _truth(f"count({LOW_T}) >= 2", labs)[0] is True
    near = 'near(testosterone_total, evidence("testosterone_total.aua2018_low_t_cutoff"), 0.10)'
    assert _truth(near, labs)[0] is True  # latest 280 is within 10 % of 300
    assert _truth(near, labs[:1])[0] is False  # 250 is 17 % below


def test_count_over_two_analytes_is_refused_by_the_evaluator_too() -> None:
    # rules are checked on load (test_rule_loading); an expression evaluated directly is not
    labs = [_lab("lh", 3, "IU/L"), _lab("fsh", 3, "IU/L")]
    with pytest.raises(EvaluationError) as err:
        _truth("count(lh > 1 and fsh > 1) >= 1", labs)
    assert str(err.value) == "count() needs exactly one analyte, found ['fsh', 'lh']"


def test_time_facts_convert_between_months_and_weeks() -> None:
    history = {
        "androgens": [
            {
                "agent": "testosterone_cypionate",
                "dose": "200 mg",
                "every": "7 d",
                "start": "2024-06-01",
                "stop": "2025-06-01",
            }
        ]
    }
    text = 'androgen.duration <= evidence("interpret.liu2006_max_treatment_duration")'
    assert _truth(text, [], history=history)[0] is True  # 52 weeks <= 78 weeks


def test_comparing_a_quantity_with_a_bare_number_is_a_rule_error() -> None:
    from androcast.interpret.evaluate import EvaluationError

    with pytest.raises(EvaluationError) as err:
        _truth("lh < 5", [_lab("lh", 3, "IU/L")])
    assert str(err.value).startswith("cannot compare lh 3 IU/L on 2025-10-01 with 5")


@pytest.mark.parametrize(("courses", "weeks"), [
    # a stack taken together counts its calendar time once: 52 weeks, not 104 (c01's
    # testosterone with trenbolone was read as 3.2 y for 19 months)
    ((("testosterone_enanthate", "2024-06-01", "2025-05-31"),
      ("trenbolone_acetate", "2024-06-01", "2025-05-31")), 52),
    # overlapping courses: their union (2024-06-01 to 2025-09-01, 457 days)
    ((("testosterone_enanthate", "2024-06-01", "2025-05-31"),
      ("nandrolone_decanoate", "2024-12-01", "2025-09-01")), 457 / 7),
    # a gap between cycles is not time on androgens (182 + 182 days)
    ((("testosterone_enanthate", "2024-01-01", "2024-07-01"),
      ("testosterone_enanthate", "2025-01-01", "2025-07-02")), 364 / 7),
])
def test_androgen_duration_is_calendar_time_on_any_androgen(
    courses: tuple[tuple[str, str, str], ...], weeks: float
) -> None:
    history = {"androgens": [{"agent": agent, "dose": "100 mg", "every": "7 d",
                              "start": start, "stop": stop} for agent, start, stop in courses]}
    data = {"patient": {"id": "t"}, "goal": "fertility", "labs": [], "history": history}
    duration = Facts(parse_case(data, as_of=AS_OF), lambda kind, code: (False, ())).value(
        "androgen.duration")
    assert isinstance(duration, Quantity) and duration.unit == "y"
    assert duration.value * 365.25 / 7 == pytest.approx(weeks, abs=1e-9)


def test_time_off_androgens_follows_handelsman2005_t0_convention() -> None:
    # t0 = last dose + one dosing interval: a 10-weekly undecanoate depot stopped 7.5 months
    # before the visit has been "off" since 2025-06-24: 160 days = 5.26 months, not 7.5.
    history = {
        "androgens": [
            {
                "agent": "testosterone_undecanoate",
                "dose": "1000 mg",
                "every": "70 d",
                "start": "2023-01-15",
                "stop": "2025-04-15",
            }
        ]
    }
    text = 'months_since_androgen_stop <= evidence("interpret.persistent_suppression_months")'
    truth, evaluator = _truth(text, [], history=history)
    assert truth is True
    assert "time since stopping androgens 5.26 mo" in evaluator.trace.support[0]


POST_TRT_HISTORY = {
    "androgens": [
        {
            "agent": "testosterone_cypionate",
            "dose": "200 mg",
            "every": "7 d",
            "start": "2024-03-01",
            "stop": "2025-09-01",
        }
    ]
}
POST_TRT_PANEL = [
    {"date": "2025-10-15", "analyte": "lh", "value": 0.3, "unit": "IU/L"},
    {"date": "2025-10-15", "analyte": "fsh", "value": "<0.3", "unit": "IU/L"},
]


def test_time_off_androgens_is_read_at_the_lh_fsh_date_not_today() -> None:
    # issue-3 review (examples/cases/post_trt.yaml): t0 = 2025-09-01 + 7 d; the panel of
    # 2025-10-15 was drawn 37 d = 1.22 months later, whatever day the case is read on.
    data = {
        "patient": {"id": "t"},
        "goal": "fertility",
        "labs": POST_TRT_PANEL,
        "history": POST_TRT_HISTORY,
    }
    facts = Facts(parse_case(data, as_of=dt.date(2026, 11, 22)), lambda k, c: (False, ()))
    at_panel = facts.value("months_off_androgens_at_lh_fsh")
    since_stop = facts.value("months_since_androgen_stop")
    panel_age = facts.value("months_since_lh_fsh")
    assert isinstance(at_panel, Quantity) and at_panel.value == pytest.approx(37 / 30.4375)
    assert "at LH/FSH of 2025-10-15" in at_panel.label
    assert isinstance(since_stop, Quantity) and since_stop.value == pytest.approx(440 / 30.4375)
    assert isinstance(panel_age, Quantity) and panel_age.value == pytest.approx(403 / 30.4375)


def test_time_off_androgens_without_a_panel_is_read_today() -> None:
    data = {"patient": {"id": "t"}, "goal": "fertility", "history": POST_TRT_HISTORY}
    facts = Facts(parse_case(data, as_of=AS_OF), lambda k, c: (False, ()))
    at_panel = facts.value("months_off_androgens_at_lh_fsh")
    assert isinstance(at_panel, Quantity) and at_panel.value == pytest.approx(84 / 30.4375)
    assert "(no LH/FSH)" in at_panel.label
    assert facts.value("months_since_lh_fsh") is None
