"""A twin whose weight piles at the guard of its prior says so and is low confidence.

The prior puts about 2e-4 of its mass beyond EDGE_SD (3.5) sd of a log-factor; when most of
the posterior weight lies there, the forecast follows the guard (GUARD_SD) rather than his
results. Sperm in a man still on TRT after years of suppression (clinic case c02's history,
synthetic here) is such a result: only men whose spermatogonial reserve is lost extremely
slowly (k_dg at its lower guard) explain it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
from twin_cases import post_trt_case

from androcast.labs import parse_case
from androcast.twin import personalise
from androcast.twin.posterior import EDGE_SD, _gaussian_prior, _theta, _theta_names, _with_theta
from androcast.twin.prior import meaning

N = 32


def _typical() -> object:
    return personalise(post_trt_case(labs=[(35, "lh", 0.4, "IU/L")]), n=N)


def test_a_typical_man_is_not_at_the_edge_of_his_prior() -> None:
    post = _typical()
    assert post.at_prior_edge == ()  # type: ignore[attr-defined]
    assert post.notices == post.warnings_  # type: ignore[attr-defined]


def _moved(post: object, name: str, sd: float) -> object:
    """The same men with one log-factor set ``sd`` prior sd from its prior mean."""
    names = _theta_names(post.cohort)  # type: ignore[attr-defined]
    prior = _gaussian_prior(post.cohort, names, {})  # type: ignore[attr-defined]
    theta = _theta(post.sample_, names)  # type: ignore[attr-defined]
    j = names.index(name)
    theta[:, j] = prior.mean[j] - sd * prior.sd[j]
    return replace(post, sample_=_with_theta(post.sample_, names, theta))  # type: ignore[type-var]


def test_weight_beyond_the_edge_flags_that_factor_and_lowers_confidence() -> None:
    post = _typical()
    inside, beyond = _moved(post, "k_dg", EDGE_SD - 0.1), _moved(post, "k_dg", EDGE_SD + 0.1)
    assert inside.at_prior_edge == ()  # type: ignore[attr-defined]
    assert beyond.at_prior_edge == ("k_dg",)  # type: ignore[attr-defined]
    assert beyond.low_confidence  # type: ignore[attr-defined]
    (notice,) = beyond.notices  # type: ignore[attr-defined]
    assert meaning("k_dg") in notice and "(k_dg)" in notice and "low confidence" in notice


def test_half_the_weight_is_not_enough() -> None:
    post = _typical()
    beyond = _moved(post, "k_dg", EDGE_SD + 0.1)
    names = _theta_names(post.cohort)  # type: ignore[attr-defined]
    mixed = _theta(post.sample_, names)  # type: ignore[attr-defined]
    mixed[::2] = _theta(beyond.sample_, names)[::2]  # type: ignore[attr-defined]
    even = np.full(post.n, -np.log(post.n))  # type: ignore[attr-defined]
    half = replace(post, sample_=_with_theta(post.sample_, names, mixed),  # type: ignore[type-var]
                   log_weights_=even)
    assert half.at_prior_edge == ()  # exactly half the weight: not "most"


def test_sperm_after_years_on_trt_piles_the_reserve_loss_rate_at_its_guard() -> None:
    """Still on weekly cypionate after five years, suppressed (LH < 0.2, FSH 0.3 IU/L), yet
    sperm at 0.05 M/mL (clinic case c02's results): the twin explains it only with k_dg at
    its lower guard, and says so."""
    case = parse_case({
        "patient": {"id": "EDGE", "age_years": 44, "bmi": 28.0},
        "goal": "fertility",
        "history": {"androgens": [{"agent": "testosterone_cypionate", "dose": "150 mg",
                                   "every": "7 d", "start": "2021-11-01"}]},
        "labs": [{"date": "2026-11-16", "analyte": a, "value": v, "unit": u} for a, v, u in (
            ("testosterone_total", 24.5, "nmol/L"), ("lh", "<0.2", "IU/L"),
            ("fsh", 0.3, "IU/L"), ("estradiol", 160, "pmol/L"))],
        "semen": [{"date": "2026-11-30", "volume_ml": 2.4, "concentration_m_per_ml": 0.05}],
    }, source="synthetic", as_of=dt.date(2026, 12, 7))
    post = personalise(case, n=2 * N)
    assert "k_dg" in post.at_prior_edge
    assert post.low_confidence
    assert any("(k_dg)" in n for n in post.notices)


def test_every_varied_quantity_has_a_meaning_in_plain_words() -> None:
    post = _typical()
    for name in _theta_names(post.cohort):  # type: ignore[attr-defined]
        assert meaning(name) != name
