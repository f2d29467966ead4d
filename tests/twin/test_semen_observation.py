"""Semen as measured (evidence/mechanisms-and-pathways.md sections 3-4): within-man
variability, abstinence, and sperm seen only in the centrifuged pellet."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from scipy.special import ndtr

from androcast.labs import SemenAnalysis
from androcast.population.outcomes import ROUTINE_COUNT_LIMIT_M_PER_ML
from androcast.twin import error_models, log_likelihood
from androcast.twin.observations import semen_measurement, semen_observation

DATE = dt.date(2025, 6, 1)


def _semen(concentration: float, *, abstinence: float | None = 3.0,
           pellet: bool | None = None, censor: str | None = None) -> SemenAnalysis:
    return SemenAnalysis(DATE, 3.0, concentration, censor, None, None, None,  # type: ignore[arg-type]
                         abstinence, pellet)


def test_single_ejaculate_range_is_schwartz1979() -> None:
    # 95 % of single ejaculates within 0.5x-2.3x of the man's mean (schwartz1979): the width
    # of the log-normal's 95 % range, 2.3 / 0.5 = 4.6, within 10 %
    sigma = error_models()["sperm_concentration"].sigma
    assert math.exp(2 * 1.96 * sigma) == pytest.approx(2.3 / 0.5, rel=0.10)


def test_cryptozoospermia_is_not_azoospermia() -> None:
    crypto = semen_observation(_semen(0.05), 10.0)
    azoo = semen_observation(_semen(0.0), 10.0)
    assert crypto is not None and azoo is not None
    assert crypto.censor is None and crypto.value == pytest.approx(0.05)
    assert azoo.censor == "<" and azoo.value == ROUTINE_COUNT_LIMIT_M_PER_ML
    predicted = {"sperm_concentration": np.array([[0.05, 1e-5]])}
    days = np.array([10.0])
    # the man at 0.05 M/mL explains the seen sperm far better than a man at 1e-5 M/mL does,
    # while "no sperm seen" cannot tell them apart
    ll_crypto = log_likelihood([crypto], predicted, days)
    ll_azoo = log_likelihood([azoo], predicted, days)
    assert ll_crypto[0] - ll_crypto[1] > 10
    assert abs(ll_azoo[0] - ll_azoo[1]) < 0.1


def test_pellet_sperm_is_an_interval_between_the_two_limits() -> None:
    pellet = semen_observation(_semen(0.0, pellet=True), 10.0)
    empty = semen_observation(_semen(0.0, pellet=False), 10.0)
    limit = semen_measurement().pellet_limit
    assert pellet is not None and pellet.censor == "in"
    assert (pellet.low, pellet.value) == (pytest.approx(limit),
                                          pytest.approx(ROUTINE_COUNT_LIMIT_M_PER_ML))
    assert empty is not None and empty.censor == "<" and empty.value == pytest.approx(limit)
    sigma = error_models()["sperm_concentration"].sigma
    model = 0.01
    ll = log_likelihood([pellet], {"sperm_concentration": np.array([[model]])},
                        np.array([10.0]))
    expected = ndtr(math.log(0.1 / model) / sigma) - ndtr(math.log(limit / model) / sigma)
    assert ll[0] == pytest.approx(math.log(expected), rel=1e-9)


def test_longer_abstinence_reads_as_a_lower_model_value() -> None:
    # oem_abstinence: about +10 % per day from the 3-day reference; 5 days -> x1.2
    at5 = semen_observation(_semen(12.0, abstinence=5.0), 10.0)
    at3 = semen_observation(_semen(12.0, abstinence=3.0), 10.0)
    unknown = semen_observation(_semen(12.0, abstinence=None), 10.0)
    assert at5 is not None and at3 is not None and unknown is not None
    assert at5.value == pytest.approx(10.0)
    assert at3.value == pytest.approx(12.0) and unknown.value == pytest.approx(12.0)
    # held within the days the table covers
    assert semen_measurement().abstinence_factor(30.0) == semen_measurement().abstinence_factor(7.0)
