"""Synthetic cases for the twin and prognosis tests: a man who stopped weekly testosterone
cypionate 200 mg after a chosen time; results are placed in days after time 0."""

from __future__ import annotations

import datetime as dt
from typing import Any

from androcast.labs import Case, parse_case

STOP = dt.date(2025, 1, 1)
T0 = STOP + dt.timedelta(days=7)  # last dose + one interval (handelsman2005)
AS_OF = dt.date(2026, 6, 1)


def day(d: float) -> str:
    return (T0 + dt.timedelta(days=d)).isoformat()


def post_trt_case(
    *,
    age: float = 35.0,
    weeks: float = 78.0,
    dose_mg: float = 200.0,
    labs: list[tuple[float, str, Any, str]] = (),  # type: ignore[assignment]
    semen: list[tuple[float, Any]] = (),  # type: ignore[assignment]
    inhibin_b: float | None = None,
    ethnicity: str | None = None,
) -> Case:
    start = STOP - dt.timedelta(weeks=weeks)
    data: dict[str, Any] = {
        "patient": {"id": "SYN", "age_years": age, "bmi": 25.0},
        "goal": "fertility",
        "history": {
            "androgens": [{"agent": "testosterone_cypionate", "dose": f"{dose_mg:g} mg",
                           "every": "7 d", "start": start.isoformat(),
                           "stop": STOP.isoformat()}],
            "conditions": [], "medications": [],
        },
        "labs": [{"date": day(d), "analyte": a, "value": v, "unit": u} for d, a, v, u in labs],
        "semen": [{"date": day(d), "volume_ml": 3.0, "concentration_m_per_ml": c}
                  for d, c in semen],
    }
    if ethnicity is not None:
        data["patient"]["ethnicity"] = ethnicity
    if inhibin_b is not None:
        data["labs"].append({"date": day(40), "analyte": "inhibin_b", "value": inhibin_b,
                             "unit": "ng/L"})
    return parse_case(data, source="synthetic", as_of=AS_OF)
