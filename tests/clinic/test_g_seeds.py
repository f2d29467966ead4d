"""The suite's global check G-SEEDS: seeds 1-4 at the default particle count, P(outcome) at
months 6, 12 and 24 varies by <= 0.10 per protocol, and the top-ranked protocol is the same
(or the tie is reported).

A default plan and prognosis of a case takes seconds of both cores, four seeds of eleven
cases far longer than the test suite may, so ``bench/seed_stability.py`` stores them
(tests/reference/prognosis_seeds.json, cases read as of the suite's date) and this checks
the stored runs; tests/prognosis/test_precision.py re-runs one of them to show they still
describe the code. A case the code does not meet yet is listed in GAPS with what was
measured (strict xfail: it fails once the gap closes, so the entry must go).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from androcast import DEFAULT_PARTICLES

from .suite import AS_OF, case_ids, expected

STORED = Path(__file__).parents[1] / "reference" / "prognosis_seeds.json"
SEEDS = ("1", "2", "3", "4")
MONTHS = (6.0, 12.0, 24.0)
MAX_RANGE = 0.10  # the suite's G-SEEDS
NOT_MEASURED = "its four default runs were not stored before the deadline (issue 17)"
#: measured on main of 2026-12-08 (after a7bd8c6's k_des 4 and bb21bb1's random-effects
#: mc_se; bench/seed_stability.py, load 7-10)
ADAPTIVE = " at 128 men in two islands of 64 with the adaptive move kernel (issue 17)"
GAPS: Mapping[tuple[str, str], str] = {
    ("c15", "probability"): (
        "hcg_serm (his hCG lowered, clomiphene added) ranges 0.159 over seeds 1-4 at every "
        "month (0.742-0.901), each seed reporting mc_se 0.021-0.041 (seeds 1 and 4 "
        "low_confidence): the reported error understates the seeds' spread" + ADAPTIVE),
    ("c17", "probability"): (
        "hcg_serm at month 24 ranges 0.153 over seeds 1-4 (0.092-0.245), each seed "
        "reporting mc_se 0.019-0.039, none low_confidence; measured after the AAS effect on "
        "reserve regeneration reached his twin (ba506ce)" + ADAPTIVE),
    ("c22b", "probability"): (
        "watchful_waiting at month 6 ranges 0.461 over seeds 1-4 (0.397-0.858), every "
        "protocol by 0.29-0.46 at its worst month: seed 2 lies apart (its islands in "
        "different places: mc_se up to 0.21); the error each seed reports reaches "
        "0.06-0.21, seeds 2, 4 and 5 low_confidence" + ADAPTIVE),
}


@cache
def stored() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(STORED.read_text(encoding="utf-8"))
    return data


def curve_cases() -> tuple[str, ...]:
    return tuple(c for c in case_ids() if expected(c)["forecast"] == "curves")


def _params(check: str) -> list[Any]:
    out = []
    for case_id in curve_cases():
        reason = GAPS.get((case_id, check))
        marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
        out.append(pytest.param(case_id, id=case_id, marks=marks))
    return out


def test_the_stored_runs_are_at_the_default_particles_and_the_suites_months() -> None:
    assert stored()["particles"] == DEFAULT_PARTICLES
    assert [float(m) for m in stored()["months"]] == list(MONTHS)


@pytest.mark.parametrize("case_id", _params("stored"))
def test_g_seeds_every_curve_case_is_stored_as_of_the_suites_date(case_id: str) -> None:
    entry = stored()["cases"][case_id]
    assert entry["as_of"] == AS_OF
    assert set(SEEDS) <= set(entry["seeds"])


@pytest.mark.parametrize("case_id", _params("probability"))
def test_g_seeds_probability_varies_by_at_most_a_tenth(case_id: str) -> None:
    seeds = [stored()["cases"][case_id]["seeds"][s] for s in SEEDS]
    worst = []
    for protocol in seeds[0]["protocols"]:
        for i, month in enumerate(MONTHS):
            p = [s["protocols"][protocol]["probability"][i] for s in seeds]
            worst.append((round(max(p) - min(p), 4), protocol, month))
    assert max(worst)[0] <= MAX_RANGE, max(worst)


@pytest.mark.parametrize("case_id", _params("top"))
def test_g_seeds_top_ranked_protocol_is_the_same(case_id: str) -> None:
    """The plan's first alternative (ranked by P at its target month) over seeds 1-4, or
    the tie is reported: where the seeds' first alternatives differ, each seed's plan
    reports every one of them tied with its own first (``Plan.ties``, within Monte Carlo
    error). A case whose pathway offers no protocol ranks none, the same for every seed."""
    runs = {s: stored()["cases"][case_id]["seeds"][s] for s in SEEDS}
    tops = {s: (run["ranked"] or [None])[0] for s, run in runs.items()}
    if len(set(tops.values())) == 1:
        return
    for s, run in runs.items():
        group = next((set(t) for t in run.get("ties", []) if tops[s] in t), {tops[s]})
        assert set(tops.values()) <= group, (s, tops, run.get("ties"))
