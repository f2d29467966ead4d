"""`androcast serve`: Secure cookies by default except on loopback; one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from androcast.cli import app
from androcast.cli.serve import is_loopback
from androcast.store import head_revision

runner = CliRunner()


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("0.0.0.0", False),
        ("192.0.2.10", False),
        ("clinic.example.org", False),
    ],
)
def test_only_loopback_hosts_serve_without_secure_cookies_by_default(
    host: str, loopback: bool
) -> None:
    assert is_loopback(host) is loopback


def test_serve_on_a_database_without_schema_is_one_line_and_exit_2(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    result = runner.invoke(app, ["serve", "--db", url, "--port", "0"])
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"error: database: '{url} at revision None' cannot be used; "
        f"expected the schema at revision {head_revision()} (run: androcast db upgrade)"
    )
