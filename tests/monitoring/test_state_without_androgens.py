"""A man without androgen history: his plan's state, kept as JSON, learns his next result.

Day 0 of his model is the date of his latest result when the plan was adopted (no end of
androgen exposure to count from); a later result must not make the stored state unusable.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from androcast.labs import load_case, parse_case
from androcast.monitoring import monitor, start_monitoring, state_from_payload, state_to_payload

CASE = Path(__file__).parents[2] / "examples" / "cases" / "idiopathic_oligozoospermia.yaml"
START = dt.date(2025, 10, 1)
WEEK_6 = START + dt.timedelta(weeks=6)


def test_a_stored_state_of_a_man_without_androgens_learns_a_later_result() -> None:
    case = load_case(CASE, as_of=dt.date(2026, 1, 1))
    state = start_monitoring(case, "serm_clomiphene", START, n=8, seed=1)
    later = parse_case(
        {
            "patient": {"id": case.patient.id, "age_years": 33},
            "labs": [{"date": WEEK_6.isoformat(), "analyte": "lh", "value": 6.5, "unit": "IU/L"}],
        },
        as_of=case.as_of,
    )
    followed = replace(case, labs=case.labs + later.labs)
    restored = state_from_payload(state_to_payload(state), followed)
    assert restored.posterior.t0 == state.posterior.t0 == dt.date(2025, 9, 22)
    from_json = monitor(restored, followed)
    in_memory = monitor(state, followed)
    assert [v.date for v in from_json.visits] == [WEEK_6]
    assert ("lh", WEEK_6) in from_json.state.posterior.used_
    assert from_json.state.band.to_dict() == in_memory.state.band.to_dict()
