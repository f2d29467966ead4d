"""``androcast interpret CASE`` and ``androcast explain CASE``: thin over the core."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.table import Table

from androcast.cli import app
from androcast.cli._common import FORMAT_OPTION, OutputFormat, console, print_json, reporting_errors
from androcast.errors import DateError

if TYPE_CHECKING:
    from androcast.interpret import Assessment, Rule
    from androcast.labs import Case

CASE_ARGUMENT = typer.Argument(..., help="Case file (YAML or JSON).")
AS_OF_OPTION = typer.Option(None, "--as-of", help="Interpret as of this date (YYYY-MM-DD).")
RULES_OPTION = typer.Option(
    None, "--rules", help="Rule file to use instead of the shipped rules (repeatable)."
)


def load_case_as_of(case: Path, as_of: str | None) -> Case:
    """The case file read as of ``--as-of`` (default today); a bad date is a DateError."""
    from androcast.labs import load_case

    date: dt.date | None = None
    if as_of is not None:
        try:
            date = dt.date.fromisoformat(as_of)
        except ValueError:
            raise DateError("--as-of", as_of, "an ISO date YYYY-MM-DD") from None
    return load_case(case, as_of=date)


def _rules(paths: list[Path] | None) -> tuple[Rule, ...] | None:
    from androcast.interpret import load_rule_files

    return load_rule_files(paths) if paths else None


def _render(assessment: Assessment) -> None:
    rule = assessment.pattern_rule or "no rule"
    console.print(f"[bold]Pattern:[/] {assessment.pattern} ({rule})")
    if assessment.causes:
        causes = Table(title="Causes (ranked)")
        for column in ("cause", "confidence", "rules", "citation"):
            causes.add_column(column)
        for c in assessment.causes:
            causes.add_row(c.code, c.confidence, ", ".join(c.rules), escape("; ".join(c.citations)))
        console.print(causes)
    for title, items in (("Actions", assessment.actions), ("Cautions", assessment.cautions)):
        if items:
            table = Table(title=title)
            for column in ("code", "rule", "citation", "note"):
                table.add_column(column)
            for r in items:
                table.add_row(r.code, r.rule, escape(r.citation), escape(r.note or ""))
            console.print(table)
    if assessment.findings:
        findings = Table(title="Findings")
        for column in ("finding", "rule", "basis"):
            findings.add_column(column)
        for f in assessment.findings:
            findings.add_row(f.code, f.rule, escape(f.basis))
        console.print(findings)
    if assessment.missing:
        console.print("[bold]Measure next:[/]")
        for m in assessment.missing:
            why = f": {m.reason}" if m.reason else ""
            console.print(escape(f"  {m.measure} ({', '.join(m.inputs)}){why}"))
    prognosis = assessment.prognosis
    label = prognosis.class_ or (
        f"declined ({prognosis.declined.reason})" if prognosis.declined else "not assessed"
    )
    summary = f"{label} - {prognosis.basis}"
    console.print(f"[bold]Prognosis:[/] {escape(summary)}")
    console.print(assessment.disclaimer, style="italic")


@app.command("interpret")
def interpret_command(
    case: Path = CASE_ARGUMENT,
    output: OutputFormat = FORMAT_OPTION,
    as_of: str | None = AS_OF_OPTION,
    rules: list[Path] | None = RULES_OPTION,
) -> None:
    """Where the HPG axis is failing and what to do next, each statement cited."""
    from androcast.interpret import interpret

    with reporting_errors():
        assessment = interpret(load_case_as_of(case, as_of), _rules(rules))
    if output is OutputFormat.json:
        print_json(assessment.to_dict())
    else:
        _render(assessment)


@app.command("explain")
def explain_command(
    case: Path = CASE_ARGUMENT,
    as_of: str | None = AS_OF_OPTION,
    rules: list[Path] | None = RULES_OPTION,
) -> None:
    """The rules that fired on a case and the full references they rest on."""
    from androcast.interpret import explain

    with reporting_errors():
        text = explain(load_case_as_of(case, as_of), _rules(rules))
    typer.echo(text)
