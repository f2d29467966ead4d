"""The suite's numeric ``forecast_checks`` (expectations.yaml, each case with ``forecast:
curves``) and the forecast side of G-START-STATE, read with the README's tolerances: "~ 0" is
<= 0.05, "not below B" is >= B - 0.05 at every reported month (also for "<=" and ">="
between two cases' curves).

One seeded twin per case (``PARTICLES`` virtual men, seed 1), every protocol offered to him
in one run, so protocols are compared on the same men. Month 0 is read at ``MONTH_0``
(a day's fraction after the start: the prognosis counts months from his start and takes
only positive months). Seed stability (G-SEEDS) is the sampler's, not tested here.

A check not met is a strict xfail whose reason gives the value measured (``GAPS``): it turns
red the day it passes, so the reason is then removed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache

import pytest

from androcast.labs import parse_case
from androcast.prognosis import prognose

from .suite import AS_OF_DATE, case_data, case_ids, expected

PARTICLES = 16  # few men: eleven twins must fit in make test (~3 min CPU); noisy, said so
SEED = 1
MONTH_0 = 0.001
MONTHS = (MONTH_0, 3.0, 6.0, 9.0, 12.0, 18.0, 24.0)
TOLERANCE = 0.05  # the suite README's "~ 0" and "not below"
SEMEN_20 = "concentration_ge_20m_per_ml"

HCG_BASED = ("hcg", "hcg_serm", "hcg_serm_ai", "hcg_fsh")
SERM = ("serm_clomiphene", "serm_tamoxifen")
AI = ("hcg_serm_ai",)

Curves = Mapping[str, tuple[float, ...]]


@cache
def curves(case_id: str, outcome: str = SEMEN_20) -> Curves:
    """P(outcome) at ``MONTHS`` per protocol offered to him (the prognosis's default set)."""
    case = parse_case(case_data(case_id), as_of=AS_OF_DATE)
    outcomes = tuple(dict.fromkeys((SEMEN_20, outcome)))
    (*results,) = prognose(case, outcomes=outcomes, n=PARTICLES, seed=SEED, months=MONTHS)
    (result,) = [r for r in results if r.outcome == outcome]
    assert result.declined is None, f"{case_id}: declined {result.declined}"
    return {f.protocol.id: tuple(float(p) for p in f.curve.probability)
            for f in result.protocols}


def _show(values: Sequence[float]) -> str:
    return "[" + ", ".join(f"{v:.2f}" for v in values) + "]"


def assert_not_below(case_id: str, protocols: Sequence[str], reference: str = "watchful_waiting",
                     ) -> None:
    table = curves(case_id)
    base = table[reference]
    offered = [p for p in protocols if p in table]
    assert offered, f"{case_id}: none of {list(protocols)} offered ({sorted(table)})"
    below = {p: _show(table[p]) for p in offered
             if any(a < b - TOLERANCE for a, b in zip(table[p], base, strict=True))}
    assert not below, f"{case_id}: below {reference} {_show(base)}: {below}"


def _curve_cases() -> tuple[str, ...]:
    return tuple(c for c in case_ids() if expected(c)["forecast"] == "curves")


_MATSUMOTO = ("hCG alone suppresses his FSH through the T and E2 it raises (matsumoto1986: "
              "FSH selectively suppressed, counts 25 % of control) and one gonadotropin alone "
              "sustains 25-45 % of control output (model_gonadotropin_alone); ")
#: measured at PARTICLES men, seed 1 (2026-12-08, the islands sampler; each man forecast with
#: his 7 companions, twin.companions, issue 17; the spermatogonial reserve driven by FSH and
#: ITT, w_T_rg; GnRH receptor desensitisation k_des 4/d), months 0, 3, 6, 9, 12, 18, 24
_GAPS: dict[tuple[str, str], str] = {
    ("c16", "month0"): "he measured 16 M/mL on clomiphene; P(>=20 M/mL) at month 0 is 0.08 "
    "(watchful_waiting, the one protocol offered, flat at 0.08)",
    ("c04", "moves"): "watchful_waiting, hcg and hcg_fsh are 0 at every month; "
    "serm_clomiphene is flat at 0.47 from month 6, hcg_serm at 0.41 from month 3 and "
    "hcg_serm_ai at 0.88 from month 3 to 24",
    ("c17", "hcg_not_below"): _MATSUMOTO + "hcg at most .0002 (2026-12-08, after the "
    "androgen-kind effects reached his twin) and hcg_serm [0, 0, 0, .04, .08, .10, .16] "
    "against watchful_waiting [0, 0, .06, .23, .51, .76, .87] (hcg_fsh not below)",
    ("c17", "hcg_never_zero"): "hcg at most .0002 at every month (0 % as printed; the "
    "androgen-kind effects reached his twin: an AAS user's reserve regrows slower), "
    "hcg_serm [0, 0, 0, .04, .08, .10, .16]",
    ("c22", "hcg_not_below"): _MATSUMOTO + "hcg [0, .04, .11, .18, .23, .27, .27] against "
    "watchful_waiting [0, .12, .54, .75, .77, .87, .89] (hcg_serm and hcg_fsh within 0.05)",
    ("c22c", "hcg_not_below"): _MATSUMOTO + "hcg 0 at every month and hcg_serm "
    "[0, 0, 0, 0, 0, 0, .05] against watchful_waiting [0, 0, 0, 0, .05, .15, .21] (hcg_fsh "
    "not below)",
}
_C15 = (_MATSUMOTO + "continuing hcg [0, .64, .68, .68, .68, .68, .68] against stopping it "
        "(watchful_waiting) [0, 1, 1, 1, 1, 1, 1]; hcg_fsh is 1 from month 3, as waiting")
_C22 = ("watchful_waiting [0, .12, .54, .75, .77, .87, .89]: 0.77 by 12 months (inside "
        "0.75-0.95) but 0.89 by 24 (needs 0.95; twin of 16 men with 7 companions each, the "
        "adaptive sampler of issue 17)")
_C22B = ("c22b (0.5 M/mL) reads below c22 (azoospermic): watchful_waiting "
         "[0, .03, .34, .56, .73, .86, .88] against [0, .12, .54, .75, .77, .87, .89], hcg_serm "
         "[0, .03, .15, .28, .31, .40, .42] against [0, .12, .55, .73, .75, .85, .87], and every "
         "other protocol at months 3-9 (16 men, seed 1; c22b's own forecast ranges 0.461 over "
         "seeds 1-4 at 128 men: G-SEEDS)")


def _p(check: str, *case_ids_: str) -> list[object]:
    out = []
    for case_id in case_ids_:
        reason = _GAPS.get((case_id, check))
        marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
        out.append(pytest.param(case_id, id=case_id, marks=marks))
    return out


def _latest_concentration(case_id: str) -> float | None:
    semen = case_data(case_id).get("semen") or []
    if not semen:
        return None
    latest = max(semen, key=lambda s: str(s["date"]))
    value = latest.get("concentration_m_per_ml")
    return None if value is None else float(value)


def _below(case_id: str, threshold: float) -> bool:
    value = _latest_concentration(case_id)
    return value is not None and value < threshold


# G-START-STATE and the month-0 checks -------------------------------------------------------


#: cases whose forecast_checks relax G-START-STATE's "~ 0" to "<= 0.10" (they measured 8-15)
TENTH = ("c04", "c05", "c20")


@pytest.mark.parametrize("case_id", _p("month0", *(c for c in _curve_cases()
                                                  if _below(c, 20.0) and c not in TENTH)))
def test_month_0_is_about_zero_when_he_measured_below_20(case_id: str) -> None:
    """G-START-STATE: latest concentration below 20 M/mL -> P(>=20 M/mL) at month 0 ~ 0."""
    at_0 = {p: c[0] for p, c in curves(case_id).items()}
    assert all(v <= TOLERANCE for v in at_0.values()), f"{case_id}: month 0 {at_0}"


@pytest.mark.parametrize("case_id", _p("month0", *TENTH))
def test_month_0_is_at_most_a_tenth_when_he_measured_8_to_20(case_id: str) -> None:
    """'P(>=20 M/mL) at month 0 <= 0.10' for the men who measured 8-15 M/mL (c04, c05, c20)."""
    at_0 = {p: c[0] for p, c in curves(case_id).items()}
    assert all(v <= 0.10 for v in at_0.values()), f"{case_id}: month 0 {at_0}"


def test_c02_has_sperm_at_month_0_and_is_not_forecast_as_azoospermic() -> None:
    """c02: 'P(any sperm) at month 0 = 1' (sperm in the pellet, then 0.05 M/mL)."""
    at_0 = {p: c[0] for p, c in curves("c02", "any_sperm").items()}
    assert all(v >= 1.0 - TOLERANCE for v in at_0.values()), f"c02: any sperm at 0 {at_0}"


# Curves move ---------------------------------------------------------------------------------


@pytest.mark.parametrize("case_id", _p("moves", "c04"))
def test_curves_change_with_time_and_none_is_flat_from_month_3(case_id: str) -> None:
    """c04: 'curves change with time; a flat non-zero curve from month 3 to 24 is an error'."""
    flat = {p: _show(c) for p, c in curves(case_id).items()
            if len(set(c[1:])) == 1 and c[1] > 0.0}
    assert not flat, f"{case_id}: flat from month 3: {flat}"
    assert all(len(set(c)) > 1 for c in curves(case_id).values())


# Protocols against watchful waiting -----------------------------------------------------------


@pytest.mark.parametrize("case_id", _p("hcg_not_below", "c02", "c05", "c17", "c20", "c22", "c22c"))
def test_hcg_based_protocols_are_not_below_watchful_waiting(case_id: str) -> None:
    """'hCG-based protocols are not below watchful_waiting' (c02 names hcg, hcg_serm and
    hcg_fsh; Wenker 2015, Kohn 2017)."""
    assert_not_below(case_id, ("hcg", "hcg_serm", "hcg_fsh") if case_id == "c02" else HCG_BASED)


@pytest.mark.parametrize("case_id", _p("serm_not_below", "c04", "c05", "c20"))
def test_serm_protocols_are_not_below_watchful_waiting(case_id: str) -> None:
    """c04, c05, c20: SERM protocols are not below watchful_waiting."""
    assert_not_below(case_id, SERM)


@pytest.mark.parametrize("case_id", _p("ai_not_below", "c04"))
def test_ai_protocols_are_not_below_watchful_waiting(case_id: str) -> None:
    """c04: the aromatase-inhibitor protocol is not below watchful_waiting (when offered)."""
    table = curves(case_id)
    if not any(p in table for p in AI):
        pytest.skip(f"{case_id}: no AI protocol offered (estradiol not high): nothing to compare")
    assert_not_below(case_id, AI)


@pytest.mark.parametrize("case_id", _p("hcg_never_zero", "c17"))
def test_no_hcg_protocol_stays_at_zero(case_id: str) -> None:
    """c17: 'no hCG-containing protocol is 0 % at every month', read with the suite's "~ 0"
    (<= 0.05): a curve of 0.0002 prints as 0 % at every month."""
    table = curves(case_id)
    zero = [p for p in HCG_BASED if p in table and max(table[p]) <= TOLERANCE]
    assert not zero, f"{case_id}: 0 at every month: {zero}"


@pytest.mark.xfail(reason=_C15, strict=True)
def test_c15_continuing_hcg_is_not_below_stopping_it() -> None:
    """c15: continuing hCG (alone or with FSH) is not below stopping it (watchful_waiting)."""
    assert_not_below("c15", ("hcg", "hcg_fsh"))


def test_c15_hcg_fsh_is_not_below_hcg() -> None:
    assert_not_below("c15", ("hcg_fsh",), reference="hcg")


def test_c16_offers_no_serm_protocol() -> None:
    """c16: SERM protocols are not offered (visual symptoms on clomiphene)."""
    offered = set(curves("c16"))
    assert not offered & {*SERM, "hcg_serm", "hcg_serm_ai"}, sorted(offered)


# The c22 family ---------------------------------------------------------------------------------


@pytest.mark.xfail(reason=_C22, strict=True)
def test_c22_watchful_waiting_is_calibrated_to_liu2006() -> None:
    """c22: watchful_waiting P(>=20 M/mL) by 12 months 0.75-0.95 and by 24 months >= 0.95
    (Liu 2006: 90 % (85-93) at 12 months, 100 % at 24)."""
    waiting = curves("c22")["watchful_waiting"]
    p12, p24 = waiting[MONTHS.index(12.0)], waiting[MONTHS.index(24.0)]
    assert 0.75 <= p12 <= 0.95 and p24 >= 0.95, f"c22 waiting {_show(waiting)}"


@pytest.mark.xfail(reason=_C22B, strict=True)
def test_c22b_every_protocol_is_not_below_c22() -> None:
    """c22b: 'every protocol's curve is >= c22's at every month' (sperm already returning)."""
    crypto, azoo = curves("c22b"), curves("c22")
    below = {p: (_show(crypto[p]), _show(azoo[p])) for p in crypto if p in azoo and any(
        a < b - TOLERANCE for a, b in zip(crypto[p], azoo[p], strict=True))}
    assert not below, f"c22b below c22: {below}"


def test_c22c_watchful_waiting_is_not_above_c22() -> None:
    """c22c: 'watchful_waiting is <= c22's at every month' (older, six years of use)."""
    older, young = curves("c22c")["watchful_waiting"], curves("c22")["watchful_waiting"]
    assert all(a <= b + TOLERANCE for a, b in zip(older, young, strict=True)), (
        f"c22c {_show(older)} vs c22 {_show(young)}")
