"""`androcast demo` (the main job of `make run`): demo clinic, example patients, admin login."""

import datetime as dt
import json
from pathlib import Path

from typer.testing import CliRunner

from androcast.cli import app
from androcast.cli.demo import FRESH_DAYS, demo_shift
from androcast.store import list_patients, open_store
from androcast.store.users import find_user
from androcast.web import verify_password

runner = CliRunner()


def _password(output: str) -> str:
    line = next(line for line in output.splitlines() if "one-time password" in line)
    return line.split("one-time password")[1].split()[0]


def test_demo_stores_the_four_example_patients_and_an_admin_with_a_printed_password(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    result = runner.invoke(app, ["demo", "--db", url, "--no-serve"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "not a prescription" in result.output
    password = _password(result.output)
    store = open_store(url)
    try:
        with store.reading() as session:
            patients = {p.identifier: p for p in list_patients(session, clinic="demo")}
            admin = find_user(session, "admin")
    finally:
        store.close()
    assert sorted(patients) == ["AAS-024", "P001", "PRL-034", "PTF-031"]
    assert admin is not None and admin.role == "admin" and admin.clinic == "demo"
    assert verify_password(admin.password_hash, password)
    for identifier, pattern in (
        ("P001", "exogenous_suppression"),
        ("PRL-034", "secondary"),
        ("PTF-031", "primary"),
    ):
        assert f"{identifier}" in result.output and pattern in result.output


def test_demo_run_again_keeps_the_patients_and_gives_a_new_password(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    first = runner.invoke(app, ["demo", "--db", url, "--no-serve"], terminal_width=200)
    second = runner.invoke(app, ["demo", "--db", url, "--no-serve"], terminal_width=200)
    assert first.exit_code == 0 and second.exit_code == 0, second.output
    old, new = _password(first.output), _password(second.output)
    assert old != new
    store = open_store(url)
    try:
        with store.reading() as session:
            assert len(list_patients(session, clinic="demo")) == 4
            admin = find_user(session, "admin")
    finally:
        store.close()
    assert admin is not None
    assert verify_password(admin.password_hash, new) and not verify_password(
        admin.password_hash, old
    )


def test_demo_with_an_unusable_database_url_is_one_line_and_exit_2() -> None:
    result = runner.invoke(app, ["demo", "--db", "mysql://nobody@nowhere/x", "--no-serve"])
    assert result.exit_code == 2
    assert result.output.strip().startswith("error: database:")


def test_demo_post_trt_man_is_on_a_plan_with_a_follow_up_and_its_alert(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    for _ in range(2):  # run again: the same plan, no second copy of the alert
        result = runner.invoke(app, ["demo", "--db", url, "--no-serve"], terminal_width=200)
        assert result.exit_code == 0, result.output
    shown = runner.invoke(app, ["monitor", "P001", "--db", url, "--clinic", "demo",
                                "--format", "json"])
    assert shown.exit_code == 0, shown.output
    report = json.loads(shown.stdout)
    # the examples' dates, moved so that the follow-up lies two weeks before today
    today = dt.date.today()
    start = (dt.date(2025, 10, 21) + dt.timedelta(days=demo_shift(today))).isoformat()
    week_6 = (today - dt.timedelta(days=FRESH_DAYS)).isoformat()
    assert (report["plan"]["protocol"], report["plan"]["start"]) == ("hcg_serm", start)
    assert report["forecast"]["as_of"] == week_6  # learnt from the follow-up
    week_6 = {o["observable"] for o in report["observations"] if o["date"] == week_6}
    assert week_6 == {"testosterone_total", "lh", "fsh", "estradiol"}
    assert [(a["code"], a["rule"]) for a in report["alerts"]] == [
        ("add_aromatase_inhibitor", "ESC-AI")]
