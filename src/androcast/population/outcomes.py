"""Outcome codes: what "recovered" means, parsed from the DESIGN.md codes.

A code names an observable, a comparator and a threshold:
``concentration_ge_20m_per_ml`` is sperm concentration >= 20 M/mL (Liu 2006's fertility
indicator), ``tmsc_gt_5m`` is total motile sperm count > 5 M (Kohn 2017's endpoint).
Codes are parsed by the table of forms below, so any threshold X is accepted and an unknown
code is refused with the list of forms.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from androcast.errors import UnknownCodeError
from androcast.evidence import evidence
from androcast.units import convert

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

Comparator = Literal[">", ">=", "within"]


class Observable(StrEnum):
    """Quantities an outcome tests; each unit is fixed (the model's output units)."""

    sperm_concentration = "sperm_concentration"  # M/mL
    tmsc = "tmsc"  # M (total motile sperm count per ejaculate)
    lh = "lh"  # IU/L
    testosterone_total = "testosterone_total"  # nmol/L


OBSERVABLE_UNITS: dict[Observable, str] = {
    Observable.sperm_concentration: "M/mL",
    Observable.tmsc: "M",
    Observable.lh: "IU/L",
    Observable.testosterone_total: "nmol/L",
}

# Sperm "present" in a continuous model needs a detection limit. Two examinations set it:
# a routine (uncentrifuged) count, and the centrifuged pellet searched when the routine
# count finds none. Sperm found only in the pellet (cryptozoospermia) is not azoospermia
# (asrm_azoo2018: azoospermia needs no sperm in the centrifuged pellet; evidence
# mechanisms-and-pathways.md section 4), so "any sperm" is read at the pellet's limit and a
# man measured at 0.05 M/mL has sperm. Flag G: both numbers are our design choices; no
# numeric limit is published (section 4 gap; pellet1998 finds sperm in about 20 % of
# routinely "azoospermic" men, corea2005: detection depends on the centrifugation). Use
# concentration_ge_<X>m_per_ml to choose another limit.
ROUTINE_COUNT_LIMIT_M_PER_ML = 0.1  # lowest concentration a routine count reports
PELLET_LIMIT_M_PER_ML = 0.001  # a few sperm in the centrifuged pellet of a few mL
ANY_SPERM_DETECTION_LIMIT_M_PER_ML = PELLET_LIMIT_M_PER_ML


@dataclass(frozen=True)
class Outcome:
    """One outcome: ``observable comparator threshold`` holds from the first time it is met."""

    code: str
    observable: Observable
    comparator: Comparator
    low: float  # the threshold; for "within", the lower limit of the interval
    high: float | None  # upper limit for "within", else None
    unit: str
    source: str  # citation key of the threshold, or "G: ..." for a design choice
    # "conception": not a threshold on his semen but the couple's chance of a natural
    # conception from his monthly semen (androcast.conception); needs the partner's age
    model: Literal["threshold", "conception"] = "threshold"

    @property
    def is_conception(self) -> bool:
        return self.model == "conception"

    def holds(self, values: FloatArray) -> BoolArray:
        """Where the outcome holds, elementwise over an array of the observable."""
        if self.comparator == ">":
            return np.asarray(values > self.low)
        if self.comparator == ">=":
            return np.asarray(values >= self.low)
        assert self.high is not None
        return np.asarray((values >= self.low) & (values <= self.high))

    def describe(self) -> str:
        """The outcome in words with its unit, e.g. ``sperm_concentration >= 20 M/mL``."""
        if self.is_conception:
            return "natural conception of the couple (from his monthly semen)"
        if self.comparator == "within":
            return f"{self.observable} within [{self.low:g}, {self.high:g}] {self.unit}"
        return f"{self.observable} {self.comparator} {self.low:g} {self.unit}"


def _threshold_of(match: re.Match[str]) -> float:
    return float(match.group("x"))


def _any_sperm(code: str, match: re.Match[str]) -> Outcome:
    return Outcome(
        code,
        Observable.sperm_concentration,
        ">=",
        ANY_SPERM_DETECTION_LIMIT_M_PER_ML,
        None,
        "M/mL",
        "asrm_azoo2018 (sperm in the centrifuged pellet is not azoospermia); limit G",
    )


def _concentration(code: str, match: re.Match[str]) -> Outcome:
    x = _threshold_of(match)
    liu = evidence("semen_thresholds.fertility_indicator_contraceptive_trials")
    source = liu.citation if x == float(liu.value) else "user threshold"
    return Outcome(code, Observable.sperm_concentration, ">=", x, None, "M/mL", source)


def _tmsc(code: str, match: re.Match[str]) -> Outcome:
    x = _threshold_of(match)
    kohn = evidence("tmsc.recovery_endpoint_kohn")
    source = kohn.citation if x == float(kohn.value) else "user threshold"
    return Outcome(code, Observable.tmsc, ">", x, None, "M", source)


def _lh_normal(code: str, match: re.Match[str]) -> Outcome:
    ri = evidence("lh.famhes_ri")
    low, high = (float(v) for v in ri.value)
    return Outcome(code, Observable.lh, "within", low, high, "IU/L", ri.citation)


def _testosterone_normal(code: str, match: re.Match[str]) -> Outcome:
    limit = evidence("testosterone_total.es2018_lower_limit_cdc_certified")
    assert limit.unit is not None
    low = convert(float(limit.value), limit.unit, "nmol/L", analyte="testosterone_total")
    return Outcome(
        code, Observable.testosterone_total, ">=", float(low), None, "nmol/L", limit.citation
    )


#: The couple outcome: the code shared with the prognosis, its relations' citation keys.
PREGNANCY_NATURAL = "pregnancy_natural"
CONCEPTION_SOURCE = "weinberg1986; wesselink2017; rothman2013; bonde1998; hamilton2015"


def _pregnancy(code: str, match: re.Match[str]) -> Outcome:
    # what it reads of him: concentration (and TMSC) each month; the threshold is unused
    return Outcome(code, Observable.sperm_concentration, ">=", 0.0, None, "probability",
                   CONCEPTION_SOURCE, "conception")


_NUMBER = r"(?P<x>\d+(?:\.\d+)?)"


@dataclass(frozen=True)
class _Form:
    template: str  # how the form is written for users
    pattern: re.Pattern[str]
    build: Callable[[str, re.Match[str]], Outcome]


_FORMS: tuple[_Form, ...] = (
    _Form("any_sperm", re.compile(r"any_sperm"), _any_sperm),
    _Form(
        "concentration_ge_<X>m_per_ml",
        re.compile(rf"concentration_ge_{_NUMBER}m_per_ml"),
        _concentration,
    ),
    _Form("tmsc_gt_<X>m", re.compile(rf"tmsc_gt_{_NUMBER}m"), _tmsc),
    _Form("lh_normal", re.compile(r"lh_normal"), _lh_normal),
    _Form("testosterone_normal", re.compile(r"testosterone_normal"), _testosterone_normal),
    _Form(PREGNANCY_NATURAL, re.compile(PREGNANCY_NATURAL), _pregnancy),
)

OUTCOME_FORMS: tuple[str, ...] = tuple(form.template for form in _FORMS)


def parse_outcome(code: str, *, field: str = "outcome") -> Outcome:
    """The outcome a code names; UnknownCodeError listing the accepted forms otherwise."""
    for form in _FORMS:
        match = form.pattern.fullmatch(code)
        if match is not None:
            return form.build(code, match)
    raise UnknownCodeError(field, code, "one of " + ", ".join(OUTCOME_FORMS))


def parse_outcomes(codes: Sequence[str], *, field: str = "outcomes") -> tuple[Outcome, ...]:
    """Parse several codes, naming the position of a bad one (``outcomes[1]``)."""
    return tuple(parse_outcome(code, field=f"{field}[{i}]") for i, code in enumerate(codes))


def time_to_event(outcome: Outcome, t_d: FloatArray, values: FloatArray) -> FloatArray:
    """First sampled time (days) at which the outcome holds, per patient; NaN = censored.

    ``values`` has shape (len(t_d), n_patients); the follow-up ends at ``t_d[-1]``.
    Resolution is the sampling step (daily output gives times to within a day).
    """
    met = outcome.holds(values)
    ever = met.any(axis=0)
    first = np.argmax(met, axis=0)
    return np.where(ever, t_d[first], np.nan)
