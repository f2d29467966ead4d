"""Fit or validation: every calibration group of the HPG model has a role, the role agrees
with the parameter table, and the tests are named by it (issue 16): a test asserting a fit
group says "fit" in its name; "matches_" names only tests of validation groups."""

from __future__ import annotations

import ast
from pathlib import Path

import yaml

from androcast.model import parameter_table

from ._calibration import MARGINS, interval, reference

_ROLES = Path(__file__).parents[1] / "reference" / "model_calibration_roles.yaml"


def _roles() -> dict[str, str]:
    data = yaml.safe_load(_ROLES.read_text(encoding="utf-8"))
    return {group: entry["role"] for group, entry in data.items()}


def _asserted_groups() -> dict[str, set[str]]:
    """Test function name -> groups its assert_matches calls name (tests/model)."""
    out: dict[str, set[str]] = {}
    for path in Path(__file__).parent.glob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                groups = {
                    call.args[0].value for call in ast.walk(node)
                    if isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
                    and call.func.id == "assert_matches" and call.args
                    and isinstance(call.args[0], ast.Constant)
                }
                if groups:
                    out[node.name] = {str(g) for g in groups}
    return out


def test_every_calibration_group_has_a_role() -> None:
    roles = _roles()
    assert set(roles) == set(reference())
    assert set(roles.values()) <= {"fit", "validation"}


def test_a_group_a_parameter_was_fitted_to_is_a_fit_group() -> None:
    fitted = {info.source.removeprefix("androcast-fit:") for info in parameter_table().values()
              if info.source.startswith("androcast-fit:")}
    roles = _roles()
    assert {g for g in fitted if roles.get(g) != "fit"} == set()
    assert {g for g, r in roles.items() if r == "validation"} & fitted == set()


def test_tests_are_named_by_the_role_of_what_they_assert() -> None:
    roles = _roles()
    asserted = _asserted_groups()
    assert asserted, "no calibration test found"
    misnamed = []
    for name, groups in sorted(asserted.items()):
        is_fit = any(roles[g] == "fit" for g in groups)
        if is_fit and ("_fit_" not in name or "matches_" in name):
            misnamed.append(name)
        if not is_fit and "_fit_" in name:
            misnamed.append(name)
    assert misnamed == []


def test_every_calibration_number_states_its_source_interval_or_a_named_margin() -> None:
    """Issue 21: no bare tolerance; each number is compared at the cited interval, a named
    margin that says why, or a tolerance computed from the source (its SD or SEM)."""
    for group, entries in reference().items():
        for name, entry in entries.items():
            ways = [k for k in ("interval", "margin", "tolerance_basis") if k in entry]
            assert len(ways) == 1, f"{group}.{name}: {ways}"
            assert ("tolerance" in entry) == ("tolerance_basis" in entry), f"{group}.{name}"
            low, high = interval(group, name)
            assert low < high, f"{group}.{name}"
            if "margin" in entry:
                assert MARGINS[entry["margin"]].why
