"""docs/ARCHITECTURE.md stays true: every package it names imports, every package is named,
and no core package imports an adapter."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "src" / "androcast"
DOC = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
ADAPTERS_HEADING = DOC.index("## Adapters")
NAMED = re.findall(r"^\| `([a-z_]+)` \|", DOC, flags=re.MULTILINE)
CORE = [name for name in NAMED if DOC.index(f"| `{name}` |") < ADAPTERS_HEADING]
ADAPTERS = [name for name in NAMED if name not in CORE]
PACKAGES = sorted(p.parent.name for p in SOURCE.glob("*/__init__.py"))


@pytest.mark.parametrize("name", NAMED)
def test_every_named_package_imports(name: str) -> None:
    importlib.import_module(f"androcast.{name}")


def test_every_package_is_named() -> None:
    assert sorted(NAMED) == PACKAGES


@pytest.mark.parametrize("name", CORE)
def test_core_package_imports_no_adapter(name: str) -> None:
    for path in (SOURCE / name).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                parts = node.module.split(".")
                assert not (parts[0] == "androcast" and len(parts) > 1
                            and parts[1] in ADAPTERS), f"{path.relative_to(ROOT)}: {node.module}"


# What outside the store may take from SQLAlchemy and the schema: a session's type, and the
# schema's clock. Queries and table rows stay inside `store` (one place for tenancy).
_STORE_OUTSIDE_OK = {"sqlalchemy.orm": {"Session"}, "androcast.store.schema": {"utcnow"}}


def test_only_the_store_queries_the_database() -> None:
    for path in SOURCE.rglob("*.py"):
        if path.is_relative_to(SOURCE / "store"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                assert not any(a.name.split(".")[0] == "sqlalchemy" for a in node.names), (
                    f"{path.relative_to(ROOT)} imports sqlalchemy")
            if isinstance(node, ast.ImportFrom) and node.module and (
                    node.module.split(".")[0] == "sqlalchemy"
                    or node.module == "androcast.store.schema"):
                allowed = _STORE_OUTSIDE_OK.get(node.module, set())
                taken = {a.name for a in node.names} - allowed
                assert not taken, f"{path.relative_to(ROOT)}: {node.module} {sorted(taken)}"
