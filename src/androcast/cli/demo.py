"""`androcast demo` (what `make run` starts): a demo clinic in the web app on 127.0.0.1:8000.

It migrates the embedded SQLite database, stores the shipped example patients (post-TRT,
post-AAS, hyperprolactinaemia, primary testicular failure) in the clinic ``demo`` with
their assessments, adopts the post-TRT man's hCG + clomiphene plan and adds his first
follow-up panel (``examples/monitoring``: his page shows the monitoring chart and an alert),
gives the user ``admin`` a new random one-time password (to be changed at the first login;
it expires after ``ONE_TIME_HOURS``), prints it, and serves the web app.
``--no-serve`` does everything but serving. Run again, it changes no patient.

The examples' dates are moved, whole days at once, so that the newest of them (the
follow-up panel) lies ``FRESH_DAYS`` before today: no demo patient looks overdue for his
next check. The intervals between dates are the examples' own.
"""

from __future__ import annotations

import datetime as dt
from importlib import resources
from typing import Any

import typer
from rich.table import Table

from androcast import DEFAULT_PARTICLES, DISCLAIMER
from androcast._yaml import load_data
from androcast.cli import app
from androcast.cli._common import console, reporting_errors

DEMO_CLINIC = "demo"
DEMO_ADMIN = "admin"
DEMO_DATABASE_URL = "sqlite:///androcast.db"
EXAMPLE_CASES = (
    "examples/cases/post_trt.yaml",
    "examples/cases/post_aas.yaml",
    "examples/cases/hyperprolactinaemia.yaml",
    "examples/cases/primary_testicular_failure.yaml",
)
DEMO_PLAN = "examples/monitoring/post_trt_hcg_serm.yaml"
DEMO_PARTICLES = DEFAULT_PARTICLES  # the web app's: his page's band and the plan's agree
#: The examples' newest date (the follow-up panel) and where it lands: two weeks ago.
EXAMPLES_NEWEST = dt.date(2025, 12, 2)
FRESH_DAYS = 14
ONE_TIME_HOURS = 72


def shift_dates(data: Any, days: int) -> Any:
    """A copy of a case or plan mapping with every date moved by ``days``."""
    if isinstance(data, dt.date):
        return data + dt.timedelta(days=days)
    if isinstance(data, dict):
        return {k: shift_dates(v, days) for k, v in data.items()}
    if isinstance(data, list):
        return [shift_dates(v, days) for v in data]
    return data


def demo_shift(today: dt.date) -> int:
    """Days the examples move so their newest date lies ``FRESH_DAYS`` before ``today``."""
    return (today - dt.timedelta(days=FRESH_DAYS) - EXAMPLES_NEWEST).days


def _example(name: str, today: dt.date) -> Any:
    text = resources.files("androcast").joinpath(name).read_text("utf-8")
    return shift_dates(load_data(text), demo_shift(today))


def prepare_demo(db: str, *, today: dt.date) -> tuple[str, list[tuple[str, str, str]]]:
    """Migrate, store the example patients (idempotent) and reset the admin's password.

    Returns the one-time password and (patient, example, pattern) per example.
    """
    from androcast.labs import parse_case
    from androcast.store import open_store, upgrade
    from androcast.store.schema import utcnow
    from androcast.store.users import add_user, find_user, set_password_hash
    from androcast.web import hash_password, one_time_password
    from androcast.web.service import add_case, latest, patient_exists

    upgrade(db)
    store = open_store(db)
    stored: list[tuple[str, str, str]] = []
    try:
        for name in EXAMPLE_CASES:
            case = parse_case(_example(name, today), as_of=today, source=name)
            if patient_exists(store, DEMO_CLINIC, case.patient.id):  # kept as first stored
                assessment = latest(store, DEMO_CLINIC, case.patient.id)[0] or {}
                stored.append((case.patient.id, name, str(assessment.get("pattern", ""))))
                continue
            result = add_case(store, DEMO_CLINIC, "androcast demo", case)
            stored.append((case.patient.id, name, str(result["assessment"]["pattern"])))
        _follow_up(store, today)
        password = one_time_password()
        expires = utcnow() + dt.timedelta(hours=ONE_TIME_HOURS)
        with store.transaction("androcast demo") as session:
            admin = find_user(session, DEMO_ADMIN, DEMO_CLINIC)
            if admin is None:
                add_user(
                    session,
                    DEMO_ADMIN,
                    password_hash=hash_password(password),
                    clinic=DEMO_CLINIC,
                    role="admin",
                    display_name="Demo administrator",
                    one_time_expires_at=expires,
                )
            else:
                set_password_hash(session, admin.id, hash_password(password),
                                  one_time_expires_at=expires)
    finally:
        store.close()
    return password, stored


def _follow_up(store: Any, today: dt.date) -> None:
    """The post-TRT man on his adopted plan with one follow-up panel. A man who has a plan
    keeps it and gets no panel again (so no alert again)."""

    from androcast.labs import parse_case
    from androcast.store import active_plan, load_chart
    from androcast.web.service import add_results
    from androcast.workflows.monitoring import adopt

    data = _example(DEMO_PLAN, today)
    patient = str(data["patient"])
    with store.transaction("androcast demo") as session:
        age = load_chart(session, patient, clinic=DEMO_CLINIC).patient.age_years
        if active_plan(session, patient, clinic=DEMO_CLINIC) is not None:
            return
        adopt(session, patient, protocol=str(data["protocol"]), start=data["start"],
              today=today, clinic=DEMO_CLINIC, n=DEMO_PARTICLES)
    follow_up = parse_case({"patient": {"id": patient, "age_years": age}, "labs": data["labs"]},
                           as_of=today, source=DEMO_PLAN)
    add_results(store, DEMO_CLINIC, "androcast demo", patient, labs=follow_up.labs, today=today)


@app.command("demo")
def demo(
    db: str = typer.Option(DEMO_DATABASE_URL, "--db", help="Database URL for the demo."),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to serve on."),
    port: int = typer.Option(8000, "--port", help="TCP port to serve on."),
    serve: bool = typer.Option(True, "--serve/--no-serve", help="Serve the web app afterwards."),
) -> None:
    """Set up the demo clinic with example patients and serve the web app."""
    with reporting_errors():
        password, stored = prepare_demo(db, today=dt.date.today())
    console.rule("androcast demo")
    console.print(DISCLAIMER, style="italic")
    table = Table(title=f"Patients of clinic {DEMO_CLINIC}")
    for column in ("patient", "example", "pattern"):
        table.add_column(column)
    for row in stored:
        table.add_row(*row)
    console.print(table)
    console.print(
        f"log in as [bold]{DEMO_ADMIN}[/] with the one-time password "
        f"[bold]{password}[/] (a new one on every start; it works for {ONE_TIME_HOURS} h, "
        "and the first login asks you to choose your own password)",
        highlight=False,
    )
    if serve:
        from androcast.cli.serve import run_server

        console.print(f"serving on http://{host}:{port}/ (Ctrl+C stops)", highlight=False)
        run_server(host, port, db, secure_cookies=False)
