"""Suite-wide test settings, and the rule that CI never skips silently.

Under CI (the ``CI`` variable set, as ``.ci/run`` does), a skipped test or module is a
failure: a missing PostgreSQL, Chromium or optional package must turn CI red with its
reason, never hide a part of the suite. Locally, skips stay skips (with their reason).
"""

from __future__ import annotations

import os
import sys

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
    unmutated code built and hide every mutant in the parsing it calls: empty them first."""
    if "MUTANT_UNDER_TEST" not in os.environ:
        return
    for name, module in list(sys.modules.items()):
        if name.startswith("androcast") and module is not None:
            for value in list(vars(module).values()):
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()


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
