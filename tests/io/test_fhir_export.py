"""The FHIR export (issue 18, item 5): LOINC codes with LOINC's displays, the semen analysis as
the LOINC semen analysis panel (13361-1) with one member Observation per parameter and a
DiagnosticReport grouping it, the reference range in the unit of the value beside it; and the
import reading all of it back."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle

from androcast.errors import AndrocastError
from androcast.io.fhir import export_bundle, parse_bundle, parse_bundle_entries
from androcast.labs import load_case
from androcast.store import chart_from_case

EXAMPLES = Path(__file__).parents[2] / "examples"
AS_OF = dt.date(2025, 11, 1)
LOINC = "http://loinc.org"


def _export(name: str = "post_trt") -> dict[str, Any]:
    case = load_case(EXAMPLES / "cases" / f"{name}.yaml", as_of=AS_OF)
    return export_bundle(chart_from_case(case))


def _resources(bundle: dict[str, Any], kind: str) -> list[tuple[str, dict[str, Any]]]:
    return [(e["fullUrl"], e["resource"]) for e in bundle["entry"]
            if e["resource"]["resourceType"] == kind]


def _loinc(resource: dict[str, Any]) -> str | None:
    return next((k["code"] for k in resource["code"]["coding"] if k["system"] == LOINC), None)


def test_the_semen_analysis_is_the_loinc_panel_with_its_members_and_a_report() -> None:
    bundle = _export()
    Bundle.model_validate(bundle)
    observations = _resources(bundle, "Observation")
    panels = [(url, r) for url, r in observations if _loinc(r) == "13361-1"]
    assert len(panels) == 1
    url, panel = panels[0]
    assert panel["code"]["coding"][0]["display"] == "Semen analysis panel"
    assert "valueQuantity" not in panel and "component" not in panel
    by_url = dict(observations)
    members = [by_url[m["reference"]] for m in panel["hasMember"]]
    # post_trt: 2.5 mL, azoospermic (0 M/mL); motility and morphology not measured
    assert [(_loinc(m), m["valueQuantity"]["value"], m["valueQuantity"]["code"])
            for m in members] == [("3160-9", 2.5, "mL"), ("9780-8", 0.0, "10*6/mL")]
    assert [m["code"]["coding"][0]["display"] for m in members] == [
        "Volume of Semen", "Spermatozoa [#/volume] in Semen"]
    assert all(m["effectiveDateTime"] == panel["effectiveDateTime"] == "2025-10-20"
               for m in members)
    (_, report), = _resources(bundle, "DiagnosticReport")
    assert report["result"] == [{"reference": url}]
    assert _loinc(report) == "13361-1" and report["status"] == panel["status"] == "final"
    assert report["effectiveDateTime"] == "2025-10-20"
    assert report["category"][0]["coding"][0]["code"] == "LAB"


def test_the_panel_round_trips_strictly_and_two_samples_of_one_day_stay_two() -> None:
    case = load_case(EXAMPLES / "cases" / "post_trt.yaml", as_of=AS_OF)
    second = dataclasses.replace(case.semen[0], concentration_m_per_ml=0.4, volume_ml=1.9)
    twice = dataclasses.replace(case, semen=(case.semen[0], second))
    bundle = export_bundle(chart_from_case(twice))
    (chart,) = parse_bundle(bundle, as_of=AS_OF)  # strict: the report is not an unknown type
    assert sorted(s.concentration_m_per_ml for s in chart.to_case(as_of=AS_OF).semen) == [
        0.0, 0.4]
    assert [s.item for s in chart.semen] == [s.item for s in chart_from_case(twice).semen]


def test_lab_codes_carry_loinc_displays_and_the_interval_is_in_the_reported_unit() -> None:
    bundle = _export()
    labs = {_loinc(r): r for _, r in _resources(bundle, "Observation") if "valueQuantity" in r}
    testosterone = labs["2986-8"]  # reported in ng/dL: the mass code
    assert testosterone["code"]["coding"][0]["display"] == (
        "Testosterone [Mass/volume] in Serum or Plasma")
    assert testosterone["code"]["text"] == "Total testosterone"
    value = testosterone["valueQuantity"]
    assert (value["value"], value["code"]) == (95, "ng/dL")
    interval = testosterone["referenceRange"][0]
    # Bhasin 2018 (Endocrine Society, harmonised range, Travison 2017): 264-916 ng/dL, which
    # the catalogue keeps as 9.153-31.76 nmol/L; written back in ng/dL beside the value.
    assert interval["low"]["code"] == interval["high"]["code"] == "ng/dL"
    assert interval["low"]["value"] == pytest.approx(264, rel=2e-3)
    assert interval["high"]["value"] == pytest.approx(916, rel=2e-3)
    assert labs["10501-5"]["code"]["coding"][0]["display"] == (
        "Lutropin [Units/volume] in Serum or Plasma")


def test_a_diagnostic_report_of_anything_but_one_panel_is_reported_not_kept() -> None:
    bundle = _export()
    labs = [url for url, r in _resources(bundle, "Observation") if "valueQuantity" in r]
    (_, report), = _resources(bundle, "DiagnosticReport")
    other = copy.deepcopy(bundle)
    for entry in other["entry"]:
        if entry["resource"]["resourceType"] == "DiagnosticReport":
            entry["resource"]["result"] = [{"reference": u} for u in labs[:2]]
    parsed = parse_bundle_entries(other, as_of=AS_OF)
    (skipped,) = parsed.skipped
    assert skipped.resource_type == "DiagnosticReport"
    assert "semen analysis panel" in skipped.reason
    with pytest.raises(AndrocastError) as err:
        parse_bundle(other, as_of=AS_OF)
    assert err.value.field.endswith(".resourceType")
    assert parse_bundle_entries(bundle, as_of=AS_OF).skipped == ()
    assert report["result"][0]["reference"] not in labs


def test_sample_time_fasting_semen_ph_and_the_couple_travel_in_the_bundle() -> None:
    case = load_case(EXAMPLES / "cases" / "female_factor.yaml", as_of=AS_OF)
    bundle = export_bundle(chart_from_case(case))
    Bundle.model_validate(bundle)
    (chart,) = parse_bundle(bundle, as_of=AS_OF)
    back = chart.to_case(as_of=AS_OF)
    morning = [(r.time.isoformat(), r.fasting) for r in back.labs if r.time is not None]
    assert morning == [("08:30:00", True), ("08:15:00", True)]  # as the case file says
    assert back.semen[0].ph == 7.6
    assert back.partner is not None and back.partner.age_years == 33
    assert back.partner.evaluation == "abnormal"
    assert back.history.reproductive is not None
    assert (back.history.reproductive.infertility_months, back.history.reproductive.children) == (
        14, 0)
    assert back == case  # everything of this case file comes back
