"""Every shipped example regimen parses and compiles (PySB test_examples)."""

from __future__ import annotations

from pathlib import Path

import pytest

from androcast.regimens import compile_regimen, load_regimen

EXAMPLES = sorted((Path(__file__).parents[2] / "examples" / "regimens").glob("*.yaml"))


def test_the_four_required_examples_ship() -> None:
    names = {p.name for p in EXAMPLES}
    assert {
        "post_trt_hcg_serm.yaml",
        "trt_then_clomiphene_hcg.yaml",
        "gonadorelin_pump.yaml",
        "anastrozole.yaml",
    } <= names


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_compiles(path: Path) -> None:
    schedule = compile_regimen(load_regimen(path), t_start_d=-730.0, t_end_d=365.0)
    assert schedule.doses or schedule.infusions


def test_benchmark_scenario_doses() -> None:
    """TRT 150 mg/week x 52 weeks, then clomiphene 25 mg/day + hCG 1500 IU 3x/week x 26 weeks."""
    path = next(p for p in EXAMPLES if p.name == "trt_then_clomiphene_hcg.yaml")
    schedule = compile_regimen(load_regimen(path), t_start_d=-730.0, t_end_d=365.0)
    by_drug: dict[str, list[float]] = {}
    for dose in schedule.doses:
        by_drug.setdefault(dose.drug, []).append(dose.t_d)
    trt = by_drug["testosterone_cypionate"]
    assert len(trt) == 52 and trt[0] == -364.0 and trt[-1] == -7.0  # t0 = last dose + 1 wk
    assert len(by_drug["clomiphene_citrate"]) == 26 * 7
    assert len(by_drug["hcg"]) == 26 * 3
