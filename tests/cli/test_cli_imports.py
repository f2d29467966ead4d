"""`import androcast.cli` and `androcast --help` stay light: heavy packages load when a
command that needs them runs, not on every call (before: 2.5 s of a 3.3 s `--help`)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

#: Packages no command module may import at module level (each was: sqlalchemy and alembic
#: via the store, matplotlib via the calibration report, sympy via the batch engine's code
#: generator, fhir.resources via the FHIR adaptor, pint via the unit registry).
HEAVY = ("sqlalchemy", "alembic", "matplotlib", "sympy", "fhir.resources", "pint")


def _loaded_after(code: str) -> list[str]:
    """The HEAVY packages a fresh interpreter holds after running ``code`` (a subprocess:
    this test process has imported them all already)."""
    probe = (f"import json, sys\n{code}\n"
             f"sys.stdout.write('\\n' + json.dumps([m for m in {HEAVY!r} if m in sys.modules]))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True, timeout=120)
    loaded: list[str] = json.loads(done.stdout.splitlines()[-1])
    return loaded


def test_importing_the_cli_loads_no_heavy_package() -> None:
    assert _loaded_after("import androcast.cli") == []


@pytest.mark.parametrize("args", [["--help"], ["export-events", "--help"],
                                  ["calibrate", "fit", "--help"], ["fhir", "import", "--help"]])
def test_help_loads_no_heavy_package(args: list[str]) -> None:
    code = f"from androcast.cli import app\ntry:\n    app({args!r})\nexcept SystemExit:\n    pass"
    assert _loaded_after(code) == []


def test_the_probe_sees_a_heavy_import() -> None:
    """The check can fail: the store, which record commands import when they run, loads
    sqlalchemy and alembic."""
    assert {"sqlalchemy", "alembic"} <= set(_loaded_after("import androcast.store"))
