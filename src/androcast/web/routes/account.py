"""A user's own account: changing one's password (page and API).

The current password is checked (failures count against the login limiter, as at login) and
the new one must be long enough, differ from the current one and be typed twice alike; each
problem is named next to its field. Success stores the new hash, ends the user's other
sessions (a stolen session or a one-time password seen by others stops working) and
confirms it. A user whose password is a one-time one is sent here first and, once it is
changed, on to the patient list.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from starlette.status import (
    HTTP_303_SEE_OTHER,
    HTTP_422_UNPROCESSABLE_CONTENT,
    HTTP_429_TOO_MANY_REQUESTS,
)

from androcast.store.users import get_user, set_password_hash
from androcast.web.auth import User, csrf_guard, session_store
from androcast.web.boundary import StrictJSONRoute
from androcast.web.passwords import hash_password, verify_password
from androcast.web.routes._shared import store_of
from androcast.web.routes.auth import _keys, _limiter
from androcast.web.sessions import WebSession
from androcast.web.templating import templates

router = APIRouter(dependencies=[Depends(csrf_guard)], route_class=StrictJSONRoute)

MIN_LENGTH = 12  # NIST SP 800-63B asks at least 8; a passphrase is easy at 12


class PasswordChange(BaseModel):
    current: str = Field(max_length=1000)
    new: str = Field(max_length=1000)
    repeat: str = Field(max_length=1000)


def _form(request: Request, user: WebSession, errors: dict[str, str], *, done: bool,
          status: int = 200) -> HTMLResponse:
    context = {"user": user, "csrf_token": user.csrf_token, "errors": errors, "done": done,
               "min_length": MIN_LENGTH, "one_time": user.must_change_password}
    return templates().TemplateResponse(request, "password.html", context, status_code=status)


def _change(request: Request, user: WebSession, current: str, new: str, repeat: str
            ) -> tuple[dict[str, str], int]:
    """The problems with the change (none: it is done) and the status to answer."""
    assert user.username is not None and user.user_id is not None
    keys = _keys(request, user.username, user.clinic)
    wait = _limiter(request).retry_after_s(*keys)
    if wait > 0:
        refused = {"current": f"too many wrong passwords: try again in {int(wait) + 1} s"}
        return refused, HTTP_429_TOO_MANY_REQUESTS
    store = store_of(request)
    with store.reading() as session:
        account = get_user(session, user.user_id)
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
        return errors, HTTP_422_UNPROCESSABLE_CONTENT
    with store.transaction(user.username) as session:
        set_password_hash(session, user.user_id, hash_password(new))
    sessions = session_store(request)
    sessions.end_user(user.user_id, keep=user.id)
    request.state.web_session = sessions.update(replace(user, must_change_password=False))
    return {}, 200


@router.get("/account/password", include_in_schema=False)
def password_form(request: Request, user: User) -> HTMLResponse:
    return _form(request, user, {}, done=False)


@router.post("/account/password", include_in_schema=False)
def change_password(
    request: Request,
    user: User,
    current: Annotated[str, Form(max_length=1000)] = "",
    new: Annotated[str, Form(max_length=1000)] = "",
    repeat: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    errors, status = _change(request, user, current, new, repeat)
    if errors:
        return _form(request, user, errors, done=False, status=status)
    if user.must_change_password:  # the first login goes on to the clinic's patients
        return RedirectResponse("/patients?password=changed", status_code=HTTP_303_SEE_OTHER)
    return _form(request, request.state.web_session, {}, done=True)


@router.post(
    "/api/account/password",
    tags=["session"],
    responses={
        422: {"description": "a field is wrong (each named)"},
        429: {"description": "too many wrong current passwords"},
    },
)
def api_change_password(request: Request, user: User,
                        body: Annotated[PasswordChange, Body()]) -> Any:
    """Change your password (a one-time password must be changed before anything else)."""
    errors, status = _change(request, user, body.current, body.new, body.repeat)
    if errors:
        problems = [{"field": k, "value": None, "expected": v,
                     "message": f"{k}: expected {v}"} for k, v in errors.items()]
        message = "; ".join(str(p["message"]) for p in problems)
        return JSONResponse({"error": {**problems[0], "message": message,
                                       "problems": problems}}, status_code=status)
    return {"changed": True}
