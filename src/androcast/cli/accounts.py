"""Clinics and users of the web app: ``clinic add``, ``user add|role|disable|enable|list``.

``user add`` gives the new user a one-time password, printed once: he must change it at his
first login, and it stops working after ``--expires-hours`` (default 72). User names are
unique within a clinic; the clinic must exist (``clinic add``). Bad input exits 2 with one
line naming every bad field, and nothing is written. ``user disable`` ends the user's web
sessions at his next request (the web app checks his row on each one); ``user role`` takes
effect at his next request the same way. Both are kept in the audit trail (who changed
which user, the old and new value). A clinic keeps at least one active admin.
"""

from __future__ import annotations

import datetime as dt

import typer
from rich.table import Table

from androcast.cli import app
from androcast.cli._common import FORMAT_OPTION, OutputFormat, console, print_json, reporting_errors
from androcast.cli.records import CLINIC_OPTION, DB_OPTION, USER_OPTION, writing
from androcast.errors import AndrocastError, CaseProblems, ParameterError

MAX_EXPIRY_HOURS = 30 * 24  # a one-time password is for the first login, not a month later

clinic_app = typer.Typer(help="Clinics (each sees only its own patients).", no_args_is_help=True)
user_app = typer.Typer(help="Users of the web app.", no_args_is_help=True)
app.add_typer(clinic_app, name="clinic")
app.add_typer(user_app, name="user")


@clinic_app.command("add")
def clinic_add(
    name: str = typer.Argument(..., help="The clinic's name, e.g. North."),
    db: str = DB_OPTION,
    user: str | None = USER_OPTION,
) -> None:
    """Create a clinic (its name must be new)."""
    with reporting_errors():
        from androcast.store.users import add_clinic

        with writing(db, user, None) as session:
            created = add_clinic(session, name)
    console.print(f"clinic {created} created", highlight=False, markup=False)


@user_app.command("add")
def user_add(
    username: str = typer.Argument(..., help="User name, e.g. alice (unique in the clinic)."),
    clinic: str = CLINIC_OPTION,
    role: str = typer.Option("clinician", "--role",
                             help="clinician, admin or read_only."),
    name: str | None = typer.Option(None, "--name", help="Full name shown in the app."),
    expires_hours: float = typer.Option(
        72.0, "--expires-hours", help="Hours the one-time password works (default 72)."),
    db: str = DB_OPTION,
    user: str | None = USER_OPTION,
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """Add a user with a one-time password (printed once; changed at the first login)."""
    with reporting_errors():
        from androcast.store.schema import utcnow
        from androcast.store.users import add_user
        from androcast.web.passwords import hash_password, one_time_password

        if not 0 < expires_hours <= MAX_EXPIRY_HOURS:
            bad = ParameterError("--expires-hours", expires_hours,
                                 f"hours above 0 and at most {MAX_EXPIRY_HOURS}")
            _check_with(bad, username, clinic, role)
        password = one_time_password()
        expires = utcnow() + dt.timedelta(hours=expires_hours)
        with writing(db, user, None) as session:
            account = add_user(session, username, password_hash=hash_password(password),
                               clinic=clinic, role=role, display_name=name,
                               one_time_expires_at=expires, create_clinic=False)
    data = {"username": account.username, "clinic": account.clinic, "role": account.role,
            "one_time_password": password, "expires_at": expires.isoformat(timespec="seconds")}
    if output is OutputFormat.json:
        print_json(data)
        return
    console.print(
        f"user {account.username} ({account.role}) added to clinic {account.clinic}; "
        f"one-time password (shown only now, works until {data['expires_at']}, to be "
        f"changed at the first login): {password}",
        highlight=False, markup=False,
    )


def _check_with(bad: AndrocastError, username: str, clinic: str, role: str) -> None:
    """Raise ``bad`` together with whatever else is wrong (every bad field in one line)."""
    from androcast.errors import UnknownCodeError
    from androcast.store.users import ROLES, clinic_name, user_name

    problems: list[AndrocastError] = [bad]
    for check, value in ((user_name, username), (clinic_name, clinic)):
        try:
            check(value)
        except AndrocastError as err:
            problems.append(err)
    if role not in ROLES:
        problems.append(UnknownCodeError("role", role, f"one of {', '.join(ROLES)}"))
    raise problems[0] if len(problems) == 1 else CaseProblems("user", problems)


def _set_active(username: str, clinic: str, db: str, user: str | None, active: bool) -> bool:
    from androcast.store.users import require_user, set_active

    with writing(db, user, None) as session:
        account = require_user(session, username, clinic, field="username")
        return set_active(session, account.id, active)


@user_app.command("role")
def user_role(
    username: str = typer.Argument(..., help="User name."),
    role: str = typer.Argument(..., help="The new role: clinician, admin or read_only."),
    clinic: str = CLINIC_OPTION,
    db: str = DB_OPTION,
    user: str | None = USER_OPTION,
) -> None:
    """Give a user another role (it applies at his next request; audited)."""
    with reporting_errors():
        from androcast.store.users import require_user, set_role

        with writing(db, user, None) as session:
            account = require_user(session, username, clinic, field="username")
            changed = set_role(session, account.id, role)
    state = f"is now {role}" if changed else f"was already {role}"
    console.print(f"user {account.username} of clinic {clinic} {state}", highlight=False,
                  markup=False)


@user_app.command("disable")
def user_disable(
    username: str = typer.Argument(..., help="User name."),
    clinic: str = CLINIC_OPTION,
    db: str = DB_OPTION,
    user: str | None = USER_OPTION,
) -> None:
    """Deactivate a user: he cannot log in, and his sessions end at their next request."""
    with reporting_errors():
        changed = _set_active(username, clinic, db, user, False)
    state = "deactivated" if changed else "was already deactivated"
    console.print(f"user {username} of clinic {clinic} {state}", highlight=False, markup=False)


@user_app.command("enable")
def user_enable(
    username: str = typer.Argument(..., help="User name."),
    clinic: str = CLINIC_OPTION,
    db: str = DB_OPTION,
    user: str | None = USER_OPTION,
) -> None:
    """Reactivate a deactivated user."""
    with reporting_errors():
        changed = _set_active(username, clinic, db, user, True)
    state = "active again" if changed else "was already active"
    console.print(f"user {username} of clinic {clinic} {state}", highlight=False, markup=False)


@user_app.command("list")
def user_list(
    clinic: str = CLINIC_OPTION, db: str = DB_OPTION, output: OutputFormat = FORMAT_OPTION
) -> None:
    """The users of a clinic, with role and status."""
    with reporting_errors():
        from androcast.cli.records import reading
        from androcast.store.users import find_clinic, list_users, unknown_clinic

        with reading(db) as session:
            if find_clinic(session, clinic) is None:
                raise unknown_clinic(clinic)
            users = list_users(session, clinic=clinic)
    rows = [{"username": u.username, "name": u.display_name, "role": u.role,
             "active": u.active, "one_time_password": u.password_change_required}
            for u in users]
    if output is OutputFormat.json:
        print_json(rows)
        return
    table = Table(title=f"Users of clinic {clinic}")
    for column in ("user", "name", "role", "status"):
        table.add_column(column)
    for r in rows:
        status = ("deactivated" if not r["active"] else
                  "one-time password" if r["one_time_password"] else "active")
        table.add_row(str(r["username"]), str(r["name"] or ""), str(r["role"]), status)
    console.print(table)
