"""The plan compares natural attempts under each protocol with assisted reproduction now
where the couple's time is short or the partner older (issue 22)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from androcast.errors import ParameterError
from androcast.evidence import bibliography
from androcast.labs import parse_case
from androcast.protocol import plan
from androcast.protocol.art import default_art_table, load_art_table

EXAMPLE = resources.files("androcast").joinpath("examples/cases/idiopathic_oligozoospermia.yaml")


def _plan(partner_age: float, months: float, **kwargs: Any) -> dict[str, Any]:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data |= {"partner": {"age_years": partner_age}, "goal_within_months": months}
    return plan(parse_case(data), n=12, **kwargs).to_dict()


@pytest.fixture(scope="module")
def older_short() -> dict[str, Any]:
    return _plan(40, 6)


def _first(p: dict[str, Any]) -> list[str]:
    return [a["code"] for a in p["phases"][0]["actions"]]


def test_a_40_year_old_partner_and_6_months_get_art_discussed_first(
        older_short: dict[str, Any]) -> None:
    assert "art_counseling" in _first(older_short)
    art = older_short["art_comparison"]
    assert art["horizon_months"] == 6.0 and art["partner_age_years"] == 40.0
    assert "partner aged 40" in art["why"] and "goal within 6 months" in art["why"]
    offered = {a["id"] for a in older_short["alternatives"]}
    assert {r["protocol"] for r in art["natural"]} == offered
    for row in art["natural"]:
        low, high = row["interval_90"]
        assert 0.0 <= low <= row["probability"] <= high <= 1.0
    now = art["art_now"]
    # cdc2011_art Figure 39: 22.7 % of transfers of fresh own-egg embryos at age 40
    assert (now["live_birth"], now["source"], now["sperm"]) == (0.227, "cdc2011_art",
                                                                "current_or_banked")
    assert "clinic's to supply" in art["note"]
    assert {"cdc2011_art", "wesselink2017", "schlegel2021"} <= set(art["citations"])


def test_a_29_year_old_partner_with_24_months_does_not_need_art_first() -> None:
    p = _plan(29, 24)
    assert "art_counseling" not in _first(p)
    assert p["art_comparison"] is None


def test_the_clinics_own_table_replaces_the_default(tmp_path: Path) -> None:
    path = tmp_path / "clinic.yaml"
    path.write_text(yaml.safe_dump({"source_kind": "our clinic, 2025", "bands": [
        {"low": 18, "high": 38, "live_birth": 0.4, "measure": "per egg retrieval",
         "source": "our clinic 2025"},
        {"low": 38, "high": None, "live_birth": 0.22, "measure": "per egg retrieval",
         "source": "our clinic 2025"}]}), encoding="utf-8")
    art = _plan(40, 6, art_table=load_art_table(path))["art_comparison"]
    assert art["art_now"]["live_birth"] == 0.22
    assert art["art_now"]["table_kind"] == "our clinic, 2025"
    assert "cdc2011_art" not in art["citations"]


def test_a_bad_clinic_table_names_every_bad_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({"bands": [
        {"low": 18, "high": 10, "live_birth": 1.4, "source": "x"},
        {"low": 40, "live_birth": None, "source": "x"}]}), encoding="utf-8")
    with pytest.raises(ParameterError) as err:
        load_art_table(path)
    message = str(err.value)
    for field in ("bands[0].high", "bands[0].live_birth", "bands[1].why"):
        assert field in message


def test_the_default_table_cites_every_figure_and_blocks_the_bands_no_source_gives() -> None:
    table = default_art_table()
    assert {b.source for b in table.bands} <= set(bibliography())
    # cdc2011_art Figure 39 per transfer: 46.3 % at 30, 40.2 % at 35, 19.0 % at 41;
    # hfea2018: "below 5 %" per embryo transferred from 43 (an upper bound)
    for age, rate in ((30, 0.463), (35, 0.402), (41, 0.19)):
        band = table.band(age)
        assert band is not None and band.live_birth == rate and band.source == "cdc2011_art"
    old = table.band(44)
    assert old is not None and old.live_birth == 0.05 and old.at_most
    assert old.source == "hfea2018"
    blocked = table.band(42)  # its figure was not retrieved: blocked, not filled in
    assert blocked is not None and blocked.live_birth is None and blocked.why
    ages = [b.low for b in table.bands]
    assert ages == sorted(ages) and all(  # bands tile the ages without gaps
        a.high == b.low for a, b in zip(table.bands, table.bands[1:], strict=False))


def test_where_no_protocol_is_offered_the_comparison_says_so_and_keeps_art() -> None:
    path = resources.files("androcast").joinpath("examples/cases/primary_testicular_failure.yaml")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data |= {"partner": {"age_years": 41}, "goal_within_months": 6}
    p = plan(parse_case(data), n=8).to_dict()
    assert p["alternatives"] == []
    art = p["art_comparison"]
    assert art["natural"] == [] and "no hormonal protocol is offered" in art["natural_note"]
    assert art["art_now"]["live_birth"] == 0.19  # cdc2011_art Figure 39 at 41
    assert "art_counseling" in _first(p)
