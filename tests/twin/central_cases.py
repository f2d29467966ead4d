"""Men without androgen history for the central-hypogonadism prior of the twin.

The Kallmann-type man and the eugonadal man are interpretation reference cases; the man
with acquired (adult-onset) central hypogonadism is built here from the evidence: basal LH
1.0 IU/L as in the men whose IHH reversed (ihh_reversal), inhibin B 187 ng/L as in partial
IHH (inhibinb_hh2000), adult testes, testosterone below the bhasin2018 limit of 264 ng/dL.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from androcast.labs import Case, parse_case

CASES = Path(__file__).parents[1] / "reference" / "interpret_cases"


def reference_case(name: str) -> Case:
    raw = yaml.safe_load((CASES / name).read_text(encoding="utf-8"))
    return parse_case(raw["case"])


def kallmann_case() -> Case:
    return reference_case("12_kallmann.yaml")


def eugonadal_case() -> Case:
    return reference_case("16_idiopathic_oligozoospermia.yaml")


def acquired_central_case() -> Case:
    labs = [("2025-10-10", "testosterone_total", 180, "ng/dL"),
            ("2025-11-01", "testosterone_total", 170, "ng/dL"),
            ("2025-11-01", "lh", 1.0, "IU/L"), ("2025-11-01", "fsh", 1.5, "IU/L"),
            ("2025-11-01", "prolactin", 9, "ng/mL"), ("2025-11-01", "tsh", 1.8, "mIU/L"),
            ("2025-11-01", "inhibin_b", 187, "pg/mL")]
    return parse_case({
        "patient": {"id": "ACQ", "age_years": 41, "bmi": 25,
                    "testis_volume_ml": {"left": 18, "right": 17}},
        "goal": "fertility",
        "history": {"conditions": [], "medications": []},
        "labs": [{"date": d, "analyte": a, "value": v, "unit": u} for d, a, v, u in labs],
        "semen": [{"date": "2025-11-03", "volume_ml": 2.5, "concentration_m_per_ml": 4}],
    }, source="synthetic", as_of=dt.date(2025, 11, 15))
