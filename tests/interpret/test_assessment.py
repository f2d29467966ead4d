"""Assessment-level behaviour: missing inputs become what to measure next, ranges are named,
outputs carry rule and citation, and the JSON has the DESIGN.md shape."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from androcast.interpret import interpret
from androcast.labs import parse_case

AS_OF = dt.date(2025, 12, 1)


def _case(labs: list[dict[str, Any]], **extra: Any) -> Any:
    data = {"patient": {"id": "t", "age_years": 35}, "goal": "fertility", "labs": labs, **extra}
    return parse_case(data, as_of=AS_OF)


def _lab(analyte: str, value: Any, unit: str, date: str = "2025-10-01") -> dict[str, Any]:
    return {"date": date, "analyte": analyte, "value": value, "unit": unit}


def test_low_t_without_gonadotropins_asks_for_them_and_does_not_guess_a_pattern() -> None:
    assessment = interpret(_case([_lab("testosterone_total", 150, "ng/dL")]))
    assert assessment.pattern == "indeterminate"
    assert "measure_lh_fsh" in assessment.action_codes()
    measures = {m.measure: m.inputs for m in assessment.missing}
    assert "lh" in measures["measure_lh_fsh"]


def test_low_t_with_normal_lh_and_no_prolactin_asks_for_prolactin_and_withholds_serm() -> None:
    labs = [
        _lab("testosterone_total", 210, "ng/dL", "2025-09-01"),
        _lab("testosterone_total", 220, "ng/dL"),
        _lab("lh", 2.5, "IU/L"),
        _lab("fsh", 3.0, "IU/L"),
    ]
    assessment = interpret(_case(labs))
    assert {"measure_prolactin", "thyroid_tests", "measure_estradiol"} <= set(
        assessment.action_codes()
    )
    assert "serm" not in assessment.action_codes()
    labs += [_lab("prolactin", 9, "ng/mL"), _lab("tsh", 2, "mIU/L"), _lab("estradiol", 20, "pg/mL")]
    completed = interpret(_case(labs))
    assert "serm" in completed.action_codes()
    assert "measure_prolactin" not in completed.action_codes()


def test_findings_that_use_a_reference_interval_name_it() -> None:
    lab_range = {
        "low": 1.7,
        "high": 8.6,
        "unit": "IU/L",
        "source": "Lab B",
        "population": "men 20-70",
    }
    labs = [{**_lab("lh", 1.2, "IU/L"), "reference": lab_range}]
    assessment = interpret(_case(labs))
    (finding,) = [f for f in assessment.findings if f.code == "lh_suppressed"]
    assert [(r.source, r.low, r.high) for r in finding.ranges] == [("Lab B", 1.7, 8.6)]
    assert "Lab B" in finding.basis


def test_single_near_threshold_value_is_not_a_diagnosis() -> None:
    assessment = interpret(_case([_lab("testosterone_total", 295, "ng/dL"), _lab("lh", 4, "IU/L")]))
    assert "low_testosterone" not in {f.code for f in assessment.findings}
    assert "confirm_before_treating" in assessment.caution_codes()
    assert assessment.pattern == "indeterminate"


def test_json_is_serialisable_and_every_output_is_cited() -> None:
    labs = [
        _lab("testosterone_total", 95, "ng/dL"),
        _lab("lh", 0.2, "IU/L"),
        _lab("fsh", 0.3, "IU/L"),
    ]
    history = {
        "androgens": [
            {
                "agent": "nandrolone_decanoate",
                "dose": "300 mg",
                "every": "7 d",
                "start": "2023-01-01",
                "stop": "2025-10-01",
            }
        ]
    }
    data = interpret(_case(labs, history=history)).to_dict()
    json.dumps(data)
    for kind in ("findings", "actions", "cautions"):
        assert all(entry["rule"] and entry["citation"] for entry in data[kind])
    assert all(cause["rules"] and cause["citations"] for cause in data["causes"])
    cited = {
        entry["citation"].split(",")[0]
        for kind in ("findings", "actions", "cautions")
        for entry in data[kind]
    }
    assert cited <= set(data["references"])
    assert data["causes"][0]["code"] == "exogenous_aas"


def test_her_evaluation_not_yet_known_is_not_a_field_path_to_measure() -> None:
    """Every fertility case printed 'Measure next: measure_partner.evaluation_abnormal
    (partner.evaluation_abnormal)' (clinical review): her evaluation is asked for as an
    action (female_partner_evaluation), and a missing input is never shown as a field path."""
    case = parse_case({"patient": {"id": "f1", "age_years": 35}, "goal": "fertility",
                       "labs": [{"date": "2025-10-01", "analyte": "testosterone_total",
                                 "value": 200, "unit": "ng/dL"}]})
    assessment = interpret(case)
    assert "female_partner_evaluation" in assessment.action_codes()
    assert all("." not in m.measure for m in assessment.missing), assessment.missing
