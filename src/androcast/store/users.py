"""Users of the web app: who they are, their role and the clinic whose patients they see.

The store keeps the password hash it is given (the web adapter hashes with argon2); it never
sees a password. Every user belongs to exactly one clinic: that is the tenancy boundary, and
user names are unique within a clinic only (two clinics may each have an "alice").

Roles: ``clinician`` (reads and writes his clinic's records), ``admin`` (also manages the
clinic's users) and ``read_only`` (reads everything a clinician reads, writes nothing).
A one-time password (``one_time=True``) must be changed at the first login and stops
working when it expires; a deactivated user cannot log in.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from androcast.errors import (
    AndrocastError,
    CaseProblems,
    IdentifierError,
    StoreError,
    UnknownCodeError,
)
from androcast.store.schema import ClinicRow, UserRow, utcnow

ROLES = ("clinician", "admin", "read_only")
WRITING_ROLES = ("clinician", "admin")
MAX_NAME = 64
NAME_EXPECTED = (
    f"1 to {MAX_NAME} letters, digits or . _ - @ (no spaces, no '/'), e.g. alice or j.smith"
)
CLINIC_EXPECTED = "1 to 200 printable characters without '/', e.g. North"
_NAME = re.compile(r"^[^\W][\w.@-]*$")


@dataclass(frozen=True)
class UserAccount:
    id: int
    username: str
    display_name: str | None
    role: str
    clinic: str
    password_hash: str | None
    active: bool = True
    password_change_required: bool = False
    password_expires_at: dt.datetime | None = None

    def password_expired(self, now: dt.datetime | None = None) -> bool:
        """A one-time password past its expiry (a chosen password does not expire)."""
        if self.password_expires_at is None:
            return False
        expires = self.password_expires_at
        if expires.tzinfo is None:  # SQLite gives naive datetimes back; they were UTC
            expires = expires.replace(tzinfo=dt.UTC)
        return (now or utcnow()) >= expires

    @property
    def writes(self) -> bool:
        return self.role in WRITING_ROLES


def _account(user: UserRow, clinic: str) -> UserAccount:
    return UserAccount(
        user.id,
        user.username,
        user.display_name,
        user.role,
        clinic,
        user.password_hash,
        user.active,
        user.password_change_required,
        user.password_expires_at,
    )


def user_name(text: str, field: str = "username") -> str:
    """A user name as stored and looked up: NFKC-normalised and trimmed; letters (any
    script), digits and . _ - @, starting with a letter or digit."""
    normal = unicodedata.normalize("NFKC", text).strip() if isinstance(text, str) else ""
    if not normal or len(normal) > MAX_NAME or not _NAME.match(normal):
        shown = text if isinstance(text, str) and text.isprintable() else repr(text)
        raise IdentifierError(field, shown[:200], NAME_EXPECTED)
    return normal


def clinic_name(text: str, field: str = "clinic") -> str:
    """A clinic name as stored: NFKC-normalised, trimmed, printable, no '/'."""
    normal = unicodedata.normalize("NFKC", text).strip() if isinstance(text, str) else ""
    if not normal or len(normal) > 200 or not normal.isprintable() or "/" in normal:
        shown = text if isinstance(text, str) and text.isprintable() else repr(text)
        raise IdentifierError(field, shown[:200], CLINIC_EXPECTED)
    return normal


def find_clinic(session: Session, name: str) -> ClinicRow | None:
    return session.scalar(select(ClinicRow).where(ClinicRow.name == name))


def add_clinic(session: Session, name: str) -> str:
    """A new clinic; its name must be new."""
    name = clinic_name(name)
    if find_clinic(session, name) is not None:
        raise StoreError("clinic", name, "a clinic name not taken yet")
    session.add(ClinicRow(name=name))
    session.flush()
    return name


def clinic_names(session: Session) -> list[str]:
    return list(session.scalars(select(ClinicRow.name).order_by(ClinicRow.name)))


def unknown_clinic(name: str) -> StoreError:
    return StoreError(
        "clinic", name, "an existing clinic", hint=f"create it first: androcast clinic add {name}"
    )


def add_user(
    session: Session,
    username: str,
    *,
    password_hash: str,
    clinic: str,
    role: str = "clinician",
    display_name: str | None = None,
    one_time_expires_at: dt.datetime | None = None,
    create_clinic: bool = True,
) -> UserAccount:
    """A new user of ``clinic`` (created on first use unless ``create_clinic`` is false).

    ``one_time_expires_at``: the password is a one-time one, to be changed at the first
    login and refused after this instant. Every bad field is named in one error.
    """
    problems: list[AndrocastError] = []
    try:
        username = user_name(username)
    except IdentifierError as err:
        problems.append(err)
    if role not in ROLES:
        problems.append(UnknownCodeError("role", role, f"one of {', '.join(ROLES)}"))
    try:
        clinic = clinic_name(clinic)
    except IdentifierError as err:
        problems.append(err)
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise CaseProblems("user", problems)
    clinic_row = find_clinic(session, clinic)
    if clinic_row is None:
        if not create_clinic:
            raise unknown_clinic(clinic)
        clinic_row = ClinicRow(name=clinic)
        session.add(clinic_row)
        session.flush()
    taken = session.scalar(
        select(UserRow.id).where(UserRow.clinic_id == clinic_row.id, UserRow.username == username)
    )
    if taken is not None:
        raise StoreError("username", username, f"a user name nobody in clinic {clinic} has yet")
    user = UserRow(
        clinic_id=clinic_row.id,
        username=username,
        display_name=display_name,
        role=role,
        password_hash=password_hash,
        active=True,
        password_change_required=one_time_expires_at is not None,
        password_expires_at=one_time_expires_at,
    )
    session.add(user)
    session.flush()
    return _account(user, clinic_row.name)


def find_user(session: Session, username: str, clinic: str | None = None) -> UserAccount | None:
    """The user called ``username`` in ``clinic``; without a clinic, the one user of that
    name in any clinic (None when there is none or several: then the clinic must be named)."""
    try:
        username = user_name(username)
        clinic = None if clinic is None else clinic_name(clinic)
    except IdentifierError:  # no such user can exist (and NUL never reaches the database)
        return None
    query = (
        select(UserRow, ClinicRow.name)
        .join(ClinicRow, UserRow.clinic_id == ClinicRow.id)
        .where(UserRow.username == username)
    )
    if clinic is not None:
        query = query.where(ClinicRow.name == clinic)
    found = session.execute(query.limit(2)).all()
    if len(found) != 1:
        return None
    return _account(found[0][0], found[0][1])


def get_user(session: Session, user_id: int) -> UserAccount | None:
    """The user with this id (as a session remembers him), or None."""
    found = session.execute(
        select(UserRow, ClinicRow.name)
        .join(ClinicRow, UserRow.clinic_id == ClinicRow.id)
        .where(UserRow.id == user_id)
    ).first()
    return None if found is None else _account(found[0], found[1])


def _row(session: Session, user_id: int) -> UserRow:
    user = session.get(UserRow, user_id, with_for_update=True)
    if user is None:
        raise UnknownCodeError("username", user_id, "an existing user")
    return user


def set_password_hash(
    session: Session,
    user_id: int,
    password_hash: str,
    *,
    one_time_expires_at: dt.datetime | None = None,
) -> None:
    """Replace a user's password hash: a password he chose (the default), or a one-time one
    (``one_time_expires_at``) he must change at his next login."""
    user = _row(session, user_id)
    user.password_hash = password_hash
    user.password_change_required = one_time_expires_at is not None
    user.password_expires_at = one_time_expires_at
    session.flush()


def rehash_password(session: Session, user_id: int, password_hash: str) -> None:
    """The same password under stronger hash parameters (its one-time status unchanged)."""
    _row(session, user_id).password_hash = password_hash
    session.flush()


def set_active(session: Session, user_id: int, active: bool) -> bool:
    """(De)activate a user; True if that changed anything."""
    user = _row(session, user_id)
    if user.active == active:
        return False
    user.active = active
    session.flush()
    return True


def set_role(session: Session, user_id: int, role: str) -> bool:
    """Give a user another role (audited as a change of his row); True if that changed
    anything. A clinic keeps at least one active admin: the last one cannot be given
    another role (his row and his clinic's other admins are locked while this is decided,
    so two admins demoting each other at once cannot both succeed)."""
    if role not in ROLES:
        raise UnknownCodeError("role", role, f"one of {', '.join(ROLES)}")
    user = _row(session, user_id)
    if user.role == role:
        return False
    if user.role == "admin" and user.active:
        others = session.scalar(
            select(func.count()).select_from(
                select(UserRow.id)
                .where(UserRow.clinic_id == user.clinic_id, UserRow.role == "admin",
                       UserRow.active, UserRow.id != user.id)
                .with_for_update()
                .subquery()
            )
        )
        if not others:
            raise StoreError(
                "role", role, f"admin for {user.username}, the clinic's last active admin",
                hint=f"make another user admin first, then change {user.username}")
    user.role = role
    session.flush()
    return True


def require_user(
    session: Session, username: str, clinic: str, *, field: str = "--user"
) -> UserAccount:
    """The user ``username`` of ``clinic``, or an error naming what is wrong."""
    name = user_name(username, field)
    if find_clinic(session, clinic) is None:
        raise unknown_clinic(clinic)
    account = find_user(session, name, clinic)
    if account is None:
        raise StoreError(
            field, name, f"a user of clinic {clinic}",
            hint=f"add one: androcast user add {name} --clinic {clinic}",
        )
    return account


def require_writer(session: Session, username: str, clinic: str | None) -> UserAccount:
    """The active user ``username`` who may write (of ``clinic``, or of any clinic when the
    command concerns no clinic's patients): who the CLI's ``--user`` names."""
    if clinic is None:
        account = find_user(session, user_name(username, "--user"))
        if account is None:
            raise StoreError("--user", username, "an existing user (give his --clinic if "
                             "his name is used in several clinics)")
    else:
        account = require_user(session, username, clinic)
    if not account.active:
        raise StoreError("--user", username, "an active user", hint="he is deactivated")
    if not account.writes:
        raise StoreError("--user", username, "a user who may write",
                         hint=f"{username} is {account.role}")
    return account


def list_users(session: Session, *, clinic: str) -> list[UserAccount]:
    """The users of one clinic, by user name."""
    rows = session.scalars(
        select(UserRow)
        .join(ClinicRow, UserRow.clinic_id == ClinicRow.id)
        .where(ClinicRow.name == clinic)
        .order_by(UserRow.username)
    ).all()
    return [_account(u, clinic) for u in rows]
