"""The history section: androgen courses, conditions and medications, checked against catalogues."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from androcast.errors import DateError, RegimenError, UnknownCodeError
from androcast.labs import _fields
from androcast.labs._catalogue import condition_codes
from androcast.labs._model import AndrogenUse, History

HISTORY_KEYS = ("androgens", "conditions", "medications")
ANDROGEN_KEYS = ("agent", "dose", "every", "start", "stop", "route")


def _drugs() -> Any:
    # Imported here: the drug catalogue is a sibling core package, needed only for histories.
    import androcast.drugs as drugs

    return drugs


def androgen_codes() -> tuple[str, ...]:
    """Codes of testosterone preparations and other anabolic-androgenic steroids."""
    drugs = _drugs()
    return tuple(drugs.drug_codes(drugs.DrugKind.testosterone)) + tuple(
        drugs.drug_codes(drugs.DrugKind.aas)
    )


def _agent(value: Any, field: str) -> str:
    codes = androgen_codes()
    if isinstance(value, str) and value in codes:
        return value
    drugs = _drugs()
    if isinstance(value, str) and value in drugs.drug_codes():
        kind = drugs.get_drug(value).kind
        raise RegimenError(
            field,
            value,
            f"an androgen (testosterone preparation or AAS): one of {', '.join(codes)}",
            hint=f"{value} is a {kind}; list it under medications",
        )
    raise UnknownCodeError(field, value, f"an androgen code: one of {', '.join(codes)}")


def _route(agent: str, value: Any, field: str) -> str | None:
    if value is None:
        return None
    routes = tuple(_drugs().get_drug(agent).routes)
    if value not in routes:
        raise UnknownCodeError(field, value, f"a route of {agent}: one of {', '.join(routes)}")
    return str(value)


def _androgen(raw: Any, field: str, as_of: dt.date) -> AndrogenUse:
    data = _fields.mapping(raw, field, "a mapping with agent, dose, every, start and stop")
    _fields.only_keys(data, ANDROGEN_KEYS, field)
    agent = _agent(data.get("agent"), f"{field}.agent")
    dose, dose_unit = _fields.dose(data.get("dose"), f"{field}.dose")
    every_d = _fields.interval_days(data.get("every"), f"{field}.every")
    start = _fields.optional_date(data.get("start"), f"{field}.start", as_of=as_of)
    stop = _fields.optional_date(data.get("stop"), f"{field}.stop", as_of=as_of)
    if start is not None and stop is not None and stop < start:
        raise DateError(f"{field}.stop", stop.isoformat(), f"a date on or after start {start}")
    route = _route(agent, data.get("route"), f"{field}.route")
    return AndrogenUse(agent, dose, dose_unit, every_d, start, stop, route)


def _codes(raw: Any, field: str, known: tuple[str, ...]) -> tuple[str, ...]:
    items = _fields.sequence(raw, field, "a list of codes")
    for index, code in enumerate(items):
        if not isinstance(code, str) or code not in known:
            raise UnknownCodeError(f"{field}[{index}]", code, f"one of {', '.join(known)}")
    return tuple(items)


def parse_history(raw: Any, *, as_of: dt.date) -> History:
    """The ``history:`` section (absent = no androgens, conditions or medications)."""
    data: Mapping[str, Any] = {} if raw is None else _fields.mapping(raw, "history", "a mapping")
    _fields.only_keys(data, HISTORY_KEYS, "history")
    androgen_items = _fields.sequence(data.get("androgens"), "history.androgens", "a list")
    androgens = tuple(
        _androgen(item, f"history.androgens[{index}]", as_of)
        for index, item in enumerate(androgen_items)
    )
    conditions = _codes(data.get("conditions"), "history.conditions", tuple(condition_codes()))
    medications: tuple[str, ...] = ()
    if data.get("medications"):
        medications = _codes(
            data.get("medications"), "history.medications", tuple(_drugs().drug_codes())
        )
    return History(androgens, conditions, medications)
