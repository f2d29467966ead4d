"""``androcast export-events``: a NONMEM-style event table of one man or a virtual population."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, cast

import typer
from rich.table import Table

from androcast.cli import app
from androcast.cli._common import FORMAT_OPTION, OutputFormat, console, print_json, reporting_errors
from androcast.errors import ExportError

if TYPE_CHECKING:
    from androcast.io.nonmem import EventTable
    from androcast.io.nonmem._table import Origin, TimeUnit

# For the help text only: androcast.io.nonmem pulls the simulator and the population engine,
# so it is imported when the command runs (tests/io/test_nonmem_cli.py pins this to the core's
# DEFAULT_OBSERVABLES).
HELP_OBSERVABLES = ("testosterone_total", "lh", "fsh", "sperm_concentration")

_CASE = typer.Option(None, "--case", help="Case file: his doses and results.")
_REGIMEN = typer.Option(None, "--regimen", help="Extra regimen file (with --case).")
_COHORT = typer.Option(None, "--cohort", help="A shipped cohort name or a cohort YAML file.")
_N = typer.Option(None, "--n", help="Number of virtual men (with --cohort).")
_SEED = typer.Option(None, "--seed", help="Override the cohort's seed.")
_DAY = typer.Option(None, "--day", help="Observation day from time 0 (repeatable; default: "
                    "day 0 and the cohort's reporting months).")
_OBSERVABLE = typer.Option(None, "--observable", help="Simulated observable (repeatable; "
                           "default: " + ", ".join(HELP_OBSERVABLES) + ").")
_OUT = typer.Option(..., "--out", help="CSV to write; the legend goes beside it.")
_TIME_UNIT = typer.Option("d", "--time-unit", help="h or d")
_ORIGIN = typer.Option("cessation", "--origin",
                       help="cessation (time 0 of androcast) or first (each ID's first record)")


def _table(case: Path | None, regimen: Path | None, cohort: str | None, n: int | None,
           seed: int | None, day: list[float] | None,
           observable: list[str] | None) -> EventTable:
    from androcast.io.nonmem import DEFAULT_OBSERVABLES, case_events, population_events
    from androcast.labs import load_case
    from androcast.population import load_cohort
    from androcast.regimens import load_regimen

    if (case is None) == (cohort is None):
        raise ExportError("--case/--cohort", None, "exactly one of --case FILE or --cohort NAME")
    if case is not None:
        for name, value in (("--n", n), ("--seed", seed), ("--day", day),
                            ("--observable", observable)):
            if value:
                raise ExportError(name, value, "no " + name + " with --case (it is for --cohort)")
        extra = load_regimen(regimen) if regimen is not None else None
        return case_events(load_case(case), extra)
    assert cohort is not None
    if regimen is not None:
        raise ExportError("--regimen", str(regimen), "no --regimen with --cohort (the cohort "
                          "file names its regimen)")
    if n is None:
        raise ExportError("--n", None, "the number of virtual men, e.g. --n 20")
    spec = load_cohort(Path(cohort) if cohort.endswith((".yaml", ".yml")) else cohort)
    if seed is not None:
        spec = replace(spec, seed=seed)
    with console.status(f"{spec.name}: simulating {n} virtual men"):
        return population_events(spec, n, days=day or None,
                                 observables=observable or DEFAULT_OBSERVABLES)


@app.command("export-events")
def export_events(
    out: Path = _OUT,
    case: Path | None = _CASE,
    regimen: Path | None = _REGIMEN,
    cohort: str | None = _COHORT,
    n: int | None = _N,
    seed: int | None = _SEED,
    day: list[float] | None = _DAY,
    observable: list[str] | None = _OBSERVABLE,
    time_unit: str = _TIME_UNIT,
    origin: str = _ORIGIN,
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """Write a NONMEM-style event table (ID, TIME, EVID, MDV, CMT, AMT, RATE, DV, ...)."""
    from androcast.io.nonmem import ORIGINS, TIME_UNITS

    with reporting_errors():
        if time_unit not in TIME_UNITS:
            raise ExportError("--time-unit", time_unit, "h or d")
        if origin not in ORIGINS:
            raise ExportError("--origin", origin, "cessation or first")
        table = _table(case, regimen, cohort, n, seed, day, observable)
        legend = table.write(out, time_unit=cast("TimeUnit", time_unit),
                             origin=cast("Origin", origin))
    doses = sum(r.evid == 1 for r in table.rows)
    summary = {"out": str(out), "legend": str(legend), "ids": len(table.subjects),
               "dose_rows": doses, "observation_rows": len(table.rows) - doses,
               "time_unit": time_unit, "origin": origin,
               "compartments": {c.cmt: c.code for c in table.compartments}}
    if output is OutputFormat.json:
        print_json(summary)
        return
    view = Table(title=f"event table written to {out}", show_header=False)
    for key in ("legend", "ids", "dose_rows", "observation_rows", "time_unit", "origin"):
        view.add_row(key.replace("_", " "), str(summary[key]))
    view.add_row("CMT", ", ".join(f"{c.cmt} {c.code}" for c in table.compartments))
    console.print(view)
