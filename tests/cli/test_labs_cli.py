"""``androcast labs`` in-process with typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from androcast.cli import app

EXAMPLES = Path(__file__).parents[2] / "examples" / "cases"
runner = CliRunner()


def test_labs_json_normalises_the_post_trt_panel() -> None:
    result = runner.invoke(
        app, ["labs", str(EXAMPLES / "post_trt.yaml"), "--format", "json", "--as-of", "2025-11-01"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["as_of"] == "2025-11-01"
    testosterone = report["results"][0]
    assert testosterone["analyte"] == "testosterone_total"
    assert testosterone["unit"] == "nmol/L"
    assert (testosterone["reported_value"], testosterone["reported_unit"]) == (95.0, "ng/dL")
    assert testosterone["flag"] == "low"
    assert testosterone["reference"]["source"].startswith("bhasin2018")
    fsh = next(r for r in report["results"] if r["analyte"] == "fsh")
    assert (fsh["censor"], fsh["display"]) == ("<", "<0.3")
    derived = report["derived"]
    assert derived["free_testosterone_pmol_per_l"]["method"].startswith("Vermeulen 1999")
    assert derived["t_e2_ratio"]["unit"] == "(ng/dL)/(pg/mL)"
    assert derived["semen_who2010"]["edition"] == "who2010"
    assert derived["semen_who2021"]["classes"][0]["code"] == "azoospermia"
    assert "vermeulen1999" in report["citations"]
    assert report["disclaimer"].startswith("Decision support")


def test_labs_table_shows_panel_derived_values_and_editions() -> None:
    result = runner.invoke(
        app, ["labs", str(EXAMPLES / "mixed_units.yaml")], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    for text in ("Laboratory results", "Lab X", "Derived values", "homa_ir", "Decision support"):
        assert text in result.stdout


def test_labs_semen_editions_in_table() -> None:
    result = runner.invoke(
        app, ["labs", str(EXAMPLES / "idiopathic_oligozoospermia.yaml")], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    assert "WHO laboratory manual, 5th edition (2010)" in result.stdout
    assert "WHO laboratory manual, 6th edition (2021)" in result.stdout
    assert "oligozoospermia" in result.stdout


def test_labs_bad_case_is_one_line_and_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "case.yaml"
    path.write_text(
        "patient: {id: P}\nlabs:\n"
        "  - {date: 2025-10-15, analyte: testosterone_total, value: 15, unit: ng/dL}\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["labs", str(path), "--as-of", "2025-11-01"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: labs[0].value: '15 ng/dL' looks like a unit mix-up")


def test_labs_malformed_as_of_is_one_line_and_exit_2() -> None:
    result = runner.invoke(app, ["labs", str(EXAMPLES / "post_trt.yaml"), "--as-of", "soon"])
    assert result.exit_code == 2
    assert result.output.strip() == (
        "error: --as-of: 'soon' is not a valid date here; expected an ISO date YYYY-MM-DD"
    )
