"""Semen classification by WHO edition (2010, 5th ed.; 2021, 6th ed.).

Lower reference limits are the evidence keys ``semen_who2010.*`` / ``semen_who2021.*``
(5th centiles [cooper2010; who2010; who2021]); definitions follow clinical.md section 6.2.
Every classification names its edition, and each class says which criterion put it there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from androcast.evidence import evidence
from androcast.labs._model import SemenAnalysis

Edition = Literal["who2010", "who2021"]
EDITIONS: tuple[Edition, ...] = ("who2010", "who2021")
EDITION_NAMES = {
    "who2010": "WHO laboratory manual, 5th edition (2010)",
    "who2021": "WHO laboratory manual, 6th edition (2021)",
}


@dataclass(frozen=True)
class SemenClass:
    """One class (e.g. oligozoospermia) and the criteria that met it."""

    code: str
    basis: tuple[str, ...]  # e.g. "concentration 5 < 15 10*6/mL (semen_who2010.concentration)"


@dataclass(frozen=True)
class SemenClassification:
    edition: Edition
    edition_name: str
    classes: tuple[SemenClass, ...]
    missing: tuple[str, ...]  # parameters absent, so some classes could not be judged
    citation: tuple[str, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(item.code for item in self.classes)


def _limit(edition: Edition, parameter: str) -> tuple[float, str, tuple[str, ...]]:
    record = evidence(f"semen_{edition}.{parameter}")
    return float(record.value), str(record.unit), record.source


def _below(edition: Edition, parameter: str, label: str, value: float | None) -> str | None:
    """The basis text if ``value`` lies below the edition's lower limit, else None."""
    if value is None:
        return None
    limit, unit, _ = _limit(edition, parameter)
    if value < limit:
        return f"{label} {value:g} < {limit:g} {unit} (semen_{edition}.{parameter})"
    return None


def classify_semen(analysis: SemenAnalysis, edition: Edition) -> SemenClassification:
    """The WHO classes of one semen analysis under ``edition``."""
    classes: list[SemenClass] = []
    missing: list[str] = []
    citation: list[str] = []
    for parameter in (
        "volume",
        "concentration",
        "total_number",
        "progressive_motility",
        "total_motility_pr_np",
        "normal_forms",
    ):
        citation.extend(_limit(edition, parameter)[2])

    volume = _below(edition, "volume", "volume", analysis.volume_ml)
    if volume:
        classes.append(SemenClass("hypospermia", (volume,)))
    if analysis.volume_ml is None:
        missing.append("volume_ml")

    concentration = analysis.concentration_m_per_ml
    no_sperm = concentration == 0 and analysis.concentration_censor is None
    if concentration is None:
        missing.append("concentration_m_per_ml")
    elif no_sperm and analysis.pellet_sperm_seen:
        classes.append(
            SemenClass(
                "cryptozoospermia",
                ("no sperm in the neat sample; sperm in the centrifuged pellet",),
            )
        )
    elif no_sperm:
        basis = "no sperm in the ejaculate"
        if analysis.pellet_sperm_seen is None:
            basis += " (pellet examination not reported: confirm after centrifugation)"
        classes.append(SemenClass("azoospermia", (basis,)))
    else:
        limit_side = (
            " (below the quantification limit)" if analysis.concentration_censor == "<" else ""
        )
        reasons = [
            reason
            for reason in (
                _below(edition, "concentration", "concentration", concentration),
                _below(edition, "total_number", "total count", analysis.total_count_m),
            )
            if reason
        ]
        if reasons:
            classes.append(SemenClass("oligozoospermia", tuple(r + limit_side for r in reasons)))
        motility = _below(
            edition,
            "progressive_motility",
            "progressive motility",
            analysis.progressive_motility_pct,
        ) or _below(edition, "total_motility_pr_np", "total motility", analysis.total_motility_pct)
        if motility:
            classes.append(SemenClass("asthenozoospermia", (motility,)))
        if analysis.progressive_motility_pct is None and analysis.total_motility_pct is None:
            missing.append("progressive_motility_pct")
        morphology = _below(edition, "normal_forms", "normal forms", analysis.normal_forms_pct)
        if morphology:
            classes.append(SemenClass("teratozoospermia", (morphology,)))
        if analysis.normal_forms_pct is None:
            missing.append("normal_forms_pct")
        judged = not missing or missing == ["volume_ml"]
        if judged and not any(c.code != "hypospermia" for c in classes):
            classes.insert(
                0,
                SemenClass(
                    "normozoospermia",
                    ("concentration, total count, motility and morphology at or above the limits",),
                ),
            )
    return SemenClassification(
        edition=edition,
        edition_name=EDITION_NAMES[edition],
        classes=tuple(classes),
        missing=tuple(missing),
        citation=tuple(dict.fromkeys(citation)),
    )
