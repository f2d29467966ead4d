"""Property (issue 16): a man with normal testes, whose axis an androgen suppressed, is not
held at 0 by any hCG-containing protocol for 24 months: hCG replaces the absent LH signal
(wenker2015: sperm regained in 47/49; kohn2017: 70 % above 5 M TMSC by 12 months)."""

from __future__ import annotations

import pytest
from twin_cases import post_trt_case

from androcast.prognosis import prognose

HCG_PROTOCOLS = ["hcg", "hcg_serm", "hcg_fsh"]


@pytest.mark.parametrize(("age", "weeks", "dose_mg"), [
    (25.0, 26.0, 100.0),   # young, short, low dose
    (50.0, 520.0, 400.0),  # older, ten years, high dose: the slowest men of kohn2017
])
def test_no_hcg_protocol_stays_at_zero_for_24_months(age: float, weeks: float,
                                                      dose_mg: float) -> None:
    # azoospermic two months after stopping (the suppressed state hCG has to lift)
    case = post_trt_case(age=age, weeks=weeks, dose_mg=dose_mg, semen=[(60, 0.0)])
    (result,) = prognose(case, HCG_PROTOCOLS, ["any_sperm"], n=16, months=(6.0, 12.0, 24.0))
    for forecast in result.protocols:
        assert forecast.curve.probability[-1] > 0.0, forecast.protocol.id
