"""The committed docs/model-reference.md is generated from the code and the parameter table."""

from __future__ import annotations

from pathlib import Path

from androcast.model import model_reference, parameter_table

DOC = Path(__file__).parents[2] / "docs" / "model-reference.md"


def test_committed_model_reference_is_up_to_date() -> None:
    assert DOC.read_text(encoding="utf-8") == model_reference(), (
        "docs/model-reference.md is stale: regenerate it (see androcast.model.reference)"
    )


def test_model_reference_lists_every_parameter_with_source_and_confidence() -> None:
    text = model_reference()
    for info in parameter_table().values():
        assert f"| `{info.name}` | {info.symbol} |" in text
        assert f"| {info.source} | {info.confidence} |" in text
