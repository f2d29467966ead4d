"""A patient's flowsheet: analytes by date, as a clinic's results screen shows them.

One row per analyte (axis hormones first), one column per date; each cell the result in the
analyte's unit as the laboratory printed it (a censored "<10" stays "<10") with its flag;
a trend arrow from the last two results; derived values (calculated free testosterone,
T/E2) on the dates their inputs were measured; then the semen analyses with total count,
total motile sperm count and the WHO 2010 and 2021 classes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from androcast import display
from androcast.evidence import evidence
from androcast.labs import Case, ReferenceInterval, SemenAnalysis, default_reference
from androcast.labs.derived import DerivedValue, derive
from androcast.labs.semen import Edition
from androcast.report.timeline import Timeline

# A change smaller than this share of the earlier value reads as steady.
STEADY_SHARE = 0.10


@dataclass(frozen=True)
class Cell:
    text: str  # "<10", "3.29"
    flag: str | None  # "low", "high" (None: normal or not judged)
    title: str  # what a pointer shows: as reported, method, criteria


@dataclass(frozen=True)
class Row:
    name: str
    unit: str
    reference: str
    cells: tuple[Cell | None, ...]  # one per date, None: not measured that day
    trend: str  # "rising", "falling", "steady", ""
    group: str  # "hormones", "derived", "semen"


@dataclass(frozen=True)
class Flowsheet:
    dates: tuple[dt.date, ...]
    rows: tuple[Row, ...]

    @property
    def empty(self) -> bool:
        return not self.rows


# A semen row's cell and the number its trend follows, from one analysis (None: not given).
Reading = Callable[[SemenAnalysis], "tuple[Cell, float | None] | None"]

ARROWS = {"rising": "↑", "falling": "↓", "steady": "→", "": ""}


def _trend(values: Sequence[float | None]) -> str:
    known = [v for v in values if v is not None]
    if len(known) < 2:
        return ""
    before, last = known[-2], known[-1]
    if before == 0:
        return "rising" if last > 0 else "steady"
    change = (last - before) / abs(before)
    if abs(change) < STEADY_SHARE:
        return "steady"
    return "rising" if change > 0 else "falling"


def _flag(flag: str) -> str | None:
    return flag if flag in ("low", "high") else None


def _hormone_rows(timeline: Timeline, dates: tuple[dt.date, ...]) -> list[Row]:
    rows = []
    for s in timeline.series:
        by_date = {r.date: r for r in s.results}  # the last result of a day stands
        cells: list[Cell | None] = []
        for d in dates:
            r = by_date.get(d)
            if r is None:
                cells.append(None)
                continue
            reported = (f"reported {r.censor or ''}{display.number(r.reported_value)} "
                        f"{display.unit(r.reported_unit)}")
            cells.append(Cell(f"{r.censor or ''}{display.number(r.value)}", _flag(r.flag),
                              reported + ("; confirmed" if r.confirmed else "")))
        latest = s.latest.reference
        rows.append(Row(
            display.label("analyte", s.analyte) if s.analyte in _short() else s.name,
            display.unit(s.unit),
            display.interval(latest.low, latest.high),
            tuple(cells),
            _trend([None if c is None else by_date[d].value
                    for c, d in zip(cells, dates, strict=True)]),
            "hormones",
        ))
    return rows


def _short() -> set[str]:
    return {"testosterone_total", "lh", "fsh", "shbg", "tsh", "estradiol", "inhibin_b",
            "prolactin", "free_t4", "psa", "alt"}


def _derived_cell(value: DerivedValue | None, flag: str | None = None,
                  reference: ReferenceInterval | None = None) -> Cell | None:
    if value is None:
        return None
    if flag is None and reference is not None and value.censor is None:
        if reference.low is not None and value.value < reference.low:
            flag = "low"
        elif reference.high is not None and value.value > reference.high:
            flag = "high"
    return Cell(f"{value.censor or ''}{display.number(value.value)}", flag,
                f"{value.method}; from {', '.join(value.inputs)}")


def _derived_rows(case: Case, dates: tuple[dt.date, ...]) -> list[Row]:
    free: list[Cell | None] = []
    ratio: list[Cell | None] = []
    free_values: list[float | None] = []
    ratio_values: list[float | None] = []
    # calculated free T against the catalogue's interval for (measured) free testosterone
    free_reference = default_reference("testosterone_free", age_years=case.patient.age_years)
    for d in dates:
        that_day = dataclasses.replace(
            case, labs=tuple(r for r in case.labs if r.date == d), semen=(), as_of=d)
        derived = derive(that_day)
        free.append(_derived_cell(derived.free_testosterone_pmol_per_l,
                                  reference=free_reference))
        free_values.append(None if derived.free_testosterone_pmol_per_l is None
                           else derived.free_testosterone_pmol_per_l.value)
        ratio.append(_derived_cell(derived.t_e2_ratio, "low" if derived.t_e2_abnormal else None))
        ratio_values.append(None if derived.t_e2_ratio is None else derived.t_e2_ratio.value)
    rows = []
    if any(free):
        rows.append(Row("Free testosterone (calculated, Vermeulen)", "pmol/L",
                        display.interval(free_reference.low, free_reference.high), tuple(free),
                        _trend(free_values), "derived"))
    if any(ratio):
        rows.append(Row("Testosterone/oestradiol ratio", "ng/dL per pg/mL", "≥ 10",
                        tuple(ratio), _trend(ratio_values), "derived"))
    return rows


def _semen_rows(case: Case, dates: tuple[dt.date, ...]) -> list[Row]:
    by_date = {s.date: s for s in case.semen}
    if not by_date:
        return []

    def row(name: str, unit: str, reference: str, get: Reading) -> Row:
        cells: list[Cell | None] = []
        values: list[float | None] = []
        for d in dates:
            s = by_date.get(d)
            item = None if s is None else get(s)
            if item is None:
                cells.append(None)
                values.append(None)
                continue
            cell, value = item
            cells.append(cell)
            values.append(value)
        return Row(name, unit, reference, tuple(cells), _trend(values), "semen")

    def number(value: float | None, censor: str | None = None,
               low: float | None = None) -> tuple[Cell, float | None] | None:
        if value is None:
            return None
        flag = "low" if low is not None and value < low else None
        return Cell(f"{censor or ''}{display.number(value)}", flag, ""), value

    def who(edition: str) -> Reading:
        def get(s: SemenAnalysis) -> tuple[Cell, float | None] | None:
            classes = derive(dataclasses.replace(case, labs=(), semen=(s,)))
            found = classes.semen_who2010 if edition == "2010" else classes.semen_who2021
            assert found is not None
            codes = found.codes
            words = ", ".join(display.label("finding", c) for c in codes) or "Normal"
            basis = "; ".join(b for c in found.classes for b in c.basis)
            missing = f"; not judged: {', '.join(found.missing)}" if found.missing else ""
            return Cell(words, None, (basis or found.edition_name) + missing), None
        return get

    # The WHO 2021 lower reference limits (evidence semen_who2021.*) flag a value low.
    volume, concentration, total, progressive = (
        who_limit(p) for p in ("volume", "concentration", "total_number", "progressive_motility"))
    return [
        row("Volume", "mL", f"≥ {display.bound(volume)}",
            lambda s: number(s.volume_ml, low=volume)),
        row("Sperm concentration", "million/mL", f"≥ {display.bound(concentration)}",
            lambda s: number(s.concentration_m_per_ml, s.concentration_censor,
                             low=concentration)),
        row("Total sperm count", "million", f"≥ {display.bound(total)}",
            lambda s: number(s.total_count_m, low=total)),
        row("Progressive motility", "%", f"≥ {display.bound(progressive)}",
            lambda s: number(s.progressive_motility_pct, low=progressive)),
        row("Total motile sperm count", "million", "", lambda s: number(s.tmsc_m)),
        row("WHO 2010 class", "", "", who("2010")),
        row("WHO 2021 class", "", "", who("2021")),
    ]


def who_limit(parameter: str, edition: Edition = "who2021") -> float:
    """A WHO lower reference limit (``volume``, ``concentration``, ...) from the evidence."""
    return float(evidence(f"semen_{edition}.{parameter}").value)


def flowsheet(case: Case, timeline: Timeline) -> Flowsheet:
    """His results by date (oldest first): hormones, derived values, semen."""
    dates = tuple(sorted({r.date for r in case.labs} | {s.date for s in case.semen}))
    rows = [*_hormone_rows(timeline, dates), *_derived_rows(case, dates),
            *_semen_rows(case, dates)]
    return Flowsheet(dates, tuple(r for r in rows if any(r.cells)))
