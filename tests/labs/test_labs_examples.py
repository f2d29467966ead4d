"""Every shipped example case loads, renders and derives (PySB-style smoke test)."""

from __future__ import annotations

from pathlib import Path

import pytest

from androcast.labs import derive, lab_report, load_case

EXAMPLES = sorted((Path(__file__).parents[2] / "examples" / "cases").glob("*.y*ml"))


def test_the_examples_are_there() -> None:
    names = {path.name for path in EXAMPLES}
    assert {
        "post_trt.yaml",
        "post_aas.yaml",
        "hyperprolactinaemia.yaml",
        "primary_testicular_failure.yaml",
        "idiopathic_oligozoospermia.yaml",
        "mixed_units.yaml",
        "female_factor.yaml",
    } <= names


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_case_loads_and_derives(path: Path) -> None:
    assert path.read_text(encoding="utf-8").startswith("#"), "header comment names the point"
    case = load_case(path)
    assert case.labs
    report = lab_report(case)
    assert len(report.results) == len(case.labs)
    derive(case)


def test_readme_example_is_post_trt_azoospermia() -> None:
    case = load_case(EXAMPLES[0].parent / "post_trt.yaml")
    assert case.patient.age_years == 38
    assert case.history.androgens[0].agent == "testosterone_cypionate"
    assert case.history.androgens[0].dose == 200
    assert case.history.androgens[0].every_d == 7
    assert [case.latest(a).flag for a in ("testosterone_total", "lh", "fsh")] == ["low"] * 3  # type: ignore[union-attr]
    derived = derive(case)
    assert derived.semen_who2010 is not None
    assert derived.semen_who2010.codes == ("azoospermia",)
