"""User administration for a clinic's admin: list users, add one with a one-time password,
give one a new one-time password, give one another role, deactivate or reactivate one.

A one-time password is shown once, here; it must be changed at the first login and stops
working after ``one_time_password_ttl_s``. Deactivating ends the user's sessions at once.
An admin cannot deactivate himself (a clinic must not lock out its last admin by a click),
and the clinic's last active admin keeps his role. A role changed applies at the user's next
request; like every change of a user, it is kept in the audit trail.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse
from starlette.status import HTTP_404_NOT_FOUND, HTTP_422_UNPROCESSABLE_CONTENT

from androcast.errors import AndrocastError, StoreError
from androcast.store.schema import utcnow
from androcast.store.users import (
    ROLES,
    UserAccount,
    add_user,
    find_user,
    list_users,
    set_active,
    set_password_hash,
    set_role,
)
from androcast.web.auth import Admin, csrf_guard, session_store
from androcast.web.boundary import StrictJSONRoute
from androcast.web.forms import FieldError
from androcast.web.passwords import hash_password, one_time_password
from androcast.web.routes._shared import settings_of, store_of
from androcast.web.sessions import WebSession
from androcast.web.templating import templates

router = APIRouter(
    prefix="/admin",
    dependencies=[Depends(csrf_guard)],
    include_in_schema=False,
    route_class=StrictJSONRoute,
)


def _users_page(
    request: Request,
    admin: WebSession,
    *,
    created: tuple[str, str] | None = None,
    done: str | None = None,
    error: FieldError | None = None,
    status: int = 200,
) -> HTMLResponse:
    assert admin.clinic is not None
    with store_of(request).reading() as session:
        users = list_users(session, clinic=admin.clinic)
    context = {
        "user": admin,
        "csrf_token": admin.csrf_token,
        "users": users,
        "roles": ROLES,
        "created": created,
        "done": done,
        "error": error,
        "expires_h": round(settings_of(request).one_time_password_ttl_s / 3600),
    }
    return templates().TemplateResponse(request, "users.html", context, status_code=status)


def _expiry(request: Request) -> dt.datetime:
    return utcnow() + dt.timedelta(seconds=settings_of(request).one_time_password_ttl_s)


@router.get("/users")
def users(request: Request, admin: Admin) -> HTMLResponse:
    return _users_page(request, admin)


@router.post("/users")
def create_user(
    request: Request,
    admin: Admin,
    username: Annotated[str, Form(max_length=200)],
    role: Annotated[str, Form()] = "clinician",
    display_name: Annotated[str, Form(max_length=200)] = "",
) -> HTMLResponse:
    """A new user of the admin's own clinic; the password is shown once, here."""
    assert admin.clinic is not None and admin.username is not None
    password = one_time_password()
    try:
        with store_of(request).transaction(admin.username) as session:
            account = add_user(
                session,
                username,
                password_hash=hash_password(password),
                clinic=admin.clinic,
                role=role,
                display_name=display_name.strip() or None,
                one_time_expires_at=_expiry(request),
                create_clinic=False,
            )
    except AndrocastError as err:
        return _users_page(
            request, admin, error=FieldError.of(err), status=HTTP_422_UNPROCESSABLE_CONTENT
        )
    return _users_page(request, admin, created=(account.username, password))


def _member(request: Request, admin: WebSession, username: str) -> UserAccount:
    assert admin.clinic is not None
    with store_of(request).reading() as session:
        account = find_user(session, username, admin.clinic)
    if account is None:
        raise StoreError("username", username, f"a user of clinic {admin.clinic}")
    return account


@router.post("/users/{username}/password")
def reset_password(request: Request, admin: Admin, username: str) -> HTMLResponse:
    """A new one-time password for a user of the admin's clinic (his sessions end)."""
    assert admin.username is not None
    try:
        account = _member(request, admin, username)
    except AndrocastError as err:
        return _users_page(request, admin, error=FieldError.of(err), status=HTTP_404_NOT_FOUND)
    password = one_time_password()
    with store_of(request).transaction(admin.username) as session:
        set_password_hash(session, account.id, hash_password(password),
                          one_time_expires_at=_expiry(request))
    session_store(request).end_user(account.id, keep=admin.id)
    return _users_page(request, admin, created=(account.username, password))


@router.post("/users/{username}/active")
def set_user_active(
    request: Request, admin: Admin, username: str,
    active: Annotated[bool, Form()] = False,
) -> HTMLResponse:
    """Deactivate (his sessions end at once) or reactivate a user of the admin's clinic."""
    assert admin.username is not None
    try:
        account = _member(request, admin, username)
        if account.id == admin.user_id and not active:
            raise StoreError("username", username, "another user than yourself",
                             hint="another admin of your clinic can deactivate you")
    except AndrocastError as err:
        return _users_page(request, admin, error=FieldError.of(err),
                           status=HTTP_422_UNPROCESSABLE_CONTENT)
    with store_of(request).transaction(admin.username) as session:
        set_active(session, account.id, active)
    if not active:
        session_store(request).end_user(account.id)
    done = f"{account.username} is {'active' if active else 'deactivated'}."
    return _users_page(request, admin, done=done)


@router.post("/users/{username}/role")
def set_user_role(
    request: Request, admin: Admin, username: str, role: Annotated[str, Form()],
) -> HTMLResponse:
    """Give a user of the admin's clinic another role (at his next request; audited)."""
    assert admin.username is not None
    try:
        account = _member(request, admin, username)
        with store_of(request).transaction(admin.username) as session:
            changed = set_role(session, account.id, role)
    except AndrocastError as err:
        return _users_page(request, admin, error=FieldError.of(err),
                           status=HTTP_422_UNPROCESSABLE_CONTENT)
    shown = role.replace("_", "-")
    done = f"{account.username} is {'now' if changed else 'already'} {shown}."
    return _users_page(request, admin, done=done)
