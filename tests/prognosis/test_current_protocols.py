"""For a man on restoration drugs now, each protocol says what it means for him: his drug
continued at his dose, stopped, or another added (clinic suite c15: no alternative starts
hCG as a new drug; watchful waiting means stopping it and is labelled so)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from androcast import display
from androcast.labs import parse_case
from androcast.prognosis import get_protocol
from androcast.prognosis.current import CHANGES, change_of, for_him

AS_OF = dt.date(2026, 12, 7)


def _case(medications: list[Any]) -> Any:
    return parse_case({"patient": {"id": "M1", "age_years": 36}, "goal": "fertility",
                       "history": {"medications": medications}}, as_of=AS_OF)


ON_HCG = [{"agent": "hcg", "dose": "2000 IU", "every": "3 d", "start": "2026-06-01"}]


def test_without_a_current_drug_a_protocol_is_unchanged() -> None:
    hcg = get_protocol("hcg")
    assert for_him(hcg, _case([])) is hcg
    stopped = [{**ON_HCG[0], "stop": "2026-09-01"}]
    assert for_him(hcg, _case(stopped)) is hcg


def test_his_drug_is_continued_at_his_dose_and_waiting_stops_it() -> None:
    case = _case(ON_HCG)
    hcg = for_him(get_protocol("hcg"), case)
    assert hcg.change == "continue_current"
    assert hcg.regimen == ({"drug": "hcg", "dose": "2000 IU", "route": "sc", "every": "3 d",
                            "start": "0 d"},)
    assert hcg.name == "Continue his current hCG 2000 IU every 3 days (or titrate it)"
    waiting = for_him(get_protocol("watchful_waiting"), case)
    assert waiting.change == "stop_current" and waiting.regimen == ()
    assert waiting.name == "Stop hCG; no restoration drug"
    with_fsh = for_him(get_protocol("hcg_fsh"), case)
    assert with_fsh.change == "add_to_current"
    assert with_fsh.name.startswith("Continue his current hCG 2000 IU every 3 days; add FSH 150")
    assert [e["dose"] for e in with_fsh.regimen] == ["2000 IU", "150 IU"]


def test_a_protocol_without_his_drug_switches_from_it() -> None:
    on_clomiphene = _case([{"agent": "clomiphene_citrate", "dose": "50 mg", "every": "1 d",
                            "start": "2026-08-01"}])
    hcg = for_him(get_protocol("hcg"), on_clomiphene)
    assert hcg.change == "switch_from_current"
    assert hcg.name == "Start hCG 3000 IU every other day; stop Clomiphene"
    # the combined protocol keeps his clomiphene dose (50 mg), not the protocol's 25 mg
    both = for_him(get_protocol("hcg_serm"), on_clomiphene)
    assert both.change == "add_to_current"
    assert [e["dose"] for e in both.regimen] == ["3000 IU", "50 mg"]


@pytest.mark.parametrize(("drugs", "current", "code"), [
    (["hcg"], ["hcg"], "continue_current"),
    (["hcg", "fsh"], ["hcg"], "add_to_current"),
    (["hcg"], ["hcg", "clomiphene_citrate"], "change_current"),
    (["hcg"], ["clomiphene_citrate"], "switch_from_current"),
    ([], ["hcg"], "stop_current"),
])
def test_change_codes(drugs: list[str], current: list[str], code: str) -> None:
    assert change_of(drugs, current) == code


def test_every_change_has_words() -> None:
    assert set(CHANGES) <= display.known("regimen_change")


def test_a_dose_his_assessment_lowers_is_kept_lowered_not_at_his_dose() -> None:
    """c15 (clinical review): the first step lowers his hCG (adjust_hcg_dose, T 1,150 ng/dL
    on 3000 IU every other day), so the arms that keep hCG keep it halved
    (data/titration.yaml), and say so; never his current dose."""
    on_3000 = _case([{"agent": "hcg", "dose": "3000 IU", "every": "2 d", "start": "2026-06-01"}])
    hcg = for_him(get_protocol("hcg"), on_3000, ["adjust_hcg_dose", "repeat_semen_analysis"])
    assert hcg.change == "continue_current"
    assert [(e["dose"], e["every"]) for e in hcg.regimen] == [("1500 IU", "2 d")]
    assert hcg.name.startswith("Lower his current hCG 3000 IU every other day to 1500 IU "
                               "every other day")
    with_fsh = for_him(get_protocol("hcg_fsh"), on_3000, ["adjust_hcg_dose"])
    assert [e["dose"] for e in with_fsh.regimen] == ["1500 IU", "150 IU"]
    # without the action his dose is kept as it is
    assert for_him(get_protocol("hcg"), on_3000).regimen[0]["dose"] == "3000 IU"


def test_a_lowered_dose_never_stays_above_the_protocols_own() -> None:
    """6000 IU daily halved is still 3000 IU daily, above the protocol's 3000 IU every other
    day: the arm takes the protocol's dose."""
    on_6000 = _case([{"agent": "hcg", "dose": "6000 IU", "every": "1 d", "start": "2026-06-01"}])
    hcg = for_him(get_protocol("hcg"), on_6000, ["adjust_hcg_dose"])
    assert [(e["dose"], e["every"]) for e in hcg.regimen] == [("3000 IU", "2 d")]
    assert hcg.name.startswith("Lower his current hCG 6000 IU daily to 3000 IU every other day")
