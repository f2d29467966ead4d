"""`androcast interpret` and `androcast explain`, in-process with typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from androcast.cli import app
from androcast.interpret import references

runner = CliRunner()

CASE = {
    "patient": {
        "id": "P001",
        "age_years": 38,
        "bmi": 27.5,
        "testis_volume_ml": {"left": 15, "right": 14},
    },
    "goal": "fertility",
    "history": {
        "androgens": [
            {
                "agent": "testosterone_cypionate",
                "dose": "200 mg",
                "every": "7 d",
                "start": "2024-03-01",
                "stop": "2025-09-01",
            }
        ],
        "conditions": [],
        "medications": [],
    },
    "labs": [
        {"date": "2025-10-15", "analyte": "testosterone_total", "value": 95, "unit": "ng/dL"},
        {"date": "2025-10-15", "analyte": "lh", "value": 0.3, "unit": "IU/L"},
    ],
    "semen": [{"date": "2025-10-20", "volume_ml": 2.5, "concentration_m_per_ml": 0.0}],
}


@pytest.fixture
def case_file(tmp_path: Path) -> Path:
    path = tmp_path / "case.yaml"
    path.write_text(yaml.safe_dump(CASE), encoding="utf-8")
    return path


def test_interpret_json_has_the_design_shape(case_file: Path) -> None:
    result = runner.invoke(
        app, ["interpret", str(case_file), "--format", "json", "--as-of", "2025-11-01"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    design_keys = {"pattern", "causes", "findings", "actions", "cautions", "derived", "prognosis"}
    assert design_keys <= set(data)
    assert data["pattern"] == "exogenous_suppression"
    assert data["causes"][0] == {
        **data["causes"][0],
        "code": "exogenous_testosterone",
        "confidence": "high",
    }
    assert {"code", "rule", "basis", "citation"} <= set(data["findings"][0])
    assert {"code", "rule", "citation"} <= set(data["actions"][0])
    assert {"class", "basis"} <= set(data["prognosis"])
    assert "free_testosterone_pmol_per_l" in data["derived"]
    assert data["disclaimer"].startswith("Decision support")


def test_interpret_table_names_pattern_and_disclaimer(case_file: Path) -> None:
    result = runner.invoke(app, ["interpret", str(case_file), "--as-of", "2025-11-01"])
    assert result.exit_code == 0, result.output
    assert "exogenous_suppression" in result.stdout
    assert "not a prescription" in result.stdout
    # evidence keys in square brackets are printed, not swallowed as rich markup
    assert "[testosterone_total." in result.stdout


def test_explain_lists_exactly_the_references_of_fired_rules(case_file: Path) -> None:
    json_result = runner.invoke(
        app, ["interpret", str(case_file), "--format", "json", "--as-of", "2025-11-01"]
    )
    fired_refs = set(json.loads(json_result.stdout)["references"])
    result = runner.invoke(app, ["explain", str(case_file), "--as-of", "2025-11-01"])
    assert result.exit_code == 0, result.output
    listed = {key for key in references() if f"[{key}]" in result.stdout}
    assert listed == fired_refs
    assert "AND-HCG-1" in result.stdout


def test_missing_case_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    result = runner.invoke(app, ["interpret", str(missing)])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    assert result.output.startswith(f"error: {missing}: 'nope.yaml' cannot be read")


def test_bad_as_of_is_reported(case_file: Path) -> None:
    result = runner.invoke(app, ["interpret", str(case_file), "--as-of", "01/11/2025"])
    assert result.exit_code == 2
    assert result.output == (
        "error: --as-of: '01/11/2025' is not a valid date here; expected an ISO date YYYY-MM-DD\n"
    )


def test_user_rule_file_replaces_shipped_rules(case_file: Path, tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        """
- id: MY-LH-1
  version: 1
  title: LH below range
  inputs: [lh]
  when: lh in_ref low
  findings: [{code: lh_suppressed}]
  citation: {key: eau_srh, section: "5.3"}
  examples:
    - name: low
      fires: true
      case:
        patient: {id: a}
        goal: fertility
        labs: [{date: 2025-10-01, analyte: lh, value: 0.2, unit: IU/L}]
    - name: normal
      fires: false
      case:
        patient: {id: b}
        goal: fertility
        labs: [{date: 2025-10-01, analyte: lh, value: 4, unit: IU/L}]
""",
        encoding="utf-8",
    )
    result = runner.invoke(
        app,
        [
            "interpret",
            str(case_file),
            "--format",
            "json",
            "--as-of",
            "2025-11-01",
            "--rules",
            str(rules),
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [f["rule"] for f in data["findings"]] == ["MY-LH-1"]
    assert data["pattern"] == "indeterminate"


def test_invalid_user_rule_file_names_file_rule_and_field(case_file: Path, tmp_path: Path) -> None:
    rules = tmp_path / "bad.yaml"
    rules.write_text(
        "- {id: MY-1, version: 1, title: t, inputs: [lh], when: 'lh in_ref low', "
        "citation: {key: nosuchkey}, examples: [{name: a, fires: true, case: {}}, "
        "{name: b, fires: false, case: {}}]}\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["interpret", str(case_file), "--rules", str(rules)])
    assert result.exit_code == 2
    assert result.output == (
        "error: bad.yaml: MY-1.citation.key: 'nosuchkey' is not a valid rule; expected a key of "
        "androcast.evidence.bibliography() or interpret/bibliography.yaml\n"
    )


def test_user_rule_whose_example_does_not_fire_is_rejected(case_file: Path, tmp_path: Path) -> None:
    rules = tmp_path / "wrong.yaml"
    rules.write_text(
        """
- id: MY-LH-2
  version: 1
  title: LH below range
  inputs: [lh]
  when: lh in_ref low
  findings: [{code: lh_suppressed}]
  citation: {key: eau_srh}
  examples:
    - name: said to fire
      fires: true
      case:
        patient: {id: a}
        goal: fertility
        labs: [{date: 2025-10-01, analyte: lh, value: 4, unit: IU/L}]
    - name: normal
      fires: false
      case:
        patient: {id: b}
        goal: fertility
        labs: [{date: 2025-10-01, analyte: lh, value: 4, unit: IU/L}]
""",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["interpret", str(case_file), "--rules", str(rules)])
    assert result.exit_code == 2
    assert result.output == (
        "error: wrong.yaml: MY-LH-2.examples[0]: 'said to fire' is not a valid rule; "
        "expected a case on which the rule fires\n"
    )


def test_table_says_why_a_repeat_panel_is_due(case_file: Path) -> None:
    # issue-3 review: LH 0.3 six weeks after stopping, read a year later, is recent
    # suppression with a repeat panel due, not persistence
    result = runner.invoke(
        app, ["interpret", str(case_file), "--format", "table", "--as-of", "2026-11-22"]
    )
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "post_androgen_persistent" not in text
    assert "repeat_hormone_panel (testosterone_total, lh, fsh):" in text
    assert "more than 6 months after t0" in text
