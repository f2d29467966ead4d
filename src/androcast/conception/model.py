"""The monthly conception model: a couple's chance of a natural conception, month by month.

Couples differ in fecundability (the chance of conceiving in one cycle), so those still trying
after some months are, on average, the less fertile ones. The beta-geometric model
(weinberg1986) captures this: with a reference couple's fecundability drawn from Beta(a, b),
the chance in cycle k after k - 1 failures is a / (a + b + k - 1). The female partner's age and
the man's semen scale that chance by fecundability ratios (the proportional-probabilities
form in which wesselink2017, rothman2013 and bonde1998 report their results). One cycle is one
month. Arrays broadcast, so one call serves one man or a whole cohort of forecast paths.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from androcast.conception.parameters import ConceptionParameters, conception_parameters

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Couple:
    """What the model needs of the couple besides his semen."""

    female_age_years: float
    months_tried_before: int = 0


def female_age_ratio(age_years: npt.ArrayLike,
                     params: ConceptionParameters | None = None) -> FloatArray:
    """Fecundability ratio by the female partner's age, relative to the reference stratum.

    Log-linear between the anchors and flat outside them (no extrapolation beyond the data).
    """
    p = params or conception_parameters()
    ages = np.asarray(age_years, dtype=float)
    log_ratio = np.interp(ages, p.age_anchor_years, np.log(p.age_anchor_ratios))
    return np.asarray(np.exp(log_ratio), dtype=np.float64)


def male_ratio(concentration_m_per_ml: npt.ArrayLike, tmsc_m: npt.ArrayLike | None = None,
               params: ConceptionParameters | None = None) -> FloatArray:
    """Fecundability ratio by his semen, relative to a man at or above the plateau (40 M/mL).

    Concentration gives the bonde1998 step; where the total motile sperm count (TMSC) is known
    and low, its band (hamilton2015, tmsc_severity2011) governs, since both describe the same
    deficit (the lower ratio is taken, never their product). No sperm gives 0.
    """
    p = params or conception_parameters()
    conc = np.asarray(concentration_m_per_ml, dtype=float)
    ratio = np.where(conc >= p.plateau_concentration, 1.0, p.below_plateau_ratio)
    if tmsc_m is not None:
        tmsc = np.broadcast_to(np.asarray(tmsc_m, dtype=float), ratio.shape)
        band = np.ones_like(ratio)
        for upper, band_ratio in sorted(zip(p.tmsc_band_upper, p.tmsc_band_ratio, strict=True),
                                        reverse=True):
            band = np.where(tmsc < upper, band_ratio, band)
        ratio = np.minimum(ratio, band)
        ratio = np.where(tmsc <= 0.0, 0.0, ratio)
    return np.where(conc <= 0.0, 0.0, ratio)


def monthly_chance(couple: Couple, male_ratios: npt.ArrayLike,
                   params: ConceptionParameters | None = None) -> FloatArray:
    """Chance of conceiving in each month given no conception before it (last axis = months).

    ``male_ratios`` holds his fecundability ratio for each month of the path (from
    ``male_ratio`` of his forecast semen); her age advances with the months.  Months in which
    he has no sperm do not count as tried.
    """
    p = params or conception_parameters()
    ratios = np.asarray(male_ratios, dtype=float)
    months = np.arange(ratios.shape[-1], dtype=float)
    age = female_age_ratio(couple.female_age_years + months / 12.0, p)
    # A month without sperm tells nothing about the couple's own fecundability, so only months
    # with a chance count as tried (the beta-geometric selection acts on failed chances).
    exposed = (ratios > 0.0).astype(float)
    tried = couple.months_tried_before + np.cumsum(exposed, axis=-1) - exposed
    reference = p.beta_a / (p.beta_a + p.beta_b + tried)
    chance: FloatArray = np.clip(ratios * age * reference, 0.0, 1.0)
    return chance


def cumulative_conception(couple: Couple, male_ratios: npt.ArrayLike,
                          params: ConceptionParameters | None = None) -> FloatArray:
    """Cumulative probability of a natural conception by the end of each month."""
    chance = monthly_chance(couple, male_ratios, params)
    return np.asarray(1.0 - np.cumprod(1.0 - chance, axis=-1), dtype=np.float64)


def cumulative_at(couple: Couple, months: int, male: float = 1.0,
                  params: ConceptionParameters | None = None) -> float:
    """The cumulative probability after ``months`` cycles at a constant male ratio."""
    return float(cumulative_conception(couple, np.full(months, male), params)[-1])

