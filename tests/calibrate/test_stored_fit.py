"""The stored fit holds on its fit targets, and the model meets its validation targets.

Fit targets (``androcast.calibrate.roles``) are tested as fits (``test_fit_holds_...``): the
stored calibration was fitted to those very numbers. ``..._matches_<paper>`` tests are kept
for validation targets, which no fit used.

Each test simulates the shipped population (``calibrate/data/fitted.yaml``) on the target's
cohort with a fixed seed and checks the published interval widened by two Monte-Carlo
standard errors at the test's n (binomial SE for probabilities; for a median, the SE of a
sample median, sqrt(1/4n) over the density of recovery times at the median). Direction
targets compare the same men with one covariate changed (common random numbers): the
effect must exceed its stated minimum and DIRECTION_Z (calibrate.paired) of its own paired
Monte-Carlo SE.
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from androcast.calibrate import TargetResult, evaluate, select_targets
from androcast.calibrate.paired import DIRECTION_Z
from androcast.calibrate.store import load_fit
from androcast.population.engine import fitted_population

N_LIU = 160  # men per Liu 2006 run
N_CLINIC = 80  # men per Kohn 2017 / Wenker 2015 run
# Men per variant of a direction target (same men in both variants): the fit's own n, since
# each direction effect is sized there to the smallest step that shows it (calibrate.fit);
# the verdict's Monte-Carlo SE is computed at this n from the men's paired differences.
N_DIRECTION = int(load_fit()[1]["n"])
N_CHUA = 40  # men of the SERM cohort (hormone changes, little Monte-Carlo noise)

# Not met, reported instead of tested: liu2006_shorter_acting_faster and liu2002_5m_per_ml
# (validation targets; their measured reasons are the `gap` of each target in targets.yaml,
# shown in the calibration report).
N_CHH = 80  # men of the congenital-HH induction cohort


def _run(keys: list[str], n: int) -> Mapping[str, TargetResult]:
    return {r.target.key: r for r in evaluate(select_targets(keys), fitted_population(), n=n)}


@pytest.fixture(scope="module")
def liu() -> Mapping[str, TargetResult]:
    return _run(["liu2006_p6", "liu2006_p12", "liu2006_p24", "liu2006_median"], N_LIU)


@pytest.fixture(scope="module")
def clinic() -> Mapping[str, TargetResult]:
    return _run(["kohn2017_p12", "wenker2015_regain", "wenker2015_mean_time"], N_CLINIC)


def _within(r: TargetResult) -> None:
    t = r.target
    assert r.simulated is not None, f"{t.key}: not reached in the simulation"
    margin = 2 * r.mc_se
    assert t.low - margin <= r.simulated <= t.high + margin, (
        f"{t.key}: simulated {r.simulated:.3f} (n = {r.n}, 2 SE {margin:.3f}), published "
        f"{t.value:g} [{t.low:.3g}, {t.high:.3g}] ({t.interval_basis}; {t.source})")


@pytest.mark.parametrize("key", ["liu2006_p6", "liu2006_p12", "liu2006_p24"])
def test_fit_holds_liu2006_recovery_to_20m_per_ml(liu: Mapping[str, TargetResult], key: str
                                                ) -> None:
    _within(liu[key])


def test_fit_holds_liu2006_median_time_to_20m_per_ml(liu: Mapping[str, TargetResult]) -> None:
    _within(liu["liu2006_median"])


def test_fit_holds_kohn2017_tmc_above_5m_within_12_months(clinic: Mapping[str, TargetResult]
                                                        ) -> None:
    _within(clinic["kohn2017_p12"])


@pytest.mark.parametrize("key", ["wenker2015_regain", "wenker2015_mean_time"])
def test_fit_holds_wenker2015_recovery_on_hcg_combination(clinic: Mapping[str, TargetResult],
                                                        key: str) -> None:
    _within(clinic[key])


def _direction(key: str) -> None:
    """The paired effect clears its stated minimum and DIRECTION_Z of its own Monte-Carlo SE,
    the SE computed from the men's paired differences at this n (not a seed chosen to pass)."""
    (r,) = evaluate(select_targets([key]), fitted_population(), n=N_DIRECTION)
    assert r.simulated is not None, f"{key}: not reached in a variant"
    bar = max(r.target.min_effect, DIRECTION_Z * r.mc_se)
    assert r.mc_se > 0 and r.simulated > bar, (
        f"{key}: paired effect {r.simulated:.4f}, SE {r.mc_se:.4f}, z {r.z} (n = "
        f"{N_DIRECTION} per variant), needs > {r.target.min_effect:g} and > {DIRECTION_Z:g} SE "
        f"({r.target.source})")


@pytest.mark.parametrize("key", [
    "liu2006_older_faster", "liu2006_asian_faster", "kohn2017_older_slower",
    "aas_slower_than_trt", "aas_less_complete_than_trt",
])
def test_fit_holds_sized_covariate_direction(key: str) -> None:
    """Each of these effects was sized to the smallest step that shows this direction."""
    _direction(key)


@pytest.mark.parametrize("key", [
    "liu2006_shorter_treatment_faster", "liu2006_higher_baseline_faster",
])
def test_covariate_direction_matches_liu2006(key: str) -> None:
    _direction(key)


def test_longer_use_slower_matches_kohn2017() -> None:
    _direction("kohn2017_longer_use_slower")


def test_clomiphene_raises_fsh_matches_chua2013() -> None:
    """Men with idiopathic oligozoospermia make less inhibin B (the cohort's inhibin_factor),
    so their FSH starts higher and rises by +2.5 IU/L on clomiphene (published +4.19)."""
    (r,) = evaluate(select_targets(["chua2013_fsh"]), fitted_population(), n=N_CHUA)
    _within(r)


def test_fit_of_fsh_limited_entry_gives_chua2013_concentration() -> None:
    """A fit, tested as one: the cohort's fsh_need was fitted to this very target (FSH-limited
    spermatogonial entry, targets.yaml); the model alone gave +0.22 M/mL before it."""
    (r,) = evaluate(select_targets(["chua2013_concentration"]), fitted_population(), n=N_CHUA)
    _within(r)


@pytest.fixture(scope="module")
def chh() -> Mapping[str, TargetResult]:
    return _run(["liu2009_first_sperm", "liu2002_first_sperm", "muir2024_any_sperm",
                 "muir2024_5m_per_ml", "muir2024_20m_per_ml"], N_CHH)


@pytest.mark.parametrize("key", ["liu2009_first_sperm", "muir2024_any_sperm",
                                 "muir2024_5m_per_ml", "muir2024_20m_per_ml"])
def test_fit_of_the_induction_pool_holds_in_congenital_hh(chh: Mapping[str, TargetResult],
                                                           key: str) -> None:
    """k_seed was fitted to liu2009's median time to first sperm; the cohort's output to
    muir2024's shares. Before the pool the model gave no sperm in these men."""
    _within(chh[key])


def test_first_sperm_in_congenital_hh_matches_liu2002(chh: Mapping[str, TargetResult]) -> None:
    _within(chh["liu2002_first_sperm"])

