"""Reading regimen files: accepted spellings and the exact message of every refusal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from androcast.drugs import drug_codes
from androcast.errors import (
    DoseRangeError,
    InputFileError,
    RegimenError,
    UnitError,
    UnknownCodeError,
)
from androcast.regimens import Regimen, RegimenEntry, load_regimen, parse_regimen

HCG = {"drug": "hcg", "dose": "1500 IU", "route": "sc", "every": "2 d", "duration": "30 d"}


def _one(**changes: Any) -> dict[str, Any]:
    entry = {**HCG, **changes}
    return {k: v for k, v in entry.items() if v is not None}


def test_design_md_example_parses_to_days_and_route_units() -> None:
    regimen = parse_regimen(
        [
            {"drug": "testosterone_cypionate", "dose": "200 mg", "route": "im",
             "every": "7 d", "start": "-540 d", "stop": "0 d"},
            {"drug": "clomiphene_citrate", "dose": "25 mg", "route": "oral", "every": "1 d",
             "start": "0 d", "duration": "180 d"},
            {"drug": "gonadorelin", "dose": "5 ug", "route": "sc_pump", "every": "90 min",
             "start": "0 d", "duration": "4 wk"},
        ]
    )  # fmt: skip
    tc, cc, pump = regimen.entries
    assert tc == RegimenEntry("testosterone_cypionate", 200.0, "mg", "im", 7.0, -540.0, 0.0)
    assert cc.stop_d == 180.0 and cc.every_d == 1.0
    assert pump.every_d == pytest.approx(90 / 1440) and pump.stop_d == 28.0


def test_doses_are_converted_to_the_route_unit() -> None:
    regimen = parse_regimen([_one(dose="1.5 kIU")])
    assert regimen.entries[0].dose == pytest.approx(1500.0)
    gonadorelin = parse_regimen(
        [{"drug": "gonadorelin", "dose": "0.005 mg", "route": "sc_pump", "every": "2 h",
          "duration": "1 d"}]
    )  # fmt: skip
    assert gonadorelin.entries[0].dose == pytest.approx(5.0)
    assert gonadorelin.entries[0].dose_unit == "ug"


def test_single_dose_without_every_is_given_once_at_start() -> None:
    entry = parse_regimen([{"drug": "hcg", "dose": "6000 IU", "route": "im", "start": "3 d"}])
    assert entry.entries[0].every_d is None
    assert entry.entries[0].start_d == entry.entries[0].stop_d == 3.0


def test_route_may_be_omitted_when_the_drug_has_one() -> None:
    regimen = parse_regimen([{"drug": "anastrozole", "dose": "1 mg", "every": "1 d",
                              "duration": "12 wk"}])  # fmt: skip
    assert regimen.entries[0].route == "oral"


def test_infusion_rate_is_an_amount_per_day() -> None:
    regimen = parse_regimen(
        [{"drug": "gonadorelin", "rate": "3.33 ug/h", "route": "iv_infusion", "duration": "7 d"}]
    )
    assert regimen.entries[0].dose == pytest.approx(79.92)
    assert regimen.entries[0].every_d == 1.0


def test_empty_file_is_watchful_waiting() -> None:
    assert parse_regimen(None) == Regimen(()) == parse_regimen([])


def test_implausible_clomiphene_dose_names_drug_and_range() -> None:
    with pytest.raises(DoseRangeError) as err:
        parse_regimen([{"drug": "clomiphene_citrate", "dose": "5 g", "route": "oral",
                        "every": "1 d", "duration": "30 d"}])  # fmt: skip
    assert str(err.value) == (
        "regimen[0].dose: '5 g' is outside the accepted dose range; expected 12.5-150 mg per "
        "administration of clomiphene_citrate by the oral route "
        "(serms.typical_doses.clomiphene; katz2012; vermeulen1978)"
    )


def test_gel_range_stays_per_application_though_released_as_a_rate() -> None:
    gel = {"drug": "testosterone_gel", "route": "transdermal", "every": "1 d",
           "duration": "30 d"}
    assert parse_regimen([{**gel, "dose": "100 mg"}]).entries[0].dose == 100.0
    with pytest.raises(DoseRangeError) as err:
        parse_regimen([{**gel, "dose": "150 mg"}])
    assert str(err.value) == (
        "regimen[0].dose: '150 mg' is outside the accepted dose range; expected 25-100 mg per "
        "administration of testosterone_gel by the transdermal route (androgel_label)"
    )


def test_infusion_range_is_per_day() -> None:
    with pytest.raises(DoseRangeError) as err:
        parse_regimen([{"drug": "gonadorelin", "rate": "5000 ug/d", "route": "iv_infusion",
                        "duration": "30 d"}])  # fmt: skip
    assert str(err.value) == (
        "regimen[0].rate: '5000 ug/d' is outside the accepted dose range; expected 10-1800 ug "
        "per day of gonadorelin by the iv_infusion route (liu1988; gnrh_pump1982)"
    )


def test_unknown_drug_lists_the_known_codes() -> None:
    with pytest.raises(UnknownCodeError) as err:
        parse_regimen([_one(drug="clomifene")])
    assert str(err.value) == (
        "regimen[0].drug: 'clomifene' is not a known code; expected one of: "
        + ", ".join(drug_codes())
    )


def test_route_the_drug_lacks_lists_its_routes() -> None:
    with pytest.raises(RegimenError) as err:
        parse_regimen([_one(route="oral")])
    assert str(err.value) == (
        "regimen[0].route: 'oral' is not a valid regimen entry; expected one of: sc, im"
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"start": "10 d", "stop": "5 d", "duration": None},
            "regimen[0].stop: '5 d' is not a valid regimen entry; "
            "expected a stop on or after the start (10 d)",
        ),
        (
            {"every": None, "duration": None, "stop": "30 d"},
            "regimen[0].every: None is not a valid regimen entry; "
            "expected an interval for a dose repeated until stop",
        ),
        (
            {"duration": None},
            "regimen[0].stop: None is not a valid regimen entry; "
            "expected a stop or a duration for a repeated dose",
        ),
        (
            {"stop": "4 d"},
            "regimen[0].duration: '30 d' is not a valid regimen entry; "
            "expected either stop or duration",
        ),
        (
            {"freq": "x"},
            "regimen[0].freq: 'x' is not a valid regimen entry; expected one of the keys "
            "drug, dose, route, every, start, stop, duration, rate",
        ),
        (
            {"every": "0 d"},
            "regimen[0].every: '0 d' is not a valid regimen entry; expected a positive interval",
        ),
        (
            {"every": "14 d"},
            "regimen[0].every: '14 d' is not a valid regimen entry; expected an interval of "
            "1-7 d for the sc route (roth2010; coviello2005; wenker2015; hcg_biphasic)",
        ),
        (
            {"dose": "-5 IU"},
            "regimen[0].dose: '-5 IU' is not a valid regimen entry; expected a positive amount",
        ),
    ],
)
def test_invalid_entries_are_regimen_errors(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(RegimenError) as err:
        parse_regimen([_one(**changes)])
    assert str(err.value) == message


def test_pump_interval_outside_60_to_180_min() -> None:
    with pytest.raises(RegimenError) as err:
        parse_regimen([{"drug": "gonadorelin", "dose": "5 ug", "route": "sc_pump",
                        "every": "10 min", "duration": "30 d"}])  # fmt: skip
    assert str(err.value) == (
        "regimen[0].every: '10 min' is not a valid regimen entry; expected an interval of "
        "60-180 min for the sc_pump route (gnrh_pump1982; liu1988)"
    )


def test_infusion_needs_an_interval_or_a_rate() -> None:
    with pytest.raises(RegimenError) as err:
        parse_regimen([{"drug": "gonadorelin", "dose": "80 ug", "route": "iv_infusion",
                        "duration": "30 d"}])  # fmt: skip
    assert str(err.value) == (
        "regimen[0].every: None is not a valid regimen entry; "
        "expected an interval for the iv_infusion amount, or a rate"
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"dose": "1500 mg"},
         "regimen[0].dose: '1500 mg' is not a usable unit; expected a dose convertible to IU"),
        ({"dose": 1500},
         "regimen[0].dose: 1500 is not a usable unit; expected a dose in IU such as '10 IU'"),
        ({"every": "2 kg"},
         "regimen[0].every: '2 kg' is not a usable unit; "
         "expected a time such as '7 d', '90 min', '2 wk' or '-540 d'"),
        ({"start": "2024-03-01"},
         "regimen[0].start: '2024-03-01' is not a usable unit; "
         "expected a time such as '7 d', '90 min', '2 wk' or '-540 d'"),
    ],
)  # fmt: skip
def test_quantities_without_a_usable_unit_are_unit_errors(
    changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(UnitError) as err:
        parse_regimen([_one(**changes)])
    assert str(err.value) == message


def test_file_must_hold_a_list() -> None:
    with pytest.raises(InputFileError) as err:
        parse_regimen({"drug": "hcg"}, source="r.yaml")
    assert str(err.value) == "r.yaml: 'dict' cannot be read; expected a list of regimen entries"


def test_load_regimen_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text("- {drug: hcg, dose: 99999 IU, route: sc, every: 2 d, duration: 1 wk}\n")
    with pytest.raises(DoseRangeError) as err:
        load_regimen(path)
    assert str(err.value).startswith("plan.yaml[0].dose: '99999 IU' is outside")


def test_missing_file_is_an_input_file_error(tmp_path: Path) -> None:
    with pytest.raises(InputFileError) as err:
        load_regimen(tmp_path / "none.yaml")
    assert str(err.value).startswith("regimen: ")
    assert "cannot be read; expected a readable regimen file" in str(err.value)


def test_a_cached_quantity_is_still_checked_against_each_route_unit() -> None:
    # '200 mg' is parsed once and cached (per text and unit): hCG, dosed in IU, must still
    # refuse it, every time, naming its field
    te = {"drug": "testosterone_enanthate", "dose": "200 mg", "route": "im", "every": "7 d",
          "duration": "28 d"}
    assert parse_regimen([te]).entries[0].dose == 200.0
    for _ in range(2):
        with pytest.raises(UnitError) as err:
            parse_regimen([_one(dose="200 mg")])
        assert str(err.value) == (
            "regimen[0].dose: '200 mg' is not a usable unit; expected a dose convertible to IU")
