"""Published numbers of tests/reference/population_calibration.yaml."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

_PATH = Path(__file__).parents[1] / "reference" / "population_calibration.yaml"


@cache
def reference() -> dict[str, Any]:
    return yaml.safe_load(_PATH.read_text(encoding="utf-8"))
