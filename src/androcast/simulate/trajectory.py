"""The result of one simulation: observables over time, in named units."""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from androcast.errors import InputFileError, UnknownCodeError
from androcast.model.parameters import FloatArray
from androcast.regimens import Dose
from androcast.simulate.options import Status
from androcast.units import convert

#: Observables of a trajectory and their units (the analyte key where one exists).
OBSERVABLE_UNITS: Mapping[str, str] = {
    "testosterone_total": "nmol/L",
    "testosterone_free": "pmol/L",
    "lh": "IU/L",
    "fsh": "IU/L",
    "estradiol": "pmol/L",
    "inhibin_b": "ng/L",
    "itt": "nmol/L",
    "shbg": "nmol/L",
    "sperm_concentration": "M/mL",
    "sperm_total_count": "M",
    "tmsc": "M",
}
_ANALYTE = {"itt": "testosterone_total"}  # ITT converts like serum T (same molecule)


@dataclass(frozen=True)
class Trajectory:
    """Time (days from t0) and observables of one simulated man.

    ``values[name]`` is in ``OBSERVABLE_UNITS[name]``; :meth:`observable` converts to any
    unit the unit registry knows (e.g. testosterone in ng/dL). ``status`` says whether the
    run reached its end (``throw=False`` runs may stop early). ``doses`` are the events
    applied, for plots.
    """

    t_d: FloatArray
    values: Mapping[str, FloatArray]
    status: Status
    mode: str
    doses: tuple[Dose, ...]
    states: FloatArray
    state_names: tuple[str, ...]

    @property
    def units(self) -> Mapping[str, str]:
        return OBSERVABLE_UNITS

    def observable(self, name: str, unit: str | None = None) -> FloatArray:
        """One observable, in its native unit or converted to ``unit``."""
        if name not in self.values:
            raise UnknownCodeError("observable", name, f"one of {', '.join(self.values)}")
        values = self.values[name]
        native = OBSERVABLE_UNITS[name]
        if unit is None or unit == native:
            return values
        analyte = _ANALYTE.get(name, name)
        factor = float(convert(1.0, native, unit, analyte=analyte))  # linear conversions only
        return values * factor

    def at(self, name: str, t_d: float, unit: str | None = None) -> float:
        """The observable at time ``t_d`` (linear interpolation between output points)."""
        return float(np.interp(t_d, self.t_d, self.observable(name, unit)))

    def to_csv(self, path: str | Path) -> None:
        """Write ``t_d`` and every observable (one column each, unit in the header)."""
        header = ["t_d", *(f"{n} [{OBSERVABLE_UNITS[n]}]" for n in self.values)]
        header.insert(2, "testosterone_total [ng/dL]")
        t_ngdl = self.observable("testosterone_total", "ng/dL")
        try:
            with Path(path).open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(header)
                for i, t in enumerate(self.t_d):
                    row = [f"{t:.6g}"] + [f"{self.values[n][i]:.6g}" for n in self.values]
                    row.insert(2, f"{t_ngdl[i]:.6g}")
                    writer.writerow(row)
        except OSError as err:
            raise InputFileError("out", str(path), "a writable file path", hint=str(err)) from None
