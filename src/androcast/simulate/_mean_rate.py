"""Regular oral doses given as their mean rate (an engine option, issue 17).

A daily tablet of an oral drug absorbed within hours (clomiphene: ka 24/d) makes the
integrator resolve every dose: a jump, the absorption, then a fast sawtooth in the states
that follow the drug's plasma level, ~23 steps a day. Over weeks only the mean matters to
the slow states a forecast reads (sperm output integrates over the ~74-day cycle of
spermatogenesis), so a run of equal oral doses at a regular interval of at most a day may
be given as a constant infusion of dose / interval into the drug's central compartment,
centred on the tablets: half the first tablet at its time, then the rate until half an
interval after the last (the same amount, the same mean time of exposure; the rate from
each tablet's time on delayed tamoxifen's times to 5 M/mL by 0.7 d). Whether that holds is
measured, not assumed: ``androcast.prognosis.accuracy`` checks it on every shipped protocol
against a tight reference with every tablet resolved (times to 5, 15 and 20 M/mL within a
day, probabilities within 0.005). Injections (hCG every 2-3 days, weekly esters) stay doses:
their peaks are days apart and feed back through LH.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from androcast.regimens import DoseSchedule
from androcast.regimens._compile import Dose, Infusion

#: Longest interval of a run given as its rate (days): daily tablets, not weekly ones.
MAX_INTERVAL_D = 1.0
_SLACK_D = 1e-6  # equal intervals up to rounding of start + k * every


def mean_rate_orals(schedule: DoseSchedule, max_interval_d: float = MAX_INTERVAL_D
                    ) -> DoseSchedule:
    """``schedule`` with every run of >= 2 equal oral doses at one regular interval of at
    most ``max_interval_d`` replaced by its mean-rate infusion."""
    runs: dict[tuple[str, str, float, str], list[Dose]] = defaultdict(list)
    kept: list[Dose] = []
    for dose in schedule.doses:
        if dose.route == "oral":
            runs[(dose.drug, dose.route, dose.amount, dose.unit)].append(dose)
        else:
            kept.append(dose)
    if not runs:
        return schedule
    infusions = list(schedule.infusions)
    for (drug, route, amount, unit), doses in runs.items():
        times = sorted(d.t_d for d in doses)
        start = 0
        while start < len(times):
            stop = start + 1
            if stop < len(times):
                interval = times[stop] - times[start]
                while (stop + 1 < len(times)
                       and abs(times[stop + 1] - times[stop] - interval) <= _SLACK_D):
                    stop += 1
                stop += 1
            if stop - start >= 2 and interval <= max_interval_d + _SLACK_D:
                # centred on the tablets (module doc)
                kept.append(Dose(times[start], drug, route, amount / 2, unit))
                infusions.append(Infusion(drug, route, times[start],
                                          times[stop - 1] + interval / 2, amount / interval,
                                          unit))
            else:
                kept += [Dose(t, drug, route, amount, unit) for t in times[start:stop]]
            start = stop
    kept.sort(key=lambda d: (d.t_d, d.drug, d.route))
    infusions.sort(key=lambda i: (i.start_d, i.drug, i.route))
    return DoseSchedule(tuple(kept), tuple(infusions))


def mean_rate_all(schedules: Sequence[DoseSchedule]) -> list[DoseSchedule]:
    """:func:`mean_rate_orals` of each schedule, shared schedules converted once (and still
    shared, so the engine builds their events once)."""
    done: dict[int, DoseSchedule] = {}
    out = []
    for s in schedules:
        if id(s) not in done:
            done[id(s)] = mean_rate_orals(s)
        out.append(done[id(s)])
    return out
