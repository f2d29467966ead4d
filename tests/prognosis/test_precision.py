"""A forecast is a measurement: the sampler must say when it has not converged.

Issue 17. A sampler starved of moves (one sweep per tempering stage) cannot mix his men:
the diagnostic (the cloud must forget the values it was resampled at) fails, so his twin
and the prognosis built on it are low confidence; with sweeps enough the same man and seed
converge. The precision target itself (sd <= 0.015 over seeds) is a benchmark
(bench/prognosis.py), not a test.
"""

from __future__ import annotations

from importlib import resources

from androcast.labs import load_case
from androcast.prognosis import prognose
from androcast.twin import personalise

README_MAN = resources.files("androcast").joinpath("examples/cases/post_trt.yaml")


def test_a_starved_sampler_is_low_confidence() -> None:
    """One move sweep per stage: not converged, so low confidence, in the twin and in the
    prognosis JSON; with up to 16 sweeps per stage the same man and seed converge."""
    case = load_case(str(README_MAN))
    starved = personalise(case, n=64, seed=1, max_sweeps=1)
    assert not starved.converged_ and starved.low_confidence
    result = prognose(case, ["watchful_waiting"], posterior=starved, months=(12.0,))[0]
    assert result.to_dict()["basis"]["low_confidence"] is True
    fed = personalise(case, n=64, seed=1, max_sweeps=16)
    assert fed.converged_ and not fed.low_confidence
