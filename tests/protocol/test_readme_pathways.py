"""The README's "Care pathways" table (issue 15): one worked example per pathway code of
DESIGN.md, each row what the plan gives for that case (pathway, first step, forecast or its
coded decline), read from the same rules the plan reads."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from androcast.interpret import interpret
from androcast.labs import load_case
from androcast.prognosis import decline_for
from androcast.protocol import PATHWAYS, pathway_for

ROOT = Path(__file__).parents[2]
SUITE = ROOT / "tests" / "reference" / "clinic_cases" / "cases"
AS_OF = dt.date(2026, 12, 7)  # as the README measured them (the suite's clinic date)


def _rows() -> list[tuple[str, list[Path], str, str | None]]:
    """(pathway, case files, first step, declined reason or None) of each table row."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Care pathways"):]
    section = section[:section.index("\n## ", 5)]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or not cells[0].startswith("`"):
            continue
        pathway = cells[0].strip("`")
        files = [ROOT / "examples" / "cases" / name
                 for name in re.findall(r"`([a-z_]+\.yaml)`", cells[1])]
        files += [next(SUITE.glob(f"{case}_*.yaml"))
                  for case in re.findall(r"suite (c\d+[a-z]?)", cells[1])]
        first = re.search(r"`([a-z_]+)`", cells[2])
        declined = re.match(r"declined: `([a-z_]+)`", cells[3])
        assert files and first, line
        rows.append((pathway, files, first.group(1),
                     declined.group(1) if declined else None))
    return rows


def test_every_pathway_code_has_a_worked_example() -> None:
    assert {row[0] for row in _rows()} == set(PATHWAYS)


@pytest.mark.parametrize("row", _rows(), ids=lambda r: f"{r[0]}-{r[1][0].stem}")
def test_each_worked_example_is_what_the_plan_gives(
        row: tuple[str, list[Path], str, str | None]) -> None:
    pathway, files, first, declined = row
    for path in files:
        case = load_case(str(path), as_of=AS_OF)
        assessment = interpret(case)
        chosen = pathway_for(assessment, case)
        assert (chosen.id, chosen.first) == (pathway, first), path.name
        decline = decline_for(assessment)
        assert (None if decline is None else decline.reason) == declined, path.name
