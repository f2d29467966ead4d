"""The model's own ``rhs`` traced with sympy symbols: rate laws and observables.

No equation is written here. Every parameter of :class:`Parameters` and every non-zero
constant of a drug species becomes a symbol named after it, every state a symbol named
after the state, and ``rhs(..., xp=sympy_namespace(), observe=True)`` returns the rate
laws and the algebraic observables as expressions of those symbols.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from androcast.model import (
    N_PHYSIOLOGY,
    STATE_NAMES,
    Inputs,
    Parameters,
    Species,
    rhs,
    sympy_namespace,
)

#: The four amount states of a drug species (androcast.model.pharmacology), as id suffixes.
COMPARTMENTS: tuple[str, ...] = ("depot", "depot_slow", "central", "peripheral")
#: Numeric constants of a species; zero ones stay structural zeros (unused compartments).
SPECIES_CONSTANTS: tuple[str, ...] = (
    "ka", "ka_slow", "ke", "k12", "k21", "v_l", "potency", "hill", "formation_fraction",
    "efficacy",
)


def state_ids(species: Sequence[Species]) -> tuple[str, ...]:
    """SBML ids of the states in the order of ``rhs``: physiology, then 4 per species."""
    return STATE_NAMES + tuple(f"{sp.code}_{c}" for sp in species for c in COMPARTMENTS)


def species_constant_id(code: str, constant: str) -> str:
    return f"{code}_{constant}"


@dataclass(frozen=True)
class Traced:
    """Rate law of every state and the model's observables, as sympy expressions."""

    rates: Mapping[str, Any]
    observables: Mapping[str, Any]
    symbols: frozenset[str]  # names of every symbol the expressions use

    def uses(self, name: str) -> bool:
        return name in self.symbols


def symbolic_species(sp: Species) -> Species:
    """The species with each non-zero constant replaced by its named symbol."""
    sympy = importlib.import_module("sympy")
    changes = {
        c: sympy.Symbol(species_constant_id(sp.code, c))
        for c in SPECIES_CONSTANTS
        if float(getattr(sp, c)) != 0.0
    }
    return dataclasses.replace(sp, **changes)


def trace(species: Sequence[Species], inputs: Inputs) -> Traced:
    """Rate laws and observables of ``rhs`` with the given (possibly symbolic) inputs."""
    sympy = importlib.import_module("sympy")
    p = Parameters(**{f.name: sympy.Symbol(f.name) for f in dataclasses.fields(Parameters)})
    ids = state_ids(species)
    y = [sympy.Symbol(name) for name in ids]
    assert len(y) == N_PHYSIOLOGY + len(COMPARTMENTS) * len(species)
    dy, observed = rhs(sympy.Symbol("time"), y, p, inputs,
                       [symbolic_species(sp) for sp in species],
                       xp=sympy_namespace(), observe=True)
    rates = {name: sympy.sympify(expr) for name, expr in zip(ids, dy, strict=True)}
    observables = {name: sympy.sympify(expr) for name, expr in observed.items()}
    used: set[str] = set()
    for expr in (*rates.values(), *observables.values()):
        used |= {str(s) for s in expr.free_symbols}
    return Traced(rates, observables, frozenset(used))
