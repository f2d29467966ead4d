"""A forecast is a measurement: the seed must not decide it beyond its reported error.

Issue 17. For the README post-TRT man and the clinic suite's c22 series, seeds 1-5 of a
default prognosis must agree within the Monte Carlo error each reports (``mc_se``, from the
spread of the twin's independent SMC islands), and the reported errors must match the
spread the seeds actually show. A default prognosis of a case takes seconds of both cores,
so these runs are stored by ``bench/seed_stability.py`` (tests/reference/prognosis_seeds.json)
and checked here, with one fresh run showing the stored numbers still describe the code.
A sampler starved of moves must say it is low confidence. The README man's stored seeds
are also held to the issue's targets against the converged value bench/prognosis.py
--reference stored (tests/reference/prognosis_reference.json: four runs of 512 virtual men,
each with seven companions, pooled): every 12-month probability within 0.03 of it, and an sd
over seeds of at most 0.015; the time target is the benchmark's alone.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from androcast import DEFAULT_PARTICLES
from androcast.labs import load_case
from androcast.prognosis import prognose
from androcast.twin import personalise

README_MAN = resources.files("androcast").joinpath("examples/cases/post_trt.yaml")
STORED = Path(__file__).parents[1] / "reference" / "prognosis_seeds.json"
CONVERGED = Path(__file__).parents[1] / "reference" / "prognosis_reference.json"
#: Issue 17's targets for the README man: each seed's 12-month probability within this of
#: the converged value, and their sd over seeds 1-5 at most SD_MAX.
WITHIN = 0.03
SD_MAX = 0.015
CASES = ("post_trt", "c22", "c22b", "c22c")
MONTH = 12.0
#: Largest |p_seed - mean of the seeds| in units of the reported error (the rms of the
#: seeds' mc_se: each is a 4-island estimate, pooled over 5 seeds). Flag G: about 30
#: comparisons per case; |z| > 4 has probability 6e-5 for a normal error, more for an
#: error estimated from few islands.
Z_MAX = 4.0
#: Cases whose five default runs were not stored yet (bench/seed_stability.py takes tens
#: of minutes per case on the shared machine; strict xfail: storing them closes the gap).
NOT_STORED: frozenset[str] = frozenset()


def _cases() -> list[object]:
    return [pytest.param(c, id=c, marks=[pytest.mark.xfail(
        reason="five default runs not stored yet (issue 17)", strict=True)]
        if c in NOT_STORED else []) for c in CASES]


@cache
def stored() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(STORED.read_text(encoding="utf-8"))
    return data


def _at_month(case_id: str) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Protocols, P(outcome by MONTH) and mc_se: (seeds, protocols) each."""
    seeds = stored()["cases"][case_id]["seeds"]
    i = stored()["months"].index(MONTH)
    ids = sorted(seeds["1"]["protocols"])
    p = np.array([[s["protocols"][k]["probability"][i] for k in ids] for s in seeds.values()])
    se = np.array([[s["protocols"][k]["mc_se"][i] for k in ids] for s in seeds.values()])
    return ids, p, se


@pytest.mark.parametrize("case_id", _cases())
def test_the_stored_runs_are_of_the_default_prognosis(case_id: str) -> None:
    assert stored()["particles"] == DEFAULT_PARTICLES
    assert sorted(stored()["cases"][case_id]["seeds"]) == ["1", "2", "3", "4", "5"]


@pytest.mark.parametrize("case_id", _cases())
def test_seeds_agree_within_the_reported_monte_carlo_error(case_id: str) -> None:
    """Seeds 1-5: every protocol's 12-month probability lies within Z_MAX reported errors
    of the seeds' mean."""
    ids, p, se = _at_month(case_id)
    error = np.sqrt(np.mean(se**2, axis=0))
    z = np.abs(p - p.mean(axis=0)) / np.maximum(error, 1e-3)
    assert float(z.max()) <= Z_MAX, dict(zip(ids, p.T.round(3).tolist(), strict=True))


def test_reported_error_matches_the_spread_of_the_seeds() -> None:
    """The rms reported mc_se and the sd the seeds show (each seed an independent
    prognosis), pooled over the cases and protocols whose probability is not pinned near 0
    or 1, agree within a factor of 2 (with 5 seeds an sd is itself uncertain by about a
    third). A bootstrap of one run's men, which ignores the correlation the moves leave,
    reported a third to a half of the spread."""
    sd, reported = [], []
    for case_id in sorted(set(CASES) - NOT_STORED):
        _, p, se = _at_month(case_id)
        for j in range(p.shape[1]):
            if 0.05 < p[:, j].mean() < 0.95:
                sd.append(float(p[:, j].std(ddof=1)))
                reported.append(float(np.sqrt(np.mean(se[:, j] ** 2))))
    assert len(sd) >= 4
    ratio = float(np.sqrt(np.mean(np.square(reported)) / np.mean(np.square(sd))))
    assert 0.5 <= ratio <= 2.0, (sd, reported)


def test_the_stored_runs_describe_this_code() -> None:
    """A fresh default run of the README man, seed 1, watchful waiting: the stored 12-month
    probability within Z_MAX of its reported error (equal while neither the model nor the
    sampler has changed; a recalibration moves it, and then bench/seed_stability.py is run
    again)."""
    seeds = stored()["cases"]["post_trt"]["seeds"]["1"]["protocols"]["watchful_waiting"]
    i = stored()["months"].index(MONTH)
    curve = prognose(load_case(str(README_MAN)), ["watchful_waiting"], seed=1,
                     months=tuple(stored()["months"]))[0].protocols[0].curve
    se = max(curve.mc_se[i], seeds["mc_se"][i], 1e-3)
    assert abs(curve.probability[i] - seeds["probability"][i]) <= Z_MAX * se, (
        curve.probability[i], seeds["probability"][i])


def test_a_starved_sampler_is_low_confidence() -> None:
    """One move sweep per stage cannot mix his men (the diagnostic asks that the cloud
    forgot the values it was resampled at): not converged, so low confidence, in the twin
    and in the prognosis JSON; with up to 16 sweeps per stage the same man and seed
    converge and are not."""
    case = load_case(str(README_MAN))
    starved = personalise(case, n=64, seed=1, max_sweeps=1)
    assert not starved.converged_ and starved.low_confidence
    result = prognose(case, ["watchful_waiting"], posterior=starved, months=(MONTH,))[0]
    assert result.to_dict()["basis"]["low_confidence"] is True
    fed = personalise(case, n=64, seed=1, max_sweeps=16)
    assert fed.converged_ and not fed.low_confidence


@cache
def converged_12() -> dict[str, tuple[float, float]]:
    """The README man's converged 12-month probability and its standard error, per protocol."""
    entry = json.loads(CONVERGED.read_text(encoding="utf-8"))["cases"]["post_trt.yaml"]
    i = [float(m) for m in entry["months"]].index(MONTH)
    return {k: (v["probability"][i], v["se"][i]) for k, v in entry["protocols"].items()}


def test_the_converged_value_is_precise_enough_to_judge_by() -> None:
    """Its own error is a small part of the 0.03 it judges by."""
    assert all(se <= 0.01 for _, se in converged_12().values()), converged_12()


#: measured with the adaptive kernel and 64-men islands on main of 2026-12-08 (after
#: a7bd8c6's k_des 4; bench/seed_stability.py, bench/prognosis.py --reference: four runs of
#: 512 men, three of them not converged by the mixing rule)
MEASURED = " (seeds 1-5 of the stored default runs; issue 17)"


@pytest.mark.xfail(strict=True, reason=(
    "hcg at 12 months: seed 5 reads 0.326 against the converged 0.292 (0.035; seeds 1-4 "
    "0.292-0.303); every other protocol within 0.021" + MEASURED))
def test_the_readme_mans_seeds_lie_within_0_03_of_the_converged_value() -> None:
    ids, p, _ = _at_month("post_trt")
    reference = np.array([converged_12()[k][0] for k in ids])
    deviation = np.abs(p - reference).max(axis=0)
    assert float(deviation.max()) <= WITHIN, dict(zip(ids, deviation.round(3).tolist(),
                                                      strict=True))


def test_the_readme_mans_seeds_spread_by_at_most_0_015() -> None:
    """Seeds 1-5 at 12 months: sd 0.005-0.014 by protocol (hcg 0.014, hcg_serm 0.013)."""
    ids, p, _ = _at_month("post_trt")
    sd = p.std(axis=0, ddof=1)
    assert float(sd.max()) <= SD_MAX, dict(zip(ids, sd.round(3).tolist(), strict=True))
