"""One mapping from a probability of recovery by 12 months to a prognosis class.

The qualitative prognosis of ``interpret`` and the quantitative prognosis share it, so
"good" means the same thing in both. The thresholds are data (``prognosis_classes.yaml``),
each anchored on a published recovery figure.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from androcast._yaml import load_data
from androcast.errors import ParameterError


@cache
def class_thresholds() -> tuple[tuple[str, float], ...]:
    """(class, lowest probability of that class), best class first."""
    text = (
        resources.files("androcast.interpret")
        .joinpath("prognosis_classes.yaml")
        .read_text(encoding="utf-8")
    )
    data = load_data(text)
    pairs = tuple((str(c["class"]), float(c["min_p_recovery_12mo"])) for c in data["classes"])
    return tuple(sorted(pairs, key=lambda p: -p[1]))


def prognosis_class(p_recovery_12mo: float) -> str:
    """good / moderate / guarded / poor for a probability in [0, 1]."""
    if not 0.0 <= p_recovery_12mo <= 1.0:
        raise ParameterError("p_recovery_12mo", p_recovery_12mo, "a probability between 0 and 1")
    for name, lowest in class_thresholds():
        if p_recovery_12mo >= lowest:
            return name
    raise ParameterError("p_recovery_12mo", p_recovery_12mo, "a class whose lower bound is 0")
