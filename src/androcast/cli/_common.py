"""What every command shares: output format, error reporting, JSON rendering."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer
from rich.console import Console

from androcast.errors import AndrocastError

console = Console()
error_console = Console(stderr=True)


class OutputFormat(enum.StrEnum):
    json = "json"
    table = "table"


FORMAT_OPTION = typer.Option(OutputFormat.table, "--format", help="json or table")


@contextmanager
def reporting_errors() -> Iterator[None]:
    """Turn an AndrocastError into one line on stderr and exit code 2."""
    try:
        yield
    except AndrocastError as err:
        error_console.print(f"[bold red]error:[/] {err}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=2) from None


def _default(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.asdict(obj)
    if isinstance(obj, dt.date | dt.datetime):
        return obj.isoformat()
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, set | frozenset | tuple):
        return list(obj)
    if hasattr(obj, "tolist"):
        return obj.tolist()
    raise TypeError(f"cannot render {type(obj).__name__} as JSON")


def print_json(data: Any) -> None:
    """Print data as JSON on stdout, without rich markup (so it can be piped)."""
    sys.stdout.write(json.dumps(data, default=_default, indent=2, ensure_ascii=False) + "\n")
