"""Cohort files and seeded sampling."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import yaml
from scipy import stats

from androcast.errors import ParameterError, UnknownCodeError
from androcast.evidence import evidence
from androcast.population import (
    cohort_names,
    load_cohort,
    parse_cohort,
    parse_distribution,
    patient_seed,
    sample_patients,
)

MINIMAL = {
    "name": "mini",
    "seed": 7,
    "follow_up_months": 6,
    "outcomes": ["concentration_ge_15m_per_ml"],
    "covariates": {
        "age_years": {"distribution": "normal", "mean": 35, "sd": 5},
        "ethnicity": {"distribution": "categorical", "categories": {"asian": 1, "white": 3}},
    },
    "androgen": {
        "duration_weeks": {"distribution": "uniform", "low": 20, "high": 60},
        "agents": [
            {"agent": "testosterone_enanthate", "dose": "200 mg", "route": "im", "every": "7 d"},
            {
                "agent": "testosterone_undecanoate",
                "dose": "500 mg",
                "route": "im",
                "every": "30 d",
                "weight": 2,
            },
        ],
    },
}


def test_shipped_cohorts_are_the_three_of_the_issue_and_gonadotropin_induction() -> None:
    assert cohort_names() == (
        "contraception_liu2006",
        "gonadotropins_chh",
        "trt_hcg_combo_wenker2015",
        "trt_hcg_serm_kohn2017",
    )


def test_the_induction_cohort_has_no_androgen_history_and_is_treated_from_month_0() -> None:
    cohort = load_cohort("gonadotropins_chh")
    sample = sample_patients(cohort, 0, 20)
    assert cohort.androgen is None
    assert all(sample.history(cohort, k).entries == () for k in range(20))
    assert {e.drug for e in cohort.regimen.entries} == {"hcg", "fsh"}
    assert all(e.start_d == 0 for e in cohort.regimen.entries)


@pytest.mark.parametrize(
    "name", ["contraception_liu2006", "trt_hcg_combo_wenker2015", "trt_hcg_serm_kohn2017"]
)
def test_every_shipped_cohort_loads_and_samples(name: str) -> None:
    cohort = load_cohort(name)
    sample = sample_patients(cohort, 0, 20)
    assert len(sample) == 20
    for k in range(20):
        history = sample.history(cohort, k)
        (entry,) = history.entries
        assert entry.stop_d < 0 < entry.stop_d + entry.every_d  # last dose one interval before 0


def test_liu2006_cohort_matches_the_published_population() -> None:
    # 965 white, 535 Asian, 49 other; age 18-51; treatment 16-78 weeks [liu2006]
    cohort = load_cohort("contraception_liu2006")
    ethnicity = cohort.covariates["ethnicity"]
    assert dict(zip(ethnicity.categories, ethnicity.weights, strict=True)) == {  # type: ignore[union-attr]
        "white": 965,
        "asian": 535,
        "other": 49,
    }
    age = cohort.covariates["age_years"]
    assert (age.low, age.high) == (18, 51)  # type: ignore[union-attr]
    duration = cohort.androgen.duration_weeks  # type: ignore[union-attr]
    assert [duration.low, duration.high] == evidence(  # type: ignore[union-attr]
        "recovery_after_testosterone.liu2006_treatment_duration_range"
    ).value
    assert cohort.outcomes[0].low == 20.0
    assert cohort.follow_up_months == 24


def test_patient_seed_is_the_spawned_child() -> None:
    children = np.random.SeedSequence(11).spawn(5)
    for i, child in enumerate(children):
        assert patient_seed(11, i).generate_state(4).tolist() == child.generate_state(4).tolist()


def test_sampling_is_identical_whatever_the_chunking() -> None:
    cohort = parse_cohort(MINIMAL)
    whole = sample_patients(cohort, 0, 30)
    parts = [sample_patients(cohort, a, b) for a, b in [(0, 7), (7, 8), (8, 30)]]
    ages = np.concatenate([p.covariates["age_years"] for p in parts])
    np.testing.assert_array_equal(ages, whole.covariates["age_years"])
    assert sum((p.categories["ethnicity"] for p in parts), ()) == whole.categories["ethnicity"]
    doses = np.concatenate([p.androgen_doses for p in parts])  # type: ignore[misc]
    np.testing.assert_array_equal(doses, whole.androgen_doses)  # type: ignore[arg-type]
    assert parts[2].regimen(cohort, 3) == whole.regimen(cohort, 11)


#: Sampling checks compare at Z Monte Carlo standard errors of the statistic at the test's n
#: (a correct sampler fails a two-sided check with probability 0.0027).
Z = 3.0


def _binomial_se(p: float, n: int) -> float:
    return math.sqrt(p * (1 - p) / n)


def test_sampled_covariates_follow_their_distributions() -> None:
    cohort = parse_cohort(MINIMAL)
    n = 4000
    sample = sample_patients(cohort, 0, n)
    age = sample.covariates["age_years"]
    assert stats.kstest(age, stats.norm(35, 5).cdf).pvalue > 0.01
    asian = np.mean([e == "asian" for e in sample.categories["ethnicity"]])
    assert asian == pytest.approx(0.25, abs=Z * _binomial_se(0.25, n))  # weights 1 : 3
    tu = np.mean(sample.androgen_option == 1)
    assert tu == pytest.approx(2 / 3, abs=Z * _binomial_se(2 / 3, n))  # weights 1 : 2


def test_truncated_and_lognormal_distributions_match_scipy() -> None:
    u = np.linspace(0.01, 0.99, 50)
    trunc = parse_distribution(
        {
            "distribution": "truncated",
            "of": {"distribution": "normal", "mean": 32, "sd": 7},
            "low": 18,
            "high": 51,
        },
        "age",
    )
    expected = stats.truncnorm((18 - 32) / 7, (51 - 32) / 7, loc=32, scale=7).ppf(u)
    np.testing.assert_allclose(trunc.quantile(u), expected, rtol=1e-10)  # type: ignore[union-attr]
    logn = parse_distribution({"distribution": "lognormal", "median": 2.0, "cv": 0.3}, "x")
    sigma = np.sqrt(np.log(1 + 0.3**2))
    np.testing.assert_allclose(
        logn.quantile(u),
        stats.lognorm(sigma, scale=2.0).ppf(u),
        rtol=1e-10,  # type: ignore[union-attr]
    )


def test_unknown_covariate_is_refused_naming_file_and_field() -> None:
    data = {**MINIMAL, "covariates": {"weight_kg": 80}}
    with pytest.raises(UnknownCodeError) as err:
        parse_cohort(data, source="mine.yaml")
    assert str(err.value) == (
        "mine.yaml: covariates.weight_kg: 'weight_kg' is not a known code; expected one of "
        "age_years, bmi, ethnicity, baseline_concentration_m_per_ml, "
        "prepubertal_testis_volume_ml, partner_age_years, infertility_months"
    )


def test_negative_sd_is_refused_naming_the_field() -> None:
    data = {
        **MINIMAL,
        "covariates": {"age_years": {"distribution": "normal", "mean": 35, "sd": -1}},
    }
    with pytest.raises(ParameterError) as err:
        parse_cohort(data, source="mine.yaml")
    assert str(err.value) == (
        "mine.yaml: covariates.age_years.sd: -1 is not a valid parameter; expected a number > 0"
    )



def test_a_variability_median_moves_the_men_of_a_cohort() -> None:
    """Infertile men's lower inhibin B (chua2013 cohort): the factor's median is the
    cohort's, its spread lognormal around it (CV 0.6: log sd 0.555)."""
    data = {**MINIMAL, "variability": {"inhibin_factor": {"median": 0.59, "cv": 0.6,
                                                          "source": "inhibinb_neus"}}}
    n = 4000
    factors = sample_patients(parse_cohort(data), 0, n).parameter_factors["inhibin_factor"]
    sigma = math.sqrt(math.log1p(0.6**2))
    # MC SE of a sample median, sqrt(1/4n) over the density there (lognormal: 1/(m σ √2π)),
    # and of a sample sd of normal logs, σ/sqrt(2n)
    median_se = math.sqrt(1 / (4 * n)) * 0.59 * sigma * math.sqrt(2 * math.pi)
    assert float(np.median(factors)) == pytest.approx(0.59, abs=Z * median_se)
    assert float(np.std(np.log(factors))) == pytest.approx(sigma, abs=Z * sigma / math.sqrt(2 * n))
    bad = {**MINIMAL, "variability": {"inhibin_factor": {"median": 0, "cv": 0.6,
                                                         "source": "x"}}}
    with pytest.raises(ParameterError) as err:
        parse_cohort(bad, source="mine.yaml")
    assert str(err.value) == ("mine.yaml: variability.inhibin_factor.median: 0 is not a valid "
                              "parameter; expected a number > 0")

def test_unknown_distribution_lists_the_forms() -> None:
    with pytest.raises(UnknownCodeError) as err:
        parse_distribution({"distribution": "gamma", "shape": 2}, "c.yaml: covariates.bmi")
    assert str(err.value) == (
        "c.yaml: covariates.bmi.distribution: 'gamma' is not a known code; expected one of "
        "fixed, normal, lognormal, uniform, truncated, categorical"
    )


def test_bad_outcome_in_file_names_its_position(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump({**MINIMAL, "outcomes": ["any_sperm", "fertile"]}))
    with pytest.raises(UnknownCodeError) as err:
        load_cohort(path)
    assert str(err.value).startswith("c.yaml: outcomes[1]: 'fertile' is not a known code")


def test_months_beyond_follow_up_are_refused() -> None:
    with pytest.raises(ParameterError) as err:
        parse_cohort({**MINIMAL, "months": [0, 3, 12]}, source="c.yaml")
    assert str(err.value) == (
        "c.yaml: months: [0, 3, 12] is not a valid parameter; expected increasing months within 0-6"
    )
