"""Charts in and out of the store: same Case back, idempotent, audited, all or nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from androcast.errors import StoreError, UnknownCodeError
from androcast.labs import load_case
from androcast.store import (
    Store,
    audit_trail,
    chart_from_case,
    find_patient,
    latest_assessment,
    list_patients,
    load_chart,
    save_assessment,
    save_chart,
    update_patient,
)
from androcast.store.schema import AuditRow, Base, LabObservationRow, PatientRow

CASES = Path(__file__).parents[2] / "examples" / "cases"
AS_OF = dt.date(2025, 11, 1)


def _rows(store: Store) -> dict[str, int]:
    with store.reading() as session:
        return {
            table.name: session.execute(select(func.count()).select_from(table)).scalar_one()
            for table in Base.metadata.sorted_tables
        }


@pytest.mark.parametrize("name", sorted(p.stem for p in CASES.glob("*.yaml")))
def test_every_example_case_comes_back_unchanged(store: Store, name: str) -> None:
    case = load_case(CASES / f"{name}.yaml", as_of=AS_OF)
    with store.transaction("dr.a") as session:
        save_chart(session, chart_from_case(case))
    with store.reading() as session:
        assert load_chart(session, case.patient.id).to_case(as_of=AS_OF) == case


def test_saving_the_same_case_twice_changes_nothing(store: Store) -> None:
    case = load_case(CASES / "post_trt.yaml", as_of=AS_OF)
    with store.transaction("dr.a") as session:
        first = save_chart(session, chart_from_case(case))
    before = _rows(store)
    with store.transaction("dr.a") as session:
        second = save_chart(session, chart_from_case(case))
    assert (first.created, second.created, second.updated) == (9, 0, 0)
    assert second.unchanged == 9
    assert _rows(store) == before


def test_every_change_has_an_audit_entry_by_its_actor(store: Store) -> None:
    case = load_case(CASES / "post_trt.yaml", as_of=AS_OF)
    with store.transaction("dr.a") as session:
        save_chart(session, chart_from_case(case))
    with store.transaction("dr.b") as session:
        update_patient(session, "P001", bmi=28.1)
        save_assessment(session, "P001", {"pattern": "secondary"}, as_of=AS_OF)
    counts = _rows(store)
    data_rows = sum(n for table, n in counts.items() if table != "audit_log")
    with store.reading() as session:
        trail = audit_trail(session)
        patient_id = find_patient(session, "P001").id
    inserts = [e for e in trail if e.action == "insert"]
    assert len(inserts) == data_rows  # one per row: clinic, patient, 9 records, assessment
    update = next(e for e in trail if e.action == "update" and e.changes.get("bmi"))
    assert (update.actor, update.table, update.row_id) == ("dr.b", "patient", patient_id)
    assert update.changes["bmi"] == [27.5, 28.1]
    assert {e.actor for e in inserts if e.table == "lab_observation"} == {"dr.a"}


def test_a_failed_write_leaves_nothing(store: Store) -> None:
    case = load_case(CASES / "post_trt.yaml", as_of=AS_OF)
    with pytest.raises(RuntimeError), store.transaction("dr.a") as session:
        save_chart(session, chart_from_case(case))
        raise RuntimeError("crash after the rows were flushed")
    assert all(n == 0 for n in _rows(store).values())


def test_a_write_without_an_actor_is_refused_and_leaves_nothing(store: Store) -> None:
    case = load_case(CASES / "post_trt.yaml", as_of=AS_OF)
    with pytest.raises(StoreError) as caught, store.transaction("") as session:
        save_chart(session, chart_from_case(case))
    assert str(caught.value) == (
        "actor: None cannot be used; expected the user making the change "
        "(every change is audited)"
    )
    assert all(n == 0 for n in _rows(store).values())


def test_unknown_patient_names_the_known_ones(store: Store) -> None:
    case = load_case(CASES / "post_trt.yaml", as_of=AS_OF)
    with store.transaction("dr.a") as session:
        save_chart(session, chart_from_case(case))
    with pytest.raises(UnknownCodeError) as caught, store.reading() as session:
        load_chart(session, "P999")
    assert str(caught.value) == (
        "patient: 'P999' is not a known code; expected a patient of clinic default: P001"
    )


def test_list_and_latest_assessment(store: Store) -> None:
    for name in ("post_trt", "hyperprolactinaemia"):
        case = load_case(CASES / f"{name}.yaml", as_of=AS_OF)
        with store.transaction("dr.a") as session:
            save_chart(session, chart_from_case(case))
            save_assessment(session, case.patient.id, {"pattern": name}, as_of=AS_OF)
    with store.reading() as session:
        patients = list_patients(session)
        latest = latest_assessment(session, "P001")
        labs = session.scalar(select(func.count()).select_from(LabObservationRow))
    assert [p.identifier for p in patients] == sorted(p.identifier for p in patients)
    assert sum(p.lab_results for p in patients) == labs
    assert latest == {"pattern": "post_trt"}


def test_audit_rows_are_never_audited_themselves(store: Store) -> None:
    with store.transaction("dr.a") as session:
        save_chart(session, chart_from_case(load_case(CASES / "post_trt.yaml", as_of=AS_OF)))
    with store.reading() as session:
        tables = set(session.scalars(select(AuditRow.table_name)))
        assert "audit_log" not in tables
        assert session.scalar(select(PatientRow.version)) == 2


def test_a_draws_clock_time_fasting_and_semen_ph_are_kept(store: Store) -> None:
    # female_factor: two fasting morning testosterones (08:30, 08:15), semen pH 7.6; the
    # morning-and-fasting rule reads them, so the stored man must keep them (migration 0006)
    case = load_case(CASES / "female_factor.yaml", as_of=AS_OF)
    with store.transaction("dr.a") as session:
        save_chart(session, chart_from_case(case))
    with store.reading() as session:
        back = load_chart(session, case.patient.id).to_case(as_of=AS_OF)
    assert back.labs == case.labs and back.semen == case.semen
    assert [(r.time, r.fasting) for r in back.labs if r.time] == [
        (dt.time(8, 30), True), (dt.time(8, 15), True)]
    assert back.semen[0].ph == 7.6
    with store.transaction("dr.a") as session:
        again = save_chart(session, chart_from_case(case))
    assert (again.created, again.updated) == (0, 0)
