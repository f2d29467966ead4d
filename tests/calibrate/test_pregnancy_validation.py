"""Validation of the conception model on treatment (issue 22): clomiphene vs none.

The target ``chua2013_pregnancy_or`` is a validation target (never fitted): the same
virtual couples with and without clomiphene, in the trials' design (oligozoospermic men,
<= 15 M/mL at time 0; course and follow-up 10 months, the middle of the trials' 6-14), each
couple's chance of a natural conception by month 10, against the pooled odds ratio 2.42
(1.47-3.94) of chua2013. ``bench/pregnancy_or.py`` measures it at large n with its
interval and its sensitivity to the design. The long run
(n = 160) lives in ``calibrate/data/verdicts.yaml`` and ``docs/calibration.html`` whatever
its verdict; here the stored record is checked for honesty and a small seeded run must
agree with it within their Monte Carlo errors.
"""

from __future__ import annotations

import math
from importlib import resources
from pathlib import Path

import yaml

from androcast.calibrate import evaluate, select_targets
from androcast.population.engine import fitted_population

KEY = "chua2013_pregnancy_or"
ROOT = Path(__file__).resolve().parents[2]


def _stored() -> dict[str, object]:
    text = resources.files("androcast").joinpath("calibrate/data/verdicts.yaml").read_text(
        encoding="utf-8")
    record = yaml.safe_load(text)["targets"][KEY]
    assert isinstance(record, dict)
    return record


def test_the_stored_verdict_is_a_validation_and_says_what_it_measured() -> None:
    (target,) = select_targets([KEY])
    record = _stored()
    assert record["role"] == "validation"
    simulated, se = float(record["simulated"]), float(record["mc_se"])  # type: ignore[arg-type]
    within = target.low - 2 * se <= simulated <= target.high + 2 * se
    assert record["passed"] is within
    assert (target.value, target.low, target.high) == (2.42, 1.47, 3.94)


def test_the_report_shows_the_odds_ratio_whatever_the_verdict() -> None:
    page = (ROOT / "docs" / "calibration.html").read_text(encoding="utf-8")
    assert KEY in page
    assert "pregnancy odds ratio" in page
    assert f"{float(_stored()['simulated']):.2f}" in page  # type: ignore[arg-type]


def test_a_small_seeded_run_agrees_with_the_stored_one() -> None:
    """n = 40 sampled (same seed, so its men are the first 40 of the stored 160; about half
    are admitted): clomiphene can only add sperm, so the odds ratio is at least 1; and it
    lies within 4 combined Monte Carlo SE of the stored value."""
    (result,) = evaluate(select_targets([KEY]), fitted_population(), n=40)
    record = _stored()
    assert result.simulated is not None
    assert result.simulated >= 1.0
    stored, stored_se = float(record["simulated"]), float(record["mc_se"])  # type: ignore[arg-type]
    assert abs(result.simulated - stored) <= 4 * math.hypot(result.mc_se, stored_se)
    labels = [c.label for c in result.curves]
    assert labels == ["as given", "control"]
