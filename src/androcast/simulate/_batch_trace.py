"""Trace the model's own ``rhs`` symbolically into a straight-line program and its Jacobian.

Nothing here restates an equation: :func:`androcast.model.rhs.rhs` is called once with sympy
symbols for the states, every parameter, the drug constants and the infusion inputs, in the
pulse-averaged mode the batch engine runs. The result is reduced for fast evaluation:

* states whose derivative is identically zero in this mode (portal GnRH, unused drug
  compartments such as the depot of a metabolite formed in the body) are *frozen* at zero
  and leave the integrated system; a dose into a frozen compartment is refused where the
  events are built (:mod:`._batch_inputs`), since only the schedule knows what is dosed;
* every sub-expression that depends on parameters only (the reference-man constants, Hill
  constants ``K**n``, the stage selector) is *hoisted* into per-man constants computed once;
* common sub-expressions are shared (sympy ``cse``);
* the exact Jacobian is built by forward-mode differentiation along that shared program, so
  each derivative is a small expression of already computed intermediates.

Piecewise-constant inputs ``U`` are the infusion rate of each species and, when the batch
gives gonadorelin, the three gonadorelin inputs of :class:`androcast.model.rhs.Inputs`
(:data:`GNRH_INPUTS`): its continuous rate and the pulse and frequency of a pump, which the
averaged mode sees as the cycle-mean receptor occupancy of those pulses (rhs section (b)).
Kernels without gonadorelin keep those inputs at literal zero, so they cost nothing there.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# sympy (~0.4 s to import) is imported by the functions that trace: the batch engine imports
# this module, and running an already compiled kernel needs no sympy.
from androcast.model import (
    STATE_NAMES,
    Inputs,
    Parameters,
    Species,
    rhs,
    sympy_namespace,
)

#: Species fields that are numbers the generated code reads at run time (not baked in).
SPECIES_CONSTANTS = (
    "ka", "ka_slow", "ke", "k12", "k21", "v_l", "potency", "hill", "formation_fraction",
    "efficacy",
)
PARAMETER_NAMES: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Parameters))
#: The gonadorelin fields of ``Inputs`` that follow the species' infusions in ``U``.
GNRH_INPUTS = ("gnrh_infusion_ug_per_d", "pump_pulse_ug", "pump_frequency_per_d")

Assignment = tuple[Any, Any]  # (symbol, expression)


@dataclass(frozen=True)
class Program:
    """The traced model as straight-line assignments over named inputs.

    ``inputs``: the per-man vector ``P`` (model parameters then drug constants);
    ``constants``: hoisted parameter-only assignments (computed once per man);
    ``body``: shared intermediates of the derivatives; ``derivatives``: one expression per
    active state; ``jacobian``: (row, column, expression) over active states, rows and
    columns in ``active`` order; ``observe_body``/``observables``: the algebraic outputs.
    ``U`` holds ``n_infusions`` species rates, then :data:`GNRH_INPUTS` if ``gnrh``.
    """

    state_names: tuple[str, ...]
    active: tuple[int, ...]
    frozen: tuple[int, ...]
    inputs: tuple[str, ...]
    n_infusions: int
    gnrh: bool
    constants: tuple[Assignment, ...]
    body: tuple[Assignment, ...]
    derivatives: tuple[Any, ...]
    jacobian_body: tuple[Assignment, ...]
    jacobian: tuple[tuple[int, int, Any], ...]
    observe_body: tuple[Assignment, ...]
    observables: Mapping[str, Any]

    @property
    def n_inputs(self) -> int:
        """Length of the input vector ``U``."""
        return self.n_infusions + (len(GNRH_INPUTS) if self.gnrh else 0)


def state_names(species: Sequence[Species]) -> tuple[str, ...]:
    compartments = ("depot", "depot_slow", "central", "peripheral")
    return STATE_NAMES + tuple(f"{sp.code}.{c}" for sp in species for c in compartments)


def _symbolic_species(species: Sequence[Species]) -> tuple[tuple[Species, ...], list[str]]:
    """Species whose non-zero constants are symbols ``s<j>_<field>`` (zeros stay literal).

    Zeros stay literal so unused compartments vanish from the equations; the values are
    read at run time, so a new potency or absorption rate needs no new code.
    """
    import sympy  # type: ignore[import-untyped]

    out: list[Species] = []
    names: list[str] = []
    for j, sp in enumerate(species):
        changes: dict[str, Any] = {}
        for name in SPECIES_CONSTANTS:
            if float(getattr(sp, name)) != 0.0:
                symbol = f"s{j}_{name}"
                changes[name] = sympy.Symbol(symbol)
                names.append(symbol)
        out.append(dataclasses.replace(sp, **changes))
    return tuple(out), names


def species_structure(species: Sequence[Species]) -> tuple[tuple[str, ...], ...]:
    """What the generated code depends on: codes, roles, links and which constants are 0."""
    return tuple(
        (sp.code, str(sp.role), str(sp.metabolite_of),
         *(name for name in SPECIES_CONSTANTS if float(getattr(sp, name)) != 0.0))
        for sp in species
    )


class _Hoister:
    """Replace maximal parameter-only sub-expressions by constants ``c<k>`` (memoised)."""

    def __init__(self, parameters: set[Any]) -> None:
        self.parameters = parameters
        self.constants: dict[Any, Any] = {}
        self.memo: dict[Any, Any] = {}

    def __call__(self, expr: Any) -> Any:
        import sympy

        if expr in self.memo:
            return self.memo[expr]
        if expr.is_Atom:
            result = expr
        elif expr.free_symbols <= self.parameters:
            if expr not in self.constants:
                self.constants[expr] = sympy.Symbol(f"c{len(self.constants)}")
            result = self.constants[expr]
        else:
            result = expr.func(*(self(a) for a in expr.args))
        self.memo[expr] = result
        return result


def _gradients(
    body: Iterable[Assignment], states: Mapping[Any, int]
) -> tuple[list[Assignment], dict[Any, dict[int, Any]]]:
    """Forward-mode derivatives of every intermediate by the active states.

    Returns the assignments of the non-trivial derivative symbols and, per symbol, its
    sparse gradient {state column: symbol or expression}.
    """
    import sympy

    grad: dict[Any, dict[int, Any]] = {s: {j: sympy.Integer(1)} for s, j in states.items()}
    out: list[Assignment] = []
    for symbol, expr in body:
        grad[symbol] = _chain(expr, grad, out, f"d{symbol}_")
    return out, grad


def _chain(expr: Any, grad: Mapping[Any, Mapping[int, Any]], out: list[Assignment],
           prefix: str) -> dict[int, Any]:
    import sympy

    terms: dict[int, Any] = {}
    for s in sorted(expr.free_symbols, key=str):  # sorted: reproducible source
        g = grad.get(s)
        if not g:
            continue
        partial = sympy.diff(expr, s)
        if partial == 0:
            continue
        for j, gj in g.items():
            terms[j] = terms.get(j, sympy.Integer(0)) + partial * gj
    named: dict[int, Any] = {}
    for j, e in terms.items():
        if e == 0:
            continue
        if e.is_Atom:
            named[j] = e
            continue
        symbol = sympy.Symbol(f"{prefix}{j}")
        out.append((symbol, e))
        named[j] = symbol
    return named


def trace(species: Sequence[Species], gnrh: bool = False) -> Program:
    """The pulse-averaged model with these drug species as a :class:`Program`.

    ``gnrh``: gonadorelin inputs (continuous rate, pump pulse and frequency) as well.
    """
    import sympy

    names = state_names(species)
    n = len(names)
    p_symbols = {name: sympy.Symbol(f"p_{name}") for name in PARAMETER_NAMES}
    sym_species, species_inputs = _symbolic_species(species)
    y = list(sympy.symbols(f"y0:{n}"))
    infusion = tuple(sympy.symbols(f"u0:{len(species)}")) if species else ()
    gnrh_symbols = sympy.symbols(f"u{len(species)}:{len(species) + len(GNRH_INPUTS)}")
    u = Inputs(pulsatile=0.0, infusion=infusion,
               **(dict(zip(GNRH_INPUTS, gnrh_symbols, strict=True)) if gnrh else {}))
    dy, observed = rhs(0.0, y, Parameters(**p_symbols), u, sym_species, xp=sympy_namespace(),
                       observe=True)
    derivatives = list(dy)

    frozen: list[int] = []
    while True:  # a frozen state may freeze others that only it fed
        new = [i for i in range(n) if i not in frozen and sympy.sympify(derivatives[i]) == 0]
        if not new:
            break
        frozen += new
        zero = {y[i]: 0 for i in frozen}
        derivatives = [sympy.sympify(d).xreplace(zero) for d in derivatives]
    zero = {y[i]: 0 for i in frozen}
    active = [i for i in range(n) if i not in frozen]
    obs_exprs = {k: sympy.sympify(v).xreplace(zero) for k, v in observed.items()}

    inputs = [f"p_{name}" for name in PARAMETER_NAMES] + species_inputs
    hoist = _Hoister({sympy.Symbol(s) for s in inputs})
    rates = [hoist(derivatives[i]) for i in active]
    obs_hoisted = {k: hoist(v) for k, v in obs_exprs.items()}
    constants = [(c, e) for e, c in hoist.constants.items()]

    body, reduced = sympy.cse(rates, symbols=sympy.numbered_symbols("t"), order="none")
    columns = {y[i]: col for col, i in enumerate(active)}
    jac_body, grad = _gradients(body, columns)
    jacobian: list[tuple[int, int, Any]] = []
    for row, expr in enumerate(reduced):
        for col, e in _chain(expr, grad, jac_body, f"J{row}_").items():
            jacobian.append((row, col, e))
    obs_body, obs_reduced = sympy.cse(list(obs_hoisted.values()),
                                      symbols=sympy.numbered_symbols("o"), order="none")
    return Program(
        state_names=names, active=tuple(active), frozen=tuple(frozen), inputs=tuple(inputs),
        n_infusions=len(species), gnrh=gnrh, constants=tuple(constants), body=tuple(body),
        derivatives=tuple(reduced), jacobian_body=tuple(jac_body), jacobian=tuple(jacobian),
        observe_body=tuple(obs_body), observables=dict(zip(obs_hoisted, obs_reduced, strict=True)),
    )
