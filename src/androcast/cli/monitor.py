"""Monitoring on a plan: ``patient plan`` adopts one, ``monitor`` shows it.

``observe`` (``records.py``) runs the monitoring step when the patient has an active plan:
``observe_on_plan`` below. Every write is one transaction with its audit entries.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import typer
from rich.table import Table

from androcast.cli import app
from androcast.cli._common import FORMAT_OPTION, OutputFormat, console, print_json, reporting_errors
from androcast.cli.records import (
    CLINIC_OPTION,
    DB_OPTION,
    USER_OPTION,
    _actor,
    _day,
    patient_app,
)
from androcast.errors import StoreError

PROTOCOL_OPTION = typer.Option(..., "--protocol", help="Protocol id, e.g. hcg_serm.")
START_OPTION = typer.Option(None, "--start", help="Plan start YYYY-MM-DD (default today).")
N_OPTION = typer.Option(64, "--n", min=2, help="Virtual men in his twin.")
SEED_OPTION = typer.Option(1, "--seed", help="Random seed of his twin.")


def _no_plan(patient: str) -> StoreError:
    return StoreError("plan", patient, "a patient with an adopted plan",
                      hint=f"run: androcast patient plan {patient} --protocol ID")


def _save(session: Any, patient: str, clinic: str, plan_id: int, state: Any,
          alerts: list[dict[str, Any]]) -> None:
    from androcast.monitoring import state_to_payload
    from androcast.store import save_alerts, save_forecast

    forecast = save_forecast(session, patient, state_to_payload(state),
                             as_of=state.band.as_of, plan_id=plan_id, clinic=clinic)
    save_alerts(session, patient, alerts, forecast_id=forecast.id, clinic=clinic)


def observe_on_plan(session: Any, patient: str, clinic: str, today: dt.date
                    ) -> list[dict[str, Any]] | None:
    """The monitoring step after new results (None: he has no active plan)."""
    from androcast.monitoring import monitor, state_from_payload
    from androcast.store import active_plan, latest_forecast, load_chart

    plan = active_plan(session, patient, clinic=clinic)
    if plan is None:
        return None
    forecast = latest_forecast(session, patient, plan_id=plan.id, clinic=clinic)
    if forecast is None:
        raise _no_plan(patient)
    case = load_chart(session, patient, clinic=clinic).to_case(as_of=today)
    result = monitor(state_from_payload(forecast.payload, case), case)
    alerts = [a.to_dict() for a in result.alerts]
    if result.visits:
        _save(session, patient, clinic, plan.id, result.state, alerts)
    return alerts


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
        from androcast.monitoring import monitor, plan_payload, start_monitoring
        from androcast.prognosis import get_protocol
        from androcast.store import adopt_plan, load_chart, open_store

        get_protocol(protocol, field="--protocol")
        today = dt.date.today()
        day = _day(start, "--start")
        store = open_store(db)
        try:
            with store.transaction(_actor(user)) as session:
                case = load_chart(session, patient, clinic=clinic).to_case(as_of=max(today, day))
                result = monitor(start_monitoring(case, protocol, day, n=n, seed=seed), case)
                payload = plan_payload(result.state, case)
                plan = adopt_plan(session, patient, protocol=protocol, start=day,
                                  payload=payload, clinic=clinic)
                alerts = [a.to_dict() for a in result.alerts]
                _save(session, patient, clinic, plan.id, result.state, alerts)
        finally:
            store.close()
    data = {"patient": patient, "plan": payload, "forecast": result.state.band.to_dict(),
            "alerts": alerts}
    if output is OutputFormat.json:
        print_json(data)
        return
    band = result.state.band
    console.print(f"plan adopted for {patient}: {payload['name']} from {payload['start']} "
                  f"({band.n_virtual} virtual men, ESS {band.ess:.1f}"
                  f"{', low confidence' if band.low_confidence else ''})",
                  highlight=False, markup=False)
    print_alerts(alerts)


def print_alerts(alerts: list[dict[str, Any]]) -> None:
    """Each alert on its own lines: what, the rule and its citation, then the message."""
    if not alerts:
        console.print("no alerts", highlight=False, markup=False)
        return
    console.print(f"alerts ({len(alerts)}):", highlight=False, markup=False)
    for a in alerts:
        value = "" if a.get("value") is None else f" {a['value']:.3g} {a['unit']}"
        console.print(f"- {a['date']} {a['code']} [{a['severity']}] {a['observable']}{value}"
                      f" (rule {a['rule']}; {a['citation']})", highlight=False, markup=False)
        console.print(f"  {a['message']}", highlight=False, markup=False)


@app.command("monitor")
def monitor_patient(
    patient: str = typer.Argument(..., help="Patient identifier."),
    db: str = DB_OPTION,
    clinic: str = CLINIC_OPTION,
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """His adopted plan, the latest forecast band against his results, and the alerts."""
    with reporting_errors():
        from androcast.monitoring import Band, monitoring_report
        from androcast.store import (
            active_plan,
            latest_forecast,
            list_alerts,
            load_chart,
            open_store,
        )

        store = open_store(db)
        try:
            with store.reading() as session:
                plan = active_plan(session, patient, clinic=clinic)
                if plan is None:
                    raise _no_plan(patient)
                forecast = latest_forecast(session, patient, plan_id=plan.id, clinic=clinic)
                if forecast is None:
                    raise _no_plan(patient)
                case = load_chart(session, patient, clinic=clinic).to_case(
                    as_of=max(dt.date.today(), forecast.as_of))
                alerts = [a.to_dict() for a in list_alerts(session, patient, clinic=clinic)]
        finally:
            store.close()
        report = monitoring_report(plan.payload, Band.from_dict(forecast.payload), case, alerts)
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
