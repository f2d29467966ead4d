"""The clinic acceptance suite (``tests/reference/clinic_cases``, a copy of the shared suite):
its cases, its expectations, and each case run through the CLI as the suite's README says.

Shared by every check in ``tests/clinic``: the assessment checks live in
``test_assessment.py`` and ``test_globals.py``; plan and forecast checks go in their own
files and use the same helpers (``run_json``, ``expectations``, ``case_path``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from androcast.cli import app

SUITE = Path(__file__).parents[1] / "reference" / "clinic_cases"
SHARED = Path(__file__).parents[2] / ".." / "shared" / "clinic-cases"
AS_OF = "2026-12-07"  # the suite's clinic date (expectations.yaml as_of)
AS_OF_DATE = dt.date.fromisoformat(AS_OF)

_runner = CliRunner()


@cache
def expectations() -> Mapping[str, Any]:
    data = yaml.safe_load((SUITE / "expectations.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def case_ids() -> tuple[str, ...]:
    return tuple(expectations()["cases"])


def expected(case_id: str) -> Mapping[str, Any]:
    entry = expectations()["cases"][case_id]
    assert isinstance(entry, dict)
    return entry


def case_path(case_id: str) -> Path:
    return SUITE / expected(case_id)["file"]


def case_data(case_id: str) -> dict[str, Any]:
    data = yaml.safe_load(case_path(case_id).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def run_json(*args: str) -> Any:
    """``androcast ARGS --format json --as-of 2026-12-07`` in-process, as parsed JSON."""
    result = _runner.invoke(app, [*args, "--format", "json", "--as-of", AS_OF])
    assert result.exit_code == 0, f"androcast {' '.join(args)}: {result.output}"
    return json.loads(result.stdout)


@cache
def assessment(case_id: str) -> Mapping[str, Any]:
    """``androcast interpret CASE --format json --as-of 2026-12-07``."""
    data = run_json("interpret", str(case_path(case_id)))
    assert isinstance(data, dict)
    return data


def codes(items: list[Mapping[str, Any]]) -> list[str]:
    return [str(item["code"]) for item in items]


def requirement_met(requirement: Any, present: list[str]) -> bool:
    """An ``actions_required`` entry: a code, or ``{any_of: [...]}``."""
    if isinstance(requirement, Mapping):
        return any(code in present for code in requirement["any_of"])
    return requirement in present


def case_ids_with(key: str) -> tuple[str, ...]:
    """Cases whose expectations say something under ``key`` (null = not tested)."""
    return tuple(c for c in case_ids() if expected(c).get(key) is not None)
