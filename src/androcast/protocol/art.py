"""Natural attempts under each protocol against assisted reproduction now (issue 22).

Where the couple's time is short or the partner older (``pathways.parallel_art``), the plan
sets his forecast chance of a natural conception by the goal month, under each protocol
offered, beside the success of IVF/ICSI now with his current or banked sperm at her age.
ART success rates are the clinic's to supply: ``data/art_success.yaml`` is a cited default
(national register figures, each with its own measure), and a clinic's file of the same
shape replaces it. A band no public source gives is blocked, never filled in.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from androcast._yaml import load_data
from androcast.errors import InputFileError, ParameterError
from androcast.evidence import citation
from androcast.labs import Case
from androcast.prognosis import ProtocolForecast

CLINIC_NOTE = ("ART success rates are the clinic's to supply: these are its own figures only "
               "if it gave them; the default is a national register's, with its measure.")
DEFAULT_SOURCE = "data/art_success.yaml"


@dataclass(frozen=True)
class ArtBand:
    """Success of one IVF/ICSI cycle for women aged ``low`` to below ``high``."""

    low: float
    high: float | None
    live_birth: float | None  # None: blocked (no public figure), see ``why``
    measure: str
    source: str
    at_most: bool = False
    why: str = ""

    def covers(self, age: float) -> bool:
        return self.low <= age and (self.high is None or age < self.high)


@dataclass(frozen=True)
class ArtTable:
    bands: tuple[ArtBand, ...]
    source_kind: str  # "national register default ..." or the clinic's own words
    origin: str  # the file it came from

    def band(self, age: float) -> ArtBand | None:
        return next((b for b in self.bands if b.covers(age)), None)


def parse_art_table(data: Any, *, origin: str) -> ArtTable:
    """Check a table (parsed YAML); every bad field is named in one message."""
    if not isinstance(data, Mapping) or not isinstance(data.get("bands"), list):
        raise InputFileError(origin, type(data).__name__, "a mapping with a list 'bands'")
    problems: list[str] = []
    bands = []
    for i, b in enumerate(data["bands"]):
        where = f"{origin}: bands[{i}]"
        if not isinstance(b, Mapping):
            problems.append(f"{where}: a mapping low, high, live_birth, measure, source")
            continue
        low: Any = b.get("low")
        high: Any = b.get("high")
        rate: Any = b.get("live_birth")
        if not _number(low) or not 0 <= float(low) < 60:
            problems.append(f"{where}.low: {low!r}, expected an age in years")
        if high is not None and (not _number(high) or not _number(low)
                                 or float(high) <= float(low)):
            problems.append(f"{where}.high: {high!r}, expected an age above low, or null")
        if rate is not None and (not _number(rate) or not 0 <= float(rate) <= 1):
            problems.append(f"{where}.live_birth: {rate!r}, expected a fraction 0-1 or null")
        if rate is None and not b.get("why"):
            problems.append(f"{where}.why: missing, expected why the rate is blocked")
        if rate is not None and not b.get("measure"):
            problems.append(f"{where}.measure: missing, expected what the rate counts "
                            "(per cycle started, per transfer, ...)")
        if not b.get("source"):
            problems.append(f"{where}.source: missing, expected a citation or the clinic")
        if not problems:
            bands.append(ArtBand(float(low), None if high is None else float(high),
                                 None if rate is None else float(rate),
                                 str(b.get("measure", "")), str(b["source"]),
                                 bool(b.get("at_most", False)), str(b.get("why", ""))))
    if problems:
        raise ParameterError(origin, "; ".join(problems), "a table of ART success by female age")
    return ArtTable(tuple(bands), str(data.get("source_kind", "the clinic's table")), origin)


def _number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


@cache
def default_art_table() -> ArtTable:
    text = resources.files("androcast.protocol").joinpath(DEFAULT_SOURCE).read_text("utf-8")
    table = parse_art_table(load_data(text), origin="art_success.yaml")
    for band in table.bands:
        citation(band.source)  # every default figure names a source in the bibliography
    return table


def load_art_table(path: Path) -> ArtTable:
    """A clinic's own table (same shape as the default)."""
    if not path.is_file():
        raise InputFileError("art_table", str(path), "a YAML file of ART success by age")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise InputFileError(path.name, "YAML", "a valid YAML document",
                             str(err).splitlines()[0]) from None
    return parse_art_table(data, origin=path.name)


@dataclass(frozen=True)
class NaturalRow:
    """His couple's chance of a natural conception by the goal month under one protocol."""

    protocol: str
    probability: float
    interval_90: tuple[float, float]


@dataclass(frozen=True)
class ArtComparison:
    why: str
    horizon_months: float
    partner_age_years: float | None
    natural: tuple[NaturalRow, ...]
    natural_note: str
    sperm: str  # where ICSI's sperm come from now: a code of display names.yaml art_sperm
    band: ArtBand | None
    table: ArtTable
    citations: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        b = self.band
        art: dict[str, Any] = {
            "procedure": "icsi", "sperm": self.sperm,
            "female_age_band": None if b is None else [b.low, b.high],
            "live_birth": None if b is None else b.live_birth,
            "at_most": False if b is None else b.at_most,
            "measure": None if b is None else b.measure,
            "source": None if b is None else b.source,
            "blocked": (None if b is not None and b.live_birth is not None else
                        (b.why if b is not None else "partner.age_years is needed, or no "
                         "band of the table covers her age")),
            "table": self.table.origin, "table_kind": self.table.source_kind,
        }
        return {"why": self.why, "horizon_months": self.horizon_months,
                "partner_age_years": self.partner_age_years,
                "natural": [{"protocol": r.protocol, "probability": r.probability,
                             "interval_90": list(r.interval_90)} for r in self.natural],
                "natural_measure": "cumulative chance of a natural conception by the goal "
                                   "month (conception, not live birth)",
                "natural_note": self.natural_note, "art_now": art, "note": CLINIC_NOTE,
                "citations": list(self.citations)}


def why_compare(case: Case, age_at_least: float, months_at_most: float) -> str:
    reasons = []
    age = case.partner.age_years if case.partner is not None else None
    if age is not None and age >= age_at_least:
        reasons.append(f"partner aged {age:g} (>= {age_at_least:g})")
    if case.goal_within_months is not None and case.goal_within_months <= months_at_most:
        reasons.append(f"goal within {case.goal_within_months:g} months "
                       f"(<= {months_at_most:g})")
    return "; ".join(reasons)


def compare(case: Case, why: str, horizon: float, pregnancy: Sequence[ProtocolForecast],
            natural_note: str, sperm_source: str, table: ArtTable,
            rule_citations: Sequence[str], natural_citations: Sequence[str]) -> ArtComparison:
    """The comparison, from the pregnancy forecasts (at the horizon) already computed."""
    age = case.partner.age_years if case.partner is not None else None
    rows = []
    for f in pregnancy:
        i = f.curve.months.index(horizon)
        rows.append(NaturalRow(f.protocol.id, f.curve.probability[i], f.curve.interval_90[i]))
    band = table.band(float(age)) if age is not None else None
    cites = [*rule_citations, *natural_citations]
    if band is not None and table.origin == "art_success.yaml":
        cites.append(band.source)
    return ArtComparison(why, horizon, age, tuple(rows), natural_note,
                         sperm_source, band, table,
                         tuple(dict.fromkeys(cites)))
