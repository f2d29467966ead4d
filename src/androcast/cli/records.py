"""Patient records: ``db upgrade``, ``patient add|list``, ``observe``, ``fhir import|export``.

(``patient plan`` and ``monitor`` are in ``monitor.py``.)

The database URL comes from ``--db`` or ``ANDROCAST_DATABASE_URL`` (default: the SQLite file
``androcast.db`` in the working directory); the acting user from ``--user`` or
``ANDROCAST_USER``: an active user of the clinic who may write (``androcast user add``);
without it, the operating system's login name is recorded as who acted. Each command is
one transaction.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from androcast.cli import app
from androcast.cli._alerts import print_alerts
from androcast.cli._common import FORMAT_OPTION, OutputFormat, console, print_json, reporting_errors
from androcast.errors import AndrocastError, DateError

DEFAULT_DATABASE_URL = "sqlite:///androcast.db"

DB_OPTION = typer.Option(
    DEFAULT_DATABASE_URL,
    "--db",
    envvar="ANDROCAST_DATABASE_URL",
    help="Database URL (sqlite:///file.db or postgresql://user@host/db).",
)
USER_OPTION = typer.Option(
    None, "--user", envvar="ANDROCAST_USER", help="Who makes the change (audit log)."
)
AS_OF_OPTION = typer.Option(None, "--as-of", help="Assessment date YYYY-MM-DD (default today).")
CLINIC_OPTION = typer.Option("default", "--clinic", help="Clinic the patient belongs to.")
CASE_ARGUMENT = typer.Argument(..., help="Case file (YAML or JSON).")
BUNDLE_ARGUMENT = typer.Argument(..., help="FHIR R4 Bundle (JSON).")
CSV_OPTION = typer.Option(None, "--csv", help="CSV of results: date,analyte,value,unit.")
OUT_OPTION = typer.Option(None, "--out", help="Write the bundle here (default stdout).")

db_app = typer.Typer(help="The patient record store.", no_args_is_help=True)
patient_app = typer.Typer(help="Patients in the record store.", no_args_is_help=True)
fhir_app = typer.Typer(help="FHIR R4 bundles in and out of the store.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(patient_app, name="patient")
app.add_typer(fhir_app, name="fhir")


def _day(text: str | None, option: str) -> dt.date:
    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise DateError(option, text, "an ISO date YYYY-MM-DD") from None


def _actor(user: str | None) -> str:
    return user or getpass.getuser()


@contextmanager
def writing(db: str, user: str | None, clinic: str | None) -> Iterator[Any]:
    """One write transaction on the store at ``db`` by ``user`` (all of it, or none).

    A ``user`` named must be an active user who may write, of ``clinic`` (of any clinic
    when ``clinic`` is None: commands about clinics and users themselves).
    """
    from androcast.store import open_store
    from androcast.store.users import require_writer

    store = open_store(db)
    try:
        with store.transaction(_actor(user)) as session:
            if user is not None:
                require_writer(session, user, clinic)
            yield session
    finally:
        store.close()


@contextmanager
def reading(db: str) -> Iterator[Any]:
    """A read-only session on the store at ``db``."""
    from androcast.store import open_store

    store = open_store(db)
    try:
        with store.reading() as session:
            yield session
    finally:
        store.close()


def _summary(summary: Any) -> dict[str, Any]:
    return dict(summary.to_dict())


def _print_summary(data: dict[str, Any], output: OutputFormat) -> None:
    if output is OutputFormat.json:
        print_json(data)
        return
    patients = ", ".join(data["patients_created"]) or "none"
    console.print(
        f"patients created: {patients}; records created {data['created']}, "
        f"updated {data['updated']}, unchanged {data['unchanged']}, "
        f"retracted {data['retracted']}",
        highlight=False,
    )
    if "pattern" in data:
        console.print(f"assessment stored: pattern {data['pattern']}", highlight=False)
    if "skipped" in data:
        console.print(
            f"imported {data['imported']} entries, skipped {len(data['skipped'])}"
            + (":" if data["skipped"] else ""),
            highlight=False,
            markup=False,
        )
        for item in data["skipped"]:
            console.print(
                f"  entry[{item['entry']}] {item['resourceType']}: {item['reason']}",
                highlight=False,
                markup=False,
            )


@db_app.command("upgrade")
def db_upgrade(db: str = DB_OPTION) -> None:
    """Create or migrate the database schema to this version of androcast."""
    with reporting_errors():
        from androcast.store import upgrade
        from androcast.store.engine import shown

        revision = upgrade(db)
    console.print(f"database {shown(db)} at revision {revision}", highlight=False)


@patient_app.command("add")
def patient_add(
    case: Path = CASE_ARGUMENT,
    db: str = DB_OPTION,
    user: str | None = USER_OPTION,
    clinic: str = CLINIC_OPTION,
    as_of: str | None = AS_OF_OPTION,
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """Store a case (patient, history, results) and its assessment; known records are kept."""
    with reporting_errors():
        from androcast.labs import load_case
        from androcast.store import chart_from_case, save_chart
        from androcast.workflows.records import reassess

        day = _day(as_of, "--as-of")
        loaded = load_case(case, as_of=day)
        with writing(db, user, clinic) as session:
            summary = _summary(save_chart(session, chart_from_case(loaded), clinic=clinic))
            summary["pattern"] = str(reassess(session, loaded.patient.id, clinic=clinic,
                                              as_of=day)["pattern"])
    _print_summary(summary, output)


@patient_app.command("list")
def patient_list(
    db: str = DB_OPTION, clinic: str = CLINIC_OPTION, output: OutputFormat = FORMAT_OPTION
) -> None:
    """The patients of a clinic with their number of results."""
    with reporting_errors():
        from androcast.store import list_patients

        with reading(db) as session:
            patients = list_patients(session, clinic=clinic)
    if output is OutputFormat.json:
        print_json(patients)
        return
    table = Table(title=f"Patients of clinic {clinic}")
    for column in ("patient", "goal", "age", "lab results", "semen analyses", "last result"):
        table.add_column(column)
    for p in patients:
        table.add_row(
            p.identifier,
            p.goal,
            "-" if p.age_years is None else f"{p.age_years:g}",
            str(p.lab_results),
            str(p.semen_analyses),
            "-" if p.last_result is None else p.last_result.isoformat(),
        )
    console.print(table)


def _observed(session: Any, patient: str, clinic: str, item: dict[str, Any], day: dt.date) -> Any:
    """One result checked by the case-file rules, with the patient's age for its interval."""
    from androcast.labs import parse_case
    from androcast.store import load_chart

    age = load_chart(session, patient, clinic=clinic).patient.age_years
    try:
        case = parse_case({"patient": {"id": patient, "age_years": age}, "labs": [item]}, as_of=day)
    except AndrocastError as err:
        field = err.field.removeprefix("labs[0].").replace("date", "--date")
        raise type(err)(field, err.value, err.expected, err.hint) from None
    return case.labs[0]


SEMEN_OPTION = typer.Option(
    None, "--semen",
    help="A semen analysis as KEY=VALUE pairs, comma-separated, with the case-file keys, e.g. "
         "concentration_m_per_ml=12,volume_ml=2.5,progressive_motility_pct=35.")


def _semen_value(text: str) -> Any:
    """A number, a censored value ('<0.1'), true/false, or the text itself (refused later)."""
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    try:
        return float(text)
    except ValueError:
        return text.strip()


def _semen_item(text: str, day: dt.date) -> dict[str, Any]:
    item: dict[str, Any] = {"date": day.isoformat()}
    for pair in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise AndrocastError("--semen", pair, "KEY=VALUE, e.g. concentration_m_per_ml=12")
        item[key.strip()] = _semen_value(value)
    return item


def _observed_semen(patient: str, text: str, day: dt.date, today: dt.date) -> Any:
    """One semen analysis checked by the case-file rules (its errors name --semen)."""
    from androcast.labs import parse_case

    try:
        case = parse_case({"patient": {"id": patient}, "semen": [_semen_item(text, day)]},
                          as_of=today)
    except AndrocastError as err:
        field = err.field.replace("semen[0].date", "--date").replace("semen[0]", "--semen")
        raise type(err)(field, err.value, err.expected, err.hint) from None
    return case.semen[0]


@app.command("observe")
def observe(
    patient: str = typer.Argument(..., help="Patient identifier."),
    analyte: str | None = typer.Argument(None, help="Analyte key, e.g. lh."),
    value: str | None = typer.Argument(None, help="Value, e.g. 3.2 or '<0.2'."),
    unit: str | None = typer.Argument(None, help="Unit, e.g. IU/L."),
    date: str | None = typer.Option(None, "--date", help="Date of the sample (default today)."),
    confirmed: bool = typer.Option(False, "--confirmed", help="The unusual value is right."),
    semen: str | None = SEMEN_OPTION,
    csv: Path | None = CSV_OPTION,
    db: str = DB_OPTION,
    user: str | None = USER_OPTION,
    clinic: str = CLINIC_OPTION,
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """Add results to a stored patient (a lab result, a semen analysis, or a CSV of lab
    results) and reassess him.

    On an adopted plan, each new result is judged against his forecast band (alerts, with
    their rule and citation) and the forecast learns from it.
    """
    with reporting_errors():
        from androcast.io.csv_import import read_lab_csv
        from androcast.store import load_chart
        from androcast.workflows.records import add_results

        today = dt.date.today()
        lab_given = None not in (analyte, value, unit)
        if csv is None and semen is None and not lab_given:
            raise AndrocastError(
                "ANALYTE VALUE UNIT", None,
                "a result (e.g. lh 3.2 IU/L), --semen KEY=VALUE,... or --csv FILE",
            )
        with writing(db, user, clinic) as session:
            labs: tuple[Any, ...] = ()
            if csv is not None:
                age = load_chart(session, patient, clinic=clinic).patient.age_years
                labs = read_lab_csv(csv, patient_id=patient, as_of=today, age_years=age)
            elif lab_given:
                item = {
                    "date": _day(date, "--date").isoformat(),
                    "analyte": analyte,
                    "value": value,
                    "unit": unit,
                    "confirmed": confirmed,
                }
                labs = (_observed(session, patient, clinic, item, today),)
            analyses = () if semen is None else (
                _observed_semen(patient, semen, _day(date, "--date"), today),)
            with console.status("assessing (and, on a plan, judging) the new results ..."):
                added = add_results(session, patient, labs=labs, semen=analyses,
                                    clinic=clinic, today=today)
        summary = _summary(added.summary)
        summary["pattern"] = str(added.assessment["pattern"])
        if added.alerts is not None:
            summary["alerts"] = added.alerts
    _print_summary(summary, output)
    if added.alerts is not None and output is OutputFormat.table:
        print_alerts(added.alerts)


@fhir_app.command("import")
def fhir_import(
    bundle: Path = BUNDLE_ARGUMENT,
    db: str = DB_OPTION,
    user: str | None = USER_OPTION,
    clinic: str = CLINIC_OPTION,
    output: OutputFormat = FORMAT_OPTION,
    strict: bool = typer.Option(
        False, "--strict", help="Refuse the bundle if any entry is not one androcast keeps."
    ),
) -> None:
    """Import a bundle: all of it or, on any invalid entry, nothing. Re-imports change nothing.

    Entries androcast does not keep (other resource types, codes outside the catalogue) are
    skipped and listed with the reason; --strict refuses the bundle instead.

    A patient on an adopted plan has his new results judged against his forecast band.

    The records are kept in one short write (other writers wait only for it); each man is
    then assessed, and judged on his plan, computing holding no lock (as the web app does).
    """
    with reporting_errors():
        from androcast.io.fhir import read_bundle
        from androcast.store import open_store
        from androcast.store.users import require_writer
        from androcast.workflows.short_writes import import_outside

        today = dt.date.today()
        parsed = read_bundle(bundle, as_of=today, strict=strict)
        store = open_store(db)
        try:
            with console.status("importing and assessing ..."):
                saved, after = import_outside(
                    store, clinic, _actor(user), parsed.charts, today=today,
                    check=None if user is None else (
                        lambda session: require_writer(session, user, clinic)))
        finally:
            store.close()
        summary = {**_summary(saved), **parsed.report()}
        alerts = after.get("alerts", {})
        if alerts:
            summary["alerts"] = alerts
    _print_summary(summary, output)
    if output is OutputFormat.table:
        for patient, raised in alerts.items():
            console.print(f"{patient}:", highlight=False, markup=False)
            print_alerts(raised)


@fhir_app.command("export")
def fhir_export(
    patient: str = typer.Argument(..., help="Patient identifier."),
    out: Path | None = OUT_OPTION,
    db: str = DB_OPTION,
    clinic: str = CLINIC_OPTION,
) -> None:
    """Export a patient's record as a FHIR R4 transaction bundle."""
    with reporting_errors():
        from androcast.io.fhir import export_bundle
        from androcast.store import load_chart

        with reading(db) as session:
            bundle = export_bundle(load_chart(session, patient, clinic=clinic))
    text = json.dumps(bundle, indent=2, ensure_ascii=False)
    if out is None:
        print_json(bundle)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        console.print(f"wrote {out}", highlight=False)
