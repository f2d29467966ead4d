"""``androcast calibrate fit|report``: fit the virtual population and report the targets."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.table import Table

from androcast.cli import app
from androcast.cli._common import FORMAT_OPTION, OutputFormat, console, print_json, reporting_errors

if TYPE_CHECKING:
    from androcast.calibrate import TargetResult

calibrate_app = typer.Typer(help="Calibration of the virtual population.", no_args_is_help=True)
app.add_typer(calibrate_app, name="calibrate")

_TARGET_OPTION = typer.Option(None, "--target", help="Target key (repeatable); default: all.")
_FIT_OUT_OPTION = typer.Option(None, "--out", help="Write here instead of the package.")
_REPORT_OUT_OPTION = typer.Option(Path("docs/calibration.html"), "--out", help="HTML file.")
_VERDICTS_OUT_OPTION = typer.Option(
    None, "--verdicts", help="Also write the verdicts as YAML (the shipped ones live in "
    "src/androcast/calibrate/data/verdicts.yaml; the prognosis reads them).")
_FITTED_OPTION = typer.Option(None, "--fitted", help="A fit file (default: the shipped one).")


def _summary(results: Sequence[TargetResult]) -> list[dict[str, Any]]:
    return [
        {"target": r.target.key, "published": r.target.value,
         "interval": [r.target.low, r.target.high], "simulated": r.simulated,
         "mc_se": r.mc_se, "z": r.z, "passed": r.passed, "source": r.target.source}
        for r in results
    ]


def _print(results: Sequence[TargetResult], title: str) -> None:
    from androcast.calibrate.paired import DIRECTION_Z  # lazily, as every calibrate import

    table = Table(title=title)
    for name in ("target", "published", "simulated", "verdict"):
        table.add_column(name)
    for r in results:
        t = r.target
        published = (f"> {t.min_effect:g} and > {DIRECTION_Z:g} SE" if t.kind == "direction"
                     else f"{t.value:.3g} [{t.low:.3g}, {t.high:.3g}]")
        simulated = "not reached" if r.simulated is None else f"{r.simulated:.3g}"
        spread = (f"SE {r.mc_se:.2g}" + ("" if r.z is None else f", z {r.z:.1f}")
                  if t.kind == "direction" else f"± {2 * r.mc_se:.2g}")
        table.add_row(t.key, published, f"{simulated} {spread}", "pass" if r.passed else "FAIL")
    console.print(table)


@calibrate_app.command("fit")
def fit(
    target: list[str] | None = _TARGET_OPTION,
    n: int = typer.Option(200, "--n", help="Virtual men per cohort and evaluation."),
    seed: int = typer.Option(1, "--seed", help="Seed of every cohort (common random numbers)."),
    max_evals: int = typer.Option(40, "--max-evals", help="Optimiser budget (stage 1)."),
    out: Path | None = _FIT_OUT_OPTION,
    output_format: OutputFormat = FORMAT_OPTION,
) -> None:
    """Fit the population to the targets and store fitted.yaml (a long run: minutes)."""
    # Imported here: androcast.calibrate pulls the population engine (2.1 s, -X importtime).
    from rich.progress import Progress

    from androcast.calibrate import (
        fit_document,
        fit_population,
        load_fit,
        select_targets,
        write_fit,
    )

    with reporting_errors():
        keys = list(target or [])
        chosen = select_targets(keys)
        start, _ = load_fit()
        with Progress(console=console, transient=True,
                      disable=output_format is OutputFormat.json) as bar:
            task = bar.add_task("fitting", total=None)
            result = fit_population(start, n=n, seed=seed, max_evals=max_evals,
                                    target_keys=keys or None,
                                    progress=lambda text: bar.update(task, description=text))
        document = fit_document(result, date=datetime.date.today().isoformat(),
                                targets=[t.key for t in chosen])
        path = write_fit(document, out)
    if output_format is OutputFormat.json:
        print_json({"fitted": str(path), "objective": result.objective_,
                    "evaluations": result.evaluations_, "n": n, "seed": seed,
                    "targets": _summary(result.results_)})
        return
    _print(result.results_, f"fit: objective {result.objective_:.3f}, n = {n}, seed = {seed}")
    console.print(f"stored {path}")


@calibrate_app.command("report")
def report(
    out: Path = _REPORT_OUT_OPTION,
    n: int = typer.Option(200, "--n", help="Virtual men per cohort."),
    seed: int = typer.Option(1, "--seed", help="Seed of every cohort."),
    target: list[str] | None = _TARGET_OPTION,
    fitted: Path | None = _FITTED_OPTION,
    output_format: OutputFormat = FORMAT_OPTION,
    verdicts_out: Path | None = _VERDICTS_OUT_OPTION,
) -> None:
    """Simulate every target with the stored fit and write the HTML report."""
    import yaml
    from rich.progress import Progress

    from androcast.calibrate import evaluate, load_fit, render_report, roles, select_targets
    from androcast.calibrate.report import verdicts

    with reporting_errors():
        population, record = load_fit(fitted)
        chosen = select_targets(list(target or []))
        with Progress(console=console, transient=True,
                      disable=output_format is OutputFormat.json) as bar:
            task = bar.add_task("simulating targets", total=None)
            results = evaluate(chosen, population, n=n, seed=seed,
                               progress=lambda name: bar.update(task, description=name))
        values: dict[str, Any] = {f"typical.{k}": v for k, v in population.typical.items()}
        values |= {f"variability.{k} (CV)": v for k, v in population.variability.items()}
        values |= {_effect_label(e): _effect_value(e) for e in population.effects}
        role = roles(chosen, population)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(render_report(results, population=values, record=record, roles=role),
                       encoding="utf-8")
        if verdicts_out is not None:
            verdicts_out.write_text(yaml.safe_dump(verdicts(
                results, role, n=n, seed=seed, date=datetime.date.today().isoformat()),
                sort_keys=False), encoding="utf-8")
    if output_format is OutputFormat.json:
        print_json({"report": str(out), "n": n, "seed": seed, "targets": _summary(results)})
        return
    _print(results, f"calibration targets: n = {n}, seed = {seed}")
    console.print(f"wrote {out}")


def _effect_label(e: Any) -> str:
    """``k_rg ~ age_years in [51, 100]``: the parameter, its covariate and the span it acts on."""
    level = f"={e.level}" if e.level else ""
    span = f" in [{e.span[0]:g}, {e.span[1]:g}]" if e.span else ""
    return f"{e.parameter} ~ {e.covariate}{level}{span}"


def _effect_value(e: Any) -> str:
    basis = f"; {e.basis}" if e.basis else ""
    return f"log effect {e.log_effect:+.3g} ({e.source}){basis}"
