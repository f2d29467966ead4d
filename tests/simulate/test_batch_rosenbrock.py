"""The batch Rosenbrock integrator (ROS2, Verwer 1999) on problems with exact solutions."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.linalg import expm

from androcast.simulate._batch_rosenbrock import integrate_batch
from androcast.simulate.options import SolverOptions

# A stiff linear system (eigenvalues -1000, -1 and -0.05 per day), scaled per patient.
A = np.array([[-1000.0, 0.0, 0.0], [999.0, -1.0, 0.0], [0.0, 0.95, -0.05]])
SCALE = np.array([0.5, 1.0, 2.0])  # three patients, different time scales


def rhs(t: float, y: np.ndarray) -> np.ndarray:
    return np.einsum("ij,jk->ik", A, y) * SCALE


def exact(t_out: np.ndarray, y0: np.ndarray, dose_t: float, dose: float) -> np.ndarray:
    out = np.empty((t_out.size, 3, SCALE.size))
    for k, s in enumerate(SCALE):
        for i, t in enumerate(t_out):
            y = expm(A * s * min(t, dose_t)) @ y0[:, k]
            if t >= dose_t:
                y = expm(A * s * (t - dose_t)) @ (y + np.array([dose, 0.0, 0.0]))
            out[i, :, k] = y
    return out


def bolus(t: float, y: np.ndarray) -> np.ndarray:
    y = y.copy()
    y[0] += 5.0
    return y


def test_ros2_matches_the_matrix_exponential_with_a_bolus_at_a_breakpoint() -> None:
    y0 = np.tile(np.array([[1.0], [0.0], [0.0]]), (1, SCALE.size))
    t_out = np.linspace(0.0, 20.0, 41)
    got = integrate_batch(
        rhs, y0, 0.0, t_out, np.array([7.0]), bolus, SolverOptions(rtol=1e-5, atol=1e-8)
    )
    want = exact(t_out, y0, 7.0, 5.0)
    np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-6)


@pytest.mark.parametrize("h", [0.1, 0.05])
def test_ros2_converges_with_order_two(h: float) -> None:
    # Verwer 1999 claim: order 2 (also with a reused Jacobian). Fixed steps h and h/2,
    # starting on the slow manifold (a stiff initial layer that the step does not resolve
    # reduces the order of every Rosenbrock method; that is not what this test measures).
    y0 = np.tile(np.array([[0.0], [1.0], [0.0]]), (1, SCALE.size))
    t_out = np.array([0.0, 4.0])

    def error(step: float) -> float:
        control = SolverOptions(rtol=0.5, atol=0.5, h0_d=step, max_step_d=step, jacobian_age=1000)
        got = integrate_batch(rhs, y0, 0.0, t_out, np.array([]), bolus, control)
        return float(np.max(np.abs(got[-1] - exact(t_out, y0, 1e9, 0.0)[-1])))

    order = np.log2(error(h) / error(h / 2))
    assert order == pytest.approx(2.0, abs=0.15)
