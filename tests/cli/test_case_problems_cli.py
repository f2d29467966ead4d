"""A case with several problems: one message listing every one, exit code 2, nothing stored
(the JSON API's answer to the same case: tests/web/test_api.py)."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from androcast.cli import app

runner = CliRunner()

BAD_CASE = {
    "patient": {"id": "BAD1", "age_years": 35},
    "goal": "fertility",
    "exam": {"date": "2026-11-01", "visual_fields": "tunnel_vision"},
    "history": {
        "medications": [
            {
                "agent": "hcg",
                "dose": "3000 IU",
                "every": "2 d",
                "start": "2026-06-01",
                "stop": "2026-05-01",
            },
            "clomiphene_citrate",  # a restoration drug he takes now, without its dose
        ]
    },
    "labs": [
        {"date": "2026-11-01", "analyte": "testosterone_total", "value": 15, "unit": "nmol/L"},
        {"date": "2026-11-01", "analyte": "ferritin", "value": -20, "unit": "ug/L"},
    ],
    "semen": [{"date": "2026-11-03", "volume_ml": 2.5, "concentration_m_per_ml": 20, "ph": 15}],
}
PROBLEMS = (
    "labs[1].value: -20.0 is impossible; expected a value from 0 to 100000 ug/L for ferritin",
    "semen[0].ph: 15.0 is impossible; expected a number from 5.5 to 9.5 pH",
    "exam.visual_fields: 'tunnel_vision' is not a known code; expected one of full, "
    "bitemporal_defect, other_defect",
    "history.medications[0].stop: '2026-05-01' is not a valid date here; expected a date on "
    "or after start 2026-06-01",
    "history.medications[1]: 'clomiphene_citrate' has no dose; expected the dose and interval "
    "of a restoration drug he takes now (dose needed: it is part of his state for the "
    "assessment, the twin and the plan), e.g. {agent: clomiphene_citrate, dose: AMOUNT UNIT, "
    "every: INTERVAL, start: DATE}",
)


def _write(tmp_path: Path) -> str:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(BAD_CASE), encoding="utf-8")
    return str(path)


def test_every_problem_in_one_message_and_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["interpret", _write(tmp_path), "--as-of", "2026-12-07"])
    assert result.exit_code == 2
    lines = [line.strip() for line in result.stderr.strip().splitlines()]
    assert lines[0] == "error: bad.yaml: 5 problems"
    assert sorted(line.removeprefix("- ") for line in lines[1:]) == sorted(PROBLEMS)
    assert "Traceback" not in result.output


def test_nothing_is_stored(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'records.db'}"
    assert runner.invoke(app, ["db", "upgrade", "--db", db]).exit_code == 0
    added = runner.invoke(
        app, ["patient", "add", _write(tmp_path), "--db", db, "--as-of", "2026-12-07"]
    )
    assert added.exit_code == 2
    assert "5 problems" in added.stderr
    listed = runner.invoke(app, ["patient", "list", "--db", db, "--format", "json"])
    assert listed.exit_code == 0
    assert json.loads(listed.stdout) == []


def test_a_mapping_without_dose_or_interval_names_the_missing_field(tmp_path: Path) -> None:
    case = {**BAD_CASE, "exam": None, "labs": [], "semen": [], "history": {"medications": [
        {"agent": "hcg", "every": "2 d", "start": "2026-06-01"},
        {"agent": "fsh", "dose": "150 IU", "start": "2026-06-01"},
        {"agent": "tamoxifen", "start": "2026-01-01", "stop": "2026-03-01"},  # past: fine
        "opioid",  # not a restoration drug: a code is enough
    ]}}
    path = tmp_path / "doses.yaml"
    path.write_text(yaml.safe_dump({k: v for k, v in case.items() if v is not None}),
                    encoding="utf-8")
    result = runner.invoke(app, ["interpret", str(path), "--as-of", "2026-12-07"])
    assert result.exit_code == 2
    lines = [line.strip().removeprefix("- ") for line in result.stderr.strip().splitlines()]
    assert lines[0] == "error: doses.yaml: 2 problems"
    assert [line.split(":")[0] for line in lines[1:]] == [
        "history.medications[0].dose", "history.medications[1].every"]
