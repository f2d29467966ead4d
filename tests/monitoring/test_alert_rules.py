"""The monitoring alert rules: loading, each rule's condition and timing, the band check.

No simulation here: visits are built from small cases and bands are given by hand, so each
rule is judged on exactly the facts it names.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pytest

from androcast.errors import RuleError, UnknownCodeError
from androcast.labs import parse_case
from androcast.monitoring import (
    Band,
    ObservableBand,
    alert_rules,
    outside_band_sd,
    parse_alert_rules,
    weighted_quantiles,
)
from androcast.monitoring.alerts import Visit, judge_visit
from androcast.protocol import plan_rules
from androcast.twin import error_models, observations

START = dt.date(2025, 9, 1)
HCG_SERM = frozenset({"ESC-HCG-T", "ESC-AI", "ESC-FSH", "CRYO"})
SERM_ONLY = frozenset({"ESC-SERM-NO-RESPONSE", "ESC-AI", "CRYO"})


def _week(k: float) -> str:
    return (START + dt.timedelta(days=round(7 * k))).isoformat()


def _case(labs: list[dict[str, Any]], semen: list[dict[str, Any]] | None = None) -> Any:
    return parse_case({"patient": {"id": "R1", "age_years": 35}, "goal": "fertility",
                       "labs": labs, "semen": semen or []}, as_of=dt.date(2026, 6, 1))


def _visit(case: Any, week: float, escalations: frozenset[str]) -> Visit:
    day = dt.date.fromisoformat(_week(week))
    todays = tuple(o for o in observations(case, START) if o.date == day)
    return Visit(day, case, START, todays, escalations)


def _band(**bands: tuple[float, float, float]) -> Band:
    """A band constant over 52 weeks: observable=(p05, p50, p95)."""
    dates = tuple(START + dt.timedelta(weeks=w) for w in range(53))
    return Band("hcg_serm", START, START, 2, 2.0, dates,
                {name: ObservableBand("1", (lo,) * 53, (mid,) * 53, (hi,) * 53)
                 for name, (lo, mid, hi) in bands.items()}, (), False, ())


NO_BAND = _band()


def _codes(case: Any, week: float, escalations: frozenset[str] = HCG_SERM,
           band: Band = NO_BAND) -> list[str]:
    return [a.code for a in judge_visit(_visit(case, week, escalations), band, alert_rules())]


def _t(week: float, ng_dl: float) -> dict[str, Any]:
    return {"date": _week(week), "analyte": "testosterone_total", "value": ng_dl, "unit": "ng/dL"}


def _lab(week: float, analyte: str, value: Any, unit: str = "IU/L") -> dict[str, Any]:
    return {"date": _week(week), "analyte": analyte, "value": value, "unit": unit}


def test_shipped_rules_load_with_resolving_citations() -> None:
    rules = alert_rules()
    assert [r.id for r in rules.rules] == [
        "ESC-SERM-NO-RESPONSE", "ESC-HCG-T", "ESC-AI", "ESC-FSH", "ESC-GNRH", "CRYO",
        "MON-FAR-OUTSIDE-BAND"]
    assert rules.threshold("monitoring.far_outside_band_sd").value == 2.0


def test_an_escalation_alert_takes_wording_and_citations_from_the_plan() -> None:
    escalation = next(e for e in plan_rules().escalations if e.id == "ESC-AI")
    rule = next(r for r in alert_rules().rules if r.id == "ESC-AI")
    assert rule.spec.message is None and rule.spec.citations == []  # not repeated in the file
    assert rule.message == f"{escalation.when}: {escalation.then}"
    assert rule.citations == ("raman2002", "pavlovich2001", "shoshany2017")
    assert rule.at_week == 6.0


def test_low_testosterone_on_hcg_at_week_6_raises_hcg() -> None:
    case = _case([_t(0, 250), _t(6, 200)])
    assert _codes(case, 6) == ["raise_hcg"]


def test_the_hcg_check_is_not_due_before_week_6_nor_on_a_serm_alone() -> None:
    early = _case([_t(0, 250), _t(4, 200)])
    assert _codes(early, 4) == []
    # on a SERM alone the hCG check does not act, and the SERM check needs LH and FSH
    assert _codes(_case([_t(0, 250), _t(6, 200)]), 6, SERM_ONLY) == []


def test_a_panel_drawn_a_few_days_early_counts_for_week_6() -> None:
    assert _codes(_case([_t(5.6, 200)]), 5.6) == ["raise_hcg"]
    assert _codes(_case([_t(5.3, 200)]), 5.3) == []


def test_serm_without_a_rise_of_lh_and_fsh_switches_to_hcg() -> None:
    base = [_lab(0, "lh", 1.2), _lab(0, "fsh", 1.0), _t(0, 350)]
    flat = _case([*base, _lab(6, "lh", 1.1), _lab(6, "fsh", 0.9), _t(6, 400)])
    risen = _case([*base, _lab(6, "lh", 4.0), _lab(6, "fsh", 3.5), _t(6, 500)])
    assert _codes(flat, 6, SERM_ONLY) == ["switch_to_hcg"]
    assert _codes(risen, 6, SERM_ONLY) == []


def test_an_older_value_is_not_read_as_this_visits() -> None:
    # low T at week 0, LH and FSH risen at week 6 without a new T: the SERM has worked
    case = _case([_lab(0, "lh", 1.2), _lab(0, "fsh", 1.0), _t(0, 250),
                  _lab(6, "lh", 4.0), _lab(6, "fsh", 3.5)])
    assert _codes(case, 6, SERM_ONLY) == []


def test_low_t_e2_ratio_adds_an_aromatase_inhibitor() -> None:
    low_ratio = _case([_t(6, 1250), _lab(6, "estradiol", 130, "pg/mL") | {"confirmed": True}])
    normal = _case([_t(6, 1250), _lab(6, "estradiol", 50, "pg/mL")])
    assert _codes(low_ratio, 6) == ["add_aromatase_inhibitor"]
    assert _codes(normal, 6) == []


def test_no_sperm_after_26_weeks_of_hcg_adds_fsh() -> None:
    none = {"volume_ml": 2.5, "concentration_m_per_ml": 0.0, "pellet_sperm_seen": False}
    assert _codes(_case([], [{"date": _week(26), **none}]), 26) == ["add_fsh"]
    assert _codes(_case([], [{"date": _week(24), **none}]), 24) == []


def test_cryopreservation_is_offered_when_sperm_first_return() -> None:
    def semen(week: float, m_per_ml: float) -> dict[str, Any]:
        return {"date": _week(week), "volume_ml": 2.5, "concentration_m_per_ml": m_per_ml}

    assert _codes(_case([], [semen(12, 0.0), semen(24, 3.0)]), 24) == ["offer_cryopreservation"]
    assert _codes(_case([], [semen(12, 1.0), semen(24, 3.0)]), 24) == []  # offered at week 12


def test_far_outside_the_band_means_beyond_it_by_two_measurement_sds() -> None:
    sigma = error_models()["lh"].sigma
    band = _band(lh=(2.0, 4.0, 8.0))
    just_beyond = 2.0 * math.exp(-2.05 * sigma)
    just_within = 2.0 * math.exp(-1.95 * sigma)
    for value, expected in ((just_beyond, ["value_far_outside_forecast"]), (just_within, [])):
        case = _case([_lab(12, "lh", round(value, 4))])
        assert _codes(case, 12, band=band) == expected


def test_a_censored_result_is_outside_only_on_the_side_it_bounds() -> None:
    band = _band(lh=(2.0, 4.0, 8.0))
    below_band = observations(_case([_lab(12, "lh", "<0.1")]), START)[0]
    bound_above_edge = observations(_case([_lab(12, "lh", "<3")]), START)[0]
    sd, side = outside_band_sd(below_band, band) or (0.0, "")
    assert side == "below" and sd == pytest.approx(math.log(20) / error_models()["lh"].sigma)
    assert outside_band_sd(bound_above_edge, band) == (0.0, "below")


def test_the_alert_names_rule_citation_and_result() -> None:
    case = _case([_t(6, 200)])
    (alert,) = judge_visit(_visit(case, 6, HCG_SERM), NO_BAND, alert_rules())
    assert alert.to_dict() == {
        "code": "raise_hcg", "rule": "ESC-HCG-T", "severity": "moderate",
        "message": "Testosterone 6.93 nmol/L at week 6.0: testosterone is still below "
                   "the lower limit on hCG: raise hCG within its range (up to 3000 IU every "
                   "other day) after checking adherence",
        "citation": "wenker2015; hsieh2013", "date": "2025-10-13",
        "observable": "testosterone_total", "value": pytest.approx(6.935, abs=1e-3),
        "unit": "nmol/L",
    }


def _file(**rule: Any) -> dict[str, Any]:
    base = {"id": "X-1", "code": "x", "severity": "info", "when": "lh > 1",
            "observable": "lh", "escalation": "ESC-AI"}
    return {"thresholds": {}, "rules": [{**base, **rule}]}


def test_an_unknown_escalation_is_refused_naming_the_rule() -> None:
    with pytest.raises(RuleError) as caught:
        parse_alert_rules(_file(escalation="ESC-NONE"))
    assert str(caught.value) == (
        "monitoring/data/alerts.yaml: X-1.escalation: 'ESC-NONE' is not a valid rule; "
        "expected an escalation id of protocol/data/plan.yaml")


def test_bad_syntax_and_unknown_thresholds_are_refused() -> None:
    with pytest.raises(RuleError) as syntax:
        parse_alert_rules(_file(when="lh >"))
    assert str(syntax.value).startswith("monitoring/data/alerts.yaml: X-1.when: 'lh >'")
    with pytest.raises(RuleError) as local:
        parse_alert_rules(_file(when='lh > evidence("monitoring.nope")'))
    assert "expected a key of the thresholds section" in str(local.value)
    with pytest.raises(UnknownCodeError):
        parse_alert_rules(_file(when='lh > evidence("lh.no_such_key")'))


def test_a_rule_without_escalation_needs_its_own_message_and_citations() -> None:
    with pytest.raises(RuleError) as caught:
        parse_alert_rules(_file(escalation=None))
    assert "expected a message and citations" in str(caught.value)


def test_weighted_quantiles_of_equal_weights_and_of_one_heavy_man() -> None:
    values = np.array([[1.0, 2.0, 3.0, 4.0]])
    equal = weighted_quantiles(values, np.ones(4), (0.05, 0.5, 0.95))
    assert equal[:, 0].tolist() == [1.0, 2.0, 4.0]  # the lower median of four
    heavy = weighted_quantiles(values, np.array([1e-9, 1.0, 1e-9, 1e-9]), (0.05, 0.5, 0.95))
    assert heavy[:, 0] == pytest.approx([2.0, 2.0, 2.0], abs=1e-6)


def test_a_forecast_payload_without_its_state_is_refused() -> None:
    from androcast.errors import ParameterError
    from androcast.monitoring import state_from_payload

    with pytest.raises(ParameterError) as caught:
        state_from_payload(NO_BAND.to_dict(), _case([]))
    assert str(caught.value).startswith("forecast payload: ['as_of', 'bands', ")
    assert str(caught.value).endswith(
        "is not a valid parameter; expected a payload of state_to_payload (its 'state', "
        "format 1)")
