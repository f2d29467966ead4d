"""Monitoring on a plan: ``patient plan`` adopts one, ``patient stop-plan`` withdraws it,
``monitor`` shows it, ``alert ack`` acknowledges an alert. The work is
``androcast.workflows.monitoring`` (shared with the web app).

``observe`` and ``fhir import`` (``records.py``) run the monitoring step when the patient has
an active plan (``androcast.workflows.records``). Every write is one transaction with its audit
entries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer
from rich.table import Table

from androcast.cli import app
from androcast.cli._alerts import print_alerts
from androcast.cli._common import FORMAT_OPTION, OutputFormat, console, print_json, reporting_errors
from androcast.cli.records import (
    CLINIC_OPTION,
    DB_OPTION,
    USER_OPTION,
    _actor,
    _day,
    patient_app,
    reading,
    writing,
)

PROTOCOL_OPTION = typer.Option(..., "--protocol", help="Protocol id, e.g. hcg_serm.")
START_OPTION = typer.Option(None, "--start", help="Plan start YYYY-MM-DD (default today).")
N_OPTION = typer.Option(64, "--n", min=2, help="Virtual men in his twin.")
SEED_OPTION = typer.Option(1, "--seed", help="Random seed of his twin.")


@contextmanager
def _options_named() -> Iterator[None]:
    """The workflow's errors name this command's options (--protocol, --start, --date,
    --reason)."""
    from androcast.errors import AndrocastError

    try:
        yield
    except AndrocastError as err:
        if err.field not in ("protocol", "start", "date", "reason"):
            raise
        raise type(err)(f"--{err.field}", err.value, err.expected, err.hint) from None


@patient_app.command("plan")
def patient_plan(
    patient: str = typer.Argument(..., help="Patient identifier."),
    protocol: str = PROTOCOL_OPTION,
    start: str | None = START_OPTION,
    n: int = N_OPTION,
    seed: int = SEED_OPTION,
    db: str = DB_OPTION,
    user: str | None = USER_OPTION,
    clinic: str = CLINIC_OPTION,
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """Adopt a protocol for a stored patient: his forecast band, and alerts on later results."""
    with reporting_errors():
        from androcast.workflows.monitoring import adopt

        today = dt.date.today()
        day = _day(start, "--start")
        with (_options_named(), writing(db, user, clinic) as session,
              console.status("personalising his twin on the plan ...")):
            adopted = adopt(session, patient, protocol=protocol, start=day, today=today,
                            clinic=clinic, n=n, seed=seed)
    payload, band = adopted.plan, adopted.forecast
    if output is OutputFormat.json:
        print_json({"patient": patient, "plan": payload, "forecast": band,
                    "alerts": adopted.alerts})
        return
    console.print(f"plan adopted for {patient}: {payload['name']} from {payload['start']} "
                  f"({band['n_virtual']} virtual men, ESS {band['ess']:.1f}"
                  f"{', low confidence' if band['low_confidence'] else ''})",
                  highlight=False, markup=False)
    print_alerts(adopted.alerts)


@patient_app.command("stop-plan")
def patient_stop_plan(
    patient: str = typer.Argument(..., help="Patient identifier."),
    reason: str = typer.Option(..., "--reason", help="Why the plan is stopped (audited), "
                               "e.g. 'pregnancy achieved', 'side effects'."),
    on: str | None = typer.Option(None, "--date", help="Day the plan stops, YYYY-MM-DD "
                                  "(default today; from the plan's start to today)."),
    db: str = DB_OPTION,
    user: str | None = USER_OPTION,
    clinic: str = CLINIC_OPTION,
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """Withdraw his adopted plan: kept as stopped (who, when, why in the audit trail); the
    courses of its drugs end on that day, and he is reassessed."""
    with reporting_errors():
        from androcast.workflows.monitoring import stop

        day = _day(on, "--date")
        with _options_named(), writing(db, user, clinic) as session:
            stopped = stop(session, patient, on=day, reason=reason, today=dt.date.today(),
                           clinic=clinic)
    if output is OutputFormat.json:
        print_json({"patient": patient, "plan": stopped.plan, "courses": stopped.courses})
        return
    ended = ", ".join(
        f"{c['drug']} ({'removed: never taken' if c['stop'] is None else 'to ' + c['stop']})"
        for c in stopped.courses) or "none"
    console.print(f"plan stopped for {patient}: {stopped.plan['name']} on "
                  f"{stopped.plan['stopped']['date']} ({stopped.plan['stopped']['reason']}); "
                  f"its drugs' courses ended: {ended}", highlight=False, markup=False)


@app.command("monitor")
def monitor_patient(
    patient: str = typer.Argument(..., help="Patient identifier."),
    db: str = DB_OPTION,
    clinic: str = CLINIC_OPTION,
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """His adopted plan, the latest forecast band against his results, and the alerts."""
    with reporting_errors():
        from androcast.workflows.monitoring import no_plan, view

        with reading(db) as session:
            report = view(session, patient, clinic=clinic, today=dt.date.today())
        if report is None:
            raise no_plan(patient)
    if output is OutputFormat.json:
        print_json(report)
        return
    _print_report(report)


def _print_report(report: dict[str, Any]) -> None:
    plan, band = report["plan"], report["forecast"]
    console.print(f"{report['patient']}: {plan['name']} since {plan['start']}; forecast as of "
                  f"{band['as_of']} ({band['n_virtual']} virtual men, ESS {band['ess']}"
                  f"{', low confidence' if band['low_confidence'] else ''})",
                  highlight=False, markup=False)
    for warning in band["warnings"]:
        console.print(f"warning: {warning}", highlight=False, markup=False)
    table = Table(title="Results against the forecast band (5-95 %)")
    for column in ("date", "observable", "result", "band", "outside (SD)"):
        table.add_column(column)
    for o in report["observations"]:
        shown = f"{o['censor'] or ''}{o['value']:.3g} {o['unit']}"
        edges = "-" if o["p05"] is None else f"{o['p05']:.3g}-{o['p95']:.3g}"
        outside = "-" if o["outside_band_sd"] is None else f"{o['outside_band_sd']:.1f}"
        table.add_row(o["date"], o["observable"], shown, edges, outside)
    console.print(table)
    print_alerts(report["alerts"])


alert_app = typer.Typer(help="Alerts of monitored patients.", no_args_is_help=True)
app.add_typer(alert_app, name="alert")


@alert_app.command("ack")
def alert_ack(
    patient: str = typer.Argument(..., help="Patient identifier."),
    alert_id: int = typer.Argument(..., help="Alert id (androcast monitor PATIENT --format json)."),
    db: str = DB_OPTION,
    user: str | None = USER_OPTION,
    clinic: str = CLINIC_OPTION,
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """Acknowledge one of his alerts: who saw it and when are kept (audited)."""
    with reporting_errors():
        from androcast.workflows.monitoring import acknowledge

        with writing(db, user, clinic) as session:
            alert = acknowledge(session, patient, alert_id, by=_actor(user), clinic=clinic)
    data = alert.to_dict()
    if output is OutputFormat.json:
        print_json({"patient": patient, **data})
        return
    console.print(f"alert {data['id']} of {patient} ({data['code']}, {data['date']}) acknowledged "
                  f"by {data['acknowledged_by']} at {data['acknowledged_at']}",
                  highlight=False, markup=False)
