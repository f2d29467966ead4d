"""`androcast prognosis` and `androcast plan`, in-process with typer's CliRunner."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import yaml
from typer.testing import CliRunner

from androcast.cli import app
from androcast.prognosis import protocol_ids

runner = CliRunner()
POST_TRT = str(resources.files("androcast").joinpath("examples/cases/post_trt.yaml"))


def test_prognosis_json_for_one_protocol() -> None:
    result = runner.invoke(app, ["prognosis", POST_TRT, "--protocol", "watchful_waiting",
                                 "--particles", "4", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["outcome"] == "concentration_ge_20m_per_ml"
    assert [p["id"] for p in data["protocols"]] == ["watchful_waiting"]
    assert data["basis"]["n_virtual"] == 4
    # DESIGN.md Prognosis: the Monte Carlo error of each month's probability, whether the
    # sampler converged and whether the forecast is low confidence (issue 17)
    basis = data["basis"]
    assert len(basis["mc_se"]["watchful_waiting"]) == len(data["protocols"][0]["months"])
    assert all(se >= 0 for se in basis["mc_se"]["watchful_waiting"])
    assert isinstance(basis["converged"], bool) and isinstance(basis["low_confidence"], bool)


def test_prognosis_table_and_png_plot(tmp_path: Path) -> None:
    png = tmp_path / "curves.png"
    result = runner.invoke(app, ["prognosis", POST_TRT, "--protocol", "hcg", "--particles",
                                 "4", "--plot", str(png)])
    assert result.exit_code == 0, result.output
    assert "hcg" in result.output and "Decision support" in result.output
    assert "±" in result.output and "Monte Carlo" in result.output  # the error beside each P
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_unknown_protocol_is_one_line_with_the_ids() -> None:
    result = runner.invoke(app, ["prognosis", POST_TRT, "--protocol", "hcg_only"])
    assert result.exit_code == 2
    assert result.output.strip().replace("\n", " ") == (
        "error: protocol: 'hcg_only' is not a known code; expected one of "
        + ", ".join(protocol_ids()))


def test_contradictory_dates_are_one_line(tmp_path: Path) -> None:
    case = yaml.safe_load(Path(POST_TRT).read_text())
    case["history"]["androgens"][0]["stop"] = "2024-01-01"  # before its start
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(case))
    result = runner.invoke(app, ["prognosis", str(path), "--particles", "4"])
    assert result.exit_code == 2
    assert result.output.strip().replace("\n", " ") == (
        "error: history.androgens[0].stop: '2024-01-01' is not a valid date here; expected "
        "a date on or after start 2024-03-01")


def test_plot_needs_png_or_html(tmp_path: Path) -> None:
    result = runner.invoke(app, ["prognosis", POST_TRT, "--protocol", "watchful_waiting",
                                 "--particles", "2", "--plot", str(tmp_path / "c.txt")])
    assert result.exit_code == 2
    assert "expected a .png or .html file" in result.output


def test_plan_json_ranks_alternatives() -> None:
    result = runner.invoke(app, ["plan", POST_TRT, "--particles", "3", "--target-month", "6",
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    # his assessment advises stopping androgens (the old "after_androgens" pathway id is
    # gone: pathways are now the DESIGN.md codes, chosen from the assessment)
    assert data["pathway"] == "treat_cause_first"
    assert data["first_step"]["code"] == "stop_exogenous_androgen"
    assert data["forecast"] == "curves"
    p = [a["probability_by_target"] for a in data["alternatives"]]
    assert p == sorted(p, reverse=True)
