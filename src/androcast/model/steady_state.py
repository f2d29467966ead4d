"""The drug-free steady state of a (personalised) man, in the pulse-averaged mode."""

from __future__ import annotations

import numpy as np
from scipy.optimize import root

from androcast.errors import SimulationError
from androcast.model.parameters import FloatArray, Parameters
from androcast.model.rhs import N_PHYSIOLOGY, N_STAGES, STATE_NAMES, Inputs, rhs

_AVERAGED = Inputs(pulsatile=0.0)


def reference_state(p: Parameters) -> FloatArray:
    """The analytic steady state of the reference man (every modifier neutral).

    Used as the starting guess for :func:`steady_state`; for the reference man it is the
    steady state itself (the equations are normalised to the baseline targets).
    """
    occ0 = np.log(1 + p.m0) / (p.k_G * p.tau0)
    hold0 = np.log(1 + (p.m0 / p.z_rec) ** p.n_rec) / (p.n_rec * p.k_G * p.tau0)
    ci_over_r = p.k_des * occ0 / (p.k_res * (1 - hold0) + p.k_R)
    r0 = 1 / (1 + 2 * ci_over_r)
    k_rlh = p.k_int * p.LH0 / (p.LH0 + p.K_occ)
    blk_on = p.k_blk * p.LH0**p.n_blk / (p.LH0**p.n_blk + p.K_blk**p.n_blk)
    k_tr = p.n_stages / p.tau_sg
    y = np.zeros(N_PHYSIOLOGY)
    named = {
        "G": 0.0, "R": r0, "Ci": ci_over_r * r0, "LHp": p.k_LH * p.LH0 / p.k_rel_LH,
        "LH": p.LH0, "FSHp": p.k_FSH * p.FSH0 / p.k_rel_FSH, "FSH": p.FSH0,
        "Rlh": p.k_rec / (p.k_rec + k_rlh), "Blk": blk_on / (blk_on + p.k_blk_off),
        "Lenz": 1.0, "Lmass": 1.0, "Sfun": 1.0, "SHBG": p.SHBG0, "Rsg": 1.0,
        "Fa": 1.0, "Fe": 1.0, "Fp": 1.0,
        "Epi": p.DSP0 * p.tau_epi, "Adp": 0.0, "Adf": 0.0,
    }
    for name, value in named.items():
        y[STATE_NAMES.index(name)] = value
    for i in range(N_STAGES):
        y[STATE_NAMES.index(f"X{i + 1}")] = p.DSP0 / k_tr
    return y


def steady_state(p: Parameters) -> FloatArray:
    """Drug-free steady state of the physiological states (pulse-averaged mode).

    Solved as a root of the averaged right-hand side from the reference state; the chain
    states start from the reference then converge with the rest.
    """
    guess = reference_state(p)
    scale = np.maximum(np.abs(guess), 1e-3)

    def f(z: FloatArray) -> FloatArray:
        y = z * scale
        return np.asarray(rhs(0.0, y, p, _AVERAGED)) / scale

    # G is frozen in the averaged mode: pin it to 0 by solving for the other states only
    free = np.arange(1, N_PHYSIOLOGY)

    def g(zf: FloatArray) -> FloatArray:
        z = np.zeros(N_PHYSIOLOGY)
        z[free] = zf
        return f(z)[free]

    sol = root(g, (guess / scale)[free], method="hybr", tol=1e-12)
    y = np.zeros(N_PHYSIOLOGY)
    y[free] = sol.x * scale[free]
    resid = np.max(np.abs(g(sol.x)))
    if (not sol.success and resid > 1e-8) or np.any(~np.isfinite(y)) or np.any(y < -1e-9):
        raise SimulationError(
            "steady_state", float(resid), "a drug-free steady state of the model",
            hint="check the personalised parameters (covariates out of range?)",
        )
    return np.clip(y, 0.0, None)
