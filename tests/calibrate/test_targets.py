"""Targets read their published numbers from the evidence tables, with stated intervals."""

from __future__ import annotations

import pytest

from androcast.calibrate import select_targets, targets, wilson_interval
from androcast.calibrate.targets import parse_target
from androcast.errors import ParameterError, UnknownCodeError

from ._reference import reference


@pytest.mark.parametrize(("key", "group", "name"), [
    ("liu2006_p6", "liu2006", "p_20m_per_ml_6_months"),
    ("liu2006_p12", "liu2006", "p_20m_per_ml_12_months"),
    ("liu2006_median", "liu2006", "median_months_to_20m_per_ml"),
    ("kohn2017_p12", "kohn2017", "p_tmc_gt_5m_12_months"),
    ("wenker2015_regain", "wenker2015", "p_regain_12_months"),
    ("wenker2015_mean_time", "wenker2015", "mean_months_to_return"),
    # its CI is an entry of the evidence's value (interval_item)
    ("liu2009_first_sperm", "liu2009", "median_months_to_first_sperm"),
])
def test_targets_read_the_published_numbers_and_intervals(key: str, group: str, name: str
                                                          ) -> None:
    published = reference()[group][name]
    target = targets()[key]
    assert target.value == pytest.approx(published["value"])
    assert target.low == pytest.approx(published["low"], abs=1e-3)
    assert target.high == pytest.approx(published["high"], abs=1e-3)
    assert target.source == published["source"]


@pytest.mark.parametrize("name", ["x81_n263", "x15_n148"])
def test_wilson_interval_matches_newcombe1998_table2(name: str) -> None:
    entry = reference()["newcombe1998_wilson"][name]
    x, n = (int(part[1:]) for part in name.split("_"))
    low, high = wilson_interval(x / n, n)
    assert low == pytest.approx(entry["value"][0], abs=entry["tolerance"])
    assert high == pytest.approx(entry["value"][1], abs=entry["tolerance"])


def test_every_target_names_its_source_and_the_fitted_ones_are_population_targets() -> None:
    for target in targets().values():
        assert target.source and target.citations
    fitted = {t.key for t in select_targets(fit_only=True)}
    assert {"liu2006_p6", "liu2006_p12", "liu2006_median", "kohn2017_p12"} <= fitted


def test_unknown_target_is_refused_with_the_list_of_targets() -> None:
    with pytest.raises(UnknownCodeError) as err:
        select_targets(["liu2007_p6"])
    assert str(err.value).startswith("target: 'liu2007_p6' is not a known code; expected one of "
                                      "liu2006_p6, liu2006_p12")


def test_target_without_interval_is_refused_with_exact_message() -> None:
    spec = {"kind": "probability", "cohort": "contraception_liu2006", "month": 6,
            "outcome": "concentration_ge_20m_per_ml",
            "evidence": "restoration_cohorts.kohn2017.tmc_gt5m_within_12mo"}
    with pytest.raises(ParameterError) as err:
        parse_target("mine", spec)
    assert str(err.value) == (
        "targets.yaml: mine: 'restoration_cohorts.kohn2017.tmc_gt5m_within_12mo' is not a "
        "valid parameter; expected an evidence key with ci95, or a tolerance")


def test_an_interval_item_that_holds_no_interval_is_refused_with_exact_message() -> None:
    spec = {"kind": "median", "cohort": "gonadotropins_chh", "outcome": "any_sperm",
            "evidence": "hypogonadotropic_hypogonadism.liu2009",
            "item": "median_to_first_sperm_mo", "interval_item": "median_to_conception_mo"}
    with pytest.raises(ParameterError) as err:
        parse_target("mine", spec)
    assert str(err.value) == (
        "targets.yaml: mine.interval_item: 'median_to_conception_mo' is not a valid parameter; "
        "expected an entry of hypogonadotropic_hypogonadism.liu2009 holding [low, high]")


def test_unknown_kind_is_refused_with_exact_message() -> None:
    with pytest.raises(UnknownCodeError) as err:
        parse_target("mine", {"kind": "mode", "cohort": "x"})
    assert str(err.value) == (
        "targets.yaml: mine.kind: 'mode' is not a known code; expected one of probability, "
        "median, mean_recovered, change, direction, odds_ratio, mean_recovery")


def test_a_gap_that_is_not_text_is_refused_with_exact_message() -> None:
    spec = {"kind": "change", "cohort": "serm_idiopathic_chua2013", "month": 3,
            "observable": "fsh", "evidence": "serms.chua2013.fsh_wmd", "gap": 4.19}
    with pytest.raises(ParameterError) as err:
        parse_target("mine", spec)
    assert str(err.value) == ("targets.yaml: mine.gap: 4.19 is not a valid parameter; expected "
                              "a text: why the model misses the target")
