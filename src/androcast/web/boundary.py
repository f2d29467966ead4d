"""What enters the web app: JSON parsed strictly, request bodies of bounded size.

Python's ``json`` accepts ``NaN``, ``Infinity`` and ``1e999`` (an infinite float), lone
surrogates (``"\\ud800"``, which no database can store) and NUL characters, and recurses
without limit into nested arrays. The routes of the API and the jobs parse with
``strict_loads`` instead (``StrictJSONRoute``): any of those is a 422 naming what is wrong,
before a handler sees it. Numbers that are finite but implausible are the core's to refuse
(``labs``, ``regimens``), as on the CLI.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.status import HTTP_413_CONTENT_TOO_LARGE
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_DEPTH = 32  # a case file nests 4 deep, a FHIR bundle about 8
MAX_BODY_BYTES = 5_000_000  # the largest accepted request (a FHIR bundle of ~12,000 results)


def _invalid(message: str, doc: str = "", pos: int = 0) -> json.JSONDecodeError:
    return json.JSONDecodeError(message, doc, pos)


def _refuse_constant(name: str) -> Any:
    raise _invalid(f"{name} is not a number JSON allows (finite numbers only)")


def _finite_float(text: str) -> float:
    number = float(text)
    if number in (float("inf"), float("-inf")):
        raise _invalid(f"{text[:40]} is too large for a number (finite numbers only)")
    return number


def _int(text: str) -> int:
    if len(text) > 30:
        raise _invalid(f"an integer of {len(text)} digits is too long")
    return int(text)


def _check(value: Any, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise _invalid(f"nested more than {MAX_DEPTH} levels deep")
    if isinstance(value, str):
        _check_text(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key)
            _check(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check(item, depth + 1)


def _check_text(text: str) -> None:
    if "\x00" in text:
        raise _invalid("text holds a NUL character (\\u0000)")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise _invalid("text holds a lone surrogate (such as \\ud800): not valid Unicode") from None


def strict_loads(body: bytes | str) -> Any:
    """JSON with finite numbers and valid text only, nested at most ``MAX_DEPTH`` levels."""
    try:
        data = json.loads(
            body, parse_constant=_refuse_constant, parse_float=_finite_float, parse_int=_int
        )
    except RecursionError:
        raise _invalid(f"nested more than {MAX_DEPTH} levels deep") from None
    except UnicodeDecodeError:
        raise _invalid("the body is not UTF-8 text") from None
    _check(data, 0)
    return data


class StrictJSONRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = strict_loads(await self.body())
        return self._json


class StrictJSONRoute(APIRoute):
    """A route whose JSON body is parsed by ``strict_loads`` (a bad one answers 422)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict(request: Request) -> Response:
            return await handler(StrictJSONRequest(request.scope, request.receive))

        return strict


def too_large(limit: int) -> HTTPException:
    return HTTPException(
        HTTP_413_CONTENT_TOO_LARGE, f"the request is too large: at most {limit} bytes"
    )


class BodyLimit:
    """Every request body at most ``limit`` bytes (API, forms, FHIR alike): a larger one is
    refused by its Content-Length before it is read, or as soon as it is read past the
    limit (413, as the error handlers render it)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = self.limit + 1
                if declared > self.limit:
                    scope = {**scope, "androcast.too_large": True}
        received = 0

        async def limited() -> Message:
            nonlocal received
            if scope.get("androcast.too_large"):
                raise too_large(self.limit)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise too_large(self.limit)
            return message

        await self.app(scope, limited, send)
