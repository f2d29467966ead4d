"""The model's terms are declared as the paper states them (issue 21, item 5).

Every process of ``rhs`` is a function of ``androcast.model.terms`` whose docstring names its
equation or source; every number in the equations is a named parameter or constant, apart
from the algebra listed in ``_ALGEBRA``; every term module is known to the model reference
and to the compiled kernel's cache key (otherwise an edit would leave a stale kernel).
"""

from __future__ import annotations

import ast
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

from androcast.model import terms
from androcast.model.rhs import rhs
from androcast.simulate import _batch_compiled

#: Numbers other than 0 and 1 that are algebra, not parameters: (module, value) -> why.
_ALGEBRA = {
    ("baseline", 2): "closed forms: the receptor steady state R0 + 2·Ci0 = 1 (receptor "
                     "turnover) and the half linear coefficient of the slow adaptation's rest",
    ("spermatogenesis", 2): "the square in the cited form r²(1 + c)/(r² + c) of the FSH entry",
    ("spermatogenesis", 10): "N_STAGES, checked against parameters.yaml n_stages",
    ("spermatogenesis", 1e-9): "_NO_ZERO_DIVISION, a 0/0 guard that changes no result",
    ("spermatogenesis", 0.5): "_BETWEEN_STAGES, the selector's half point between two stages",
}
_REFERENCE = re.compile(r"6\.[23]|\([a-f]\)|[a-z]+\d{4}|hpg-model|evidence|Vermeulen|Röblitz|"
                        r"Tornøe|Keenan")


def _term_functions() -> list[tuple[str, object]]:
    return [(f"{m.__name__}.{name}", f) for m in terms.MODULES
            for name, f in inspect.getmembers(m, inspect.isfunction)
            if f.__module__ == m.__name__]


def test_every_term_module_is_declared() -> None:
    found = {name for _, name, _ in pkgutil.iter_modules(terms.__path__)}
    assert found == {m.__name__.rsplit(".", 1)[1] for m in terms.MODULES}


@pytest.mark.parametrize(("name", "function"), _term_functions())
def test_every_term_names_its_equation_or_source(name: str, function: object) -> None:
    doc = inspect.getdoc(function) or ""
    module_doc = inspect.getmodule(function).__doc__ or ""  # type: ignore[union-attr]
    assert doc, f"{name} has no docstring"
    assert _REFERENCE.search(doc) or _REFERENCE.search(module_doc.splitlines()[0]), name


@pytest.mark.parametrize("module", terms.MODULES, ids=lambda m: m.__name__)
def test_no_unnamed_constant_in_the_terms(module: object) -> None:
    tree = ast.parse(Path(inspect.getfile(module)).read_text(encoding="utf-8"))  # type: ignore[arg-type]
    short = module.__name__.rsplit(".", 1)[1]  # type: ignore[attr-defined]
    numbers = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)
               and type(n.value) in (int, float) and n.value not in (0, 1)}
    assert numbers <= {v for (m, v) in _ALGEBRA if m == short}, sorted(numbers)


def test_rhs_unpacks_states_by_name_without_numbers() -> None:
    tree = ast.parse(inspect.getsource(rhs))
    numbers = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)
               and type(n.value) in (int, float) and n.value not in (0, 1)}
    assert numbers == set()


def test_the_kernel_cache_key_hashes_every_term_module() -> None:
    sources = _batch_compiled._model_sources()
    for module in terms.MODULES:
        assert inspect.getsource(module) in sources, module.__name__
