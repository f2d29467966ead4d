"""One man's event table from his case file: his doses and his lab and semen results."""

from __future__ import annotations

import datetime as dt

from androcast.errors import ExportError
from androcast.io.nonmem._records import (
    SEMEN_OBSERVABLES,
    compartments,
    dose_rows,
    observable_order,
    observation_cmt,
)
from androcast.io.nonmem._table import EventRow, EventTable, sort_rows
from androcast.labs import Case
from androcast.regimens import DoseSchedule, Regimen, compile_regimen
from androcast.simulate import history_of
from androcast.twin import case_time_zero

_SUBJECT = 1


def case_schedule(case: Case, regimen: Regimen | None = None) -> DoseSchedule:
    """The dose events ``simulate`` gives this man: his history, then ``regimen``.

    The window runs from the first entry's start (or day 0) to the last entry's stop, so
    it holds every dose of every entry.
    """
    full = history_of(case)
    if regimen is not None:
        full = full.combine(regimen)
    if not full.entries:
        return DoseSchedule((), ())
    t_start = min([0.0, *(e.start_d for e in full.entries)])
    t_end = max(e.stop_d for e in full.entries)
    if not t_end > t_start:  # a single dose at day 0 and nothing else
        t_end = t_start + 1.0
    return compile_regimen(full, t_start_d=t_start, t_end_d=t_end)


def _day(date: dt.date, t0: dt.date) -> float:
    return float((date - t0).days)


def _censor(sign: str | None) -> tuple[int, float | None]:
    if sign == "<":
        return 1, 0.0
    if sign == ">":
        return -1, None
    return 0, None


def case_events(case: Case, regimen: Regimen | None = None) -> EventTable:
    """His dose rows (exactly ``case_schedule``) and his results as observation rows.

    Dates become days from his time 0 (``twin.case_time_zero``: end of androgen exposure,
    else the date of his latest result). Results are in the catalogue's canonical unit;
    a censored result is written as the Monolix/nlmixr2 CENS/LIMIT convention says (see
    ``CENSORING_CONVENTION``). Covariates: AGE_YEARS and BMI when the case gives them
    (the names a population table uses).
    """
    schedule = case_schedule(case, regimen)
    semen_codes = [code for code in SEMEN_OBSERVABLES
                   if any(getattr(s, code) is not None for s in case.semen)]
    observed = observable_order([*(r.analyte for r in case.labs), *semen_codes])
    if not observed and not schedule.doses and not schedule.infusions:
        raise ExportError("case", case.patient.id,
                          "lab or semen results, an androgen history or a regimen")
    cmts = compartments([schedule], observed)
    cmt_of = observation_cmt(cmts)
    t0 = case_time_zero(case)
    rows = dose_rows(_SUBJECT, schedule, cmts)
    for result in case.labs:
        cens, limit = _censor(result.censor)
        rows.append(EventRow(_SUBJECT, _day(result.date, t0), 0, cmt_of[result.analyte],
                             result.analyte, dv=result.value, cens=cens, limit=limit))
    for semen in case.semen:
        for code in semen_codes:
            value = getattr(semen, code)
            if value is None:
                continue
            sign = semen.concentration_censor if code == "concentration_m_per_ml" else None
            cens, limit = _censor(sign)
            rows.append(EventRow(_SUBJECT, _day(semen.date, t0), 0, cmt_of[code], code,
                                 dv=float(value), cens=cens, limit=limit))
    covariates = {name: value for name, value in (("AGE_YEARS", case.patient.age_years),
                                                  ("BMI", case.patient.bmi))
                  if value is not None}
    return EventTable(
        rows=sort_rows(rows), compartments=cmts, covariates={_SUBJECT: covariates},
        subjects={_SUBJECT: case.patient.id},
        source=f"case {case.patient.id}; time 0 = {t0.isoformat()}",
        notes=("dose rows are the regimen compiler's events (one row per bolus and pump "
               "pulse, one per infusion); no ADDL/II compression",),
    )
