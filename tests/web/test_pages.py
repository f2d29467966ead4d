"""Pages: a new patient in mixed units, field-level errors, follow-up results, FHIR, report."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from webhelpers import TODAY, csrf_of, example

from androcast.interpret import interpret
from androcast.labs import analyte, load_case

ClientFor = Callable[[str], TestClient]


def _case_form(token: str, identifier: str) -> dict[str, str | list[str]]:
    """A post-TRT man whose panel came in mixed US and SI units."""
    return {
        "csrf_token": token,
        "patient.id": identifier,
        "patient.age_years": "36",
        "patient.bmi": "26",
        "patient.testis_volume_ml.left": "14",
        "patient.testis_volume_ml.right": "13",
        "goal": "fertility",
        "history.androgens[0].agent": "testosterone_enanthate",
        "history.androgens[0].dose": "250",
        "history.androgens[0].dose_unit": "mg",
        "history.androgens[0].every_d": "7",
        "history.androgens[0].start": "2024-01-01",
        "history.androgens[0].stop": "2025-08-01",
        "history.conditions": ["low_libido", "fatigue"],
        "labs[0].date": "2025-10-01",
        "labs[0].analyte": "testosterone_total",
        "labs[0].value": "3.1",
        "labs[0].unit": "nmol/L",
        "labs[1].date": "2025-10-01",
        "labs[1].analyte": "lh",
        "labs[1].value": "0.2",
        "labs[1].unit": "m[IU]/mL",
        "labs[2].date": "2025-10-01",
        "labs[2].analyte": "fsh",
        "labs[2].value": "<0.3",
        "labs[2].unit": "[IU]/L",
        "labs[3].date": "2025-10-01",
        "labs[3].analyte": "estradiol",
        "labs[3].value": "11",
        "labs[3].unit": "pg/mL",
        "labs[4].date": "2025-10-01",
        "labs[4].analyte": "prolactin",
        "labs[4].value": "210",
        "labs[4].unit": "m[IU]/L",
        "labs[5].date": "2025-10-01",
        "labs[5].analyte": "shbg",
        "labs[5].value": "",  # an empty row is skipped
        "labs[5].unit": "nmol/L",
        "semen[0].date": "2025-10-03",
        "semen[0].volume_ml": "2.8",
        "semen[0].concentration_m_per_ml": "0",
    }


def test_new_patient_in_mixed_units_is_stored_in_canonical_units_and_assessed(
    client_for: ClientFor,
) -> None:
    alice = client_for("alice")
    token = csrf_of(alice.get("/patients/new").text)
    created = alice.post("/patients/new", data=_case_form(token, "W-100"), follow_redirects=False)
    assert created.status_code == 303 and created.headers["location"] == "/patients/W-100"
    raw = alice.get("/patients/W-100").text
    page = html.unescape(raw)
    # 0.2 mIU/mL of LH is 0.2 IU/L; 210 mIU/L of prolactin is 9.91 ng/mL (21.2 mIU/L per
    # ng/mL, WHO 84/500); 3.1 nmol/L testosterone stays 3.1 nmol/L. The flowsheet shows
    # each in the analyte's unit, what the laboratory reported on pointing at it.
    rows = _flowsheet(raw)
    assert rows["LH"][:3] == ["IU/L", "2.2–11.6", "0.2 L"]
    assert 'title="reported 0.2 mIU/mL"' in page and 'title="reported 210 mIU/L"' in page
    assert rows["Prolactin"][0] == "ng/mL" and "9.91" in rows["Prolactin"][2]
    assert rows["FSH"][2] == "<0.3 L"  # censored as reported
    assert rows["Testosterone/oestradiol ratio"][2] == "8.13 L"  # 3.1 nmol/L over 11 pg/mL
    assert rows["WHO 2021 class"][3] == "Azoospermia"
    assert rows["Testosterone"][1] == "9.2–31.8"  # 9.153-31.76 nmol/L as labs print it
    assert "Testosterone enanthate 250 mg weekly (2024-01-01 to 2025-08-01)" in page
    assert 'data-code="exogenous_suppression">Suppressed by androgens<' in page
    # one value, after androgens: severely low (bhasin2018), not yet "low testosterone",
    # which needs two morning values (T-LOW-1, mulhall2018)
    assert "Severely low testosterone" in page and "bhasin2018" in page  # each finding cited
    assert "Rule T-SEVERE-1: how it was reached" in page  # its logic folded away
    assert "Avoid testosterone therapy" in page
    for code in ("exogenous_suppression", "avoid_testosterone_therapy", "[IU]", "_total"):
        assert code not in _text(page), code  # codes stay in attributes and JSON
    assert 'id="timeline-figure"' in page and "For healthcare professionals" in page
    figure = json.loads(re.search(r'id="timeline-figure">(.*?)</script>', page, re.S).group(1))
    titles = [a["text"] for a in figure["layout"]["annotations"]]
    assert titles[:4] == ["<b>Treatment</b>", "<b>Testosterone (nmol/L)</b>", "<b>LH (IU/L)</b>",
                          "<b>FSH (IU/L)</b>"]


def _text(page: str) -> str:
    """What a person reads: the page without tags, scripts and attributes."""
    page = re.sub(r"<script.*?</script>", "", page, flags=re.S)
    page = re.sub(r'<details class="logic">.*?</details>', "", page, flags=re.S)  # on request
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def _flowsheet(page: str) -> dict[str, list[str]]:
    """The flowsheet's rows by test name: unit, reference and one cell per date."""
    table = re.search(r'data-testid="flowsheet">(.*?)</table>', page, re.S)
    assert table, "the page has a flowsheet"
    rows = {}
    for row in re.findall(r"<tr data-row[^>]*>(.*?)</tr>", table.group(1), re.S):
        cells = [" ".join(_text(c).split()) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>",
                                                               row, re.S)]
        rows[cells[0]] = cells[1:]
    return rows


def test_invalid_inputs_are_named_next_to_their_fields_and_kept(client_for: ClientFor) -> None:
    alice = client_for("alice")
    token = csrf_of(alice.get("/patients/new").text)
    form = _case_form(token, "W-101")
    form.update(
        {
            "patient.age_years": "300",
            "labs[0].value": "15",
            "labs[0].unit": "ng/dL",  # plausible only in nmol/L: a unit mix-up
            "labs[1].unit": "ng/dL",  # not a unit for LH
            "history.androgens[0].stop": "2023-01-01",
        }
    )
    response = alice.post("/patients/new", data=form)
    assert response.status_code == 422
    page = html.unescape(response.text)
    errors = dict(
        re.findall(
            r'<p class="field-error" role="alert" data-field="([^"]+)">(.*?)</p>', page, re.S
        )
    )
    assert set(errors) == {
        "patient.age_years",
        "labs[0].value",
        "labs[1].unit",
        "history.androgens[0].stop",
    }
    assert errors["patient.age_years"] == (
        "patient.age_years: 300.0 — expected a number from 10 to 120 years"
    )
    assert errors["labs[1].unit"] == (
        "labs[1].unit: ng/dL — expected a unit for lh: one of [IU]/L, m[IU]/mL, m[IU]/L"
    )
    assert errors["labs[0].value"].startswith(
        "labs[0].value: 15 ng/dL — expected a value typical for testosterone_total in ng/dL"
    )
    assert errors["history.androgens[0].stop"] == (
        "history.androgens[0].stop: 2023-01-01 — expected a date on or after start 2024-01-01"
    )
    assert 'name="patient.id" value="W-101"' in page  # what was typed stays
    assert alice.get("/patients/W-101").status_code == 404  # nothing stored


def test_a_confirmed_unusual_value_is_accepted(client_for: ClientFor) -> None:
    alice = client_for("alice")
    token = csrf_of(alice.get("/patients/new").text)
    form = _case_form(token, "W-102")
    form.update({"labs[0].value": "15", "labs[0].unit": "ng/dL", "labs[0].confirmed": "on"})
    assert alice.post("/patients/new", data=form, follow_redirects=False).status_code == 303
    assert 'title="reported 15 ng/dL; confirmed"' in alice.get("/patients/W-102").text


def test_an_existing_identifier_is_refused_on_the_new_patient_form(client_for: ClientFor) -> None:
    alice = client_for("alice")
    token = csrf_of(alice.get("/patients/new").text)
    response = alice.post("/patients/new", data=_case_form(token, "P001"))
    assert response.status_code == 422
    assert (
        "patient.id: P001 — expected an identifier no patient of your clinic has"
        in html.unescape(response.text)
    )


def test_a_follow_up_result_by_htmx_updates_timeline_and_assessment(client_for: ClientFor) -> None:
    alice = client_for("alice")
    token = csrf_of(alice.get("/patients/new").text)
    alice.post("/patients/new", data=_case_form(token, "W-103"))
    token = csrf_of(alice.get("/patients/W-103").text)
    follow_up = {
        "csrf_token": token,
        "labs[0].date": TODAY.isoformat(),
        "labs[0].analyte": "lh",
        "labs[0].value": "4.1",
        "labs[0].unit": "[IU]/L",
    }
    response = alice.post("/patients/W-103/labs", data=follow_up, headers={"HX-Request": "true"})
    assert response.status_code == 200
    page = html.unescape(response.text)
    assert TODAY.strftime("%d %b %Y") in page and _flowsheet(response.text)["LH"][-2] == "4.1"
    assert "Laboratory result saved" in page  # the confirmation
    assert f"as of {TODAY.isoformat()}" in page  # reassessed today
    wrong = {**follow_up, "labs[0].value": "abc"}
    again = alice.post("/patients/W-103/labs", data=wrong, headers={"HX-Request": "true"})
    assert again.status_code == 200  # HTMX swaps the form with its error in place
    assert "labs[0].value: abc — expected a number or a censored value" in html.unescape(again.text)
    semen = {
        "csrf_token": token,
        "semen[0].date": TODAY.isoformat(),
        "semen[0].volume_ml": "3",
        "semen[0].concentration_m_per_ml": "1.5",
        "semen[0].progressive_motility_pct": "20",
    }
    assert (
        alice.post("/patients/W-103/semen", data=semen, follow_redirects=False).status_code == 303
    )
    observed = alice.get("/api/patients/W-103/observations").json()["semen"]
    assert observed[-1]["concentration_m_per_ml"] == 1.5


def test_unit_choices_follow_the_analyte(client_for: ClientFor) -> None:
    alice = client_for("alice")
    options = alice.get("/ui/units", params={"labs[0].analyte": "prolactin"}).text
    entry = analyte("prolactin")
    units = [entry.canonical_unit, *(u for u in entry.accepted_units if u != entry.canonical_unit)]
    assert re.findall(r'value="([^"]+)"', options) == units
    assert "m[IU]/L" in units


def test_fhir_import_page_stores_the_bundle_and_export_reimports_unchanged(
    client_for: ClientFor,
) -> None:
    bob = client_for("bob")
    token = csrf_of(bob.get("/fhir/import").text)
    bundle = example("fhir/post_trt_bundle.json").read_bytes()
    files = {"bundle": ("bundle.json", bundle, "application/json")}
    first = bob.post("/fhir/import", data={"csrf_token": token}, files=files)
    assert first.status_code == 200 and "Imported: patients" in first.text
    identifier = re.search(r"Imported: patients ([^;]+);", first.text).group(1)
    exported = bob.get(f"/patients/{identifier}/fhir")
    assert exported.headers["content-type"].startswith("application/fhir+json")
    again = bob.post("/fhir/import", data={"csrf_token": token, "text": exported.text})
    assert "records created 0, updated 0" in again.text
    broken = bob.post("/fhir/import", data={"csrf_token": token, "text": "{not json"})
    assert broken.status_code == 422
    assert (
        "bundle: &#39;line 1&#39; is not valid JSON" in broken.text
        or "bundle: 'line 1'" in html.unescape(broken.text)
    )


def test_printable_report_has_assessment_timeline_figure_and_references(
    client_for: ClientFor,
) -> None:
    alice = client_for("alice")
    report = html.unescape(alice.get("/patients/P001/report").text)
    expected = interpret(load_case(example("cases/post_trt.yaml"), as_of=TODAY)).to_dict()
    assert f'data-code="{expected["pattern"]}"' in report
    for finding in expected["findings"]:
        assert finding["citation"] in report
    assert 'id="timeline-figure"' in report and "@page { size: A4" in report
    assert 'data-testid="bottom-line"' in report and 'data-testid="flowsheet"' in report
    assert "95 ng/dL" in report and "3.29 nmol/L" in report  # as reported, and converted
    assert "bhasin2018</strong>: Bhasin S" in report
    assert "not a prescription" in report


def test_the_patient_list_shows_pattern_alerts_next_check_and_searches(
    client_for: ClientFor,
) -> None:
    alice = client_for("alice")
    page = alice.get("/patients").text
    row = re.search(r'<tr data-patient="P001">(.*?)</tr>', page, re.S)
    assert row, "P001 is listed"
    cells = [" ".join(_text(c).split()) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>",
                                                            row.group(1), re.S)]
    assert cells[:4] == ["P001", "Suppressed by androgens", "none", "no plan adopted"]
    assert 'data-patient="PRL-034"' not in page  # clinic B's patient
    found = alice.get("/patients", params={"q": "p001 androgens"}).text
    assert re.findall(r'<tr data-patient="([^"]+)"', found) == ["P001"]
    none = html.unescape(alice.get("/patients", params={"q": "no-such-man"}).text)
    assert "No patient matches “no-such-man”" in none
