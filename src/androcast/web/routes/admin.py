"""User administration for a clinic's admin: list users, add one with a one-time password."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse
from starlette.status import HTTP_422_UNPROCESSABLE_CONTENT

from androcast.errors import AndrocastError
from androcast.store.users import ROLES, add_user, list_users
from androcast.web.auth import Admin, csrf_guard
from androcast.web.boundary import StrictJSONRoute
from androcast.web.forms import FieldError
from androcast.web.passwords import hash_password, one_time_password
from androcast.web.routes._shared import store_of
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
        "error": error,
    }
    return templates().TemplateResponse(request, "users.html", context, status_code=status)


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
            add_user(
                session,
                username.strip(),
                password_hash=hash_password(password),
                clinic=admin.clinic,
                role=role,
                display_name=display_name.strip() or None,
            )
    except AndrocastError as err:
        return _users_page(
            request, admin, error=FieldError.of(err), status=HTTP_422_UNPROCESSABLE_CONTENT
        )
    return _users_page(request, admin, created=(username.strip(), password))
