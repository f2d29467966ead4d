"""`androcast export-events` in-process: files written, summary, seeded, one-line errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from androcast.cli import app

EXAMPLES = Path(__file__).parents[2] / "examples"
runner = CliRunner()


def _ids(path: Path) -> set[str]:
    with path.open(encoding="utf-8", newline="") as f:
        return {row["ID"] for row in csv.DictReader(f)}


def test_a_case_with_a_regimen_in_hours(tmp_path: Path) -> None:
    out = tmp_path / "data.csv"
    result = runner.invoke(app, [
        "export-events", "--case", str(EXAMPLES / "cases" / "post_trt.yaml"),
        "--regimen", str(EXAMPLES / "regimens" / "anastrozole.yaml"), "--out", str(out),
        "--time-unit", "h", "--format", "json",
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["ids"] == 1 and summary["time_unit"] == "h"
    # 79 weekly cypionate doses (2024-03-01 .. 2025-09-01, 549 d) + 84 daily anastrozole
    assert summary["dose_rows"] == 79 + 84 and summary["observation_rows"] == 9
    assert (tmp_path / "data.legend.yaml").is_file() and _ids(out) == {"1"}


def test_a_cohort_has_n_ids_and_the_same_seed_gives_the_same_file(tmp_path: Path) -> None:
    args = ["export-events", "--cohort", "contraception_liu2006", "--n", "2", "--seed", "7",
            "--day", "0", "--day", "180"]
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    for out in (first, second):
        result = runner.invoke(app, [*args, "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert "event table written to" in result.output
    assert _ids(first) == {"1", "2"}
    assert first.read_text(encoding="utf-8") == second.read_text(encoding="utf-8")


def _error(tmp_path: Path, *args: str) -> str:
    result = runner.invoke(app, ["export-events", "--out", str(tmp_path / "x.csv"), *args])
    assert result.exit_code == 2, result.output
    assert not (tmp_path / "x.csv").exists() and not (tmp_path / "x.legend.yaml").exists()
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    return lines[0]


def test_an_unknown_drug_is_one_line_exit_2(tmp_path: Path) -> None:
    regimen = tmp_path / "r.yaml"
    regimen.write_text("- {drug: testosterone_undecylate_x, dose: 1 mg, route: oral, "
                       "every: 1 d, start: 0 d, duration: 7 d}\n", encoding="utf-8")
    line = _error(tmp_path, "--case", str(EXAMPLES / "cases" / "post_trt.yaml"),
                  "--regimen", str(regimen))
    assert line.startswith("error: r.yaml[0].drug: 'testosterone_undecylate_x' is not a known "
                           "code; expected one of: ")
    assert "anastrozole, " in line and "testosterone_cypionate" in line


def test_no_results_and_no_regimen_is_one_line_exit_2(tmp_path: Path) -> None:
    case = tmp_path / "empty.yaml"
    case.write_text("patient: {id: P9, age_years: 40}\ngoal: fertility\n"
                    "history: {androgens: [], conditions: [], medications: []}\n"
                    "labs: []\nsemen: []\n", encoding="utf-8")
    assert _error(tmp_path, "--case", str(case)) == (
        "error: case: 'P9' cannot be exported; expected lab or semen results, an androgen "
        "history or a regimen")


def test_bad_options_are_one_line_exit_2(tmp_path: Path) -> None:
    case = str(EXAMPLES / "cases" / "post_trt.yaml")
    assert _error(tmp_path, "--case", case, "--time-unit", "min") == (
        "error: --time-unit: 'min' cannot be exported; expected h or d")
    assert _error(tmp_path) == ("error: --case/--cohort: None cannot be exported; expected "
                                "exactly one of --case FILE or --cohort NAME")
    assert _error(tmp_path, "--cohort", "contraception_liu2006") == (
        "error: --n: None cannot be exported; expected the number of virtual men, e.g. --n 20")


def test_the_help_names_the_default_observables() -> None:
    """The help text's copy (kept in the CLI so --help needs no simulator) is the core's."""
    from androcast.cli.events import HELP_OBSERVABLES
    from androcast.io.nonmem import DEFAULT_OBSERVABLES

    assert HELP_OBSERVABLES == DEFAULT_OBSERVABLES
