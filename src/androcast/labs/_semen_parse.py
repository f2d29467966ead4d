"""The ``semen:`` entries of a case file as SemenAnalysis records."""

from __future__ import annotations

import datetime as dt
from typing import Any

from androcast.errors import LabValueError
from androcast.labs import _fields
from androcast.labs._catalogue import semen_parameters
from androcast.labs._model import Censor, PostEjaculateUrine, SemenAnalysis

SEMEN_KEYS = (
    "date",
    "volume_ml",
    "concentration_m_per_ml",
    "progressive_motility_pct",
    "total_motility_pct",
    "normal_forms_pct",
    "abstinence_days",
    "pellet_sperm_seen",
    "ph",
    "post_ejaculate_urine",
)
URINE_KEYS = ("sperm_seen", "total_sperm_million", "progressive_motility_pct")
URINE_SPERM_MILLION = (0.0, 5000.0)  # androcast_bounds, as the ejaculate's total count


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


def _urine(raw: Any, field: str) -> PostEjaculateUrine | None:
    if raw is None:
        return None
    data = _fields.mapping(raw, field, "a mapping with sperm_seen, total_sperm_million, ...")
    problems = _fields.Problems()
    problems.check(_fields.only_keys, data, URINE_KEYS, field)
    seen = problems.check(_fields.flag, data.get("sperm_seen"), f"{field}.sperm_seen")
    low, high = URINE_SPERM_MILLION
    total = problems.check(
        _fields.bounded,
        data.get("total_sperm_million"),
        f"{field}.total_sperm_million",
        low,
        high,
        "10*6",
    )
    motility = problems.check(_number, data, "progressive_motility_pct", field)
    problems.raise_if_any(field)
    return PostEjaculateUrine(seen, total, motility)


def parse_semen(raw: Any, field: str, *, as_of: dt.date) -> SemenAnalysis:
    """One semen analysis; every bad field of it is reported together."""
    data = _fields.mapping(raw, field, "a mapping with date and semen parameters")
    problems = _fields.Problems()
    problems.check(_fields.only_keys, data, SEMEN_KEYS, field)
    when = problems.check(_fields.date, data.get("date"), f"{field}.date", as_of=as_of)
    concentration, censor = problems.check(_concentration, data, field) or (None, None)
    progressive = problems.check(_number, data, "progressive_motility_pct", field)
    total = problems.check(_number, data, "total_motility_pct", field)
    if progressive is not None and total is not None and progressive > total:
        problems.add(
            LabValueError(
                f"{field}.progressive_motility_pct",
                progressive,
                f"at most total_motility_pct ({total:g} %)",
            )
        )
    pellet = problems.check(
        _fields.flag, data.get("pellet_sperm_seen"), f"{field}.pellet_sperm_seen"
    )
    volume = problems.check(_number, data, "volume_ml", field)
    normal = problems.check(_number, data, "normal_forms_pct", field)
    abstinence = problems.check(_number, data, "abstinence_days", field)
    ph = problems.check(_number, data, "ph", field)
    urine = problems.check(
        _urine, data.get("post_ejaculate_urine"), f"{field}.post_ejaculate_urine"
    )
    problems.raise_if_any(field)
    assert when is not None
    return SemenAnalysis(
        date=when,
        volume_ml=volume,
        concentration_m_per_ml=concentration,
        concentration_censor=censor,
        progressive_motility_pct=progressive,
        total_motility_pct=total,
        normal_forms_pct=normal,
        abstinence_days=abstinence,
        pellet_sperm_seen=pellet,
        ph=ph,
        post_ejaculate_urine=urine,
    )
