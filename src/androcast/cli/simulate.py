"""``androcast simulate``: one man's trajectory under a regimen, to CSV (and a plot)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

import typer
from rich.table import Table

from androcast import DISCLAIMER
from androcast.cli import app
from androcast.cli._common import FORMAT_OPTION, OutputFormat, console, print_json, reporting_errors
from androcast.errors import InputFileError, ParameterError

if TYPE_CHECKING:
    from androcast.simulate import Trajectory

Mode = Literal["averaged", "pulsatile"]
_SUMMARY = ("testosterone_total", "lh", "fsh", "estradiol", "inhibin_b", "sperm_concentration")
_PLOTTED = ("testosterone_total", "lh", "fsh", "estradiol", "inhibin_b", "sperm_concentration")


def _summary_days(tr: Trajectory) -> list[float]:
    start, end = float(tr.t_d[0]), float(tr.t_d[-1])
    marks = [start, *(d for d in (0.0, 30.0, 90.0, 180.0, 365.0, 730.0) if start < d < end), end]
    return sorted(set(marks))


def _plot(tr: Trajectory, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(_PLOTTED), 1, figsize=(8, 11), sharex=True)
    for ax, name in zip(axes, _PLOTTED, strict=True):
        ax.plot(tr.t_d, tr.observable(name), lw=1.2)
        ax.set_ylabel(f"{name}\n[{tr.units[name]}]", fontsize=8)
        for t in sorted({d.t_d for d in tr.doses})[:2000]:
            ax.axvline(t, color="0.85", lw=0.4, zorder=0)
    axes[-1].set_xlabel("days from t0 (cessation of androgens / start of treatment)")
    fig.suptitle(f"androcast simulation ({tr.mode}). {DISCLAIMER}", fontsize=7)
    fig.tight_layout()
    try:
        fig.savefig(path, dpi=110)
    except OSError as err:
        raise InputFileError("--plot", str(path), "a writable image path", hint=str(err)) from None
    finally:
        plt.close(fig)


_CASE = typer.Option(None, "--case", help="Case file (YAML/JSON); default a reference man.")
_REGIMEN = typer.Option(None, "--regimen", help="Regimen file (YAML); default no drugs.")
_DAYS = typer.Option(..., "--days", help="Simulate until this day (t0 = 0).")
_OUT = typer.Option(..., "--out", help="Trajectory CSV to write.")
_PLOT = typer.Option(None, "--plot", help="PNG of T, LH, FSH, E2, inhibin B and sperm.")
_MODE = typer.Option("averaged", "--mode", help="averaged or pulsatile")


@app.command("simulate")
def simulate_command(
    case: Path | None = _CASE,
    regimen: Path | None = _REGIMEN,
    days: float = _DAYS,
    out: Path = _OUT,
    plot: Path | None = _PLOT,
    mode: str = _MODE,
    output_format: OutputFormat = FORMAT_OPTION,
) -> None:
    """Simulate one man (the case, or a reference man) under a regimen from t0 to DAYS."""
    from androcast.labs import load_case
    from androcast.regimens import load_regimen
    from androcast.simulate import simulate

    with reporting_errors():
        if mode not in ("averaged", "pulsatile"):
            raise ParameterError("--mode", mode, "averaged or pulsatile")
        chosen: Mode = "pulsatile" if mode == "pulsatile" else "averaged"
        who = load_case(case) if case is not None else None
        plan = load_regimen(regimen) if regimen is not None else None
        with console.status("simulating ...", spinner="dots"):
            tr = simulate(who, plan, days=days, mode=chosen)
        tr.to_csv(out)
        if plot is not None:
            _plot(tr, plot)
    rows = {f"{d:g}": {n: tr.at(n, d) for n in _SUMMARY} for d in _summary_days(tr)}
    if output_format is OutputFormat.json:
        print_json({"out": str(out), "plot": str(plot) if plot else None, "mode": tr.mode,
                    "units": {n: tr.units[n] for n in _SUMMARY}, "days": rows,
                    "status": tr.status.name})
        return
    table = Table(title=f"Simulated trajectory ({tr.mode}); full series in {out}")
    table.add_column("day", justify="right")
    for name in _SUMMARY:
        table.add_column(f"{name} [{tr.units[name]}]", justify="right")
    for day, values in rows.items():
        table.add_row(day, *(f"{values[n]:.3g}" for n in _SUMMARY))
    console.print(table)
    console.print(DISCLAIMER, style="dim")
