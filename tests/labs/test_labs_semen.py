"""WHO 2010 and WHO 2021 semen classes at the published lower reference limits.

Limits: Cooper 2010 / WHO 2010 Table A1.1 and WHO 2021 (evidence keys semen_who2010.* and
semen_who2021.*): volume 1.5 / 1.4 mL, concentration 15 / 16 M/mL, total 39 / 39 M,
progressive motility 32 / 30 %, total motility 40 / 42 %, normal forms 4 / 4 %.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from androcast.labs import SemenAnalysis, classify_semen

NORMAL: dict[str, Any] = {
    "date": dt.date(2025, 10, 1),
    "volume_ml": 3.0,
    "concentration_m_per_ml": 40.0,
    "concentration_censor": None,
    "progressive_motility_pct": 45.0,
    "total_motility_pct": 60.0,
    "normal_forms_pct": 6.0,
    "abstinence_days": 3.0,
}


def _semen(**changes: Any) -> SemenAnalysis:
    return SemenAnalysis(**{**NORMAL, **changes})


def _codes(analysis: SemenAnalysis, edition: str) -> tuple[str, ...]:
    return classify_semen(analysis, edition).codes  # type: ignore[arg-type]


def test_normozoospermia_under_both_editions() -> None:
    for edition in ("who2010", "who2021"):
        result = classify_semen(_semen(), edition)  # type: ignore[arg-type]
        assert result.codes == ("normozoospermia",)
        assert result.edition == edition
    assert classify_semen(_semen(), "who2021").edition_name == (
        "WHO laboratory manual, 6th edition (2021)"
    )


def test_concentration_15_5_is_oligozoospermic_by_who2021_not_by_cooper2010() -> None:
    analysis = _semen(concentration_m_per_ml=15.5)
    assert "oligozoospermia" not in _codes(analysis, "who2010")
    result = classify_semen(analysis, "who2021")
    assert result.classes[0].code == "oligozoospermia"
    assert result.classes[0].basis == (
        "concentration 15.5 < 16 M/mL (semen_who2021.concentration)",
    )


def test_oligozoospermia_by_total_count_only_says_so() -> None:
    result = classify_semen(_semen(volume_ml=1.5, concentration_m_per_ml=20.0), "who2010")
    assert result.classes[0].code == "oligozoospermia"
    assert result.classes[0].basis == (
        "total count 30 < 39 M/ejaculate (semen_who2010.total_number)",
    )


def test_progressive_motility_31_is_asthenozoospermic_by_cooper2010_not_who2021() -> None:
    analysis = _semen(progressive_motility_pct=31.0, total_motility_pct=45.0)
    assert "asthenozoospermia" in _codes(analysis, "who2010")
    assert "asthenozoospermia" not in _codes(analysis, "who2021")


def test_volume_1_45_is_hypospermia_by_cooper2010_not_who2021() -> None:
    analysis = _semen(volume_ml=1.45)
    assert "hypospermia" in _codes(analysis, "who2010")
    assert "hypospermia" not in _codes(analysis, "who2021")


def test_teratozoospermia_below_4_percent_normal_forms() -> None:
    assert _codes(_semen(normal_forms_pct=3.0), "who2021") == ("teratozoospermia",)


def test_azoospermia_notes_an_unreported_pellet_examination() -> None:
    result = classify_semen(
        _semen(
            concentration_m_per_ml=0.0,
            progressive_motility_pct=None,
            total_motility_pct=None,
            normal_forms_pct=None,
        ),
        "who2010",
    )
    assert result.codes == ("azoospermia",)
    assert result.classes[0].basis == (
        "no sperm in the ejaculate (pellet examination not reported: confirm after centrifugation)",
    )


def test_cryptozoospermia_when_sperm_only_in_the_pellet() -> None:
    analysis = _semen(concentration_m_per_ml=0.0, pellet_sperm_seen=True)
    assert _codes(analysis, "who2021") == ("cryptozoospermia",)


def test_missing_parameters_prevent_normozoospermia() -> None:
    result = classify_semen(_semen(normal_forms_pct=None), "who2010")
    assert result.codes == ()
    assert result.missing == ("normal_forms_pct",)


def test_without_a_concentration_no_class_is_judged_and_the_concentration_is_named() -> None:
    # a report with motility and morphology but no count says nothing of oligo- or azoospermia
    result = classify_semen(_semen(concentration_m_per_ml=None), "who2021")
    assert result.codes == ()
    assert result.missing == ("concentration_m_per_ml",)


def test_censored_concentration_below_quantification_is_oligozoospermia() -> None:
    result = classify_semen(_semen(concentration_m_per_ml=0.1, concentration_censor="<"), "who2010")
    assert result.classes[0].code == "oligozoospermia"
    assert "below the quantification limit" in result.classes[0].basis[0]


def test_tmsc_is_hamilton2015_volume_times_concentration_times_progressive_fraction() -> None:
    analysis = _semen(volume_ml=2.0, concentration_m_per_ml=20.0, progressive_motility_pct=50.0)
    assert analysis.total_count_m == pytest.approx(40.0)
    assert analysis.tmsc_m == pytest.approx(20.0)


def test_classification_cites_its_edition() -> None:
    assert classify_semen(_semen(), "who2010").citation == ("cooper2010", "who2010")
    assert classify_semen(_semen(), "who2021").citation == ("who2021",)
