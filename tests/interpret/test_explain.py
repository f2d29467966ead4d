"""The public entry points: ``explain`` lists exactly the rules that fired with their full
references, ``derived_values`` flattens the derived values with the semen classes by WHO
edition, and ``load_rule_files`` runs a user's rule examples before the rules are used."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from androcast import DISCLAIMER
from androcast.errors import RuleError, UnknownCodeError
from androcast.interpret import (
    derived_values,
    explain,
    interpret,
    load_rule_files,
    load_rules,
    parse_rules,
)
from androcast.interpret.knowledge import reference, references, threshold
from androcast.interpret.rules import check_rule_set
from androcast.labs import Case, parse_case

AS_OF = dt.date(2025, 11, 1)


def _case_data(lh: float) -> dict[str, Any]:
    lab = {"date": "2025-10-01", "analyte": "lh", "value": lh, "unit": "IU/L"}
    return {"patient": {"id": "E"}, "goal": "fertility", "labs": [lab]}


def _case(lh: float) -> Case:
    return parse_case(_case_data(lh), as_of=AS_OF)


# the FAMHES LH interval starts at 2.2 IU/L: 0.5 is below it, 5 within
RULE: dict[str, Any] = {
    "id": "TST-1",
    "version": 2,
    "title": "LH below its interval",
    "inputs": ["lh"],
    "when": "lh in_ref low",
    "findings": [{"code": "lh_suppressed"}],
    "citation": {"key": "eau_srh", "section": "5.3"},
    "examples": [
        {"name": "LH 0.5", "fires": True, "as_of": "2025-11-01", "case": _case_data(0.5)},
        {"name": "LH 5", "fires": False, "as_of": "2025-11-01", "case": _case_data(5)},
    ],
}


def test_explain_names_each_fired_rule_with_its_version_file_citation_and_references() -> None:
    rules = check_rule_set(parse_rules([RULE], file="my.yaml"))
    assert explain(_case(0.5), rules) == "\n".join([
        "Rules that fired:",
        "  TST-1 (v2, my.yaml): LH below its interval [eau_srh, 5.3; flag V]",
        "",
        "References:",
        f"  [eau_srh] {references()['eau_srh']}",
        "",
        DISCLAIMER,
    ])
    assert explain(_case(5), rules) == "\n".join(
        ["Rules that fired:", "  (none)", "", "References:", "", DISCLAIMER]
    )


def test_explain_and_interpret_default_to_the_shipped_rules() -> None:
    case = _case(0.5)
    assert explain(case) == explain(case, load_rules())
    assert interpret(case).fired == interpret(case, load_rules()).fired


def test_interpret_runs_the_rules_it_is_given() -> None:
    rules = check_rule_set(parse_rules([RULE], file="my.yaml"))
    assert interpret(_case(0.5), rules).fired == ("TST-1",)
    assert interpret(_case(5), rules).fired == ()


def test_derived_values_name_the_semen_classes_of_each_who_edition() -> None:
    # 14 M/mL lies below both editions' limits (15 and 16); progressive motility 31 %
    # below the WHO 2010 limit (32), not the WHO 2021 one (30)
    semen = {"date": "2025-10-01", "volume_ml": 3, "concentration_m_per_ml": 14,
             "progressive_motility_pct": 31, "normal_forms_pct": 5}
    case = parse_case({"patient": {"id": "S"}, "semen": [semen]}, as_of=AS_OF)
    values = derived_values(case)
    assert values["semen_who2010"] == "oligozoospermia, asthenozoospermia"
    assert values["semen_who2021"] == "oligozoospermia"
    assert values["total_count_million"] == pytest.approx(42.0)
    assert "semen_who2010" not in derived_values(_case(5))


def test_load_rule_files_runs_each_rules_examples(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(yaml.safe_dump([RULE]), encoding="utf-8")
    (rule,) = load_rule_files([good])
    assert (rule.id, rule.file) == ("TST-1", "good.yaml")
    misfires = {**RULE["examples"][1], "fires": True}  # LH 5 said to fire: it does not
    wrong = {**RULE, "examples": [misfires, RULE["examples"][1]]}
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump([wrong]), encoding="utf-8")
    with pytest.raises(RuleError) as err:
        load_rule_files([bad])
    assert str(err.value) == (
        "bad.yaml: TST-1.examples[0]: 'LH 5' is not a valid rule; expected a case on which "
        "the rule fires"
    )


def test_a_reference_is_found_by_its_key_and_an_unknown_key_is_named() -> None:
    assert reference("eau_srh") == references()["eau_srh"]
    with pytest.raises(UnknownCodeError) as err:
        reference("nobody1999")
    assert str(err.value) == (
        "citation: 'nobody1999' is not a known code; expected a key of "
        "androcast.evidence.bibliography() or interpret/bibliography.yaml"
    )


def test_a_threshold_picks_either_end_of_a_cited_range() -> None:
    # FAMHES LH reference interval 2.2-11.6 IU/L (evidence lh.famhes_ri)
    low, high = threshold("lh.famhes_ri", "low"), threshold("lh.famhes_ri", "high")
    assert (low.value, low.unit, low.label) == (2.2, "IU/L", "2.2 IU/L [lh.famhes_ri:low; famhes]")
    assert (high.value, high.label) == (11.6, "11.6 IU/L [lh.famhes_ri:high; famhes]")
    with pytest.raises(UnknownCodeError) as err:
        threshold("lh.famhes_ri")
    assert str(err.value) == (
        "evidence key: 'lh.famhes_ri' is not a known code; expected a key whose value is one "
        "number (give 'low'/'high' or a label for ranges)"
    )
