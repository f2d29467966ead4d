"""The suite's global checks, Assessment part: G-PARSE, G-PARTNER, G-PATERNAL-AGE, G-UNITS
and G-CURRENT-MEDS (the plan and forecast parts live with the plan checks)."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import pytest
from typer.testing import CliRunner

from androcast.cli import app
from androcast.errors import AndrocastError
from androcast.interpret import interpret
from androcast.labs import analyte, parse_case
from androcast.units import convert

from .suite import (
    AS_OF,
    AS_OF_DATE,
    assessment,
    case_data,
    case_ids,
    case_path,
    codes,
    expected,
    run_json,
)

NEW_ANALYTES = (
    "hematocrit",
    "psa",
    "alt",
    "ferritin",
    "transferrin_saturation",
    "cortisol_morning",
    "prolactin_monomeric",
    "prolactin_peg_recovery_pct",
)
RESTORATION_DRUGS = (
    "hcg",
    "fsh",
    "clomiphene_citrate",
    "enclomiphene",
    "tamoxifen",
    "anastrozole",
    "letrozole",
    "gonadorelin",
)
_RULES_PENDING = (
    "the interpretation rules for the suite's new codes (issue 15 part 2) have not landed yet"
)
GAPS: Mapping[tuple[str, str], str] = {}


def _params(check: str, ids: tuple[str, ...]) -> list[Any]:
    out = []
    for case_id in ids:
        reason = GAPS.get((case_id, check))
        marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
        out.append(pytest.param(case_id, id=case_id, marks=marks))
    return out


# G-PARSE -----------------------------------------------------------------------------


@pytest.mark.parametrize("case_id", case_ids())
def test_g_parse_every_case_reads(case_id: str) -> None:
    report = run_json("labs", str(case_path(case_id)))
    assert report["patient"]["id"].lower() == case_id


def test_g_parse_labs_lists_every_new_analyte_with_interval_and_source() -> None:
    rows = {row["analyte"]: row for row in run_json("labs")["analytes"]}
    for key in NEW_ANALYTES:
        row = rows[key]
        assert row["canonical_unit"] == analyte(key).canonical_unit
        reference = row["reference"]
        if reference["low"] is None and reference["high"] is None:
            # no population interval exists: the output says the laboratory's is needed
            assert "laboratory" in reference["population"], key
        else:
            assert reference["source"] not in ("", "none"), key


@pytest.mark.parametrize(
    ("where", "change"),
    [
        ("exam.pupils", lambda d: d.setdefault("exam", {}).update(pupils="equal")),
        ("exam.visual_fields", lambda d: d.setdefault("exam", {}).update(visual_fields="tunnel")),
        ("partner.evaluation", lambda d: d["partner"].update(evaluation="fine")),
        ("history.conditions[0]", lambda d: d["history"].update(conditions=["hay_fever"])),
        ("semen[0].colour", lambda d: d["semen"][0].update(colour="grey")),
        ("labs[0].time", lambda d: d["labs"][0].update(time="8am")),
    ],
)
def test_g_parse_unknown_keys_and_codes_stay_errors(where: str, change: Any) -> None:
    data = copy.deepcopy(case_data("c11"))
    change(data)
    with pytest.raises(AndrocastError) as caught:
        parse_case(data, as_of=AS_OF_DATE)
    assert str(caught.value).startswith(where)


# G-PARTNER and G-PATERNAL-AGE ---------------------------------------------------------


def _wants_fertility(case_id: str) -> bool:
    return case_data(case_id).get("goal", "fertility") in ("fertility", "both")


@pytest.mark.parametrize(
    "case_id", _params("G-PARTNER", tuple(c for c in case_ids() if _wants_fertility(c)))
)
def test_g_partner_evaluation(case_id: str) -> None:
    assert "female_partner_evaluation" in codes(assessment(case_id)["actions"])


def _older(case_id: str) -> bool:
    return _wants_fertility(case_id) and case_data(case_id)["patient"].get("age_years", 0) >= 40


@pytest.mark.parametrize("case_id", _params("G-PATERNAL-AGE", tuple(filter(_older, case_ids()))))
def test_g_paternal_age(case_id: str) -> None:
    result = assessment(case_id)
    assert "advanced_paternal_age" in codes(result["findings"])
    assert "paternal_age_counseling" in codes(result["actions"])


@pytest.mark.parametrize("case_id", [c for c in case_ids() if not _older(c)][:3])
def test_g_paternal_age_not_raised_below_40(case_id: str) -> None:
    assert "paternal_age_counseling" not in codes(assessment(case_id)["actions"])


# G-UNITS ------------------------------------------------------------------------------


def _in_canonical_units(data: dict[str, Any]) -> dict[str, Any]:
    """The same case with every result and laboratory interval in its canonical unit."""
    parsed = parse_case(data, as_of=AS_OF_DATE)
    out = copy.deepcopy(data)
    for raw, result in zip(out.get("labs", []), _in_file_order(data, parsed), strict=True):
        raw["value"] = f"{result.censor}{result.value!r}" if result.censor else result.value
        raw["unit"] = result.unit
        if "reference" in raw:
            interval = result.reference
            raw["reference"] = {
                "low": interval.low,
                "high": interval.high,
                "unit": interval.unit,
                "source": interval.source,
                "population": interval.population,
            }
    for key, interval in (out.get("reference_intervals") or {}).items():
        unit = analyte(key).canonical_unit
        out["reference_intervals"][key] = {
            **interval,
            "low": convert(interval["low"], interval["unit"], unit, analyte=key),
            "high": convert(interval["high"], interval["unit"], unit, analyte=key),
            "unit": unit,
        }
    return out


def _in_file_order(data: dict[str, Any], parsed: Any) -> list[Any]:
    """Parsed results in the order the file lists them (the Case sorts them by date)."""
    remaining = list(parsed.labs)
    ordered = []
    for raw in data.get("labs", []):
        match = next(
            r
            for r in remaining
            if r.analyte == raw["analyte"]
            and r.date.isoformat() == str(raw["date"])
            and r.reported_unit == raw["unit"]
        )
        remaining.remove(match)
        ordered.append(match)
    return ordered


def _essence(result: Any) -> dict[str, Any]:
    data = result.to_dict()
    return {
        "pattern": data["pattern"],
        "causes": [(c["code"], c["confidence"]) for c in data["causes"]],
        "findings": sorted(codes(data["findings"])),
        "actions": sorted(codes(data["actions"])),
        "cautions": sorted(codes(data["cautions"])),
        "prognosis": data["prognosis"]["class"],
    }


@pytest.mark.parametrize("case_id", _params("G-UNITS", case_ids()))
def test_g_units_same_assessment_in_canonical_units(case_id: str) -> None:
    data = case_data(case_id)
    original = interpret(parse_case(data, as_of=AS_OF_DATE))
    canonical = interpret(parse_case(_in_canonical_units(data), as_of=AS_OF_DATE))
    assert _essence(canonical) == _essence(original)


# G-CURRENT-MEDS (Assessment) ----------------------------------------------------------


def _current_restoration(case_id: str) -> bool:
    meds = case_data(case_id).get("history", {}).get("medications") or []
    return any(
        isinstance(m, dict) and m.get("agent") in RESTORATION_DRUGS and m.get("stop") is None
        for m in meds
    )


@pytest.mark.parametrize(
    "case_id", _params("G-CURRENT-MEDS", tuple(filter(_current_restoration, case_ids())))
)
def test_g_current_meds_in_findings_and_pattern(case_id: str) -> None:
    result = assessment(case_id)
    assert "current_restoration_therapy" in codes(result["findings"])
    assert result["pattern"] == "on_treatment"


def test_g_current_meds_covers_the_suites_cases() -> None:
    assert [c for c in case_ids() if _current_restoration(c)] == ["c15", "c16"]


def test_as_of_is_the_suites_date() -> None:
    result = CliRunner().invoke(app, ["interpret", str(case_path("c19")), "--as-of", AS_OF])
    assert result.exit_code == 0


# G-DECLINE (Assessment part) -----------------------------------------------------------

DECLINE_GAPS: Mapping[str, str] = {}


def _decline_params() -> list[Any]:
    out = []
    for case_id in case_ids():
        reason = DECLINE_GAPS.get(case_id)
        marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
        out.append(pytest.param(case_id, id=case_id, marks=marks))
    return out


@pytest.mark.parametrize("case_id", _decline_params())
def test_g_decline_assessment_declines_where_the_suite_draws_no_curves(case_id: str) -> None:
    """The Assessment is the one source of the decline the forecast and the plan repeat."""
    forecast = expected(case_id)["forecast"]
    prognosis = assessment(case_id)["prognosis"]
    declined = prognosis.get("declined")
    if isinstance(forecast, dict):
        assert declined is not None, prognosis
        assert declined["reason"] in forecast["no_curves_reason"], declined
        assert declined["text"] and declined["reason"] in prognosis["basis"]
    else:
        assert declined is None, declined
