"""Per-man status in batch runs: one man who cannot be integrated does not sink the others.

A population run (``throw=False``) reports each man's status and leaves a failed man's values
as NaN; a cohort counts him (``n_failed``) and keeps him out of every curve instead of
reading his missing values as "never recovered". The default still raises on the first
failure, naming the man.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from androcast.errors import SimulationError
from androcast.model import reference_parameters
from androcast.regimens import compile_regimen, parse_regimen
from androcast.simulate import SolverOptions
from androcast.simulate.batch import simulate_batch

END_D = 120.0
# man 0 takes no drug; man 1 injects weekly, which costs many more steps (a jump each week)
INJECTIONS = [{"drug": "testosterone_enanthate", "dose": "200 mg", "route": "im", "every": "7 d",
               "start": "0 d", "duration": f"{END_D:g} d"}]


@pytest.fixture(scope="module")
def cache() -> Path | None:
    return None  # the shared kernel cache: this kernel is the one every TE run builds


def _run(cache: Path | None, *, throw: bool, max_steps: int) -> object:
    none = compile_regimen(parse_regimen([]), t_start_d=0.0, t_end_d=END_D)
    weekly = compile_regimen(parse_regimen(INJECTIONS), t_start_d=0.0, t_end_d=END_D)
    return simulate_batch(reference_parameters(), [none, weekly], np.arange(7.0, END_D, 7.0),
                          t_start_d=0.0, control=SolverOptions(rtol=1e-4, max_steps=max_steps),
                          observables=["testosterone_total"], cache_dir=cache, throw=throw)


def _steps(cache: Path | None) -> tuple[int, int]:
    run = _run(cache, throw=True, max_steps=1_000_000)
    assert run.steps is not None  # type: ignore[attr-defined]
    return int(run.steps[0]), int(run.steps[1])  # type: ignore[attr-defined]


def test_a_man_out_of_step_budget_is_reported_and_the_other_kept(cache: Path | None) -> None:
    quiet, busy = _steps(cache)
    assert quiet < busy
    budget = (quiet + busy) // 2  # enough for man 0, not for man 1
    run = _run(cache, throw=False, max_steps=budget)
    assert run.status is not None and run.status.tolist() == [0, 2]  # type: ignore[attr-defined]
    assert run.failed.tolist() == [False, True]  # type: ignore[attr-defined]
    t = run.values["testosterone_total"]  # type: ignore[attr-defined]
    assert np.all(np.isfinite(t[:, 0])) and np.all(np.isnan(t[:, 1]))
    full = _run(cache, throw=False, max_steps=1_000_000)
    assert np.array_equal(t[:, 0], full.values["testosterone_total"][:, 0])  # type: ignore[attr-defined]


def test_by_default_the_first_failed_man_raises_with_his_index(cache: Path | None) -> None:
    quiet, busy = _steps(cache)
    with pytest.raises(SimulationError, match=r"batch\[1\]"):
        _run(cache, throw=True, max_steps=(quiet + busy) // 2)
