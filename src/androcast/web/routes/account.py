"""A user's own account: changing one's password.

The current password is checked (failures count against the login limiter, as at login) and
the new one must be long enough, differ from the current one and be typed twice alike; each
problem is named next to its field. Success stores the new hash and confirms it on the page.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse
from starlette.status import HTTP_422_UNPROCESSABLE_CONTENT, HTTP_429_TOO_MANY_REQUESTS

from androcast.store.users import find_user, set_password_hash
from androcast.web.auth import User, csrf_guard
from androcast.web.passwords import hash_password, verify_password
from androcast.web.routes._shared import store_of
from androcast.web.routes.auth import _keys, _limiter
from androcast.web.sessions import WebSession
from androcast.web.templating import templates

router = APIRouter(dependencies=[Depends(csrf_guard)], include_in_schema=False)

MIN_LENGTH = 12  # NIST SP 800-63B asks at least 8; a passphrase is easy at 12


def _form(request: Request, user: WebSession, errors: dict[str, str], *, done: bool,
          status: int = 200) -> HTMLResponse:
    context = {"user": user, "csrf_token": user.csrf_token, "errors": errors, "done": done,
               "min_length": MIN_LENGTH}
    return templates().TemplateResponse(request, "password.html", context, status_code=status)


@router.get("/account/password")
def password_form(request: Request, user: User) -> HTMLResponse:
    return _form(request, user, {}, done=False)


@router.post("/account/password")
def change_password(
    request: Request,
    user: User,
    current: Annotated[str, Form(max_length=1000)] = "",
    new: Annotated[str, Form(max_length=1000)] = "",
    repeat: Annotated[str, Form(max_length=1000)] = "",
) -> HTMLResponse:
    assert user.username is not None
    keys = _keys(request, user.username)
    wait = _limiter(request).retry_after_s(*keys)
    if wait > 0:
        refused = {"current": f"too many wrong passwords: try again in {int(wait) + 1} s"}
        return _form(request, user, refused, done=False, status=HTTP_429_TOO_MANY_REQUESTS)
    store = store_of(request)
    with store.reading() as session:
        account = find_user(session, user.username)
    errors: dict[str, str] = {}
    if account is None or not verify_password(account.password_hash, current):
        _limiter(request).failed(*keys)
        errors["current"] = "not your current password"
    if len(new) < MIN_LENGTH:
        errors["new"] = f"at least {MIN_LENGTH} characters (a few words make a good one)"
    elif new == current:
        errors["new"] = "a password other than the current one"
    if repeat != new:
        errors["repeat"] = "the same as the new password"
    if errors:
        return _form(request, user, errors, done=False, status=HTTP_422_UNPROCESSABLE_CONTENT)
    with store.transaction(user.username) as session:
        set_password_hash(session, user.username, hash_password(new))
    return _form(request, user, {}, done=True)
