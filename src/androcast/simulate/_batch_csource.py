"""C source of a traced :class:`Program`: model functions, a sparse LU and the integrator.

The LU of ``W = I/(h γ) - J`` is unrolled over the Jacobian's sparsity pattern (plus fill)
in a minimum-degree order and without pivoting, as the Kinetic PreProcessor does for
chemical kinetics (Damian V, Sandu A, Damian M, Potra F, Carmichael GR, "The kinetic
preprocessor KPP", Comput Chem Eng 2002;26:1567-79): ``W`` of a dissipative system is
dominated by its diagonal. A zero or non-finite pivot rejects the step (then halved).
After ``lu`` the diagonal holds the inverse pivots (``solve`` multiplies by them).
Without pivoting is safe here: with a dense LU with partial pivoting in its place, the
reference scenario (bench/batch.py, 50 men, 2 years) takes the same steps and its outputs
agree to 4e-12 relative.

Where one man's integration of that scenario went (11.2 -> 8.1 ms, 7899 steps unchanged):
the solves' sums as trees, not chains of subtractions (10.8 -> 9.0), sharing sub-expressions
across the Jacobian (11.2 -> 10.8), whole exponents without pow() (9.0 -> 8.4), the error
norm without fmax() calls (8.4 -> 8.1). Tried, no measurable change: -O3, writing each slot
of ``W`` once (the diagonal as ``g - J``).
"""

from __future__ import annotations

import functools
import heapq
import re
from collections.abc import Iterable, Sequence
from typing import Any

from androcast.model import N_PHYSIOLOGY
from androcast.simulate._batch_integrator_c import INTEGRATOR
from androcast.simulate._batch_lanes import LANE_FUNCTIONS, LANE_INTEGRATOR, lane_header
from androcast.simulate._batch_methods import Rosenbrock
from androcast.simulate._batch_trace import Assignment, Program

#: x**n for x > 0 by exp(n log x) in plain arithmetic (no library call), written once as a
#: macro over the number type: the one-man loop runs it on doubles, the lockstep lanes
#: (:mod:`._batch_lanes`) on vectors of men, the same operations in the same order, so a man's
#: result does not depend on who shares his vector. libm's pow() called lane by lane was a
#: fifth of the lanes' time (x^1.9 and x^-0.3, 4 a step). log: x = 2^e m, m in [1/sqrt2,
#: sqrt2), log m = 2 atanh(t) with t = (m-1)/(m+1), |t| < 0.172, its series to t^25; exp:
#: y = n log x = k ln2 + r, |r| <= ln2/2, Taylor to r^13; both truncations < 1e-17. Relative
#: error about (|y| + 2) 2^-52 (tested against numpy's power); x not a positive normal
#: number, or 2^k out of range, goes to pow(). Integers and their doubles move through
#: the bits of 1.5 2^52 + k, so no conversion instruction differs between the two types.
_XPOW = r"""
#define XPOW_LN2_HI 6.93147180369123816490e-01 /* ln 2, its leading 32 bits (k ln2_hi exact) */
#define XPOW_LN2_LO 1.90821492927058770002e-10 /* ln 2 - XPOW_LN2_HI */
#define XPOW_SHIFT 6755399441055744.0 /* 1.5 2^52 */
/* R: the number type, I: its integer bits, S(v): v on every lane, M(c): a comparison as an
   all-ones mask, BITS(x)/REAL(b): reinterpret. Sets y (n log x), q and k (x^n = q 2^k). */
#define XPOW_BODY(R, I, S, M, BITS, REAL, x, n, y_out, q_out, k_out) do {                   \
    const I b_ = BITS(x);                                                                      \
    const I e_ = ((b_ >> 52) & 0x7ff) - 1023;                                                  \
    const R m1_ = REAL((b_ & 0x000fffffffffffffLL) | 0x3ff0000000000000LL);                   \
    const I up_ = M(m1_ > 1.4142135623730951);  /* fold m into [1/sqrt2, sqrt2) */           \
    const R m_ = REAL((BITS(m1_) & ~up_) | (BITS(m1_ * 0.5) & up_));                         \
    const R ef_ = REAL(BITS(S(XPOW_SHIFT)) + e_ - up_) - XPOW_SHIFT;                          \
    const R t_ = (m_ - 1.0) / (m_ + 1.0), u_ = t_ * t_;                                      \
    /* the series' sum by Estrin's scheme: a short chain of dependent operations */           \
    const R u2_ = u_ * u_, u4_ = u2_ * u2_, u8_ = u4_ * u4_;                                   \
    const R p_ = (((2.0 + 2.0 / 3.0 * u_) + (2.0 / 5.0 + 2.0 / 7.0 * u_) * u2_)              \
                  + ((2.0 / 9.0 + 2.0 / 11.0 * u_) + (2.0 / 13.0 + 2.0 / 15.0 * u_) * u2_)     \
                  * u4_)                                                                       \
                 + (((2.0 / 17.0 + 2.0 / 19.0 * u_) + (2.0 / 21.0 + 2.0 / 23.0 * u_) * u2_)    \
                    + 2.0 / 25.0 * u4_) * u8_;                                                 \
    const R lg_ = ef_ * XPOW_LN2_HI + (t_ * p_ + ef_ * XPOW_LN2_LO);                          \
    const R y_ = (n) * lg_;                                                                    \
    const R ks_ = y_ * 1.4426950408889634 + XPOW_SHIFT;  /* round(y / ln2) + the shift */    \
    const R k_ = ks_ - XPOW_SHIFT;                                                             \
    const R r_ = (y_ - k_ * XPOW_LN2_HI) - k_ * XPOW_LN2_LO;                                  \
    const R r2_ = r_ * r_, r4_ = r2_ * r2_, r8_ = r4_ * r4_;                                   \
    const R q_ = (((1.0 + r_) + (0.5 + 1.0 / 6.0 * r_) * r2_)                                 \
                  + ((1.0 / 24.0 + 1.0 / 120.0 * r_) + (1.0 / 720.0 + 1.0 / 5040.0 * r_) * r2_) \
                  * r4_)                                                                       \
                 + (((1.0 / 40320.0 + 1.0 / 362880.0 * r_)                                     \
                     + (1.0 / 3628800.0 + 1.0 / 39916800.0 * r_) * r2_)                        \
                    + (1.0 / 479001600.0 + 1.0 / 6227020800.0 * r_) * r4_) * r8_;             \
    y_out = y_; q_out = q_; k_out = BITS(ks_) - BITS(S(XPOW_SHIFT));                          \
  } while (0)

static inline long long xpow_bits(double x) { long long b; memcpy(&b, &x, sizeof b); return b; }
static inline double xpow_real(long long b) { double x; memcpy(&x, &b, sizeof x); return x; }
#define XPOW_SAME(v) (v)
#define XPOW_MASK(c) (-(long long)(c))

static inline double xpow(double x, double n) {
  if (!(x >= DBL_MIN && x <= DBL_MAX)) return pow(x, n);
  double y, q;
  long long k;
  XPOW_BODY(double, long long, XPOW_SAME, XPOW_MASK, xpow_bits, xpow_real, x, n, y, q, k);
  if (!(fabs(y) <= 700.0)) return pow(x, n);  /* 2^k out of the normal range, or NaN */
  return q * xpow_real((k + 1023) << 52);
}
"""

#: x**n for an exponent known only at run time: most Hill and feedback exponents of the
#: model are whole or half numbers, for which products and sqrt are several times cheaper
#: than pow() (which was a quarter of the kernel's time); the others go to ``xpow`` (in
#: ``rpow``, the model's rates: the lanes have its vector twin) or to pow() (in
#: ``rpow_libm``, the observables: computed one man at a time by both loops, and pow() is
#: quicker than xpow on one number, 11 against 18 ns).
_RPOW = r"""
static inline double rpow(double x, double n) {
  if (n == 1.0) return x;
  if (n == 2.0) return x * x;
  if (n == 3.0) return x * x * x;
  if (n == 4.0) { const double x2 = x * x; return x2 * x2; }
  if (n == 0.5) return sqrt(x);
  if (n == 1.5) return x * sqrt(x);
  if (n == -1.0) return 1.0 / x;
  if (fabs(n) <= 16.0 && n == (double)(int)n) {  /* e.g. (x^n_ITT)^4, n_ITT 3 */
    unsigned e = (unsigned)(n < 0.0 ? -n : n);
    double r = 1.0, b = x;
    for (; e; e >>= 1, b *= b) if (e & 1u) r *= b;
    return n < 0.0 ? 1.0 / r : r;
  }
  return xpow(x, n);
}
"""


def _rpow_source() -> str:
    """``rpow`` and ``rpow_libm`` (see ``_RPOW``)."""
    libm = _RPOW.replace("rpow(double x", "rpow_libm(double x").replace("return xpow(x, n);",
                                                                       "return pow(x, n);")
    return _RPOW + libm


@functools.cache
def _printer() -> Any:
    """The C printer, built at first use: sympy (~0.4 s to import) is needed only to generate
    a kernel, not to run a cached one."""
    from sympy.printing.c import C99CodePrinter  # type: ignore[import-untyped]

    class _Printer(C99CodePrinter):  # type: ignore[misc]
        """C99 with small integer powers as products (pow() is ~20x a multiplication) and
        run-time exponents (Hill coefficients, parameters of each man) through ``rpow``."""

        def _print_Pow(self, expr: Any) -> str:
            base, exp = expr.args
            if exp.is_Integer and 1 <= abs(int(exp)) <= 4:
                b = self.parenthesize(base, 1000)  # always bracket the base
                product = "*".join([f"({b})"] * abs(int(exp)))
                return f"({product})" if int(exp) > 0 else f"(1.0/({product}))"
            if not exp.is_Number:
                return f"rpow({self._print(base)}, {self._print(exp)})"
            return str(super()._print_Pow(expr))

    return _Printer()


def _c(expr: Any) -> str:
    import sympy  # type: ignore[import-untyped]

    return str(_printer().doprint(sympy.sympify(expr)))


def _assign(lines: list[str], body: Iterable[Assignment], lanes: bool = False) -> None:
    real = "V" if lanes else "double"
    for symbol, expr in body:
        lines.append(f"  const {real} {symbol} = {_expr(expr, lanes)};")


def _expr(expr: Any, lanes: bool) -> str:
    """C of one expression; on lanes each maths call is its lane-wise version and the value
    a vector (a constant is spread over the lanes)."""
    text = _c(expr)
    return f"VV({_lane_calls(text)})" if lanes else text


def _lane_calls(text: str) -> str:
    calls = set(_CALL.findall(text))
    unknown = calls - set(LANE_FUNCTIONS)
    if unknown:
        raise NotImplementedError(f"no lane-wise version of {', '.join(sorted(unknown))}")
    return _CALL.sub(lambda m: f"v{m.group(1)}(", text)


def _reads(program: Program, lanes: bool = False) -> list[str]:
    real = "V" if lanes else "double"
    lines = [f"  const {real} {name} = P[{i}];" for i, name in enumerate(program.inputs)]
    lines += [f"  const {real} c{k} = C[{k}];" for k in range(len(program.constants))]
    lines += [f"  const {real} y{full} = Z[{pos}];" for pos, full in enumerate(program.active)]
    lines += [f"  const {real} u{j} = U[{j}];" for j in range(program.n_inputs)]
    return lines


def _unused(program: Program) -> list[str]:
    return ["  (void)P; (void)C; (void)U; (void)Z;"]


def _markowitz(k: int, remaining: set[int], filled: set[tuple[int, int]]) -> int:
    rows = sum(1 for i in remaining if (i, k) in filled) - 1
    cols = sum(1 for j in remaining if (k, j) in filled) - 1
    return rows * cols


Pattern = set[tuple[int, int]]


def minimum_degree_order(pattern: Pattern, n: int) -> tuple[list[int], Pattern]:
    """Elimination order (greedy Markowitz) and the filled pattern (no pivoting)."""
    filled = set(pattern) | {(i, i) for i in range(n)}
    remaining = set(range(n))
    order: list[int] = []
    while remaining:
        k = min(sorted(remaining), key=lambda k: _markowitz(k, remaining, filled))
        remaining.discard(k)
        order.append(k)
        rows = [i for i in remaining if (i, k) in filled]
        cols = [j for j in remaining if (k, j) in filled]
        filled |= {(i, j) for i in rows for j in cols}
    return order, filled


def w_slots(pattern: Pattern, n: int) -> tuple[list[int], dict[tuple[int, int], int]]:
    """Elimination order and the slot in the packed ``W`` of each filled entry (row by row
    in that order): only the filled pattern is stored, ~210 of 34 x 34 in the reference
    kernel, so ``W`` takes 1.7 kB instead of 9.2 kB."""
    order, filled = minimum_degree_order(pattern, n)
    pos = {state: k for k, state in enumerate(order)}
    ranked = sorted(filled, key=lambda e: (pos[e[0]], pos[e[1]]))
    return order, {entry: slot for slot, entry in enumerate(ranked)}


#: Latency (cycles) of a multiply and of an add in the model of when a value is ready; only
#: their ratio matters to the shape of the sums (both ~3-4 on current x86-64 and ARM cores).
_LATENCY = 3


def _row_sum(ready: dict[int, int], own: int, terms: list[tuple[int, str]]) -> tuple[int, str]:
    """``x<own> - sum of products`` as a tree that adds first what is ready first (when
    ``x<own>`` and each product ``(x<j>, coefficient)`` can start: ``ready``), and when the
    result is ready. A chain of subtractions made each solve's critical path 504 cycles
    (reference kernel, 3-cycle operations) for 176 updates; this tree, 207."""
    # operands: (ready at, tie-break, holds x<own> (then it is added, else subtracted), C)
    heap = [(ready[own], 0, True, f"x{own}")]
    heap += [(ready[j] + _LATENCY, n + 1, False, f"{w} * x{j}")
             for n, (j, w) in enumerate(terms)]
    heapq.heapify(heap)
    tie = len(heap)
    while len(heap) > 1:
        t_a, _, own_a, a = heapq.heappop(heap)
        t_b, _, own_b, b = heapq.heappop(heap)
        if own_b:
            a, b, own_a, own_b = b, a, own_b, own_a
        expr = f"({a} - {b})" if own_a else f"({a} + {b})"
        heapq.heappush(heap, (max(t_a, t_b) + _LATENCY, tie, own_a or own_b, expr))
        tie += 1
    t_done, _, _, expr = heap[0]
    return t_done, expr


def _lu(pattern: Pattern, n: int, lanes: bool = False) -> list[str]:
    """``lu`` and ``solve``; with ``lanes`` their lockstep versions ``lu_v`` and ``solve_v``
    on vectors of men (:mod:`._batch_lanes`): the same operations lane by lane, and a zero
    or non-finite pivot clears that man's lane of the returned mask instead of returning."""
    order, slot = w_slots(pattern, n)
    real, v = ("V", "_v") if lanes else ("double", "")

    def w(i: int, j: int) -> str:
        return f"W[{slot[i, j]}]"

    factor = ["static VM lu_v(V *W) {", "  VM ok = ~(VM){0};"] if lanes else [
        "static int lu(double *W) {"]
    for k_pos, k in enumerate(order):
        if lanes:
            factor.append(f"  ok &= vpivot_ok({w(k, k)});")
        else:
            factor.append(f"  if (!(fabs({w(k, k)}) > 0.0) || !isfinite({w(k, k)})) return 0;")
        factor.append(f"  const {real} inv{k_pos} = 1.0 / {w(k, k)};")
        # the pivot is not read again: keep its inverse, so the three solves of a step
        # multiply instead of divide (the divisions were a serial chain, ~10 % of a step)
        factor.append(f"  {w(k, k)} = inv{k_pos};")
        later = order[k_pos + 1:]
        rows = [i for i in later if (i, k) in slot]
        cols = [j for j in later if (k, j) in slot]
        for i in rows:
            factor.append(f"  {w(i, k)} *= inv{k_pos};")
            factor += [f"  {w(i, j)} -= {w(i, k)} * {w(k, j)};" for j in cols]
    factor += ["  return ok;" if lanes else "  return 1;", "}"]

    # the solve row by row (each x final before it is read), the right-hand side in locals:
    # through the pointer each store to b was ordered before every later load of W
    solve = [f"static void solve{v}(const {real} *W, {real} *b) {{",
             *[f"  {real} x{i} = b[{i}];" for i in range(n)]]
    ready = dict.fromkeys(range(n), 0)
    for k_pos, i in enumerate(order):  # L (unit diagonal) forward
        terms = [(k, w(i, k)) for k in order[:k_pos] if (i, k) in slot]
        if terms:
            ready[i], expr = _row_sum(ready, i, terms)
            solve.append(f"  x{i} = {expr};")
    for k_pos in reversed(range(n)):  # U backward, times the stored inverse pivot
        k = order[k_pos]
        terms = [(j, w(k, j)) for j in order[k_pos + 1:] if (k, j) in slot]
        ready[k], expr = _row_sum(ready, k, terms) if terms else (ready[k], f"x{k}")
        ready[k] += _LATENCY
        solve.append(f"  x{k} = {expr} * {w(k, k)};")
    solve += [f"  b[{i}] = x{i};" for i in range(n)]
    return [*factor, "", *solve, "}"]


def _shared_jacobian(program: Program) -> tuple[list[Assignment], list[Any], list[Any]]:
    """The derivative chain, rates and Jacobian entries of ``derivs_jac`` with their common
    sub-expressions shared (``cse`` over all of them at once, in dependency order).

    The forward-mode chain names each derivative, but the entries of one row still repeat
    whole factors of their rate (a Hill term's powers, its denominator): in the reference
    kernel 123 rpow() calls and 181 divisions, of which sharing leaves far fewer.
    """
    import sympy

    chain = list(program.jacobian_body)
    n_rates, n_chain = len(program.derivatives), len(chain)
    exprs = [*program.derivatives, *(e for _, e in chain), *(e for _, _, e in program.jacobian)]
    shared, reduced = sympy.cse(exprs, symbols=sympy.numbered_symbols("x"), order="none")
    named = [*shared, *((s, e) for (s, _), e in zip(chain, reduced[n_rates:n_rates + n_chain],
                                                    strict=True))]
    return (_dependency_order(named), list(reduced[:n_rates]),
            list(reduced[n_rates + n_chain:]))


def _dependency_order(assignments: Sequence[Assignment]) -> list[Assignment]:
    """The assignments with each after those it reads (stable: otherwise as given); a shared
    sub-expression may read a chain symbol and a later chain symbol read it."""
    index = {symbol: k for k, (symbol, _) in enumerate(assignments)}
    needs = [sorted({index[s] for s in e.free_symbols if s in index}) for _, e in assignments]
    done: list[bool] = [False] * len(assignments)
    out: list[Assignment] = []

    def visit(k: int) -> None:
        stack = [(k, 0)]
        while stack:
            node, at = stack.pop()
            if done[node]:
                continue
            if at < len(needs[node]):
                stack.append((node, at + 1))
                if not done[needs[node][at]]:
                    stack.append((needs[node][at], 0))
                continue
            done[node] = True
            out.append(assignments[node])

    for k in range(len(assignments)):
        visit(k)
    return out


def _array(name: str, values: Sequence[float | int], ctype: str = "double") -> str:
    body = ", ".join(repr(float(v)) if ctype == "double" else str(int(v)) for v in values)
    return f"static const {ctype} {name}[{max(len(values), 1)}] = {{{body or '0'}}};"


def c_source(program: Program, method: Rosenbrock, lanes: int = 1) -> str:
    """The whole translation unit for one program and one method; with ``lanes`` > 1 also
    the lockstep integrator on that many men per vector (:mod:`._batch_lanes`), unless the
    model calls a maths function without a lane-wise version."""
    import sympy

    m = len(program.active)
    n_obs = len(program.observables)
    lines = [
        "#include <float.h>",
        "#include <math.h>",
        "#include <string.h>",
        _XPOW,
        _rpow_source(),
        f"#define M {m}",
        f"#define MP {sum(1 for i in program.active if i < N_PHYSIOLOGY)}",
        f"#define N_ALL {len(program.state_names)}",
        f"#define NP {len(program.inputs)}",
        f"#define NC {max(len(program.constants), 1)}",
        f"#define NU {max(program.n_inputs, 1)}",
        f"#define NOBS {n_obs}",
        f"#define NNZ {max(len(program.jacobian), 1)}",
        f"#define S {method.stages}",
        _array("ACTIVE", program.active, "int"),
        f"static const double GAMMA = {method.gamma!r};",
        f"static const double ELO = {method.error_order!r};",
        _array("RA", method.a),
        _array("RC", method.c),
        _array("RM", method.m),
        _array("RE", method.e),
        _array("NEWF", [int(b) for b in method.new_f], "int"),
        _array("JROW", [r for r, _, _ in program.jacobian], "int"),
        _array("JCOL", [c for _, c, _ in program.jacobian], "int"),
        "",
        "static void constants(const double *P, double *C) {",
        *[f"  const double {name} = P[{i}];" for i, name in enumerate(program.inputs)],
    ]
    const_body, const_exprs = sympy.cse([e for _, e in program.constants],
                                        symbols=sympy.numbered_symbols("k"), order="none")
    _assign(lines, const_body)
    lines += [f"  C[{k}] = {_c(e)};" for k, e in enumerate(const_exprs)]
    lines += ["  (void)P; (void)C;", "}", ""]

    pattern = {(r, c) for r, c, _ in program.jacobian}
    _, slot = w_slots(pattern, m)
    lines.append(f"#define NW {len(slot)}")
    jacobian = _jacobian_program(program)
    lines += _model_functions(program, jacobian, slot, lanes=False)

    lines += _observe(program)
    lines += ["", INTEGRATOR]
    if lanes > 1:
        try:
            vector = _model_functions(program, jacobian, slot, lanes=True)
        except NotImplementedError:  # a maths function without a lane-wise version
            vector = []
        if vector:
            lines += [lane_header(lanes), *vector, LANE_INTEGRATOR]
    return "\n".join(lines)


_HEAD = "(const double *Z, const double *P, const double *C, const double *U"


def _libm(expr: Any) -> str:
    """C of an observable's expression: its powers through pow() (``_RPOW``)."""
    return _RPOW_CALL.sub("rpow_libm(", _c(expr))


_RPOW_CALL = re.compile(r"\brpow\(")


def _observe(program: Program) -> list[str]:
    """``observe``: the observables whose bit is set in ``need`` (bit q: ``O[q]``), and of
    the shared sub-expressions only those they read. A forecast reads 4 of the 20; the other
    16 (free T's square root, the GnRH signals' pow() and log()) were most of the time an
    output took. The same expressions as computing all of them: the values are identical."""
    body = list(program.observe_body)
    outputs = list(program.observables.values())
    if len(outputs) > 64:  # one bit per observable in an unsigned long long
        masks = {symbol: (1 << 64) - 1 for symbol, _ in body}
        bits = [(1 << 64) - 1] * len(outputs)
    else:
        bits = [1 << q for q in range(len(outputs))]
        masks = {symbol: 0 for symbol, _ in body}
        reads = {symbol: expr.free_symbols & masks.keys() for symbol, expr in body}
        for q, expr in enumerate(outputs):  # what each output reads, transitively
            todo = list(getattr(expr, "free_symbols", set()) & masks.keys())
            while todo:
                symbol = todo.pop()
                if not masks[symbol] & bits[q]:
                    masks[symbol] |= bits[q]
                    todo += reads[symbol]
    lines = [f"static void observe{_HEAD}, double *O, unsigned long long need) {{",
             *_reads(program), *_unused(program)]
    for symbol, expr in body:
        when = f"need & {masks[symbol]}ULL"
        lines.append(f"  const double {symbol} = ({when}) ? {_libm(expr)} : 0.0;")
    lines += [f"  if (need & {bit}ULL) O[{q}] = {_libm(e)};"
              for q, (bit, e) in enumerate(zip(bits, outputs, strict=True))]
    return [*lines, "  (void)need;", "}"]
_CALL = re.compile(r"\b([A-Za-z_]\w*)\(")


def _jacobian_program(program: Program) -> tuple[list[Assignment], list[Any], list[Any]]:
    """The shared chain, rates and Jacobian entries of ``derivs_jac`` (see
    :func:`_shared_jacobian`), with powers the body already holds read by name."""
    body, rates, entries = _shared_jacobian(program)
    # a power the body already holds, by name: the chain's derivative of x^kappa (kappa
    # 1.9) called pow() again for it, 5 of a step's pow() calls -> 4 (outputs bit-identical;
    # the one-man integration time moved by less than its run-to-run noise, ~1 %)
    named = {e: s for s, e in program.body if e.is_Pow}
    body = [(s, e.xreplace(named)) for s, e in body]
    return body, [e.xreplace(named) for e in rates], [e.xreplace(named) for e in entries]


def _model_functions(program: Program, jacobian: tuple[list[Assignment], list[Any], list[Any]],
                     slot: dict[tuple[int, int], int], *, lanes: bool) -> list[str]:
    """``derivs``, ``derivs_jac``, ``form_w``, ``lu`` and ``solve``; with ``lanes`` their
    lockstep versions (suffix ``_v``) on vectors of men, the same operations lane by lane."""
    real, v = ("V", "_v") if lanes else ("double", "")
    head = _HEAD.replace("double", real)
    lines = [f"static void derivs{v}{head}, {real} *F) {{", *_reads(program, lanes),
             *_unused(program)]
    _assign(lines, program.body, lanes)
    lines += [f"  F[{i}] = {_expr(e, lanes)};" for i, e in enumerate(program.derivatives)]
    lines += ["}", ""]

    lines += [f"static void derivs_jac{v}{head}, {real} *F, {real} *J) {{",
              *_reads(program, lanes), *_unused(program)]
    _assign(lines, program.body, lanes)
    body, rates, entries = jacobian
    _assign(lines, body, lanes)
    lines += [f"  F[{i}] = {_expr(e, lanes)};" for i, e in enumerate(rates)]
    lines += [f"  J[{k}] = {_expr(e, lanes)};" for k, e in enumerate(entries)]
    lines += ["}", ""]

    pattern = {(r, c) for r, c, _ in program.jacobian}
    m = len(program.active)
    zero = "(V){0}" if lanes else "0.0"
    # only the filled pattern is stored: zero its fill-in (and a structurally zero diagonal)
    lines += [f"static void form_w{v}(const {real} *J, {real} g, {real} *W) {{"]
    lines += [f"  W[{k}] = {zero};" for entry, k in slot.items() if entry not in pattern]
    lines += [f"  W[{slot[r, c]}] = -J[{k}];" for k, (r, c, _) in enumerate(program.jacobian)]
    lines += [f"  W[{slot[i, i]}] += g;" for i in range(m)]
    lines += ["  (void)J;", "}", ""]
    return [*lines, *_lu(pattern, m, lanes), ""]
