"""``androcast calibrate fit|report`` in-process (small n; long fits are run on demand)."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from androcast.calibrate import fitted_path
from androcast.cli import app

runner = CliRunner()


def test_report_writes_self_contained_html_with_a_figure_and_verdict(tmp_path: Path) -> None:
    out = tmp_path / "calibration.html"
    result = runner.invoke(app, ["calibrate", "report", "--target", "liu2006_p24", "--n", "20",
                                 "--out", str(out), "--format", "json"])
    assert result.exit_code == 0, result.output
    # stdout only: a first run's kernel-build notice goes to stderr
    summary = json.loads(result.stdout)
    assert [t["target"] for t in summary["targets"]] == ["liu2006_p24"]
    page = out.read_text(encoding="utf-8")
    assert page.count("src='data:image/png;base64,") == 1
    assert "liu2006_p24" in page and ("pass" in page or "FAIL" in page)
    assert "http://" not in page and "https://" not in page


def test_fit_writes_a_fit_file_with_record_and_provenance(tmp_path: Path) -> None:
    out = tmp_path / "fitted.yaml"
    result = runner.invoke(app, ["calibrate", "fit", "--target", "liu2006_p24", "--n", "12",
                                 "--max-evals", "1", "--out", str(out), "--format", "json"])
    assert result.exit_code == 0, result.output
    stored = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert stored["fit"]["n"] == 12 and stored["fit"]["seed"] == 1
    assert stored["fit"]["targets"] == ["liu2006_p24"]
    assert {"date", "objective", "evaluations"} <= set(stored["fit"])
    for entry in stored["typical"].values():
        assert entry["source"].startswith("androcast-fit:")
    # the form of each covariate effect (span, stated basis) survives a refit
    start = yaml.safe_load(fitted_path().read_text(encoding="utf-8"))
    assert [(e.get("span"), e.get("basis")) for e in stored["covariate_effects"]] == [
        (e.get("span"), e.get("basis")) for e in start["covariate_effects"]]


def test_unknown_target_is_one_line_and_exit_2() -> None:
    result = runner.invoke(app, ["calibrate", "report", "--target", "nope", "--n", "5"])
    assert result.exit_code == 2
    assert "target: 'nope' is not a known code" in result.output
    assert "Traceback" not in result.output
