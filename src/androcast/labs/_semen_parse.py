"""The ``semen:`` entries of a case file as SemenAnalysis records."""

from __future__ import annotations

import datetime as dt
from typing import Any

from androcast.errors import LabValueError
from androcast.labs import _fields
from androcast.labs._catalogue import semen_parameters
from androcast.labs._model import Censor, SemenAnalysis

SEMEN_KEYS = (
    "date",
    "volume_ml",
    "concentration_m_per_ml",
    "progressive_motility_pct",
    "total_motility_pct",
    "normal_forms_pct",
    "abstinence_days",
    "pellet_sperm_seen",
)


def _number(data: Any, key: str, field: str) -> float | None:
    parameter = semen_parameters()[key]
    low, high = parameter.plausible
    return _fields.bounded(data.get(key), f"{field}.{key}", low, high, parameter.unit)


def _concentration(data: Any, field: str) -> tuple[float | None, Censor | None]:
    raw = data.get("concentration_m_per_ml")
    if raw is None:
        return None, None
    where = f"{field}.concentration_m_per_ml"
    value, censor = _fields.result_value(raw, where)
    low, high = semen_parameters()["concentration_m_per_ml"].plausible
    _fields.bounded(value, where, low, high, "10*6/mL")
    return value, censor


def parse_semen(raw: Any, field: str, *, as_of: dt.date) -> SemenAnalysis:
    data = _fields.mapping(raw, field, "a mapping with date and semen parameters")
    _fields.only_keys(data, SEMEN_KEYS, field)
    when = _fields.date(data.get("date"), f"{field}.date", as_of=as_of)
    concentration, censor = _concentration(data, field)
    progressive = _number(data, "progressive_motility_pct", field)
    total = _number(data, "total_motility_pct", field)
    if progressive is not None and total is not None and progressive > total:
        raise LabValueError(
            f"{field}.progressive_motility_pct",
            progressive,
            f"at most total_motility_pct ({total:g} %)",
        )
    pellet = data.get("pellet_sperm_seen")
    if pellet is not None and not isinstance(pellet, bool):
        raise LabValueError(f"{field}.pellet_sperm_seen", pellet, "true, false or null")
    return SemenAnalysis(
        date=when,
        volume_ml=_number(data, "volume_ml", field),
        concentration_m_per_ml=concentration,
        concentration_censor=censor,
        progressive_motility_pct=progressive,
        total_motility_pct=total,
        normal_forms_pct=_number(data, "normal_forms_pct", field),
        abstinence_days=_number(data, "abstinence_days", field),
        pellet_sperm_seen=pellet,
    )
