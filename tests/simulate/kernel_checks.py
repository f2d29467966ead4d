"""One check shared by the kernel tests: the generated C equals the model's own rhs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from androcast.model.rhs import rhs


def assert_kernel_equals_rhs(kernel: Any, f: np.ndarray, jac: np.ndarray, obs: np.ndarray,
                             y: np.ndarray, p: Any, inputs: Any, species: Sequence[Any],
                             active: Sequence[int]) -> None:
    """The kernel's derivatives (to 1e-12), exact Jacobian (against central differences,
    1e-5) and observables (1e-12) at state ``y`` equal those of ``rhs``."""

    def model(state: np.ndarray) -> np.ndarray:
        return np.asarray(rhs(0.0, state, p, inputs, species))[list(active)]

    m = len(active)
    np.testing.assert_allclose(f, model(y), rtol=1e-12, atol=1e-12 * np.abs(f).max())
    fd = np.zeros((m, m))
    for c, full in enumerate(active):
        step = 1e-6 * max(abs(y[full]), 1e-3)
        up, down = y.copy(), y.copy()
        up[full] += step
        down[full] -= step
        fd[:, c] = (model(up) - model(down)) / (2 * step)
    np.testing.assert_allclose(jac.reshape(m, m), fd, rtol=1e-5, atol=1e-7 * np.abs(fd).max())
    _, observed = rhs(0.0, y, p, inputs, species, observe=True)
    for q, name in enumerate(kernel.observables):
        assert obs[q] == pytest.approx(float(observed[name]), rel=1e-12, abs=1e-15), name
