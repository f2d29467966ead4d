"""Command-line interface: thin typer commands over the core; errors become one line."""

from __future__ import annotations

import typer

from androcast import DISCLAIMER

app = typer.Typer(
    name="androcast",
    help=f"Male fertility restoration toolkit. {DISCLAIMER}",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version_callback(show: bool) -> None:
    if show:
        from androcast import __version__  # importlib.metadata: only for --version

        typer.echo(f"androcast {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version_callback, is_eager=True, help="Show the version."
    ),
) -> None:
    """androcast command line."""


# Each module registers its commands on `app` when imported.
# (command modules are imported here)
from androcast.cli import accounts as _accounts  # noqa: E402,F401
from androcast.cli import calibrate as _calibrate  # noqa: E402,F401
from androcast.cli import cohort as _cohort  # noqa: E402,F401
from androcast.cli import demo as _demo  # noqa: E402,F401
from androcast.cli import events as _events  # noqa: E402,F401
from androcast.cli import interpret as _interpret  # noqa: E402,F401
from androcast.cli import labs as _labs  # noqa: E402,F401
from androcast.cli import monitor as _monitor  # noqa: E402,F401
from androcast.cli import prognosis as _prognosis  # noqa: E402,F401
from androcast.cli import records as _records  # noqa: E402,F401
from androcast.cli import sbml as _sbml  # noqa: E402,F401
from androcast.cli import serve as _serve  # noqa: E402,F401
from androcast.cli import simulate as _simulate  # noqa: E402,F401


def main() -> None:
    app()
