"""The event table: NONMEM-convention rows, their compartments, and the CSV + legend files.

Rows are kept on the model's axis (days from time 0, rates per day) and converted to the
chosen time unit and origin only when written, so the dose rows stay the regimen's events.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml

from androcast.errors import ExportError, InputFileError

TimeUnit = Literal["h", "d"]
Origin = Literal["cessation", "first"]
TIME_UNITS: tuple[str, ...] = ("h", "d")
ORIGINS: tuple[str, ...] = ("cessation", "first")
_PER_DAY = {"h": 24.0, "d": 1.0}

#: Fixed columns, in the order NONMEM's $INPUT, Monolix and nlmixr2 read them; covariates follow.
COLUMNS = ("ID", "TIME", "EVID", "MDV", "CMT", "AMT", "RATE", "DV", "CENS", "LIMIT", "CODE")
MISSING = "."  # NONMEM's missing value; Monolix reads it too (nlmixr2: na.strings = ".")

CENSORING_CONVENTION = (
    "Monolix CENS/LIMIT, which nlmixr2 reads alike (nlmixr2 censoring article; Beal 2001 "
    "M3/M4): CENS = 1 left-censored with DV = the lower limit of quantification and "
    "LIMIT = 0, so the value lies between 0 and DV (M4: hormone levels are not negative); "
    "CENS = -1 right-censored with DV = the upper limit and LIMIT missing (M3); censored "
    "rows keep MDV = 0 (they enter the likelihood); LIMIT is missing on uncensored rows"
)


@dataclass(frozen=True)
class Compartment:
    """One CMT number: a drug's depot (dose rows) or an observable (observation rows)."""

    cmt: int
    kind: Literal["dose", "observation"]
    code: str  # drug code, or analyte / semen parameter key
    route: str | None  # dose compartments: the route the drug is given by
    unit: str  # of AMT (dose) or DV (observation)
    loinc: str | None = None


@dataclass(frozen=True)
class EventRow:
    """One record on the model's axis: ``t_d`` in days from time 0, rates per day."""

    id: int
    t_d: float
    evid: int  # 1 dose, 0 observation
    cmt: int
    code: str
    amt: float = 0.0
    rate_per_d: float = 0.0  # > 0: an infusion of ``amt`` at this rate
    dv: float | None = None
    cens: int = 0  # 1 left-censored (below a limit), -1 right-censored
    limit: float | None = None


@dataclass(frozen=True)
class EventTable:
    """The rows of a data set, its compartments, covariates per ID and what the IDs are."""

    rows: tuple[EventRow, ...]
    compartments: tuple[Compartment, ...]
    covariates: Mapping[int, Mapping[str, float | str]]  # ID -> column -> value
    subjects: Mapping[int, str]  # ID -> who (patient id, or virtual man number)
    source: str
    notes: tuple[str, ...] = field(default_factory=tuple)

    def covariate_columns(self) -> tuple[str, ...]:
        names: dict[str, None] = {}
        for values in self.covariates.values():
            names.update(dict.fromkeys(values))
        return tuple(names)

    def records(self, time_unit: TimeUnit = "d", origin: Origin = "cessation") -> Iterator[
            dict[str, str]]:
        """The rows as CSV cells: TIME and RATE in ``time_unit``, TIME from ``origin``.

        ``origin="first"`` counts each ID's TIME from his own first record.
        """
        _check_options(time_unit, origin)
        per_d = _PER_DAY[time_unit]
        first: dict[int, float] = {}
        if origin == "first":
            for row in self.rows:
                first[row.id] = min(first.get(row.id, row.t_d), row.t_d)
        extra = self.covariate_columns()
        for row in self.rows:
            t_d = row.t_d - first[row.id] if origin == "first" else row.t_d
            cells = {
                "ID": str(row.id),
                "TIME": _number(t_d * per_d),
                "EVID": str(row.evid),
                "MDV": "1" if row.evid == 1 else "0",
                "CMT": str(row.cmt),
                "AMT": _number(row.amt),
                "RATE": _number(row.rate_per_d / per_d),
                "DV": MISSING if row.dv is None else _number(row.dv),
                "CENS": str(row.cens),
                "LIMIT": MISSING if row.limit is None else _number(row.limit),
                "CODE": row.code,
            }
            values = self.covariates.get(row.id, {})
            for name in extra:
                value = values.get(name)
                cells[name] = (MISSING if value is None else
                               value if isinstance(value, str) else _number(value))
            yield cells

    def csv_text(self, time_unit: TimeUnit = "d", origin: Origin = "cessation") -> str:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=[*COLUMNS, *self.covariate_columns()],
                                lineterminator="\n")
        writer.writeheader()
        writer.writerows(self.records(time_unit, origin))
        return buffer.getvalue()

    def legend(self, time_unit: TimeUnit = "d", origin: Origin = "cessation") -> dict[
            str, object]:
        """What the columns and CMT numbers mean (written beside the CSV as YAML)."""
        _check_options(time_unit, origin)
        unit = {"h": "hours", "d": "days"}[time_unit]
        return {
            "source": self.source,
            "time": {
                "unit": unit,
                "origin": ("time 0 = cessation of androgens (last dose + one interval, "
                           "Handelsman 2005), or the start of treatment without androgens"
                           if origin == "cessation" else "each ID's first record"),
            },
            "columns": {
                "EVID": "1 dose, 0 observation", "MDV": "1 on dose rows, else 0",
                "AMT": "dose amount in the compartment's unit (infusion: the whole amount)",
                "RATE": f"infusion rate in the compartment's unit per {unit[:-1]}; 0 = bolus",
                "CENS": CENSORING_CONVENTION,
                "CODE": ("drug code or analyte key, as text like any categorical covariate: "
                         "Monolix and nlmixr2 read text, NONMEM needs CODE=DROP in $INPUT"),
            },
            "compartments": [
                {k: v for k, v in vars(c).items() if v is not None}
                for c in self.compartments
            ],
            "subjects": {int(k): v for k, v in self.subjects.items()},
            "notes": list(self.notes),
        }

    def write(self, out: str | Path, *, time_unit: TimeUnit = "d",
              origin: Origin = "cessation") -> Path:
        """Write the CSV at ``out`` and its legend beside it; returns the legend's path.

        Both files appear together or not at all (each is written whole, then renamed).
        """
        csv_path = Path(out)
        legend_path = legend_path_for(csv_path)
        texts = [(csv_path, self.csv_text(time_unit, origin)),
                 (legend_path, yaml.safe_dump(self.legend(time_unit, origin), sort_keys=False,
                                              allow_unicode=True))]
        temporary: list[tuple[str, Path]] = []
        try:
            for path, text in texts:
                handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
                with os.fdopen(handle, "w", encoding="utf-8", newline="") as f:
                    f.write(text)
                temporary.append((name, path))
            for name, path in temporary:
                os.replace(name, path)
        except OSError as err:
            for name, _ in temporary:
                Path(name).unlink(missing_ok=True)
            raise InputFileError("out", str(out), "a writable file path",
                                 hint=str(err)) from None
        return legend_path


def legend_path_for(csv_path: Path) -> Path:
    """``data.csv`` -> ``data.legend.yaml``."""
    return csv_path.with_name(f"{csv_path.stem}.legend.yaml")


def _number(value: float) -> str:
    """Shortest text that reads back to the same float (``repr``); integers without .0."""
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def _check_options(time_unit: str, origin: str) -> None:
    if time_unit not in TIME_UNITS:
        raise ExportError("time_unit", time_unit, "h or d")
    if origin not in ORIGINS:
        raise ExportError("origin", origin, "cessation or first")


def sort_rows(rows: Sequence[EventRow]) -> tuple[EventRow, ...]:
    """By ID and time; at a tie, doses before observations (the dose is given first)."""
    return tuple(sorted(rows, key=lambda r: (r.id, r.t_d, -r.evid, r.cmt)))
