"""`androcast demo` (the main job of `make run` until the web app exists)."""

import json

from typer.testing import CliRunner

from androcast.cli import app

runner = CliRunner()


def test_demo_prints_the_labs_and_the_assessment_of_the_example_case() -> None:
    result = runner.invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    assert "androcast demo: examples/cases/post_trt.yaml" in result.output
    assert "Laboratory results" in result.output
    assert "Pattern: exogenous_suppression" in result.output
    assert "not a prescription" in result.output


def test_demo_json_is_the_assessment_of_the_example_case() -> None:
    result = runner.invoke(app, ["demo", "--format", "json"])
    assert result.exit_code == 0, result.output
    assessment = json.loads(result.output)
    assert assessment["pattern"] == "exogenous_suppression"
    assert any(c["code"] == "avoid_testosterone_therapy" for c in assessment["cautions"])
