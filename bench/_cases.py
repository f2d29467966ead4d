"""The case argument the prognosis benchmarks share (bench/ is on sys.path as a script)."""

from __future__ import annotations

import argparse
from importlib import resources

#: The README's post-TRT man.
DEFAULT_CASE = str(resources.files("androcast").joinpath("examples/cases/post_trt.yaml"))


def add_case_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("case", nargs="?", default=DEFAULT_CASE,
                        help="a case file (default: the README's post-TRT man)")
