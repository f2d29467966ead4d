"""Plans, forecasts and alerts in the store: persisted, audited, per clinic, all or nothing."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import pytest

from androcast.errors import UnknownCodeError
from androcast.labs import load_case
from androcast.store import (
    Store,
    acknowledge_alert,
    active_plan,
    adopt_plan,
    audit_trail,
    chart_from_case,
    find_patient,
    latest_forecast,
    list_alerts,
    save_alerts,
    save_chart,
    save_forecast,
)

CASE = Path(__file__).parents[2] / "examples" / "cases" / "post_trt.yaml"
START = dt.date(2025, 11, 1)
ALERT = {"code": "raise_hcg", "rule": "ESC-HCG-T", "severity": "moderate",
         "message": "testosterone_total 6.9 nmol/L at week 6.0: ...",
         "citation": "wenker2015; hsieh2013", "date": "2025-10-15",
         "observable": "testosterone_total", "value": 6.9, "unit": "nmol/L"}
SEMEN_ALERT = {**ALERT, "code": "offer_cryopreservation", "rule": "CRYO",
               "observable": "sperm_concentration", "date": "2025-10-20", "value": 3.0,
               "unit": "10*6/mL", "citation": "wenker2015"}


def _patient(store: Store, clinic: str = "default") -> int:
    case = load_case(CASE, as_of=START)
    with store.transaction("dr.a") as session:
        save_chart(session, chart_from_case(case), clinic=clinic)
        return find_patient(session, "P001", clinic=clinic).id


def _adopt(store: Store, protocol: str = "hcg_serm", clinic: str = "default") -> Any:
    with store.transaction("dr.a") as session:
        plan = adopt_plan(session, "P001", protocol=protocol, start=START,
                          payload={"protocol": protocol, "start": START}, clinic=clinic)
        forecast = save_forecast(session, "P001", {"protocol": protocol, "ess": 12.5},
                                 as_of=START, plan_id=plan.id, clinic=clinic)
        alerts = save_alerts(session, "P001", [ALERT, SEMEN_ALERT], forecast_id=forecast.id,
                             clinic=clinic)
    return plan, forecast, alerts


def test_plan_forecast_and_alerts_come_back(store: Store) -> None:
    _patient(store)
    plan, forecast, _ = _adopt(store)
    with store.reading() as session:
        stored = active_plan(session, "P001")
        latest = latest_forecast(session, "P001", plan_id=plan.id)
        alerts = list_alerts(session, "P001")
    assert stored is not None and (stored.protocol, stored.start, stored.status) == (
        "hcg_serm", START, "active")
    assert stored.payload == {"protocol": "hcg_serm", "start": "2025-11-01"}
    assert latest is not None and latest.id == forecast.id
    assert latest.payload == {"protocol": "hcg_serm", "ess": 12.5}
    assert [a.to_dict() | {"id": 0, "acknowledged_at": None} for a in alerts] == [
        ALERT | {"id": 0, "acknowledged_by": None, "acknowledged_at": None},
        SEMEN_ALERT | {"id": 0, "acknowledged_by": None, "acknowledged_at": None},
    ]


def test_a_lab_alert_points_at_its_result_and_a_semen_alert_keeps_its_own(store: Store) -> None:
    _patient(store)
    _, _, (lab, semen) = _adopt(store)
    with store.reading() as session:
        from androcast.store.schema import AlertRow

        rows = {r.id: r for r in session.query(AlertRow)}
    assert rows[lab.id].observation_id is not None
    assert rows[semen.id].observation_id is None and rows[semen.id].value == 3.0


def test_a_new_plan_supersedes_the_active_one(store: Store) -> None:
    _patient(store)
    first, _, _ = _adopt(store)
    second, _, _ = _adopt(store, "hcg")
    with store.reading() as session:
        active = active_plan(session, "P001")
        assert latest_forecast(session, "P001", plan_id=first.id) is not None
    assert active is not None and (active.id, active.protocol) == (second.id, "hcg")


def test_alerts_of_one_plan_are_listed_apart(store: Store) -> None:
    _patient(store)
    first, _, first_alerts = _adopt(store)
    second, _, second_alerts = _adopt(store, "hcg")
    with store.reading() as session:
        every = [a.id for a in list_alerts(session, "P001")]
        of_first = [a.id for a in list_alerts(session, "P001", plan_id=first.id)]
        of_second = [a.id for a in list_alerts(session, "P001", plan_id=second.id)]
    assert of_first == [a.id for a in first_alerts]
    assert of_second == [a.id for a in second_alerts]
    assert every == of_first + of_second


def test_every_write_has_an_audit_entry_in_the_same_transaction(store: Store) -> None:
    patient_id = _patient(store)
    _, _, (alert, _) = _adopt(store)
    with store.transaction("dr.b") as session:
        acknowledge_alert(session, alert.id, by="dr.b")
    with store.reading() as session:
        trail = audit_trail(session, patient_id=patient_id)
    written = [(e.actor, e.action, e.table) for e in trail if e.table in (
        "plan", "forecast", "alert")]
    assert written == [("dr.a", "insert", "plan"), ("dr.a", "insert", "forecast"),
                       ("dr.a", "insert", "alert"), ("dr.a", "insert", "alert"),
                       ("dr.b", "update", "alert")]
    assert set(trail[-1].changes) == {"acknowledged_by", "acknowledged_at"}


def test_acknowledging_twice_keeps_the_first(store: Store) -> None:
    _patient(store)
    _, _, (alert, other) = _adopt(store)
    with store.transaction("dr.b") as session:
        first = acknowledge_alert(session, alert.id, by="dr.b")
    with store.transaction("dr.c") as session:
        again = acknowledge_alert(session, alert.id, by="dr.c")
    assert first.acknowledged_at is not None and again.acknowledged_at is not None
    assert again.acknowledged_by == "dr.b"  # SQLite gives the time back without its zone
    assert again.acknowledged_at.replace(tzinfo=None) == first.acknowledged_at.replace(
        tzinfo=None)
    with store.reading() as session:
        open_alerts = list_alerts(session, "P001", unacknowledged_only=True)
    assert [a.id for a in open_alerts] == [other.id]


def test_another_clinic_cannot_see_or_acknowledge_them(store: Store) -> None:
    _patient(store, clinic="north")
    _, _, (alert, _) = _adopt(store, clinic="north")
    _patient(store, clinic="south")  # a man with the same identifier elsewhere
    with store.reading() as session:
        assert active_plan(session, "P001", clinic="south") is None
        assert latest_forecast(session, "P001", clinic="south") is None
        assert list_alerts(session, "P001", clinic="south") == []
    with store.transaction("dr.s") as session, pytest.raises(UnknownCodeError) as caught:
        acknowledge_alert(session, alert.id, by="dr.s", clinic="south")
    assert str(caught.value) == (
        f"alert: {alert.id} is not a known code; expected an alert of a patient of clinic south")


def test_a_forecast_cannot_name_another_patients_plan(store: Store) -> None:
    _patient(store, clinic="north")
    plan, _, _ = _adopt(store, clinic="north")
    _patient(store)
    with store.transaction("dr.a") as session, pytest.raises(UnknownCodeError) as caught:
        save_forecast(session, "P001", {}, as_of=START, plan_id=plan.id)
    assert str(caught.value).startswith(f"plan: {plan.id} is not a known code")


def test_a_failed_write_leaves_nothing(store: Store) -> None:
    _patient(store)
    with pytest.raises(ValueError), store.transaction("dr.a") as session:
        plan = adopt_plan(session, "P001", protocol="hcg", start=START, payload={})
        save_forecast(session, "P001", {"ess": math.nan}, as_of=START, plan_id=plan.id)
    with store.reading() as session:
        assert active_plan(session, "P001") is None
