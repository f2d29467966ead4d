"""Derived values: T/E2 convention, HOMA-IR, TMSC, censoring and missing inputs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from androcast.evidence import evidence
from androcast.labs import derive, free_testosterone, parse_case
from androcast.labs.derived import DerivedValue

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


def _labs(*labs: tuple[str, Any, str]) -> Any:
    return derive(_case(list(labs)))


def test_numbers_names_each_numeric_value_by_its_field() -> None:
    semen = [
        {
            "date": "2025-10-01",
            "volume_ml": 2,
            "concentration_m_per_ml": 20,
            "progressive_motility_pct": 50,
        }
    ]
    labs = [
        ("testosterone_total", 10, "nmol/L"),
        ("shbg", 40, "nmol/L"),
        ("estradiol", 30, "pg/mL"),
        ("glucose", 4.5, "mmol/L"),
        ("insulin", 5, "uIU/mL"),
    ]
    derived = derive(_case(labs, semen))
    assert derived.numbers() == {
        "free_testosterone_pmol_per_l": derived.free_testosterone_pmol_per_l.value,
        "bioavailable_testosterone_nmol_per_l": derived.bioavailable_testosterone_nmol_per_l.value,
        "t_e2_ratio": derived.t_e2_ratio.value,
        "total_count_million": 40.0,
        "tmsc_million": 20.0,
        "homa_ir": pytest.approx(1.0),
    }


def test_free_t_in_derive_uses_the_measured_albumin_vermeulen1999_vector() -> None:
    # clinical.md section 8 vector (tt 15, shbg 40, albumin 45): free T 267.7 pmol/L and
    # bioavailable T 6.55 nmol/L, 1 % (tests/reference/labs_free_testosterone.yaml);
    # the 43 g/L default would give 273.5 pmol/L.
    derived = _labs(
        ("testosterone_total", 15, "nmol/L"), ("shbg", 40, "nmol/L"), ("albumin", 45, "g/L")
    )
    free, bio = derived.free_testosterone_pmol_per_l, derived.bioavailable_testosterone_nmol_per_l
    assert free is not None and bio is not None
    assert free.value == pytest.approx(267.7, rel=0.01)
    assert bio.value == pytest.approx(6.55, rel=0.01)
    stamps = ("testosterone_total 2025-10-01", "shbg 2025-10-01", "albumin 2025-10-01")
    assert (free.name, free.unit, free.censor, free.citation, free.inputs) == (
        "free_testosterone_pmol_per_l",
        "pmol/L",
        None,
        ("vermeulen1999", "issam"),
        stamps,
    )
    assert "albumin 45 g/L" in free.method
    assert (bio.name, bio.unit, bio.censor, bio.method, bio.citation, bio.inputs) == (
        "bioavailable_testosterone_nmol_per_l",
        "nmol/L",
        None,
        free.method,
        ("vermeulen1999", "issam"),
        stamps,
    )


def test_an_shbg_above_the_assay_range_makes_free_and_bioavailable_t_upper_bounds() -> None:
    derived = _labs(("testosterone_total", 10, "nmol/L"), ("shbg", ">180", "nmol/L"))
    assert derived.free_testosterone_pmol_per_l is not None
    assert derived.bioavailable_testosterone_nmol_per_l is not None
    assert derived.free_testosterone_pmol_per_l.censor == "<"
    assert derived.bioavailable_testosterone_nmol_per_l.censor == "<"


def test_censored_albumin_bounds_free_and_bioavailable_t_on_opposite_sides() -> None:
    # Free T falls with albumin, bioavailable T (free + albumin-bound) rises with it.
    derived = _labs(
        ("testosterone_total", 10, "nmol/L"), ("shbg", 40, "nmol/L"), ("albumin", ">50", "g/L")
    )
    assert derived.free_testosterone_pmol_per_l is not None
    assert derived.bioavailable_testosterone_nmol_per_l is not None
    assert derived.free_testosterone_pmol_per_l.censor == "<"
    assert derived.bioavailable_testosterone_nmol_per_l.censor == ">"
    # A TT upper bound with an albumin lower bound still bounds free T (both pull it
    # down) but leaves bioavailable T undefined (they pull it opposite ways).
    mixed = _labs(
        ("testosterone_total", "<0.5", "nmol/L"),
        ("shbg", 40, "nmol/L"),
        ("albumin", ">50", "g/L"),
    )
    assert mixed.free_testosterone_pmol_per_l is not None
    assert mixed.free_testosterone_pmol_per_l.censor == "<"
    assert mixed.bioavailable_testosterone_nmol_per_l is None


def test_zero_testosterone_or_estradiol_derives_no_free_t_or_ratio() -> None:
    no_t = _labs(("testosterone_total", 0, "nmol/L"), ("shbg", 40, "nmol/L"))
    assert no_t.free_testosterone_pmol_per_l is None
    assert no_t.bioavailable_testosterone_nmol_per_l is None
    no_e2 = _labs(("testosterone_total", 300, "ng/dL"), ("estradiol", 0, "pg/mL"))
    assert no_e2.t_e2_ratio is None
    assert no_e2.t_e2_abnormal is None


def test_free_t_at_the_lowest_plausible_shbg_is_the_mass_action_value() -> None:
    # 0.5 nmol/L is the catalogue's lowest plausible SHBG: free T is still calculated.
    derived = _labs(("testosterone_total", 10, "nmol/L"), ("shbg", 0.5, "nmol/L"))
    assert derived.free_testosterone_pmol_per_l is not None
    assert derived.free_testosterone_pmol_per_l.value == pytest.approx(
        free_testosterone(10, 0.5).free_pmol_per_l
    )


def test_t_e2_ratio_value_names_its_unit_method_and_inputs() -> None:
    ratio = _labs(("testosterone_total", 300, "ng/dL"), ("estradiol", 30, "pg/mL")).t_e2_ratio
    assert ratio == DerivedValue(
        "t_e2_ratio",
        pytest.approx(10.0),
        "(ng/dL)/(pg/mL)",
        None,
        "testosterone (ng/dL) / estradiol (pg/mL); abnormal < 10",
        ("pavlovich2001", "raman2002"),
        ("testosterone_total 2025-10-01", "estradiol 2025-10-01"),
    )


@pytest.mark.parametrize(
    ("testosterone", "estradiol", "censor", "abnormal"),
    [
        ("<20", 10, "<", True),  # ratio < 2: below 10 whatever the true T
        ("<20", 1.5, "<", None),  # ratio < 13.3: either side of 10
        (40, "<5", ">", None),  # ratio > 8: either side of 10
        (500, "<5", ">", False),  # ratio > 100: above 10 whatever the true E2
    ],
)
def test_a_censored_t_e2_ratio_is_abnormal_only_when_its_bound_decides(
    testosterone: Any, estradiol: Any, censor: str, abnormal: bool | None
) -> None:
    derived = _labs(
        ("testosterone_total", testosterone, "ng/dL"), ("estradiol", estradiol, "pg/mL")
    )
    assert derived.t_e2_ratio is not None
    assert derived.t_e2_ratio.censor == censor
    assert derived.t_e2_abnormal is abnormal


def test_semen_counts_name_their_unit_method_citation_and_date() -> None:
    semen = {"date": "2025-10-01", "volume_ml": 2, "concentration_m_per_ml": 20}
    progressive = derive(_case([], [{**semen, "progressive_motility_pct": 50}]))
    stamp = ("semen 2025-10-01",)
    assert progressive.total_count_million == DerivedValue(
        "total_count_million", 40.0, "10*6", None, "volume x concentration", ("who2010",), stamp
    )
    assert progressive.tmsc_million == DerivedValue(
        "tmsc_million",
        20.0,
        "10*6",
        None,
        "volume x concentration x progressive motility (PR) fraction: Hamilton 2015 TMSC",
        ("hamilton2015",),
        stamp,
    )
    total = derive(_case([], [{**semen, "total_motility_pct": 60}])).tmsc_million
    assert total is not None
    assert (total.name, total.value, total.unit, total.censor, total.citation, total.inputs) == (
        "tmsc_million",
        24.0,
        "10*6",
        None,
        ("hamilton2015",),
        stamp,
    )
    # without progressive motility this is a total motile count, and it says it is not
    # Hamilton's progressive TMSC, whose prognostic cut-offs it must not be read against
    assert total.method == (
        "volume x concentration x total motility (PR + NP) fraction: TMC, not the "
        "Hamilton 2015 progressive definition (progressive motility not reported)"
    )
    assert derive(_case([], [semen])).tmsc_million is None


def test_semen_counts_from_a_censored_concentration_are_upper_bounds() -> None:
    semen = {"date": "2025-10-01", "volume_ml": 2, "concentration_m_per_ml": "<0.1"}
    for motility in ({"progressive_motility_pct": 50}, {"total_motility_pct": 60}):
        derived = derive(_case([], [{**semen, **motility}]))
        assert derived.total_count_million is not None and derived.tmsc_million is not None
        assert derived.total_count_million.censor == "<"
        assert derived.tmsc_million.censor == "<"


def test_homa_ir_names_its_method_and_inputs_and_notes_different_days() -> None:
    derived = derive(
        parse_case(
            {
                "patient": {"id": "P"},
                "labs": [
                    {"date": "2025-10-01", "analyte": "glucose", "value": 4.5, "unit": "mmol/L"},
                    {"date": "2025-10-03", "analyte": "insulin", "value": 5, "unit": "uIU/mL"},
                ],
            },
            as_of=AS_OF,
        )
    )
    assert derived.homa_ir == DerivedValue(
        "homa_ir",
        pytest.approx(1.0),  # Matthews 1985: 4.5 mmol/L x 5 uIU/mL / 22.5
        "1",
        None,
        "fasting glucose (mmol/L) x fasting insulin (uIU/mL) / 22.5 (glucose and insulin "
        "from different days)",
        ("matthews1985",),
        ("glucose 2025-10-01", "insulin 2025-10-03"),
    )
    same_day = _labs(("glucose", 4.5, "mmol/L"), ("insulin", 5, "uIU/mL")).homa_ir
    assert same_day is not None
    assert same_day.method == "fasting glucose (mmol/L) x fasting insulin (uIU/mL) / 22.5"


def test_homa_ir_needs_both_inputs_and_carries_either_censor() -> None:
    assert _labs(("glucose", 4.5, "mmol/L")).homa_ir is None
    assert _labs(("insulin", 5, "uIU/mL")).homa_ir is None
    low_insulin = _labs(("glucose", 4.5, "mmol/L"), ("insulin", "<2", "uIU/mL")).homa_ir
    assert low_insulin is not None and low_insulin.censor == "<"
    high_glucose = _labs(("glucose", ">25", "mmol/L"), ("insulin", 5, "uIU/mL")).homa_ir
    assert high_glucose is not None and high_glucose.censor == ">"
    assert _labs(("glucose", ">25", "mmol/L"), ("insulin", "<2", "uIU/mL")).homa_ir is None


def test_derive_classifies_by_both_who_editions() -> None:
    # 15.5 M/mL lies above the WHO 2010 limit (15) and below the WHO 2021 limit (16).
    semen = [{"date": "2025-10-01", "volume_ml": 3, "concentration_m_per_ml": 15.5}]
    semen[0].update(progressive_motility_pct=50, normal_forms_pct=5)
    derived = derive(_case([], semen))
    assert derived.semen_who2010 is not None and derived.semen_who2021 is not None
    assert (derived.semen_who2010.edition, derived.semen_who2010.codes) == (
        "who2010",
        ("normozoospermia",),
    )
    assert (derived.semen_who2021.edition, derived.semen_who2021.codes) == (
        "who2021",
        ("oligozoospermia",),
    )
