"""Rosenbrock methods as data, in the KPP form (Sandu et al. 1997).

A step solves, for stages i = 1..s with ``W = I/(h γ) - J``,

    W k_i = f(y + Σ_j a_ij k_j) + Σ_j (c_ij / h) k_j,
    y_new = y + Σ m_i k_i,   error = Σ e_i k_i,

re-using the previous stage's f where ``new_f[i]`` is false. Coefficients are those of the
Kinetic PreProcessor's Rosenbrock integrators: Sandu A, Verwer JG, Blom JG, Spee EJ,
Carmichael GR, Potra FA, "Benchmarking stiff ODE solvers for atmospheric chemistry problems
II: Rosenbrock solvers", Atmos Environ 1997;31(20):3459-72; RODAS4 from Hairer E, Wanner G,
"Solving Ordinary Differential Equations II", Springer 1996, section IV.7.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rosenbrock:
    """One method: stage count, order of the error estimate and the KPP coefficients."""

    name: str
    gamma: float
    a: tuple[float, ...]  # strictly lower triangle, row-wise: a21, a31, a32, a41, ...
    c: tuple[float, ...]
    m: tuple[float, ...]
    e: tuple[float, ...]
    new_f: tuple[bool, ...]
    error_order: float  # min(order, embedded order) + 1, for the step-size controller
    order: int

    @property
    def stages(self) -> int:
        return len(self.m)


#: 4 stages, order 3 (embedded 2), stiffly accurate and L-stable (Sandu et al. 1997).
RODAS3 = Rosenbrock(
    name="RODAS3",
    gamma=0.5,
    a=(0.0, 2.0, 0.0, 2.0, 0.0, 1.0),
    c=(4.0, 1.0, -1.0, 1.0, -1.0, -8.0 / 3.0),
    m=(2.0, 0.0, 1.0, 1.0),
    e=(0.0, 0.0, 0.0, 1.0),
    new_f=(True, False, True, True),
    error_order=3.0,
    order=3,
)

_A4 = (1.221224509226641, 6.019134481288629, 12.53708332932087, -0.6878860361058950)

#: 6 stages, order 4 (embedded 3), stiffly accurate (Hairer & Wanner 1996).
RODAS4 = Rosenbrock(
    name="RODAS4",
    gamma=0.25,
    a=(1.544, 0.9466785280815826, 0.2557011698983284, 3.314825187068521,
       2.896124015972201, 0.9986419139977817, *_A4, *_A4, 1.0),
    c=(-5.6688, -2.430093356833875, -0.2063599157091915, -0.1073529058151375,
       -9.594562251023355, -20.47028614809616, 7.496443313967647, -10.24680431464352,
       -33.99990352819905, 11.70890893206160, 8.083246795921522, -7.981132988064893,
       -31.52159432874371, 16.31930543123136, -6.058818238834054),
    m=(*_A4, 1.0, 1.0),
    e=(0.0, 0.0, 0.0, 0.0, 0.0, 1.0),
    new_f=(True,) * 6,
    error_order=4.0,
    order=4,
)

#: 3 stages, 2 function evaluations, order 3 (embedded 2), L-stable (Sandu et al. 1997).
ROS3 = Rosenbrock(
    name="ROS3",
    gamma=0.43586652150845899942,
    a=(1.0, 1.0, 0.0),
    c=(-1.0156171083877702092, 4.0759956452537699825, 9.2076794298330791242),
    m=(1.0, 6.1697947043828245593, -0.42772256543218573326),
    e=(0.5, -2.9079558716805469822, 0.22354069897811569627),
    new_f=(True, True, False),
    error_order=3.0,
    order=3,
)

#: 4 stages, 3 function evaluations, order 4 (embedded 3), L-stable (Hairer & Wanner 1996,
#: as in KPP): the work of a RODAS3 step for one order more.
ROS4 = Rosenbrock(
    name="ROS4",
    gamma=0.57282,
    a=(2.0, 1.867943637803922, 0.2344449711399156, 1.867943637803922, 0.2344449711399156,
       0.0),
    c=(-7.137615036412310, 2.580708087951457, 0.6515950076447975, -2.137148994382534,
       -0.3214669691237626, -0.6949742501781779),
    m=(2.255570073418735, 0.2870493262186792, 0.4353179431840180, 1.093502252409163),
    e=(-0.2815431932141155, -0.07276199124938920, -0.1082196201495311, -1.093502252409163),
    new_f=(True, True, True, False),
    error_order=4.0,
    order=4,
)

METHODS = {m.name: m for m in (RODAS3, RODAS4, ROS3, ROS4)}
