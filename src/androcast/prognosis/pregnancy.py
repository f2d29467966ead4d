"""The couple's curve: chance of a natural pregnancy by month under a protocol.

Each virtual man's forecast semen (concentration and TMSC, sampled at the middle of each
month) becomes his month-by-month fecundability ratio (``androcast.conception``); with the
female partner's age and the months already tried, that gives his couple's cumulative chance
of conceiving. The curve is the posterior-weighted mean over his men, with the same Monte
Carlo error (from the twin's lineages and independent runs) and interval as the recovery curves
(``curves``).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from androcast.conception import Couple, cumulative_conception, male_ratio
from androcast.errors import ParameterError
from androcast.labs import Case
from androcast.population import DAYS_PER_MONTH
from androcast.population.outcomes import PREGNANCY_NATURAL as OUTCOME_CODE
from androcast.population.survival import crossing_time
from androcast.prognosis.curves import Curve, interval_90, monte_carlo_error

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

PREGNANCY_NATURAL = OUTCOME_CODE  # one code for prognosis and cohorts
SEMEN_FOR_PREGNANCY = ("sperm_concentration", "tmsc")
CITATIONS = ("bonde1998", "hamilton2015", "rothman2013", "tmsc_severity2011", "weinberg1986",
             "wesselink2017")
CAVEAT = ("Natural pregnancy: a beta-geometric model of couple fecundability (weinberg1986) "
          "scaled by the female partner's age (wesselink2017, rothman2013) and his forecast "
          "concentration and total motile count month by month (bonde1998, hamilton2015, "
          "tmsc_severity2011); conception, not live birth. Other female factors are not "
          "modelled.")
CAVEAT_OVER_40 = ("For women over 40 the model under-predicts the published 12-month figure "
                  "(41 % vs 55.5 % for 40-45 in wesselink2017): read its curve beyond 6 months "
                  "as pessimistic.")


def couple_of(case: Case) -> Couple:
    """The couple as the model needs it; the partner's age is required."""
    age = case.partner.age_years if case.partner is not None else None
    if age is None:
        raise ParameterError("partner.age_years", age,
                             f"the female partner's age in years, needed for outcome "
                             f"{PREGNANCY_NATURAL}")
    reproductive = case.history.reproductive
    tried = reproductive.infertility_months if reproductive is not None else None
    return Couple(float(age), round(tried or 0))


def shows_pregnancy(case: Case) -> bool:
    """Whether his page, report and CLI table show the couple's curve beside his semen's:
    he wants a child and his partner's age is known (without it there is no curve)."""
    return (case.goal != "testosterone" and case.partner is not None
            and case.partner.age_years is not None)


def caveats(couple: Couple) -> tuple[str, ...]:
    return (CAVEAT, CAVEAT_OVER_40) if couple.female_age_years >= 40 else (CAVEAT,)


def monthly_semen(block: dict[str, FloatArray], grid_d: FloatArray, start_d: float,
                  n_months: int) -> tuple[FloatArray, FloatArray]:
    """Concentration and TMSC of each man at the middle of each month: (n_men, n_months)."""
    mid = start_d + (np.arange(n_months) + 0.5) * DAYS_PER_MONTH

    def at_mid(values: FloatArray) -> FloatArray:
        return np.stack([np.interp(mid, grid_d, values[:, i]) for i in range(values.shape[1])])

    return at_mid(block["sperm_concentration"]), at_mid(block["tmsc"])


def pregnancy_curve(block: dict[str, FloatArray], grid_d: FloatArray, start_d: float,
                    couple: Couple, weights: FloatArray, months: tuple[float, ...],
                    islands: IntArray | None = None,
                    lineages: IntArray | None = None) -> Curve:
    """The couple's cumulative chance by each of ``months`` (whole months), with its error
    and interval (``islands``, ``lineages``: each man's independent run and lineage, as for
    ``weighted_curve``)."""
    n_months = int(np.ceil(max(months)))
    conc, tmsc = monthly_semen(block, grid_d, start_d, n_months)
    per_man = cumulative_conception(couple, male_ratio(conc, tmsc))  # (n_men, n_months)
    w = weights / weights.sum()
    by_month = w @ per_man
    index = [max(int(np.ceil(m)) - 1, 0) for m in months]
    at = per_man[:, index].T  # (months, men)
    error = monte_carlo_error(at, w, islands, lineages)
    low, high = interval_90(at @ w, error)
    # by_month[k] is the chance by the end of month k + 1; none by month 0
    median = crossing_time(np.arange(by_month.size + 1.0), np.concatenate([[0.0], by_month]))
    return Curve(
        months=months,
        probability=tuple(round(float(by_month[i]), 4) for i in index),
        interval_90=tuple((round(float(a), 4), round(float(b), 4))
                          for a, b in zip(low, high, strict=True)),
        median_months=None if median is None else round(median, 2),
        mc_se=tuple(round(float(x), 4) for x in error.se),
    )
