"""Alternatives within Monte Carlo error of each other are tied, not ranked (issue 17)."""

from __future__ import annotations

import itertools
import json
import math
from importlib import resources

from typer.testing import CliRunner

from androcast.cli import app
from androcast.protocol.planner import TIE_Z, tie_groups
from androcast.report.charts import plan_figure

POST_TRT = str(resources.files("androcast").joinpath("examples/cases/post_trt.yaml"))
runner = CliRunner()


def test_neighbours_within_two_combined_errors_are_tied_and_ties_chain() -> None:
    # 0.70 vs 0.68: 0.02 <= 2 x hypot(0.01, 0.01) = 0.028, tied; 0.68 vs 0.60 is not
    assert tie_groups([0.70, 0.68, 0.60], [0.01, 0.01, 0.01]) == [[0, 1], [2]]
    # a ~ b and b ~ c: one group, although a and c alone would not tie
    assert tie_groups([0.70, 0.675, 0.65], [0.01, 0.01, 0.01]) == [[0, 1, 2]]
    # a difference just beyond the error is a rank
    assert tie_groups([0.70, 0.67], [0.01, 0.01]) == [[0], [1]]
    # equal probabilities with no error (both 0) are tied; distinct ones are not
    assert tie_groups([0.0, 0.0], [0.0, 0.0]) == [[0, 1]]
    assert tie_groups([0.2, 0.1], [0.0, 0.0]) == [[0], [1]]


def test_the_plan_reports_its_ties_in_json_table_and_chart() -> None:
    """His plan at a few virtual men: ties follow the rule on each neighbouring pair, the
    JSON lists them (``ties`` and each alternative's ``tied_with``), the table says "tied
    within Monte Carlo error" instead of a rank and the chart labels them tied."""
    args = ["plan", POST_TRT, "--particles", "3", "--target-month", "6"]
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    alternatives = data["alternatives"]
    for above, below in itertools.pairwise(alternatives):
        tied = (abs(above["probability_by_target"] - below["probability_by_target"])
                <= TIE_Z * math.hypot(above["mc_se_by_target"], below["mc_se_by_target"]))
        assert (below["id"] in above["tied_with"]) == tied, (above, below)
    assert data["ties"], "three virtual men cannot tell his protocols apart"
    for group in data["ties"]:
        for member in group:
            row = next(a for a in alternatives if a["id"] == member)
            assert sorted(row["tied_with"]) == sorted(set(group) - {member})
    table = runner.invoke(app, args)
    assert table.exit_code == 0, table.output
    first_tied = data["ties"][0]
    assert "tied within Monte Carlo error with" in table.output
    assert f"{data['alternatives'][0]['rank']}. " not in table.output.split(first_tied[0])[0] \
        or not alternatives[0]["tied_with"]
    labels = {y for t in plan_figure(data)["data"] for y in t["y"]}  # type: ignore[index]
    assert any(label.startswith("tied ") for label in labels)
