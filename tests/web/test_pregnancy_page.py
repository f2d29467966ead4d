"""The couple's pregnancy curve beside his semen curve on the patient page and in the
printable report, with its interval and the partner's age; the plan's comparison with
assisted reproduction now (issue 22)."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator

import pytest
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient
from webhelpers import PARTICLES, TODAY, example, log_in

from androcast.display import label
from androcast.labs import parse_case
from androcast.prognosis import prognose
from androcast.web.service import add_case

HTMX = {"HX-Request": "true"}


def _couple_case() -> dict[str, object]:
    data = yaml.safe_load(example("cases/post_trt.yaml").read_text(encoding="utf-8"))
    data["patient"]["id"] = "C40"
    data |= {"partner": {"age_years": 40}, "goal_within_months": 6}
    return json.loads(json.dumps(data, default=str))


@pytest.fixture(scope="module")
def client(app: FastAPI) -> Iterator[TestClient]:
    """Clinic A of the test app, with a couple: the post-TRT man, partner aged 40, 6 months."""
    add_case(app.state.store, "A", "test setup", parse_case(_couple_case(), as_of=TODAY))
    with TestClient(app) as c:
        log_in(c, "alice")
        yield c


def _figure(page: str, name: str) -> dict[str, object]:
    found = re.search(rf'id="{name}">(.*?)</script>', page, re.S)
    assert found, name
    return json.loads(found.group(1))


def test_the_page_shows_the_pregnancy_curve_beside_the_semen_curve(client: TestClient) -> None:
    text = html.unescape(client.get("/patients/C40/outlook", headers=HTMX).text)
    case = parse_case(_couple_case(), as_of=TODAY)
    expected = prognose(case, None, ["pregnancy_natural"], n=PARTICLES, seed=1)[0].to_dict()
    figure = _figure(text, "prognosis-figure")
    right = [t for t in figure["data"] if t.get("xaxis") == "x2"]
    lines = [t for t in right if t.get("mode") == "lines+markers"]
    assert [t["y"] for t in lines] == [p["probability"] for p in expected["protocols"]]
    assert len([t for t in right if t.get("fill") == "tonexty"]) == len(lines)  # intervals
    titles = [a["text"] for a in figure["layout"]["annotations"]]
    assert any("partner aged 40" in t for t in titles)
    assert 'data-testid="pregnancy"' in text and "partner aged 40" in text
    first = expected["protocols"][0]
    assert f"{first['probability'][-1] * 100:.0f} %" in text
    # the plan discusses assisted reproduction now, with the clinic's-table note
    assert 'data-testid="art-comparison"' in text
    assert "ART success rates are the clinic's to supply" in text
    assert label("art_sperm", "current_or_banked") in text or label("art_sperm", "none_now") in text


def test_the_report_shows_the_pregnancy_curve_with_the_partners_age(client: TestClient) -> None:
    text = html.unescape(client.get("/patients/C40/report", params={"compute": "true"}).text)
    assert 'data-testid="report-pregnancy"' in text and "partner aged 40" in text
    figure = _figure(text, "prognosis-figure")
    assert any(t.get("xaxis") == "x2" for t in figure["data"])
    assert 'data-testid="art-comparison"' in text
    references = text[text.index("<h2>References</h2>"):]
    assert "<strong>wesselink2017</strong>" in references
    assert not re.search(r'(?:src|href)="https?:', text)


def test_a_man_without_his_partners_age_gets_no_curve_and_is_told_why(client: TestClient
                                                                      ) -> None:
    text = html.unescape(client.get("/patients/P001/outlook", headers=HTMX).text)
    assert 'data-testid="pregnancy-missing"' in text and "partner.age_years" in text
    figure = _figure(text, "prognosis-figure")
    assert not any(t.get("xaxis") == "x2" for t in figure["data"])


def test_the_new_patient_form_takes_the_partners_age_and_names_a_bad_one(
        client: TestClient) -> None:
    from webhelpers import csrf_of

    form = {"patient.id": "C-FORM", "patient.age_years": "36", "goal": "fertility",
            "partner.age_years": "38", "goal_within_months": "9"}
    token = csrf_of(client.get("/patients/new").text)
    created = client.post("/patients/new", data={"csrf_token": token, **form},
                          follow_redirects=False)
    assert created.status_code == 303, created.text
    page = html.unescape(client.get("/patients/C-FORM/outlook", headers=HTMX).text)
    assert 'data-testid="pregnancy"' in page and "partner aged 38" in page
    token = csrf_of(client.get("/patients/new").text)
    bad = client.post("/patients/new", data={"csrf_token": token, **form,
                                             "patient.id": "C-BAD", "partner.age_years": "-3"})
    assert bad.status_code == 422 and "partner.age_years" in html.unescape(bad.text)
