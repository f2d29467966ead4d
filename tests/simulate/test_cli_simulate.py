"""``androcast simulate`` in-process with CliRunner (README/DESIGN example and errors)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from androcast.cli import app

EXAMPLES = Path(__file__).parents[2] / "examples"
runner = CliRunner()


def test_simulate_writes_csv_plot_and_json_summary(tmp_path: Path) -> None:
    out, png = tmp_path / "traj.csv", tmp_path / "traj.png"
    result = runner.invoke(app, [
        "simulate", "--regimen", str(EXAMPLES / "regimens" / "anastrozole.yaml"),
        "--days", "30", "--out", str(out), "--plot", str(png), "--format", "json",
    ])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["status"] == "success" and summary["units"]["lh"] == "IU/L"
    assert abs(summary["days"]["0"]["testosterone_total"] - 17.0) < 1e-9  # reference man, t0
    rows = list(csv.reader(out.open()))
    assert rows[0][:3] == ["t_d", "testosterone_total [nmol/L]", "testosterone_total [ng/dL]"]
    assert len(rows) == 32  # header + days 0..30
    assert png.stat().st_size > 10_000


def test_simulate_with_case_starts_before_t0_from_the_androgen_history(tmp_path: Path) -> None:
    out = tmp_path / "traj.csv"
    result = runner.invoke(app, [
        "simulate", "--case", str(EXAMPLES / "cases" / "post_trt.yaml"),
        "--days", "10", "--out", str(out),
    ])
    assert result.exit_code == 0, result.output
    first = next(iter(csv.DictReader(out.open())))
    assert float(first["t_d"]) < -500  # 18 months of cypionate before t0


def test_simulate_bad_mode_is_one_line_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["simulate", "--days", "5", "--out", str(tmp_path / "t.csv"),
                                 "--mode", "weekly"])
    assert result.exit_code == 2
    assert result.output.strip() == (
        "error: --mode: 'weekly' is not a valid parameter; expected averaged or pulsatile"
    )


def test_simulate_missing_regimen_file_is_one_line_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["simulate", "--regimen", str(tmp_path / "none.yaml"),
                                 "--days", "5", "--out", str(tmp_path / "t.csv")])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and result.output.startswith("error: ")
