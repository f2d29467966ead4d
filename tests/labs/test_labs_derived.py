"""Derived values: T/E2 convention, HOMA-IR, TMSC, censoring and missing inputs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from androcast.evidence import evidence
from androcast.labs import derive, parse_case

AS_OF = dt.date(2025, 11, 1)


def _case(labs: list[tuple[str, Any, str]], semen: list[dict[str, Any]] | None = None) -> Any:
    return parse_case(
        {
            "patient": {"id": "P"},
            "labs": [
                {"date": "2025-10-01", "analyte": a, "value": v, "unit": u} for a, v, u in labs
            ],
            "semen": semen or [],
        },
        as_of=AS_OF,
    )


def test_nothing_to_derive_gives_none_everywhere() -> None:
    derived = derive(_case([]))
    assert all(value is None for value in derived.numbers().values())
    assert derived.semen_who2010 is None
    assert derived.t_e2_abnormal is None


def test_t_e2_ratio_in_us_units_at_the_pavlovich2001_threshold() -> None:
    at_threshold = derive(_case([("testosterone_total", 300, "ng/dL"), ("estradiol", 30, "pg/mL")]))
    assert at_threshold.t_e2_ratio is not None
    assert at_threshold.t_e2_ratio.value == pytest.approx(10.0, rel=1e-9)
    assert at_threshold.t_e2_abnormal is False
    below = derive(_case([("testosterone_total", 290, "ng/dL"), ("estradiol", 30, "pg/mL")]))
    assert below.t_e2_abnormal is True
    assert below.t_e2_ratio is not None
    assert below.t_e2_ratio.citation == ("pavlovich2001", "raman2002")


def test_t_e2_ratio_from_si_units_uses_the_105_9_factor() -> None:
    factor = evidence("unit_conversions.t_e2_ratio_us_over_si")
    derived = derive(_case([("testosterone_total", 1, "nmol/L"), ("estradiol", 1, "pmol/L")]))
    assert derived.t_e2_ratio is not None
    assert derived.t_e2_ratio.value == pytest.approx(factor.value, rel=1e-3)


def test_censored_estradiol_makes_the_ratio_a_lower_bound() -> None:
    derived = derive(_case([("testosterone_total", 500, "ng/dL"), ("estradiol", "<5", "pg/mL")]))
    assert derived.t_e2_ratio is not None
    assert derived.t_e2_ratio.censor == ">"
    assert derived.t_e2_ratio.value == pytest.approx(100.0)
    assert derived.t_e2_abnormal is False


def test_opposite_censoring_leaves_the_ratio_undefined() -> None:
    derived = derive(_case([("testosterone_total", "<20", "ng/dL"), ("estradiol", "<5", "pg/mL")]))
    assert derived.t_e2_ratio is None


def test_homa_ir_is_one_at_matthews1985_normal_glucose_and_insulin() -> None:
    # 22.5 = 4.5 mmol/L x 5 uIU/mL, the normal fasting values of Matthews 1985
    derived = derive(_case([("glucose", 81.07, "mg/dL"), ("insulin", 30, "pmol/L")]))
    assert derived.homa_ir is not None
    assert derived.homa_ir.value == pytest.approx(1.0, rel=1e-3)
    assert derived.homa_ir.citation == ("matthews1985",)


def test_free_t_in_derive_assumes_43_g_per_l_albumin_and_says_so() -> None:
    derived = derive(_case([("testosterone_total", 10, "nmol/L"), ("shbg", 40, "nmol/L")]))
    assert derived.free_testosterone_pmol_per_l is not None
    assert derived.free_testosterone_pmol_per_l.value == pytest.approx(173.9, rel=0.01)
    assert "albumin assumed 43 g/L" in derived.free_testosterone_pmol_per_l.method
    assert (
        float(derived.free_testosterone_pmol_per_l)
        == derived.numbers()["free_testosterone_pmol_per_l"]
    )


def test_censored_total_testosterone_gives_an_upper_bound_on_free_t() -> None:
    derived = derive(_case([("testosterone_total", "<0.5", "nmol/L"), ("shbg", 40, "nmol/L")]))
    assert derived.free_testosterone_pmol_per_l is not None
    assert derived.free_testosterone_pmol_per_l.censor == "<"


def test_tmsc_names_the_motility_definition() -> None:
    semen = [
        {
            "date": "2025-10-01",
            "volume_ml": 2,
            "concentration_m_per_ml": 20,
            "progressive_motility_pct": 50,
            "total_motility_pct": 60,
        }
    ]
    derived = derive(_case([], semen))
    assert derived.tmsc_million is not None
    assert derived.tmsc_million.value == pytest.approx(20.0)
    assert "Hamilton 2015" in derived.tmsc_million.method
    total_only = [
        {
            "date": "2025-10-01",
            "volume_ml": 2,
            "concentration_m_per_ml": 20,
            "total_motility_pct": 60,
        }
    ]
    fallback = derive(_case([], total_only)).tmsc_million
    assert fallback is not None
    assert fallback.value == pytest.approx(24.0)
    assert fallback.method.startswith("volume x concentration x total motility (PR + NP)")


def test_derive_uses_the_latest_semen_analysis() -> None:
    semen = [
        {"date": "2025-10-01", "volume_ml": 2, "concentration_m_per_ml": 0},
        {"date": "2025-06-01", "volume_ml": 2, "concentration_m_per_ml": 30},
    ]
    derived = derive(_case([], semen))
    assert derived.total_count_million is not None
    assert derived.total_count_million.value == 0
