"""Each WHO class names the criterion that put it there, exactly (who2010 5th-centile lower
limits: volume 1.5 mL, concentration 15 M/mL, total 39 M, progressive 32 %, total motility
40 %, normal forms 4 %; who2021: 1.4, 16, 39, 30, 42, 4)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from androcast.labs import parse_case
from androcast.labs.semen import classify_semen

NORMAL_BASIS = "concentration, total count, motility and morphology at or above the limits"


def _classes(semen: dict[str, Any], edition: str) -> tuple[list[tuple[str, tuple[str, ...]]],
                                                           tuple[str, ...]]:
    case = parse_case({"patient": {"id": "s"}, "goal": "fertility",
                       "semen": [{"date": "2025-10-01", **semen}]}, as_of=dt.date(2025, 12, 1))
    result = classify_semen(case.semen[0], edition)  # type: ignore[arg-type]
    return [(c.code, c.basis) for c in result.classes], result.missing


@pytest.mark.parametrize(("edition", "volume", "concentration", "progressive"),
                         [("who2010", 1.5, 15, 32), ("who2021", 1.4, 16, 30)])
def test_oligoasthenoteratozoospermia_with_hypospermia_names_every_criterion(
        edition: str, volume: float, concentration: float, progressive: float) -> None:
    classes, missing = _classes({"volume_ml": 1.2, "concentration_m_per_ml": 5,
                                 "progressive_motility_pct": 20, "total_motility_pct": 30,
                                 "normal_forms_pct": 2}, edition)
    assert classes == [
        ("hypospermia", (f"volume 1.2 < {volume:g} mL (semen_{edition}.volume)",)),
        ("oligozoospermia", (
            f"concentration 5 < {concentration:g} M/mL (semen_{edition}.concentration)",
            f"total count 6 < 39 M/ejaculate (semen_{edition}.total_number)")),
        ("asthenozoospermia", (
            f"progressive motility 20 < {progressive:g} % (semen_{edition}.progressive_motility)",
        )),
        ("teratozoospermia", (f"normal forms 2 < 4 % (semen_{edition}.normal_forms)",)),
    ]
    assert missing == ()


def test_normozoospermia_is_judged_without_volume_and_stands_beside_hypospermia() -> None:
    analysis = {"concentration_m_per_ml": 40, "progressive_motility_pct": 50,
                "normal_forms_pct": 6}
    assert _classes(analysis, "who2010") == ([("normozoospermia", (NORMAL_BASIS,))],
                                             ("volume_ml",))
    classes, missing = _classes({**analysis, "volume_ml": 1.0}, "who2010")
    assert classes == [("normozoospermia", (NORMAL_BASIS,)),
                       ("hypospermia", ("volume 1 < 1.5 mL (semen_who2010.volume)",))]
    assert missing == ()


def test_total_motility_judges_asthenozoospermia_when_progressive_is_not_reported() -> None:
    classes, missing = _classes({"volume_ml": 3, "concentration_m_per_ml": 40,
                                 "total_motility_pct": 35, "normal_forms_pct": 6}, "who2021")
    assert classes == [("asthenozoospermia", (
        "total motility 35 < 42 % (semen_who2021.total_motility_pr_np)",))]
    assert missing == ()


def test_a_count_below_the_quantification_limit_says_so() -> None:
    classes, missing = _classes({"volume_ml": 3, "concentration_m_per_ml": "<0.1"}, "who2010")
    assert classes == [("oligozoospermia", (
        "concentration 0.1 < 15 M/mL (semen_who2010.concentration) (below the quantification "
        "limit)",
        "total count 0.3 < 39 M/ejaculate (semen_who2010.total_number) (below the "
        "quantification limit)"))]
    assert missing == ("progressive_motility_pct", "normal_forms_pct")


def test_no_class_is_claimed_without_motility_and_morphology() -> None:
    assert _classes({"volume_ml": 3, "concentration_m_per_ml": 40}, "who2010") == (
        [], ("progressive_motility_pct", "normal_forms_pct"))


def test_azoospermia_asks_for_the_pellet_and_pellet_sperm_is_cryptozoospermia() -> None:
    """WHO 2021: sperm found only after centrifugation is cryptozoospermia, not azoospermia."""
    assert _classes({"volume_ml": 3, "concentration_m_per_ml": 0}, "who2021")[0] == [
        ("azoospermia", ("no sperm in the ejaculate (pellet examination not reported: confirm "
                         "after centrifugation)",))]
    assert _classes({"volume_ml": 3, "concentration_m_per_ml": 0, "pellet_sperm_seen": True},
                    "who2021")[0] == [
        ("cryptozoospermia", ("no sperm in the neat sample; sperm in the centrifuged pellet",))]
