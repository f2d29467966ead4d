"""The gonadorelin targets of test_calibration_drugs, met by the batch engine as well.

The planner ranks protocols with the batch engine, so the published responses it relies on
must hold there too: the same regimens, the same reference numbers and tolerances
(tests/reference/model_calibration.yaml), the same checks as for the one-patient simulator.
"""

from __future__ import annotations

import numpy as np

from androcast.model import reference_parameters
from androcast.regimens import compile_regimen
from androcast.simulate.batch import simulate_batch

from ._calibration import (
    LOSS_OF_RESPONSE_FRACTION,
    T_RI,
    assert_matches,
    every,
    reference_interval,
    regimen,
)


def test_fit_batch_gonadorelin_pump_restores_testosterone_in_gnrh_deficiency_gnrh_pump1982(
) -> None:
    deficient = reference_parameters().replace(gnrh_factor=0.01)
    schedules = [compile_regimen(regimen(every("gonadorelin", "5 ug", "sc_pump", "90 min",
                                               "0 d", "60 d")), t_start_d=0.0, t_end_d=60.0),
                 compile_regimen(regimen(), t_start_d=0.0, t_end_d=60.0)]
    out = simulate_batch(deficient, schedules, np.array([0.0, 59.0]), t_start_d=0.0,
                         observables=["testosterone_total", "lh"])
    t, lh = out.values["testosterone_total"], out.values["lh"]
    assert t[0, 1] < reference_interval("testosterone_total", T_RI)[0]  # untreated: low T
    assert_matches("model_gnrh_pump_restores_lh", "testosterone_day60", float(t[1, 0]))
    # through LH: the pump brings his LH from below into the reference interval (famhes)
    low, high = reference_interval("lh", "famhes_ri")
    assert lh[1, 1] < low <= lh[1, 0] <= high


def test_batch_continuous_gonadorelin_desensitises_unlike_the_pump_gnrh_textbook() -> None:
    deficient = reference_parameters().replace(gnrh_factor=0.01)
    schedule = compile_regimen(regimen(every("gonadorelin", "80 ug", "iv_infusion", "1 d",
                                             "0 d", "20 d")), t_start_d=0.0, t_end_d=20.0)
    t = np.arange(0.0, 20.0, 0.25)
    lh = simulate_batch(deficient, [schedule], t, t_start_d=0.0,
                        observables=["lh"]).values["lh"][:, 0]
    assert t[np.argmax(lh)] < 2.0  # an initial rise ...
    assert lh[t == 19.0][0] < LOSS_OF_RESPONSE_FRACTION * float(lh.max())  # ... then lost
