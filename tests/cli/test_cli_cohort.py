"""``androcast cohort run`` in-process (CliRunner), on a tiny cohort."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from androcast.cli import app

TINY = {
    "name": "tiny",
    "seed": 5,
    "follow_up_months": 1,
    "months": [0, 1],
    "outcomes": ["concentration_ge_20m_per_ml"],
    "covariates": {"age_years": {"distribution": "uniform", "low": 25, "high": 45}},
    "androgen": {
        "duration_weeks": {"distribution": "fixed", "value": 2},
        "agents": [
            {"agent": "testosterone_enanthate", "dose": "200 mg", "route": "im", "every": "7 d"}
        ],
    },
}


def test_cohort_run_json_has_the_design_shape(tmp_path: Path) -> None:
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(TINY))
    result = CliRunner().invoke(
        app,
        [
            "cohort",
            "run",
            str(path),
            "--n",
            "2",
            "--seed",
            "9",
            "--outcome",
            "lh_normal",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"cohort", "n", "seed", "outcomes"}
    assert (data["cohort"], data["n"], data["seed"]) == ("tiny", 2, 9)
    curve = data["outcomes"]["lh_normal"]
    assert set(curve) == {"months", "probability", "median_months"}
    assert curve["months"] == [0.0, 1.0]
    assert all(0.0 <= p <= 1.0 for p in curve["probability"])


def test_cohort_run_unknown_outcome_is_one_line_exit_2() -> None:
    result = CliRunner().invoke(
        app, ["cohort", "run", "contraception_liu2006", "--n", "2", "--outcome", "fertile"]
    )
    assert result.exit_code == 2
    assert "outcome[0]: 'fertile' is not a known code; expected one of any_sperm" in (result.output)
