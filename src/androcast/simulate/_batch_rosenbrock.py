"""A Rosenbrock W-method that advances a whole batch of independent systems with shared steps.

ROS2: Verwer, Spee, Blom & Hundsdorfer, "A second-order Rosenbrock method applied to
photochemical dispersion problems", SIAM J Sci Comput 1999;20(4):1456-80. Two stages,
order 2 and L-stable (gamma = 1 + 1/sqrt 2), and order 2 for *any* matrix in place of the
Jacobian (a W-method), so one Jacobian is reused over many steps. The embedded first-order
solution ``y + h k1`` gives the error estimate.

State arrays are (n_states, N): one column per virtual patient. Each patient's Jacobian is
an (n, n) block, built from n evaluations of the vectorised right-hand side (perturbing
state j of every patient at once gives column j of every block, as patients do not
interact). Steps are shared by the batch and controlled by the worst patient.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from androcast.errors import SimulationError
from androcast.simulate.options import SolverOptions

FloatArray = NDArray[np.float64]
Rhs = Callable[[float, FloatArray], FloatArray]

GAMMA = 1.0 + 1.0 / np.sqrt(2.0)


def batch_jacobian(
    f: Rhs, t: float, y: FloatArray, fy: FloatArray, y_scale: FloatArray
) -> FloatArray:
    """Blocks d f_i / d y_j per patient, shape (N, n, n), by forward differences.

    The increment is sqrt(eps) times the larger of |y_j| and the state's typical size
    ``y_scale[j]``, so a state passing through zero is not perturbed by round-off alone.
    """
    n, N = y.shape
    jac = np.empty((N, n, n))
    eps = np.sqrt(np.finfo(float).eps)
    for j in range(n):
        dy = eps * np.maximum(np.abs(y[j]), y_scale[j])
        yp = y.copy()
        yp[j] += dy
        jac[:, :, j] = ((f(t, yp) - fy) / dy).T
    return jac


def _solve(w_inv: FloatArray, b: FloatArray) -> FloatArray:
    """Solve W x = b for every patient, with W^-1 given as (N, n, n) and b as (n, N)."""
    return np.asarray(np.einsum("kij,jk->ik", w_inv, b))


@dataclass
class _State:
    t: float
    y: FloatArray
    h: float
    y_scale: FloatArray
    w_inv: FloatArray | None = None
    w_h: float = 0.0
    jac: FloatArray | None = None
    jac_uses: int = 0
    steps: int = 0


def integrate_segment(
    f: Rhs,
    state: _State,
    t_end: float,
    control: SolverOptions,
    t_out: FloatArray,
    out: FloatArray,
    out_index: int,
) -> int:
    """Advance ``state`` to ``t_end`` (no discontinuity inside), storing outputs at ``t_out``.

    Output times inside a step are filled by the method's dense linear interpolation of
    the step's end points (adequate for steps far below the output spacing; the controller
    also stops exactly on every output time). Returns the next output index.
    """
    n = state.y.shape[0]
    eye = np.eye(n)
    while state.t < t_end - 1e-12:
        # stop exactly on the next output time so outputs are solver points, not interpolants
        target = t_end
        if out_index < t_out.size and t_out[out_index] < t_end:
            target = float(t_out[out_index])
        h = min(state.h, control.batch_max_step_d, target - state.t)
        last = state.t + h >= target - 1e-12
        if last:
            h = target - state.t
        fy = f(state.t, state.y)
        if state.jac is None or state.jac_uses >= control.jacobian_age:
            state.jac = batch_jacobian(f, state.t, state.y, fy, state.y_scale)
            state.jac_uses = 0
            state.w_inv = None
        if state.w_inv is None or state.w_h != h:
            state.w_inv = np.linalg.inv(eye[None] - GAMMA * h * state.jac)
            state.w_h = h
        k1 = _solve(state.w_inv, fy)
        k2 = _solve(state.w_inv, f(state.t + h, state.y + h * k1) - 2.0 * k1)
        y_new = state.y + 1.5 * h * k1 + 0.5 * h * k2
        err = 0.5 * h * (k1 + k2)
        scale = control.atol + control.rtol * np.maximum(np.abs(state.y), np.abs(y_new))
        ratio = np.abs(err) / scale
        worst = float(np.max(ratio)) if ratio.size else 0.0
        if not np.isfinite(worst):
            worst = np.inf
        state.steps += 1
        if state.steps > control.max_steps:
            raise SimulationError("batch", f"t = {state.t:g} d", "fewer steps (raise max_steps)")
        if worst <= 1.0:
            state.t = target if last else state.t + h
            state.y = y_new
            state.jac_uses += 1
            if last and out_index < t_out.size and t_out[out_index] == target:
                out[out_index] = state.y
                out_index += 1
            factor = 0.9 / np.sqrt(max(worst, 1e-10))
            state.h = h * min(4.0, max(0.2, factor)) if not last else max(state.h, h)
        else:
            if state.jac_uses > 0:
                state.jac = None  # a rejected step with an old Jacobian: refresh it
            state.h = h * max(0.1, 0.9 / np.sqrt(worst))
            if state.h < control.h_min_d:
                raise SimulationError(
                    "batch",
                    f"t = {state.t:g} d",
                    f"a step above {control.h_min_d:g} d (tighten the model or the tolerances)",
                )
    # a segment within the 1e-12 d slack takes no step (a breakpoint a hair before an output
    # time, e.g. a pump run ending at 16 x 90 min in floating point): its outputs are here
    while out_index < t_out.size and t_out[out_index] <= t_end + 1e-12:
        out[out_index] = state.y
        out_index += 1
    return out_index


def integrate_batch(
    f: Rhs,
    y0: FloatArray,
    t0: float,
    t_out: FloatArray,
    breakpoints: FloatArray,
    jump: Callable[[float, FloatArray], FloatArray],
    control: SolverOptions,
) -> FloatArray:
    """Integrate from ``t0`` over ``t_out`` (ascending), applying ``jump`` at each breakpoint.

    ``jump(t, y)`` returns the state just after the discontinuity at ``t`` (bolus doses,
    changed infusion rates) for the whole batch. Returns states at ``t_out``, shape
    (len(t_out), n_states, N).
    """
    out = np.empty((t_out.size, *y0.shape))
    typical = np.max(np.abs(y0), axis=1)
    state = _State(t=t0, y=y0.copy(), h=control.h0_d, y_scale=np.where(typical > 0, typical, 1.0))
    index = 0
    while index < t_out.size and t_out[index] <= t0:
        out[index] = y0
        index += 1
    stops = [float(b) for b in np.unique(breakpoints) if t0 <= b <= t_out[-1]]
    if stops and stops[0] == t0:
        state.y = jump(t0, state.y)
        stops = stops[1:]
        if index and t_out[index - 1] == t0:
            out[index - 1] = state.y
    for stop in [*stops, float(t_out[-1])]:
        index = integrate_segment(f, state, stop, control, t_out, out, index)
        if stop < t_out[-1] or stop in stops:
            state.y = jump(stop, state.y)
            state.h = min(state.h, control.h_after_jump_d)
            if index and t_out[index - 1] == stop:
                out[index - 1] = state.y  # report the state after a dose given at that time
    return out
