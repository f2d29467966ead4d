"""``androcast cohort run``: recovery curves of a virtual population."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import typer
from rich.table import Table

from androcast.cli import app
from androcast.cli._common import FORMAT_OPTION, OutputFormat, console, print_json, reporting_errors

_OUTCOME_OPTION = typer.Option(
    None, "--outcome", help="Outcome code (repeatable); default: the cohort's outcomes."
)

cohort_app = typer.Typer(help="Virtual populations (cohort files).", no_args_is_help=True)
app.add_typer(cohort_app, name="cohort")


@cohort_app.command("run")
def run(
    cohort: str = typer.Argument(..., help="A shipped cohort name or a cohort YAML file."),
    n: int = typer.Option(..., "--n", help="Number of virtual men."),
    seed: int | None = typer.Option(None, "--seed", help="Override the cohort's seed."),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help="Dask scheduler address, e.g. tcp://host:8786."
    ),
    outcome: list[str] | None = _OUTCOME_OPTION,
    chunk_size: int = typer.Option(250, "--chunk-size", help="Men per chunk."),
    output_format: OutputFormat = FORMAT_OPTION,
) -> None:
    """Simulate N virtual men of a cohort and print the recovery curve of each outcome."""
    # Imported here, not at the top: the population engine pulls the whole simulator.
    from rich.progress import Progress

    from androcast.population import DaskCluster, InProcess, load_cohort, run_cohort
    from androcast.population.engine import ModelEngine

    with reporting_errors():
        spec = load_cohort(Path(cohort) if cohort.endswith((".yaml", ".yml")) else cohort)
        if seed is not None:
            spec = replace(spec, seed=seed)
        if outcome:
            spec = spec.with_outcomes(outcome)
        backend = DaskCluster(scheduler) if scheduler else InProcess()
        with Progress(
            console=console, transient=True, disable=output_format is OutputFormat.json
        ) as bar:
            task = bar.add_task(f"{spec.name}: simulating", total=n)
            result = run_cohort(
                spec,
                n,
                ModelEngine(),
                backend=backend,
                chunk_size=chunk_size,
                progress=lambda done: bar.advance(task, done),
            )
    if output_format is OutputFormat.json:
        print_json(result.as_json())
        return
    if result.n_failed:
        console.print(f"[yellow]{result.n_failed} of {result.n} virtual men could not be "
                      "simulated (step budget or step size); they are left out of every curve"
                      "[/yellow]")
    for code, curve in result.outcomes.items():
        table = Table(
            title=f"{code}: {curve.description} ({curve.source}); n = {result.n}, "
            f"seed = {result.seed}"
        )
        table.add_column("month", justify="right")
        table.add_column("cumulative probability", justify="right")
        for month, p in zip(curve.months, curve.probability, strict=True):
            table.add_row(f"{month:g}", f"{p:.3f}")
        console.print(table)
        median = ("not reached" if curve.median_months is None
                  else f"{curve.median_months:.2f} months")
        console.print(f"median time: {median}")
