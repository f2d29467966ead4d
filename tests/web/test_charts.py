"""The chart renderers: figures built from payloads made here (renderer tests, no model)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from androcast.labs import parse_case
from androcast.report import timeline
from androcast.report.charts import (
    forecast_band_figure,
    plan_figure,
    prognosis_figure,
    timeline_figure,
)

DATES = ["2025-11-01", "2025-12-01", "2026-01-01", "2026-02-01"]


def _payload() -> dict[str, Any]:
    return {
        "protocol": "hcg_serm",
        "plan_start": "2025-11-01",
        "as_of": "2025-12-15",
        "n_virtual": 16,
        "ess": 9.5,
        "dates": DATES,
        "bands": {
            "lh": {
                "unit": "IU/L",
                "p05": [0.1, 0.5, 1, 2],
                "p50": [0.3, 1, 3, 4],
                "p95": [1, 3, 6, 8],
            },
            "testosterone_total": {
                "unit": "nmol/L",
                "p05": [2, 5, 8, 9],
                "p50": [4, 9, 14, 15],
                "p95": [8, 15, 22, 25],
            },
        },
        "citations": ["liu2006"],
        "low_confidence": False,
        "warnings": [],
    }


def _alert(observable: str, value: float | None, date: str = "2025-12-10") -> dict[str, Any]:
    return {
        "code": "below_forecast",
        "rule": "MON-LOW",
        "severity": "warning",
        "message": "below the 5 % line of his forecast",
        "citation": "wenker2015",
        "date": date,
        "observable": observable,
        "value": value,
        "unit": "IU/L",
    }


def _on(figure: dict[str, Any], axis: str) -> list[dict[str, Any]]:
    return [t for t in figure["data"] if t["yaxis"] == axis]


def test_forecast_band_figure_draws_band_median_observations_and_alerts_per_panel() -> None:
    observations = [
        {"observable": "lh", "date": "2025-12-10", "value": 0.2, "censor": None},
        {"observable": "lh", "date": "2026-01-05", "value": 0.1, "censor": "<"},
        {"observable": "testosterone_total", "date": "2025-12-10", "value": 12.0},
        {"observable": "fsh", "date": "2025-12-10", "value": 2.0},  # no band: not drawn
    ]
    alerts = [_alert("lh", 0.2), _alert("fsh", None, "2026-01-20")]
    figure = forecast_band_figure(_payload(), observations, alerts, today=dt.date(2026, 2, 1))
    assert figure is not None
    layout = figure["layout"]
    assert [a["text"] for a in layout["annotations"][:2]] == [
        "<b>LH (IU/L)</b>",
        "<b>Testosterone (nmol/L)</b>",
    ]
    top, bottom = layout["yaxis"]["domain"], layout["yaxis2"]["domain"]
    assert bottom[1] < top[0]  # two panels, stacked without overlap
    assert layout["xaxis2"]["matches"] == "x"  # one time axis for both

    lh = _on(figure, "y")
    low, high, median = lh[0], lh[1], lh[2]
    assert low["y"] == [0.1, 0.5, 1, 2] and high["y"] == [1, 3, 6, 8] and high["fill"] == "tonexty"
    assert median["y"] == [0.3, 1, 3, 4] and median["x"] == DATES
    points = next(t for t in lh if t["name"] == "his result")
    assert points["x"] == ["2025-12-10", "2026-01-05"] and points["y"] == [0.2, 0.1]
    assert points["marker"]["color"] == ["#1b1f24", "white"]  # censored: an open marker
    marked = next(t for t in lh if t["name"] == "alert")
    assert marked["x"] == ["2025-12-10"] and marked["y"] == [0.2]
    assert "MON-LOW" in marked["text"][0] and "wenker2015" in marked["text"][0]
    testosterone = _on(figure, "y2")
    assert not any(t["name"] == "alert" for t in testosterone)
    assert next(t for t in testosterone if t["name"] == "his result")["y"] == [12.0]
    assert all(t["xaxis"] == "x2" for t in testosterone)
    assert len([t for t in figure["data"] if t["name"] == "his result"]) == 2  # fsh: no panel
    # Each kind of mark is named once in the legend, whatever the number of panels.
    shown = [t["name"] for t in figure["data"] if t.get("showlegend")]
    assert sorted(shown) == ["alert", "forecast 5–95 % band", "forecast median", "his result"]
    # The alert without a value (and without a panel) is a line at its date; so are the
    # start and today, both in the legend.
    lines = {(s["x0"], s["line"]["color"]) for s in layout["shapes"]}
    assert ("2026-01-20", "#b3261e") in lines and ("2025-11-01", "#5a6270") in lines
    named = {s.get("name"): s["x0"] for s in layout["shapes"] if s.get("showlegend")}
    assert named == {"plan start": "2025-11-01", "today": "2026-02-01"}
    assert layout["showlegend"] is True


def test_forecast_band_figure_without_bands_is_none() -> None:
    assert forecast_band_figure({**_payload(), "bands": {}}, [], []) is None


def test_prognosis_and_plan_figures_follow_their_json() -> None:
    prognosis = {
        "outcome": "concentration_ge_20m_per_ml",
        "t0": "2025-10-20",
        "protocols": [
            {
                "id": "hcg",
                "months": [3, 6],
                "probability": [0.2, 0.5],
                "interval_90": [[0.1, 0.3], [0.4, 0.6]],
            },
            {
                "id": "serm_clomiphene",
                "months": [3, 6],
                "probability": [0.1, 0.3],
                "interval_90": [[0.0, 0.2], [0.2, 0.4]],
                "note": "not appropriate for him",
            },
        ],
    }
    figure = prognosis_figure(prognosis)
    assert figure is not None
    curves = [t for t in figure["data"] if t["mode"] == "lines+markers"]
    assert [c["name"] for c in curves] == ["hCG", "Clomiphene *"]
    assert figure["layout"]["yaxis"]["title"]["text"] == (
        "chance of sperm concentration ≥ 20 million/mL")
    assert curves[1]["customdata"] == [[0.0, 0.2], [0.2, 0.4]]
    assert figure["layout"]["yaxis"]["tickformat"] == ".0%"
    assert prognosis_figure({**prognosis, "protocols": []}) is None

    checks = [
        {"date": "2025-11-03", "what": "hormones: lh, fsh", "why": "2 weeks after starting"},
        {"date": "2025-12-01", "what": "testosterone", "why": "ESC-HCG-T: testosterone low"},
        {"date": "2026-01-19", "what": "semen analysis", "why": "one cycle since the last"},
    ]
    plan = {
        "start": "2025-10-20",
        "target_month": 12.0,
        "alternatives": [
            {
                "rank": 1,
                "id": "hcg",
                "probability_by_target": 0.81,
                "checks": checks,
                "escalations": [{"id": "ESC-HCG-T"}],
            },
        ],
    }
    timeline = plan_figure(plan)
    assert timeline is not None
    kinds = {t["name"]: t["x"] for t in timeline["data"] if t["mode"] == "markers"}
    assert kinds == {
        "hormones": ["2025-11-03"],
        "escalation check": ["2025-12-01"],
        "semen analysis": ["2026-01-19"],
    }
    assert timeline["data"][0]["y"] == ["1. hCG (81%)", "1. hCG (81%)"]
    texts = [t["text"] for t in timeline["data"] if t.get("name") == "hormones"]
    assert texts == [["hormones: LH, FSH (2 weeks after starting)"]]
    assert timeline["data"][0]["x"] == ["2025-10-20", "2026-10-20"]  # start to month 12
    assert plan_figure({**plan, "alternatives": []}) is None


def test_timeline_figure_shows_treatments_hormones_semen_with_who_line_and_today() -> None:
    case = parse_case(
        {
            "patient": {"id": "T1", "age_years": 35},
            "history": {"androgens": [{"agent": "testosterone_enanthate", "dose": "250 mg",
                                       "every": "7 d", "start": "2025-01-01",
                                       "stop": "2025-06-01"}]},
            "labs": [
                {"date": "2025-07-01", "analyte": "testosterone_total", "value": 3.1,
                 "unit": "nmol/L"},
                {"date": "2025-09-01", "analyte": "testosterone_total", "value": 14,
                 "unit": "nmol/L"},
                {"date": "2025-09-01", "analyte": "inhibin_b", "value": "<10", "unit": "ng/L"},
            ],
            "semen": [{"date": "2025-09-05", "volume_ml": 3, "concentration_m_per_ml": 4}],
        },
        as_of=dt.date(2025, 10, 1),
    )
    adopted = {"start": "2025-08-01", "regimen": [
        {"drug": "hcg", "dose": "3000 IU", "route": "sc", "every": "2 d", "start": "0 d"}]}
    figure = timeline_figure(timeline(case), case, today=dt.date(2025, 10, 1), adopted=adopted)
    assert figure is not None
    titles = [a["text"] for a in figure["layout"]["annotations"]]
    assert titles == ["<b>Treatment</b>", "<b>Testosterone (nmol/L)</b>",
                      "<b>Inhibin B (ng/L)</b>", "<b>Sperm concentration (million/mL)</b>"]
    bars = {t["y"][0]: t["x"] for t in figure["data"] if t["yaxis"] == "y"}
    assert bars == {"Testosterone enanthate": ["2025-01-01", "2025-06-01"],
                    "hCG": ["2025-08-01", "2025-10-01"]}  # the plan's drug runs to today
    inhibin = next(t for t in figure["data"] if t["yaxis"] == "y3" and t["name"] == "result")
    assert inhibin["text"] == ["<10 ng/L (low)"]  # censored as reported
    assert inhibin["marker"]["color"] == ["white"]
    shapes = {s.get("name"): s for s in figure["layout"]["shapes"] if s.get("showlegend")}
    assert shapes["WHO 2021 lower limit"]["y0"] == 16  # semen_who2021.concentration
    assert shapes["today"]["x0"] == "2025-10-01"
    assert "reference interval" in shapes


def test_the_treatment_panel_draws_his_dated_medication_courses_once() -> None:
    """A course he took (a stopped plan's hCG: 2025-08-01 to 2025-09-15), one he takes now
    (an opioid since 2025-03-01, to today) and his adopted plan's own course (drawn once,
    from the plan, with its dose); a course without dates has no bar."""
    case = parse_case(
        {
            "patient": {"id": "T2", "age_years": 35},
            "history": {"medications": [
                {"agent": "hcg", "dose": "3000 IU", "every": "2 d", "start": "2025-08-01",
                 "stop": "2025-09-15"},
                {"agent": "opioid", "name": "methadone", "dose": "60 mg", "every": "1 d",
                 "start": "2025-03-01"},
                {"agent": "clomiphene_citrate", "dose": "25 mg", "every": "1 d",
                 "start": "2025-09-15"},
                "finasteride"]},
            "labs": [{"date": "2025-09-01", "analyte": "testosterone_total", "value": 14,
                      "unit": "nmol/L"}],
        },
        as_of=dt.date(2025, 10, 1),
    )
    adopted = {"start": "2025-09-15", "regimen": [
        {"drug": "clomiphene_citrate", "dose": "25 mg", "route": "oral", "every": "1 d",
         "start": "0 d"}]}
    figure = timeline_figure(timeline(case), case, today=dt.date(2025, 10, 1), adopted=adopted)
    assert figure is not None
    bars = [(t["y"][0], t["x"], t["text"][0]) for t in figure["data"] if t["yaxis"] == "y"]
    assert bars == [("hCG", ["2025-08-01", "2025-09-15"], "hCG 3000 IU every other day"),
                    ("Opioid", ["2025-03-01", "2025-10-01"], "Opioid 60 mg daily"),
                    ("Clomiphene", ["2025-09-15", "2025-10-01"], "Clomiphene 25 mg daily")]


def test_a_daily_band_of_an_every_other_day_drug_is_drawn_as_its_weekly_envelope() -> None:
    start = dt.date(2025, 11, 1)
    dates = [(start + dt.timedelta(days=d)).isoformat() for d in range(70)]
    swing = [10.0 if d % 2 else 20.0 for d in range(70)]  # the hCG day and the day after
    band = {"unit": "nmol/L", "p05": [v - 5 for v in swing], "p50": swing,
            "p95": [v + 5 for v in swing]}
    payload = {**_payload(), "dates": dates, "bands": {"testosterone_total": band}}
    figure = forecast_band_figure(payload, [], [])
    assert figure is not None
    low, high, median = _on(figure, "y")[:3]
    assert median["x"] == dates[::7]  # weekly points
    assert set(low["y"]) == {5.0} and set(high["y"]) == {25.0}  # the whole swing, every week
    assert all(14.9 < v < 15.4 for v in median["y"][1:])  # no two-week zigzag (7 = 1 mod 2)
