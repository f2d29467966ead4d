"""``androcast export-sbml``: one man's HPG model with a regimen's doses as SBML L3."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from androcast.cli import app
from androcast.cli._common import FORMAT_OPTION, OutputFormat, console, print_json, reporting_errors

if TYPE_CHECKING:
    from androcast.io.sbml import SbmlExport


def _render(export: SbmlExport, out: Path) -> None:
    table = Table(title=f"SBML written to {out}", show_header=False)
    table.add_row("mode", export.mode)
    table.add_row("time 0 of the SBML model", f"day {export.t_start_d:g} (from cessation)")
    table.add_row("end", f"day {export.t_end_d:g}")
    table.add_row("states", str(len(export.states)))
    table.add_row("observables", ", ".join(export.observables))
    table.add_row("doses (events)", str(export.n_doses))
    console.print(table)


_REGIMEN = typer.Option(..., "--regimen", help="Regimen file (YAML or JSON).")
_OUT = typer.Option(..., "--out", help="Where to write the SBML (.xml).")
_CASE = typer.Option(None, "--case", help="Case file: his parameters and androgen history "
                     "(default: the reference man).")
_MODE = typer.Option("averaged", "--mode", help="averaged or pulsatile")
_DAYS = typer.Option(None, "--days", help="End day (default: end of the regimen).")


@app.command("export-sbml")
def export_sbml_command(
    regimen: Path = _REGIMEN,
    out: Path = _OUT,
    case: Path | None = _CASE,
    mode: str = _MODE,
    days: float | None = _DAYS,
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """Write SBML Level 3 of the model traced from its equations, doses as events."""
    from androcast.io.sbml import export_sbml
    from androcast.labs import load_case
    from androcast.regimens import load_regimen

    with reporting_errors():
        who = load_case(case) if case is not None else None
        plan = load_regimen(regimen)
        with console.status("tracing the model and writing SBML"):
            export = export_sbml(who, plan, days=days, mode=mode)
        export.write(out)
    if output is OutputFormat.json:
        print_json({"out": str(out), "mode": export.mode, "t_start_d": export.t_start_d,
                    "t_end_d": export.t_end_d, "states": list(export.states),
                    "observables": list(export.observables), "n_doses": export.n_doses})
    else:
        _render(export, out)
