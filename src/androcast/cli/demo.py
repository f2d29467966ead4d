"""`androcast demo`: assess the shipped example case (a man after TRT who wants a child)."""

from __future__ import annotations

from importlib import resources

import typer

from androcast import DISCLAIMER
from androcast.cli import app
from androcast.cli._common import FORMAT_OPTION, OutputFormat, console
from androcast.cli.interpret import interpret_command
from androcast.cli.labs import labs as labs_command

EXAMPLE_CASE = "examples/cases/post_trt.yaml"


@app.command("demo")
def demo(output: OutputFormat = FORMAT_OPTION) -> None:
    """Assess the shipped post-TRT example case and print the result."""
    with resources.as_file(resources.files("androcast").joinpath(EXAMPLE_CASE)) as case:
        if output is OutputFormat.table:
            console.rule(f"androcast demo: {EXAMPLE_CASE}")
            console.print(DISCLAIMER, style="italic")
            labs_command(case=case, output=output, as_of=None)
            console.rule("Assessment")
        interpret_command(case=case, output=output, as_of=None, rules=None)
    raise typer.Exit()
