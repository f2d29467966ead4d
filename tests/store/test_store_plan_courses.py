"""An adopted plan's drugs are his current medication courses: the chart, his assessment,
his pathway and the monitoring step all see them (one voice; issue 15). On SQLite and
PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from androcast.interpret import interpret
from androcast.labs import load_case, parse_case
from androcast.protocol import pathway_for
from androcast.store import Store, chart_from_case, latest_assessment, load_chart, save_chart
from androcast.workflows import monitoring, records

CASE = Path(__file__).parents[2] / "examples" / "cases" / "post_trt.yaml"
FIRST = dt.date(2025, 11, 1)
SECOND = dt.date(2025, 12, 1)
TODAY = dt.date(2025, 12, 10)
N = 8  # virtual men: the courses and the assessment do not depend on the band


def _courses(store: Store) -> dict[tuple[str, dt.date | None], tuple[float | None, dt.date | None]]:
    """His medication courses: (drug, start) -> (dose, stop)."""
    with store.reading() as session:
        chart = load_chart(session, "P001")
    return {(m.item.code, m.item.start): (m.item.dose, m.item.stop) for m in chart.medications}


def _adopt(store: Store, protocol: str, start: dt.date) -> None:
    with store.transaction("dr.a") as session:
        monitoring.adopt(session, "P001", protocol=protocol, start=start, today=TODAY,
                         clinic="default", n=N)


def test_an_adopted_plan_is_his_current_treatment_everywhere(store: Store) -> None:
    with store.transaction("dr.a") as session:
        save_chart(session, chart_from_case(load_case(CASE, as_of=FIRST)))
        before = records.reassess(session, "P001", clinic="default", as_of=FIRST)
    assert before["pattern"] == "exogenous_suppression"
    assert "hcg" in {a["code"] for a in before["actions"]}  # advised before the plan

    _adopt(store, "hcg_serm", FIRST)
    assert _courses(store) == {("hcg", FIRST): (3000.0, None),
                               ("clomiphene_citrate", FIRST): (25.0, None)}
    with store.reading() as session:
        assessment = latest_assessment(session, "P001")
        case = load_chart(session, "P001").to_case(as_of=TODAY)
    assert assessment is not None
    assert assessment["pattern"] == "on_treatment"
    assert "current_restoration_therapy" in {f["code"] for f in assessment["findings"]}
    assert "hcg" not in {a["code"] for a in assessment["actions"]}  # not started anew
    assert pathway_for(interpret(case), case).id == "adjust_current_therapy"

    # a new plan replaces the first: its drugs stop on the new start, the new ones begin
    _adopt(store, "hcg", SECOND)
    assert _courses(store) == {("hcg", FIRST): (3000.0, SECOND),
                               ("clomiphene_citrate", FIRST): (25.0, SECOND),
                               ("hcg", SECOND): (3000.0, None)}

    # a plan adopted again from the same start replaces it (no course of zero days is kept)
    _adopt(store, "hcg_fsh", SECOND)
    assert _courses(store) == {("hcg", FIRST): (3000.0, SECOND),
                               ("clomiphene_citrate", FIRST): (25.0, SECOND),
                               ("hcg", SECOND): (3000.0, None),
                               ("fsh", SECOND): (150.0, None)}

    # the monitoring step restores his twin with the plan's courses on his chart
    labs = parse_case({"patient": {"id": "P001"}, "labs": [
        {"date": TODAY, "analyte": "testosterone_total", "value": 18.0, "unit": "nmol/L"}]},
        as_of=TODAY).labs
    with store.transaction("dr.a") as session:
        added = records.add_results(session, "P001", labs=labs, clinic="default", today=TODAY)
    assert added.alerts is not None
    assert added.assessment["pattern"] == "on_treatment"
