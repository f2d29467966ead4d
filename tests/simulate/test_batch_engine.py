"""simulate_batch against a one-patient stiff solve (scipy Radau, rtol 1e-10) of the same rhs.

Issue 5 accuracy target: max relative error <= 1e-3 on T, LH, FSH and sperm concentration.
The reference here is scipy's Radau on ``androcast.model.rhs`` for each man separately,
with the same dose jumps, at tight tolerances.
"""

from __future__ import annotations

import itertools

import numpy as np
from scipy.integrate import solve_ivp

from androcast.model.parameters import reference_parameters
from androcast.model.rhs import Inputs, rhs
from androcast.regimens import compile_regimen, parse_regimen
from androcast.simulate import SolverOptions
from androcast.simulate.batch import (
    _species_and_events,
    batch_steady_state,
    simulate_batch,
)

OBSERVABLES = ("testosterone_total", "lh", "fsh", "sperm_concentration")


def test_batch_matches_one_patient_radau_within_1e_3() -> None:
    p0 = reference_parameters()
    p = p0.replace(tau_sg=np.array([64.0, 70.0]), DSP0=p0.DSP0 * np.array([0.7, 1.3]))
    te = parse_regimen(
        [
            {
                "drug": "testosterone_enanthate",
                "dose": "200 mg",
                "route": "im",
                "every": "7 d",
                "start": "-14 d",
                "stop": "-3.5 d",
            }
        ]
    )
    hcg = parse_regimen(
        [
            {
                "drug": "hcg",
                "dose": "3000 IU",
                "route": "sc",
                "every": "2 d",
                "start": "0 d",
                "duration": "6 d",
            }
        ]
    )
    schedules = [compile_regimen(r, t_start_d=-14, t_end_d=10) for r in (te, te.combine(hcg))]
    t = np.arange(-14.0, 10.0, 1.0)
    got = simulate_batch(
        p, schedules, t, t_start_d=-14.0, control=SolverOptions(rtol=1e-4, atol=1e-6)
    )
    species, events = _species_and_events(p, schedules, -14.0)
    y0 = np.vstack([batch_steady_state(p, 2), np.zeros((4 * len(species), 2))])
    u = Inputs(pulsatile=0.0)
    stops = [*events.breakpoints.tolist(), float(t[-1])]
    for k in range(2):
        pk = p.replace(tau_sg=float(p.tau_sg[k]), DSP0=float(p.DSP0[k]))
        y = y0[:, k].copy()
        states = {}
        for a, b in itertools.pairwise(stops):
            if a in events.jumps:
                rows, cols, amounts = events.jumps[a]
                np.add.at(y, rows[cols == k], amounts[cols == k])
            sol = solve_ivp(
                lambda tt, yy, pk=pk: rhs(tt, yy, pk, u, species),
                (a, b),
                y,
                method="Radau",
                rtol=1e-10,
                atol=1e-12,
                dense_output=True,
            )
            for tt in t[(t >= a) & (t < b)]:
                states[tt] = sol.sol(tt)
            y = sol.y[:, -1]
        states[t[-1]] = y
        for name in OBSERVABLES:
            ref = np.array([rhs(tt, states[tt], pk, u, species, observe=True)[1][name] for tt in t])
            err = np.max(np.abs(got.values[name][:, k] - ref) / np.abs(ref))
            assert err <= 1e-3, (name, k, err)
