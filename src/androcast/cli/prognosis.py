"""``androcast prognosis CASE`` and ``androcast plan CASE``: thin over the core."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.markup import escape
from rich.table import Table

from androcast import DEFAULT_PARTICLES, display
from androcast.cli import app
from androcast.cli._common import FORMAT_OPTION, OutputFormat, console, print_json, reporting_errors
from androcast.cli.interpret import load_case_as_of
from androcast.errors import InputFileError

if TYPE_CHECKING:
    from androcast.prognosis import Prognosis
    from androcast.protocol import Plan

CASE_ARGUMENT = typer.Argument(..., help="Case file (YAML or JSON).")
PARTICLES_OPTION = typer.Option(
    DEFAULT_PARTICLES, "--particles", min=2,
    help="Virtual men in his twin (more: narrower intervals, slower).")
SEED_OPTION = typer.Option(1, "--seed", help="Random seed (same seed, same numbers).")
PROTOCOL_OPTION = typer.Option(
    None, "--protocol", help="Protocol id (repeatable); default: all appropriate for him.")
OUTCOME_OPTION = typer.Option(
    None, "--outcome", help="Outcome code (repeatable); default from his goal.")
PLOT_OPTION = typer.Option(None, "--plot", help="Write the curves (.png or .html).")
AS_OF_OPTION = typer.Option(None, "--as-of",
                            help="Decide as of this date (YYYY-MM-DD; default today).")
TARGET_OPTION = typer.Option(
    None, "--target-month", min=1.0,
    help="Rank alternatives by P(goal) by this month (default: his goal_within_months, else 12).")
# the same default as `prognosis`, so both commands give one case the same numbers
PLAN_PARTICLES_OPTION = typer.Option(DEFAULT_PARTICLES, "--particles", min=2,
                                     help="Virtual men in his twin.")


def _render_class(data: dict[str, object]) -> None:
    assessed = data.get("assessment_class")
    if isinstance(assessed, dict) and assessed.get("class"):
        console.print(escape(f"Assessment's prognosis class: {assessed['class']} "
                             f"({assessed['rule']})"))


def _render_prognosis(result: Prognosis) -> None:
    data = result.to_dict()
    if result.declined is not None:
        console.print(f"[bold]Forecast declined:[/] {result.declined.reason} - "
                      f"{escape(result.declined.text)}")
        console.print(escape(f"  [{result.declined.rule}; {', '.join(result.declined.citations)}]"
                             ))
        _render_class(data)
        console.print(data["basis"]["disclaimer"], style="italic")
        return
    age = data["basis"].get("partner_age_years")
    couple = "" if age is None else f" - the couple, partner aged {age:g}"
    scenario = result.scenario
    what_if = "" if scenario is None or not scenario.what_if else " - what if he stopped now"
    table = Table(title=f"P({escape(result.outcome)}) from {data['t0']}{couple}{what_if}")
    table.add_column("protocol")
    for m in result.protocols[0].curve.months if result.protocols else ():
        table.add_column(f"{m:g} mo", justify="right")
    table.add_column("median mo", justify="right")
    table.add_column("class")
    for f in result.protocols:
        # the probability, its Monte Carlo standard error (points) and its 90 % interval
        cells = [f"{p:.0%} ±{se * 100:.1f} ({lo:.0%}-{hi:.0%})"
                 for p, se, (lo, hi) in zip(f.curve.probability, f.curve.mc_se,
                                            f.curve.interval_90, strict=True)]
        median = "-" if f.curve.median_months is None else f"{f.curve.median_months:.1f}"
        shown = f.protocol.id if f.protocol.change is None else (
            f"{f.protocol.id}: {f.protocol.name}")  # what it means for a man on drugs now
        table.add_row(escape(shown) + (" *" if f.note else ""), *cells, median,
                      f.prognosis_class or "-")
    console.print(table)
    if scenario is not None:  # his plan stops his androgens, or the curves are a what-if
        console.print(escape(scenario.text), style="bold" if scenario.what_if else None)
    _render_evidence(result)
    _render_class(data)
    notes: dict[str, list[str]] = {}  # one line per distinct note (the same for every
    for row in data["protocols"]:      # protocol when the endpoints differ)
        if row.get("class_note"):
            notes.setdefault(row["class_note"], []).append(row["id"])
    for note, ids in notes.items():
        console.print(escape(f"  class of {', '.join(ids)}: {note}"), style="dim")
    basis = data["basis"]
    console.print(escape(f"Basis: {basis['n_virtual']} virtual men in {basis['islands']} "
                         f"independent runs (ESS {basis['ess']}), ± is the Monte Carlo "
                         f"standard error in points; {basis['n_results']} results, population "
                         f"{basis['population']}; citations: {', '.join(basis['citations'])}"))
    if basis["low_confidence"]:
        console.print(escape("! Low confidence: " + _low_confidence_reason(basis)),
                      style="yellow")
    for line in (*basis["warnings"], *basis["caveats"]):
        console.print(escape(f"! {line}"), style="yellow")
    console.print(basis["disclaimer"], style="italic")


def _render_evidence(result: Prognosis) -> None:
    """The published figure beside each protocol; a disagreement is flagged in red."""
    rows = [(f.protocol.id, e) for f in result.protocols for e in f.evidence]
    if not rows:
        console.print("Evidence: no published figure for men like him on these protocols.")
        return
    table = Table(title="Published figures beside the forecast")
    for name in ("protocol", "source", "outcome", "month", "published", "model", "agrees"):
        table.add_column(name)
    for protocol_id, e in rows:
        f = e.figure
        outcome = (f.outcome if f.kind == "probability" else "pregnancy odds ratio vs control"
                   if f.kind == "odds_ratio" else f"change of {f.observable}")
        if f.kind == "odds_ratio":
            published = f"{f.value:.2f} ({f.interval[0]:.2f}-{f.interval[1]:.2f})"
            stored = "" if e.model is None else f"{e.model:.2f}, "
            model = f"{stored}virtual couples, calibration target {f.judged_on}"
        elif f.kind == "probability":
            published = f"{f.value:.0%} ({f.interval[0]:.0%}-{f.interval[1]:.0%})"
            assert e.model is not None and e.model_interval is not None
            model = f"{e.model:.0%} ({e.model_interval[0]:.0%}-{e.model_interval[1]:.0%})"
        else:
            published = f"{f.value:+.3g} ({f.interval[0]:+.3g} to {f.interval[1]:+.3g})"
            model = f"calibration target {f.judged_on}"
        verdict = "yes" if e.agrees else "[bold red]NO: outside the published interval[/]"
        table.add_row(protocol_id, escape(f.source), escape(str(outcome)), f"{f.month:g}",
                      published, escape(model), verdict)
    console.print(table)


def _low_confidence_reason(basis: dict[str, Any]) -> str:
    from androcast.prognosis.forecast import MAX_MC_SE
    from androcast.twin.posterior import LOW_CONFIDENCE_ESS

    worst = max((s for row in basis["mc_se"].values() for s in row), default=0.0)
    edge = ", ".join(basis.get("at_prior_edge", ()))
    reasons = [text for holds, text in (
        (not basis["converged"], "the sampler has not converged"),
        (worst > MAX_MC_SE, f"Monte Carlo error up to ±{worst * 100:.1f} points "
                            f"(above {MAX_MC_SE * 100:g})"),
        (basis["n_results"] == 0, "no result the model predicts"),
        (basis["ess"] < LOW_CONFIDENCE_ESS, f"few men carry the weight (ESS {basis['ess']})"),
        (bool(edge), f"his results sit at the edge of the calibrated population ({edge})"),
    ) if holds]
    return "; ".join(reasons) or "results too unusual for the prior"


def _check_plot_path(path: Path) -> None:
    if path.suffix.lower() not in (".png", ".html"):
        raise InputFileError("--plot", str(path), "a .png or .html file")


def _plot(results: tuple[Prognosis, ...], path: Path) -> None:
    suffix = path.suffix.lower()
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(results), figsize=(6 * len(results), 4), squeeze=False)
    for ax, result in zip(axes[0], results, strict=True):
        for f in result.protocols:
            months = [0.0, *f.curve.months]
            ax.step(months, [0.0, *f.curve.probability], where="post", label=f.protocol.id)
            ax.fill_between(months, [0.0, *(lo for lo, _ in f.curve.interval_90)],
                            [0.0, *(hi for _, hi in f.curve.interval_90)], step="post",
                            alpha=0.15)
        ax.set_xlabel(f"months from {result.t0.isoformat()}")
        ax.set_ylabel(f"P({result.outcome})")
        age = result.to_dict()["basis"].get("partner_age_years")
        ax.set_title(display.outcome(result.outcome)
                     + ("" if age is None else f", partner aged {age:g}"), fontsize="small")
        ax.set_ylim(0, 1)
        ax.legend(fontsize="small")
    fig.tight_layout()
    if suffix == ".png":
        fig.savefig(path, dpi=120)
    else:
        import base64
        import io

        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=120)
        image = base64.b64encode(buffer.getvalue()).decode("ascii")
        path.write_text(f"<!doctype html><meta charset='utf-8'><title>androcast prognosis"
                        f"</title><img alt='recovery curves' src='data:image/png;base64,"
                        f"{image}'>\n", encoding="utf-8")
    plt.close(fig)


@app.command("prognosis")
def prognosis_command(
    case: Path = CASE_ARGUMENT,
    protocol: list[str] | None = PROTOCOL_OPTION,
    outcome: list[str] | None = OUTCOME_OPTION,
    particles: int = PARTICLES_OPTION,
    seed: int = SEED_OPTION,
    plot: Path | None = PLOT_OPTION,
    as_of: str | None = AS_OF_OPTION,
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """Probability of recovery by 3-24 months under each protocol, personalised to him, or
    the coded reason the forecast declines where the model has no mechanism for his problem.
    As a table (and --plot) it adds the couple's chance of a natural pregnancy when he wants
    a child and the partner's age is known."""
    from androcast.prognosis import default_outcome, prognose
    from androcast.prognosis.pregnancy import PREGNANCY_NATURAL, shows_pregnancy

    with reporting_errors():
        if plot is not None:
            _check_plot_path(plot)
        loaded = load_case_as_of(case, as_of)
        codes = list(outcome or ())
        if not codes and output is OutputFormat.table and shows_pregnancy(loaded):
            # the couple's curve beside his semen's (the JSON default stays one outcome)
            codes = [default_outcome(loaded), PREGNANCY_NATURAL]
        with console.status("personalising and simulating ..."):
            results = prognose(loaded, protocol or None, codes or None, n=particles, seed=seed)
        if plot is not None:
            if any(r.declined is not None for r in results):
                declined = next(r.declined for r in results if r.declined is not None)
                raise InputFileError("--plot", str(plot),
                                     f"no plot: the forecast declines ({declined.reason})")
            _plot(results, plot)
    if output is OutputFormat.json:
        dicts = [r.to_dict() for r in results]
        print_json(dicts[0] if len(dicts) == 1 else dicts)
        return
    for result in results:
        _render_prognosis(result)


def _render_plan(result: Plan) -> None:
    data = result.to_dict()
    first = data["first_step"]
    console.print(f"[bold]Pathway:[/] {result.pathway.id}")
    console.print(f"[bold]First step:[/] {first['code'] or '-'} - {escape(first['text'])}")
    if first["basis"]:
        console.print(escape(f"  because {first['basis']}"), style="dim")
    console.print(escape(f"  [{first['rule']}; {', '.join(first['citations'])}]"), style="dim")
    for phase in data["phases"]:
        codes = ", ".join(a["code"] for a in phase["actions"])
        console.print(escape(f"{phase['phase']}: {codes}"))
    if result.declined is not None:
        console.print(f"[bold]Forecast declined:[/] {result.declined.reason} - "
                      f"{escape(result.declined.text)}")
    elif not data["alternatives"]:  # his pathway leads to no protocol now: no curve ranked
        console.print(escape(f"Goal: {result.goal_outcome}; no protocol ranked on his pathway "
                             f"(checks from {data['checks_from']})"))
    else:
        console.print(escape(f"Goal: {result.goal_outcome} by month {result.target_month:g} "
                             f"(curves from {data['start']}, checks from "
                             f"{data['checks_from']})"))
    for a in data["alternatives"]:
        p = a["probability_by_target"]
        place = f"{a['rank']}." if not a["tied_with"] else "="
        console.print(f"\n[bold]{place} {escape(a['name'])}[/] ({a['id']}): "
                      f"{p:.0%} ±{a['mc_se_by_target']:.0%} by month {result.target_month:g}, "
                      f"median "
                      f"{a['median_months'] if a['median_months'] is not None else '-'} mo")
        if a["tied_with"]:
            console.print(escape(f"   tied within Monte Carlo error with "
                                 f"{', '.join(a['tied_with'])}"), style="yellow")
        for row in a["evidence"]:  # the published figure beside it; a disagreement in red
            console.print(escape(f"   published: {_evidence_line(row)}"),
                          style=None if row["agrees"] else "bold red")
        if a.get("evidence_note"):  # ranked on the model alone: said beside the number
            console.print(escape(f"   published: none - {a['evidence_note']}"), style="yellow")
        for e in a["escalations"]:
            week = "each check" if e["at_week"] is None else f"week {e['at_week']:g}"
            console.print(escape(f"   if {e['when']} ({week}): {e['then']} "
                                 f"[{', '.join(e['citations'])}; {e['flag']}]"))
        checks = Table(show_header=False, box=None)
        for c in a["checks"]:
            checks.add_row("   " + c["date"], escape(c["what"]), escape(c["why"]))
        console.print(checks)
    if data.get("art_comparison"):
        _render_art(data["art_comparison"])
    by_reason: dict[str, list[str]] = {}
    for x in data["excluded"]:
        by_reason.setdefault(x["why"], []).append(x["id"])
    for why, ids in by_reason.items():
        console.print(escape(f"not offered: {', '.join(ids)} ({why})"), style="dim")
    if data["basis"].get("low_confidence"):
        console.print(escape("! Low confidence: " + _low_confidence_reason(data["basis"])),
                      style="yellow")
    for line in (*data["basis"]["warnings"], *data["basis"]["caveats"]):
        console.print(escape(f"! {line}"), style="yellow")
    console.print(data["basis"]["disclaimer"], style="italic")


def _evidence_line(row: dict[str, Any]) -> str:
    """One published figure of a plan's alternative (EvidenceRow.to_dict()) in a line."""
    value, (low, high) = row["value"], row["interval"]
    if "model_interval_90" in row:  # a probability on his own curve
        model_low, model_high = row["model_interval_90"]
        shown = (f"{value:.0%} ({low:.0%}-{high:.0%}), model {row['model']:.0%} "
                 f"({model_low:.0%}-{model_high:.0%})")
    else:  # a change or odds ratio, judged on virtual men of a calibration target
        shown = f"{value:.3g} ({low:.3g}-{high:.3g}), {row.get('judged_on', 'calibration')}"
    verdict = "agrees" if row["agrees"] else "NO: outside the published interval"
    return (f"{row['source']} {row['outcome']} month {row['month']:g}: {shown} - {verdict}")


def _render_art(art: dict[str, object]) -> None:
    """Natural attempts under each protocol beside ART now, with their sources."""
    console.print(escape(f"\nAssisted reproduction now vs natural attempts ({art['why']}):"),
                  style="bold")
    table = Table(show_header=True, box=None)
    table.add_column("option")
    table.add_column(f"by month {art['horizon_months']:g}", justify="right")
    table.add_column("90 % interval", justify="right")
    natural = art["natural"]
    assert isinstance(natural, list)
    for row in natural:
        low, high = row["interval_90"]
        table.add_row(escape(f"natural attempts, {row['protocol']}"),
                      f"{row['probability']:.0%}", f"{low:.0%}-{high:.0%}")
    console.print(table)
    if art["natural_note"]:
        console.print(escape(f"  {art['natural_note']}"), style="dim")
    now = art["art_now"]
    assert isinstance(now, dict)
    sperm = display.label("art_sperm", str(now["sperm"]))
    if now["live_birth"] is None:
        console.print(escape(f"  ICSI now ({sperm}): no figure - {now['blocked']}"))
    else:
        bound = "at most " if now["at_most"] else ""
        console.print(escape(f"  ICSI now ({sperm}): {bound}{now['live_birth']:.0%} "
                             f"{now['measure']} [{now['source']}; {now['table_kind']}]"))
    console.print(escape(f"  natural: {art['natural_measure']}; {art['note']}"), style="dim")
    cites = art["citations"]
    assert isinstance(cites, list)
    console.print(escape(f"  [{', '.join(cites)}]"), style="dim")


ART_TABLE_OPTION = typer.Option(
    None, "--art-table", help="The clinic's ART success table (YAML, the shape of "
    "protocol/data/art_success.yaml); default: national register figures with their sources.")


@app.command("plan")
def plan_command(
    case: Path = CASE_ARGUMENT,
    target_month: float | None = TARGET_OPTION,
    particles: int = PLAN_PARTICLES_OPTION,
    seed: int = SEED_OPTION,
    as_of: str | None = AS_OF_OPTION,
    output: OutputFormat = FORMAT_OPTION,
    art_table: Path | None = ART_TABLE_OPTION,
) -> None:
    """The phased plan: pathway and first step from his assessment, then (on a hormonal
    course) ranked alternatives, escalations and checks; or the forecast's coded decline."""
    from androcast.protocol import plan
    from androcast.protocol.art import load_art_table

    with reporting_errors():
        loaded = load_case_as_of(case, as_of)
        table = load_art_table(art_table) if art_table is not None else None
        with console.status("simulating the alternatives ..."):
            result = plan(loaded, target_month=target_month, n=particles, seed=seed,
                          art_table=table)
    if output is OutputFormat.json:
        print_json(result.to_dict())
        return
    _render_plan(result)
