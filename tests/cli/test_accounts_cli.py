"""``androcast clinic add`` and ``user add|disable|enable|list``; ``--user`` must name a real
user who may write (issue 20). Bad input: one line naming every bad field, exit 2, nothing
written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from androcast.cli import app
from androcast.store import open_store
from androcast.store.schema import AuditRow, ClinicRow, UserRow
from androcast.store.users import find_user
from androcast.web.passwords import verify_password

EXAMPLES = Path(__file__).parents[2] / "examples"
runner = CliRunner()


def _run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _counts(db: str) -> tuple[int, int, int]:
    store = open_store(db)
    try:
        with store.reading() as session:
            return tuple(int(session.scalar(select(func.count()).select_from(t)) or 0)
                         for t in (ClinicRow, UserRow, AuditRow))  # type: ignore[return-value]
    finally:
        store.close()


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'accounts.db'}"
    assert _run("db", "upgrade", "--db", url)[0] == 0
    return url


def test_clinic_and_user_add_with_a_one_time_password(db: str) -> None:
    assert _run("clinic", "add", "North", "--db", db) == (0, "clinic North created\n", "")
    code, out, err = _run("user", "add", "alice", "--clinic", "North", "--role", "admin",
                          "--name", "Alice A.", "--db", db, "--format", "json")
    assert code == 0, err
    added = json.loads(out)
    assert (added["username"], added["clinic"], added["role"]) == ("alice", "North", "admin")
    store = open_store(db)
    with store.reading() as session:
        alice = find_user(session, "alice", "North")
    store.close()
    assert alice is not None and alice.password_change_required and alice.active
    assert verify_password(alice.password_hash, added["one_time_password"])
    assert alice.password_expires_at is not None and not alice.password_expired()
    # the same name in another clinic is another user
    assert _run("clinic", "add", "South", "--db", db)[0] == 0
    assert _run("user", "add", "alice", "--clinic", "South", "--db", db)[0] == 0
    code, out, _ = _run("user", "list", "--clinic", "South", "--db", db, "--format", "json")
    assert [u["username"] for u in json.loads(out)] == ["alice"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("clinic", "add", "a/b"), "error: clinic: 'a/b' is not a usable identifier"),
        (("user", "add", "bob", "--clinic", "Nowhere"),
         "error: clinic: 'Nowhere' cannot be used; expected an existing clinic "
         "(create it first: androcast clinic add Nowhere)"),
        (("user", "add", "bo b", "--clinic", "North", "--role", "boss"),
         "username: 'bo b' is not a usable identifier"),
        (("user", "add", "bob", "--clinic", "North", "--expires-hours", "0", "--role", "x"),
         "--expires-hours: 0.0 is not a valid parameter"),
        (("user", "add", "alice", "--clinic", "North"),
         "username: 'alice' cannot be used; expected a user name nobody in clinic North"),
        (("user", "disable", "zed", "--clinic", "North"),
         "username: 'zed' cannot be used; expected a user of clinic North"),
        (("clinic", "add", "North"), "clinic: 'North' cannot be used; expected a clinic name"),
    ],
)
def test_bad_input_exits_2_naming_each_field_and_writes_nothing(
    db: str, args: tuple[str, ...], message: str
) -> None:
    assert _run("clinic", "add", "North", "--db", db)[0] == 0
    assert _run("user", "add", "alice", "--clinic", "North", "--db", db)[0] == 0
    before = _counts(db)
    code, out, err = _run(*args, "--db", db)
    assert code == 2 and out == ""
    assert message in " ".join(err.split()), err
    assert len(err.strip().splitlines()) == 1 or "Traceback" not in err
    assert _counts(db) == before


def test_both_problems_are_named_together(db: str) -> None:
    assert _run("clinic", "add", "North", "--db", db)[0] == 0
    code, _, err = _run("user", "add", "bo b", "--clinic", "North", "--role", "boss",
                        "--db", db)
    text = " ".join(err.split())
    assert code == 2 and "username: 'bo b'" in text and "role: 'boss'" in text


def test_user_must_name_an_active_user_who_may_write(db: str) -> None:
    case = str(EXAMPLES / "cases" / "post_trt.yaml")
    assert _run("clinic", "add", "North", "--db", db)[0] == 0
    for name, role in (("dr.a", "clinician"), ("viewer", "read_only"), ("dr.gone", "clinician")):
        assert _run("user", "add", name, "--clinic", "North", "--role", role, "--db", db)[0] == 0
    assert _run("user", "disable", "dr.gone", "--clinic", "North", "--db", db)[0] == 0
    before = _counts(db)
    for user, expected in (("nobody", "expected a user of clinic North"),
                           ("viewer", "expected a user who may write"),
                           ("dr.gone", "expected an active user")):
        code, _, err = _run("patient", "add", case, "--db", db, "--clinic", "North",
                            "--user", user)
        assert code == 2 and expected in " ".join(err.split()), err
    assert _counts(db) == before  # nothing half-written
    code, _, err = _run("patient", "add", case, "--db", db, "--clinic", "North",
                        "--user", "dr.a")
    assert code == 0, err
    store = open_store(db)
    with store.reading() as session:
        actors = set(session.scalars(
            select(AuditRow.actor).where(AuditRow.table_name == "patient")))
    store.close()
    assert actors == {"dr.a"}
    # enabled again, he may act again
    assert _run("user", "enable", "dr.gone", "--clinic", "North", "--db", db)[0] == 0
    code, _, err = _run("observe", "P001", "lh", "3.1", "IU/L", "--db", db, "--clinic", "North",
                        "--user", "dr.gone")
    assert code == 0, err


def _role(db: str, username: str, clinic: str = "North") -> str:
    store = open_store(db)
    try:
        with store.reading() as session:
            account = find_user(session, username, clinic)
    finally:
        store.close()
    assert account is not None
    return account.role


def test_user_role_changes_a_role_audited_and_keeps_an_admin(db: str) -> None:
    assert _run("clinic", "add", "North", "--db", db)[0] == 0
    for name, role in (("anna", "admin"), ("dr.a", "clinician")):
        assert _run("user", "add", name, "--clinic", "North", "--role", role, "--db", db)[0] == 0
    code, out, err = _run("user", "role", "dr.a", "read_only", "--clinic", "North",
                          "--db", db, "--user", "anna")
    assert (code, out, err) == (0, "user dr.a of clinic North is now read_only\n", ""), err
    assert _role(db, "dr.a") == "read_only"
    store = open_store(db)
    with store.reading() as session:
        changes = [(r.actor, r.changes) for r in session.scalars(
            select(AuditRow).where(AuditRow.table_name == "app_user",
                                   AuditRow.action == "update"))]
    store.close()
    assert changes == [("anna", {"role": ["clinician", "read_only"]})]
    # the same role again changes nothing (and writes no audit row)
    before = _counts(db)
    assert _run("user", "role", "dr.a", "read_only", "--clinic", "North", "--db", db)[1] == (
        "user dr.a of clinic North was already read_only\n")
    assert _counts(db) == before
    # the clinic's last active admin keeps his role until another user is admin
    code, out, err = _run("user", "role", "anna", "clinician", "--clinic", "North", "--db", db)
    assert code == 2 and out == ""
    assert ("role: 'clinician' cannot be used; expected admin for anna, the clinic's last "
            "active admin (make another user admin first, then change anna)"
            ) in " ".join(err.split())
    assert _counts(db) == before
    assert _run("user", "role", "dr.a", "admin", "--clinic", "North", "--db", db)[0] == 0
    assert _run("user", "role", "anna", "clinician", "--clinic", "North", "--db", db)[0] == 0
    assert (_role(db, "anna"), _role(db, "dr.a")) == ("clinician", "admin")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("user", "role", "dr.a", "boss", "--clinic", "North"),
         "error: role: 'boss' is not a known code; expected one of clinician, admin, read_only"),
        (("user", "role", "zed", "admin", "--clinic", "North"),
         "error: username: 'zed' cannot be used; expected a user of clinic North"),
        (("user", "role", "dr.a", "admin", "--clinic", "Nowhere"),
         "error: clinic: 'Nowhere' cannot be used; expected an existing clinic"),
    ],
)
def test_user_role_bad_input_exits_2_and_writes_nothing(
    db: str, args: tuple[str, ...], message: str
) -> None:
    assert _run("clinic", "add", "North", "--db", db)[0] == 0
    assert _run("user", "add", "dr.a", "--clinic", "North", "--db", db)[0] == 0
    before = _counts(db)
    code, out, err = _run(*args, "--db", db)
    assert code == 2 and out == ""
    assert message in " ".join(err.split()), err
    assert _counts(db) == before
