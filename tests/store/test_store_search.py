"""The FHIR API's Observation search as a store query (issue 18), on SQLite and PostgreSQL.

Defect seen on main: ``GET /fhir/Observation`` read every result of every patient of the
clinic and filtered patient, code and date in Python. ``store.search.result_charts`` makes
them SQL conditions (joined to the clinic): these tests check the query selects exactly
what R4 search says, against the same rules written in Python (``DateParam.matches``), for
every date prefix and every way a result's time is stored (a day, a partial date, a time
with a zone, an instant, a period).
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import pytest

from androcast.io.fhir import parse_bundle
from androcast.io.fhir._search import Token, code_match
from androcast.labs import load_case
from androcast.store import Chart, Store, chart_from_case, load_chart, save_charts
from androcast.store.search import ResultQuery, result_charts
from androcast.store.spans import PREFIXES, DateParam, stored_span

AS_OF = dt.date(2025, 11, 1)
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
MAN = "urn:uuid:6f1c1b8e-0000-4000-8000-000000000042"
CASE = Path(__file__).parents[2] / "examples" / "cases" / "post_trt.yaml"

#: LH results whose times are stored every way FHIR gives them.
TIMES: dict[str, dict[str, Any]] = {
    "day": {"effectiveDateTime": "2025-10-15"},
    "month": {"effectiveDateTime": "2025-09"},
    "zoned": {"effectiveDateTime": "2025-10-20T23:30:00-05:00"},  # 21 Oct in UTC
    "instant": {"effectiveInstant": "2025-10-01T07:45:12.5Z"},
    "period": {"effectivePeriod": {"start": "2025-10-10", "end": "2025-10-16"}},
}
DATES = ("2025-10-15", "2025-10", "2025-10-21", "2025-10-01T07:45:12.5Z", "2025-09-30",
         "2025", "2025-10-16")


def _lh(name: str, value: float) -> dict[str, Any]:
    return {"fullUrl": f"urn:uuid:{uuid.uuid4()}", "resource": {
        "resourceType": "Observation", "status": "final",
        "identifier": [{"system": "urn:example:lab", "value": f"lh-{name}"}],
        "code": {"coding": [{"system": LOINC, "code": "10501-5"}]},
        "subject": {"reference": MAN}, **TIMES[name],
        "valueQuantity": {"value": value, "unit": "IU/L", "system": UCUM, "code": "[IU]/L"}}}


def _stored(store: Store) -> None:
    """Man 42 (his LH at every kind of time) and P001 (a case file: results without a
    LOINC, a semen analysis) in clinic A; P001 again in clinic B."""
    man = {"fullUrl": MAN, "resource": {"resourceType": "Patient", "gender": "male",
                                        "identifier": [{"system": "urn:hospital:a",
                                                        "value": "42"}]}}
    entries = [_lh(name, 1.0 + i) for i, name in enumerate(TIMES)]
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [man, *entries]}
    p001 = chart_from_case(load_case(CASE, as_of=AS_OF))
    with store.transaction("importer") as session:
        save_charts(session, [*parse_bundle(bundle, as_of=AS_OF), p001], clinic="A")
        save_charts(session, [p001], clinic="B")


def _keys(charts: list[Chart]) -> set[tuple[str, str]]:
    return {(c.patient.id, r.key.value if r.key else "") for c in charts
            for r in (*c.labs, *c.semen)}


def test_a_date_search_selects_what_r4_search_says_for_every_prefix(store: Store) -> None:
    _stored(store)
    with store.reading() as session:
        every = [load_chart(session, i, clinic="A") for i in ("42", "P001")]
        for prefix in PREFIXES:
            for text in DATES:
                wanted = DateParam.parse(prefix + text, "date")
                expected = {(c.patient.id, r.key.value if r.key else "")
                            for c in every for r in (*c.labs, *c.semen)
                            if wanted.matches(stored_span(r.item.date, r.effective))}
                found = result_charts(session, ResultQuery(dates=((wanted,),)), clinic="A")
                assert _keys(found) == expected, prefix + text
        # by hand, as the specification's examples read
        month = DateParam.parse("ge2025-10-15", "date")
        assert ("42", "lh-month") not in _keys(result_charts(
            session, ResultQuery(dates=((month,),)), clinic="A"))
        october = (DateParam.parse("2025-10", "date"),)
        lh = {k for p, k in _keys(result_charts(session, ResultQuery(
            identifiers=frozenset({"42"}), dates=(october,)), clinic="A"))}
        assert lh == {"lh-day", "lh-zoned", "lh-instant", "lh-period"}
        zoned = (DateParam.parse("2025-10-21", "date"),)
        assert {k for _, k in _keys(result_charts(session, ResultQuery(dates=(zoned,)),
                                                  clinic="A"))} == {"lh-zoned"}


def test_codes_select_results_with_or_without_a_stored_loinc_and_semen_members(
        store: Store) -> None:
    _stored(store)

    def found(*codes: str, who: str | None = None) -> list[Chart]:
        query = ResultQuery(identifiers=None if who is None else frozenset({who}),
                            codes=(tuple(code_match(Token.parse(c)) for c in codes),))
        with store.reading() as session:
            return result_charts(session, query, clinic="A")

    lh = found(f"{LOINC}|10501-5")  # stored with its LOINC (42) and without (P001's case file)
    assert {c.patient.id: len(c.labs) for c in lh} == {"42": 5, "P001": 1}
    assert all(not c.semen for c in lh)
    (p001,) = found("3160-9", who="P001")  # semen volume: the analysis that measured it
    assert (len(p001.labs), len(p001.semen)) == (0, 1)
    (panel,) = found(f"{LOINC}|13361-1")
    assert panel.patient.id == "P001" and len(panel.semen) == 1
    assert found("http://snomed.info/sct|10501-5") == []  # another system's code
    assert found("urn:androcast:analyte|lh", who="42") == []  # 42's LH carries its LOINC
    (own,) = found("urn:androcast:analyte|lh")
    assert own.patient.id == "P001"
    both = found("10501-5", "2986-8", who="P001")  # OR within a parameter
    assert {r.item.analyte for r in both[0].labs} == {"lh", "testosterone_total"}


def test_a_query_never_reads_another_clinics_results(store: Store) -> None:
    _stored(store)
    with store.reading() as session:
        in_b = result_charts(session, ResultQuery(), clinic="B")
        assert [c.patient.id for c in in_b] == ["P001"]
        assert result_charts(session, ResultQuery(identifiers=frozenset({"42"})),
                             clinic="B") == []
        a_p001 = load_chart(session, "P001", clinic="A")
        b_p001 = in_b[0]
        assert {r.key for r in b_p001.labs}.isdisjoint({r.key for r in a_p001.labs})
        assert result_charts(session, ResultQuery(), clinic="C") == []


@pytest.mark.parametrize("status, n", [("final", 5), ("preliminary", 0)])
def test_status_is_a_condition_too(store: Store, status: str, n: int) -> None:
    _stored(store)
    with store.reading() as session:
        found = result_charts(session, ResultQuery(identifiers=frozenset({"42"}),
                                                   statuses=((status,),)), clinic="A")
    assert sum(len(c.labs) for c in found) == n


def test_the_migration_fills_the_ranges_of_results_stored_before_it_and_loses_nothing(
        store: Store, database_url: str) -> None:
    from alembic import command
    from sqlalchemy import select

    from androcast.store.engine import _alembic_config, make_engine
    from androcast.store.schema import AlertRow, LabObservationRow, SemenAnalysisRow

    _stored(store)

    def ranges() -> list[tuple[Any, ...]]:
        with store.reading() as session:
            return [tuple(r) for table in (LabObservationRow, SemenAnalysisRow)
                    for r in session.execute(select(table.key_value, table.effective_start,
                                                    table.effective_end).order_by(table.id))]

    with store.transaction("test") as session:  # an alert that names one of his results
        lab = session.scalars(select(LabObservationRow).order_by(LabObservationRow.id)).first()
        assert lab is not None
        session.add(AlertRow(patient_id=lab.patient_id, observation_id=lab.id, code="x",
                             rule="X-1", citation="test", severity="info", message="x"))

    def links() -> list[Any]:
        with store.reading() as session:
            return list(session.scalars(select(AlertRow.observation_id)))

    linked = links()
    assert linked != [None]
    saved = ranges()
    assert ("lh-zoned", dt.datetime(2025, 10, 21, 4, 30), dt.datetime(2025, 10, 21, 4, 30, 1)
            ) in saved
    engine = make_engine(database_url)
    with engine.begin() as connection:
        command.downgrade(_alembic_config(connection), "0007")
    with engine.begin() as connection:
        command.upgrade(_alembic_config(connection), "head")
    engine.dispose()
    assert ranges() == saved  # no record lost (a SQLite table copy cascades deletes)
    assert links() == linked  # and no alert loses its result (nor sets it NULL)
