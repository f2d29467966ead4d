"""Stopping an adopted plan (issue 15): kept as stopped with its date and reason, audited
(who, when, what changed), the courses of its drugs end that day so his twin, his assessment
and his pathway no longer count them as current. Bad input changes nothing. On SQLite and
PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from androcast.errors import DateError, ParameterError, StoreError
from androcast.labs import load_case
from androcast.store import (
    Store,
    active_plan,
    audit_trail,
    chart_from_case,
    find_patient,
    last_plan,
    latest_assessment,
    load_chart,
    save_chart,
)
from androcast.workflows import monitoring, records

CASE = Path(__file__).parents[2] / "examples" / "cases" / "post_trt.yaml"
FIRST = dt.date(2025, 11, 1)
STOP = dt.date(2025, 12, 1)
TODAY = dt.date(2025, 12, 10)
N = 8  # virtual men: the courses and the assessment do not depend on the band


def _courses(store: Store) -> dict[tuple[str, dt.date | None], dt.date | None]:
    """His medication courses: (drug, start) -> stop."""
    with store.reading() as session:
        chart = load_chart(session, "P001")
    return {(m.item.code, m.item.start): m.item.stop for m in chart.medications}


def _on_plan(store: Store) -> None:
    with store.transaction("dr.a") as session:
        save_chart(session, chart_from_case(load_case(CASE, as_of=FIRST)))
        records.reassess(session, "P001", clinic="default", as_of=FIRST)
    with store.transaction("dr.a") as session:
        monitoring.adopt(session, "P001", protocol="hcg_serm", start=FIRST, today=TODAY,
                         clinic="default", n=N)


def _stop(store: Store, on: dt.date, reason: str = "pregnancy achieved") -> monitoring.Stopped:
    with store.transaction("dr.b") as session:
        return monitoring.stop(session, "P001", on=on, reason=reason, today=TODAY,
                               clinic="default")


def test_a_stopped_plan_ends_its_drugs_on_that_day_and_is_audited(store: Store) -> None:
    _on_plan(store)
    assert _courses(store) == {("hcg", FIRST): None, ("clomiphene_citrate", FIRST): None}

    stopped = _stop(store, STOP)
    assert stopped.plan["status"] == "stopped"
    assert stopped.plan["stopped"] == {"date": "2025-12-01", "reason": "pregnancy achieved"}
    assert sorted((c["drug"], c["stop"]) for c in stopped.courses) == [
        ("clomiphene_citrate", "2025-12-01"), ("hcg", "2025-12-01")]
    assert _courses(store) == {("hcg", FIRST): STOP, ("clomiphene_citrate", FIRST): STOP}

    with store.reading() as session:
        assert active_plan(session, "P001") is None
        kept = last_plan(session, "P001")
        assessment = latest_assessment(session, "P001")
        case = load_chart(session, "P001").to_case(as_of=TODAY)
        patient = find_patient(session, "P001")
        trail = audit_trail(session, patient_id=patient.id)
    assert kept is not None and kept.status == "stopped" and kept.start == FIRST
    # his twin's history: the plan's drugs from its start to the stop, none after
    taken = {(m.agent, m.start, m.stop) for m in case.history.courses
             if m.agent in ("hcg", "clomiphene_citrate")}
    assert not any(m.current(TODAY) for m in case.history.courses
                   if m.agent in ("hcg", "clomiphene_citrate"))
    assert taken == {("hcg", FIRST, STOP), ("clomiphene_citrate", FIRST, STOP)}
    # his assessment no longer reads him as on treatment
    assert assessment is not None and assessment["pattern"] != "on_treatment"
    assert "current_restoration_therapy" not in {f["code"] for f in assessment["findings"]}
    # who stopped it, and what changed: the plan's status and each course's stop
    by_b = [e for e in trail if e.actor == "dr.b" and e.action == "update"]
    plan_change = [e for e in by_b if e.table == "plan"]
    assert len(plan_change) == 1
    assert plan_change[0].changes["status"] == ["active", "stopped"]
    courses = [e for e in by_b if e.table == "medication_course"]
    assert len(courses) == 2
    assert all(e.changes["stop"][1] == "2025-12-01" for e in courses)


def test_a_plan_stopped_on_its_first_day_leaves_no_course(store: Store) -> None:
    _on_plan(store)
    stopped = _stop(store, FIRST, "side effects")
    assert {c["stop"] for c in stopped.courses} == {None}
    assert _courses(store) == {}


@pytest.mark.parametrize(("on", "reason", "error", "field"), [
    (dt.date(2025, 10, 31), "side effects", DateError, "date"),  # before the plan's start
    (dt.date(2025, 12, 11), "side effects", DateError, "date"),  # after today
    (STOP, "  ", ParameterError, "reason"),
])
def test_a_bad_stop_names_its_field_and_changes_nothing(
    store: Store, on: dt.date, reason: str, error: type[Exception], field: str
) -> None:
    _on_plan(store)
    with pytest.raises(error) as raised:
        _stop(store, on, reason)
    assert getattr(raised.value, "field", None) == field
    with store.reading() as session:
        plan = active_plan(session, "P001")
    assert plan is not None and plan.status == "active"
    assert _courses(store) == {("hcg", FIRST): None, ("clomiphene_citrate", FIRST): None}


def test_there_is_nothing_to_stop_without_an_adopted_plan(store: Store) -> None:
    with store.transaction("dr.a") as session:
        save_chart(session, chart_from_case(load_case(CASE, as_of=FIRST)))
    with pytest.raises(StoreError) as raised:
        _stop(store, STOP)
    assert raised.value.field == "plan"
