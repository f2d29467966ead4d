"""The few functions the equations may call, in a numpy and a sympy flavour.

``rhs`` only uses + - * / ** and the members of a :class:`MathNamespace`, so the same code
runs vectorised over virtual patients (numpy arrays) and can be traced symbolically (sympy)
for the SBML export. No ``if``/``min``/``max`` on state values: smooth forms only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

#: What the equations compute with: a float (one man), an (N,) numpy array (N men at once) or a
#: sympy expression (the traced C kernel and the SBML export). The equations use only
#: + - * / ** and the functions of a MathNamespace, which all three support, so the one type
#: the three share is Any: this name says which Any it is.
Expr = Any


@dataclass(frozen=True)
class MathNamespace:
    """exp, log and sqrt of one backend; Hill functions are built from them."""

    name: str
    exp: Any
    log: Any
    sqrt: Any
    stack: Any  # list of per-state derivatives -> one array (numpy) or matrix (sympy)

    def hill_up(self, x: Any, k: Any, n: Any) -> Any:
        """H+(x; K, n) = x^n / (K^n + x^n): rises from 0 to 1, half at x = K."""
        xn = x**n
        return xn / (k**n + xn)

    def hill_down(self, x: Any, k: Any, n: Any) -> Any:
        """H-(x; K, n) = K^n / (K^n + x^n) = 1 - H+(x; K, n)."""
        kn = k**n
        return kn / (kn + x**n)


def _np_stack(items: list[Any]) -> Any:
    try:  # all scalars, or all arrays of one shape: the fast path
        return np.array(items, dtype=float)
    except ValueError:  # mixed scalars and (N,) arrays
        return np.stack(np.broadcast_arrays(*items))


NUMPY = MathNamespace("numpy", np.exp, np.log, np.sqrt, _np_stack)

#: One man, states as Python floats (about 3x faster than numpy scalars). States must be
#: non-negative: the one-patient integrator clips solver overshoot below zero first.
SCALAR = MathNamespace("scalar", math.exp, math.log, math.sqrt, _np_stack)


def sympy_namespace() -> MathNamespace:
    """The sympy flavour (imported lazily: sympy is only needed for export)."""
    import sympy  # type: ignore[import-untyped]

    return MathNamespace("sympy", sympy.exp, sympy.log, sympy.sqrt, sympy.Matrix)
