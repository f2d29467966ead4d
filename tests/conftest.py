"""Suite-wide test settings, and the rule that CI never skips silently.

Under CI (the ``CI`` variable set, as ``.ci/run`` does), a skipped test or module is a
failure: a missing PostgreSQL, Chromium or optional package must turn CI red with its
reason, never hide a part of the suite. Locally, skips stay skips (with their reason).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings

# Fixed seeds (style.md): hypothesis explores the same examples on every run, and no
# deadline, because CI machines are shared and timing is not what these tests check.
settings.register_profile("androcast", derandomize=True, deadline=None, print_blob=True)
settings.load_profile("androcast")

UNDER_CI = bool(os.environ.get("CI"))


@pytest.fixture(scope="session", autouse=True)
def _fresh_caches_under_mutmut() -> None:
    """Under mutmut (``make mutation``) each mutant runs in a process forked from one that
    already ran the tests, so a ``functools.cache`` loader would hand back what the
    unmutated code built and hide every mutant in the parsing it calls: empty them first,
    in the tests' own modules too (a cached simulation would hide every model mutant)."""
    if "MUTANT_UNDER_TEST" not in os.environ:
        return
    tests = str(Path(__file__).parent)
    for name, module in list(sys.modules.items()):
        if module is not None and (name.startswith("androcast")
                                   or str(getattr(module, "__file__", "")).startswith(tests)):
            for value in list(vars(module).values()):
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()


#: Mutants whose code the compiled kernel is traced from (model equations, drug terms).
_KERNEL_SOURCES = "androcast.model."
_kernels_fresh_for: set[str] = set()  # mutants this process already built kernels for


@pytest.fixture(autouse=True)
def _fresh_kernels_under_mutmut(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Under mutmut every mutant of a file shares one source text (mutmut writes them all into
    the file and picks one at run time), so the kernel cache key, a hash of the model's
    source, would hand a model mutant the unmutated model's kernel; and in the run that
    records which tests reach which function ("stats") only the first test to build a kernel
    would be seen reaching the equations. Tests that simulate through the kernel could then
    kill no model mutant. So, when ``make mutation`` mutates a model file (bench/mutation.py
    names it in ANDROCAST_MUTATION_TARGET): in the recording run every test traces its
    kernels afresh, and each mutant's run traces them afresh once (one build per drug set
    per mutant). Other packages' runs keep the cached kernels."""
    if not os.environ.get("ANDROCAST_MUTATION_TARGET", "").startswith("model/"):
        return
    mutant = os.environ.get("MUTANT_UNDER_TEST", "")
    if mutant != "stats" and not mutant.startswith(_KERNEL_SOURCES):
        return
    if mutant != "stats" and mutant in _kernels_fresh_for:
        return
    from androcast.simulate import _batch_compiled

    directory = tmp_path_factory.mktemp("kernels")
    _batch_compiled._LOADED.clear()
    _batch_compiled.default_cache_dir = lambda: directory  # type: ignore[assignment]
    _kernels_fresh_for.add(mutant)


_skipped_under_ci: list[str] = []


def _skip_reason(report: pytest.TestReport | pytest.CollectReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    return str(longrepr)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if UNDER_CI and report.skipped and not hasattr(report, "wasxfail"):
        _skipped_under_ci.append(f"{report.nodeid}: {_skip_reason(report)}")


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if UNDER_CI and report.skipped:
        _skipped_under_ci.append(f"{report.nodeid}: {_skip_reason(report)}")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _skipped_under_ci:
        terminalreporter.section("skipped under CI (each is a failure)", red=True)
        for line in _skipped_under_ci:
            terminalreporter.line(line)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _skipped_under_ci and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
