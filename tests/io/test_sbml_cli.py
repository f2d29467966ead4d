"""`androcast export-sbml` in-process (typer CliRunner): file written, summary, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from androcast.cli import app

pytest.importorskip("libsbml")

EXAMPLES = Path(__file__).parents[2] / "examples"
runner = CliRunner()


def test_export_sbml_writes_the_case_model_and_summarises_it_as_json(tmp_path: Path) -> None:
    out = tmp_path / "model.xml"
    result = runner.invoke(app, [
        "export-sbml", "--regimen", str(EXAMPLES / "regimens" / "post_trt_hcg_serm.yaml"),
        "--case", str(EXAMPLES / "cases" / "post_trt.yaml"), "--out", str(out),
        "--days", "30", "--format", "json",
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["mode"] == "averaged" and summary["t_end_d"] == 30.0
    assert summary["t_start_d"] < -500  # the case's TRT history comes first
    assert {"testosterone_total", "lh", "fsh", "sperm_concentration"} <= set(
        summary["observables"])
    assert out.read_text(encoding="utf-8").startswith("<?xml")


def test_export_sbml_table_names_the_file(tmp_path: Path) -> None:
    out = tmp_path / "pump.xml"
    result = runner.invoke(app, [
        "export-sbml", "--regimen", str(EXAMPLES / "regimens" / "gonadorelin_pump.yaml"),
        "--out", str(out), "--days", "2", "--mode", "pulsatile",
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "SBML written to" in result.output and "pulsatile" in result.output
    assert 'id="gnrh_pulse"' in out.read_text(encoding="utf-8")


def test_an_unknown_mode_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, [
        "export-sbml", "--regimen", str(EXAMPLES / "regimens" / "anastrozole.yaml"),
        "--out", str(tmp_path / "m.xml"), "--mode", "pulsed",
    ])  # fmt: skip
    assert result.exit_code == 2
    assert result.output.strip() == "error: mode: 'pulsed' failed; expected averaged or pulsatile"
    assert not (tmp_path / "m.xml").exists()


def test_an_unwritable_out_path_is_one_line_and_exit_2(tmp_path: Path) -> None:
    out = tmp_path / "missing-dir" / "m.xml"
    result = runner.invoke(app, [
        "export-sbml", "--regimen", str(EXAMPLES / "regimens" / "anastrozole.yaml"),
        "--out", str(out), "--days", "1",
    ])  # fmt: skip
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: out: '{out}'")
