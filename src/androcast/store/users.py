"""Users of the web app: who they are, their role and the clinic whose patients they see.

The store keeps the password hash it is given (the web adapter hashes with argon2); it never
sees a password. Every user belongs to exactly one clinic: that is the tenancy boundary.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from androcast.errors import StoreError, UnknownCodeError
from androcast.store.records import ensure_clinic
from androcast.store.schema import ClinicRow, UserRow

ROLES = ("clinician", "admin")


@dataclass(frozen=True)
class UserAccount:
    id: int
    username: str
    display_name: str | None
    role: str
    clinic: str
    password_hash: str | None


def _account(user: UserRow, clinic: str) -> UserAccount:
    return UserAccount(
        user.id, user.username, user.display_name, user.role, clinic, user.password_hash
    )


def add_user(
    session: Session,
    username: str,
    *,
    password_hash: str,
    clinic: str,
    role: str = "clinician",
    display_name: str | None = None,
) -> UserAccount:
    """A new user of ``clinic`` (created on first use); user names are unique."""
    if role not in ROLES:
        raise UnknownCodeError("role", role, f"one of {', '.join(ROLES)}")
    if not username or len(username) > 200:
        raise StoreError("username", username, "a user name of 1 to 200 characters")
    if session.scalar(select(UserRow.id).where(UserRow.username == username)) is not None:
        raise StoreError("username", username, "a user name nobody has yet")
    clinic_row = ensure_clinic(session, clinic)
    user = UserRow(
        clinic_id=clinic_row.id,
        username=username,
        display_name=display_name,
        role=role,
        password_hash=password_hash,
    )
    session.add(user)
    session.flush()
    return _account(user, clinic_row.name)


def find_user(session: Session, username: str) -> UserAccount | None:
    """The user called ``username``, or None."""
    found = session.execute(
        select(UserRow, ClinicRow.name)
        .join(ClinicRow, UserRow.clinic_id == ClinicRow.id)
        .where(UserRow.username == username)
    ).first()
    return None if found is None else _account(found[0], found[1])


def set_password_hash(session: Session, username: str, password_hash: str) -> None:
    """Replace a user's password hash (e.g. after a rehash with stronger parameters)."""
    user = session.scalar(select(UserRow).where(UserRow.username == username))
    if user is None:
        raise UnknownCodeError("username", username, "an existing user")
    user.password_hash = password_hash
    session.flush()


def list_users(session: Session, *, clinic: str) -> list[UserAccount]:
    """The users of one clinic, by user name."""
    rows = session.scalars(
        select(UserRow)
        .join(ClinicRow, UserRow.clinic_id == ClinicRow.id)
        .where(ClinicRow.name == clinic)
        .order_by(UserRow.username)
    ).all()
    return [_account(u, clinic) for u in rows]
