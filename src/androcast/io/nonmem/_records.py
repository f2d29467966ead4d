"""Dose rows from a compiled schedule, and the CMT numbering shared by both builders.

CMT numbers: the dose compartments first, one per drug and route in order of first dose,
then one per observable in the order given (lab analytes, then semen parameters).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from androcast.io.fhir import loinc_for
from androcast.io.nonmem._table import Compartment, EventRow
from androcast.labs import analyte, analyte_keys, semen_parameters
from androcast.regimens import DoseSchedule

SEMEN_OBSERVABLES = ("concentration_m_per_ml", "volume_ml", "progressive_motility_pct",
                     "total_motility_pct", "normal_forms_pct")


def observable_unit(code: str) -> tuple[str, str | None]:
    """The canonical unit (labs catalogue) and LOINC code of an analyte or semen field."""
    semen = semen_parameters()
    if code in semen:
        return semen[code].unit, semen[code].loinc
    unit = analyte(code).canonical_unit
    return unit, loinc_for(code, unit)


def observable_order(codes: Iterable[str]) -> tuple[str, ...]:
    """Codes in catalogue order: analytes as the catalogue lists them, then semen fields."""
    wanted = set(codes)
    order = [*analyte_keys(), *SEMEN_OBSERVABLES]
    return tuple(c for c in order if c in wanted)


def compartments(schedules: Sequence[DoseSchedule],
                 observables: Sequence[str]) -> tuple[Compartment, ...]:
    """The dose depots seen in ``schedules`` (first dose first), then ``observables``."""
    depots: dict[tuple[str, str], tuple[float, str]] = {}
    for schedule in schedules:
        events = [(d.t_d, d.drug, d.route, d.unit) for d in schedule.doses]
        events += [(i.start_d, i.drug, i.route, i.unit) for i in schedule.infusions]
        for t_d, drug, route, unit in events:
            key = (drug, route)
            if key not in depots or t_d < depots[key][0]:
                depots[key] = (t_d, unit)
    ordered = sorted(depots.items(), key=lambda item: (item[1][0], item[0]))
    out = [Compartment(k + 1, "dose", drug, route, unit)
           for k, ((drug, route), (_, unit)) in enumerate(ordered)]
    for code in observables:
        unit, loinc = observable_unit(code)
        out.append(Compartment(len(out) + 1, "observation", code, None, unit, loinc))
    return tuple(out)


def dose_rows(subject: int, schedule: DoseSchedule,
              cmts: Sequence[Compartment]) -> list[EventRow]:
    """One row per bolus (each pump pulse too) and per infusion (AMT = rate x duration)."""
    depot = {(c.code, c.route): c.cmt for c in cmts if c.kind == "dose"}
    rows = [EventRow(subject, d.t_d, 1, depot[(d.drug, d.route)], d.drug, amt=d.amount)
            for d in schedule.doses]
    rows += [EventRow(subject, i.start_d, 1, depot[(i.drug, i.route)], i.drug,
                      amt=i.rate_per_d * (i.stop_d - i.start_d), rate_per_d=i.rate_per_d)
             for i in schedule.infusions]
    return rows


def observation_cmt(cmts: Sequence[Compartment]) -> dict[str, int]:
    return {c.code: c.cmt for c in cmts if c.kind == "observation"}
