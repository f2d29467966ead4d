"""Report: how far a prognosis moves with the seed, stored for the tests (issue 17, G-SEEDS).

For the README man (seeds 1-5) and every clinic-suite case whose forecast draws curves
(seeds 1-4; the c22 series 1-5), at the default number of virtual men: each protocol the
plan weighs, its P(outcome) at months 6, 12 and 24 with its Monte Carlo standard error
(``basis.mc_se``), whether the prognosis is low confidence, the plan's ranking of the
alternatives (by P at its target month) and the alternatives it reports as tied within
Monte Carlo error. The suite's cases are read as of its clinic date.
Too slow for the test suite (minutes per case on 2 cores), so tests/prognosis/test_precision.py
and tests/clinic/test_globals.py (G-SEEDS) check this file, and one fresh run of one case
there shows the stored numbers still describe the code. Run after a change to the model or
the sampler (``nice``: it keeps both cores busy for a while):

    python bench/seed_stability.py [--out tests/reference/prognosis_seeds.json] [--case c22 ...]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import time
import warnings
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from androcast import DEFAULT_PARTICLES
from androcast.labs import Case, load_case
from androcast.prognosis import prognose
from androcast.protocol.planner import plan

ROOT = Path(__file__).parents[1]
SUITE = ROOT / "tests" / "reference" / "clinic_cases"
AS_OF = dt.date(2026, 12, 7)  # the suite's clinic date (expectations.yaml as_of)
MONTHS = (6.0, 12.0, 24.0)
FIVE_SEEDS = ("post_trt", "c22", "c22b", "c22c")  # issue 17: seeds 1-5 agree


def cases() -> dict[str, tuple[Path, dt.date | None]]:
    """The README man and the suite's cases whose forecast draws curves."""
    out: dict[str, tuple[Path, dt.date | None]] = {
        "post_trt": (Path(str(resources.files("androcast").joinpath(
            "examples/cases/post_trt.yaml"))), None)}
    expected = yaml.safe_load((SUITE / "expectations.yaml").read_text(encoding="utf-8"))
    for case_id, entry in expected["cases"].items():
        if entry.get("forecast") == "curves":
            out[case_id] = (SUITE / entry["file"], AS_OF)
    return out


def run(case: Case, seed: int) -> dict[str, Any]:
    """One seed: the plan's ranking and each weighed protocol's P and mc_se by MONTHS."""
    made = plan(case, seed=seed)
    ranked = [a.forecast.protocol.id for a in made.alternatives]
    post = made.prognosis.posterior if made.prognosis is not None else None
    ids = ranked or None  # a pathway without protocols: those appropriate for him
    result = prognose(case, ids, n=DEFAULT_PARTICLES, seed=seed, posterior=post,
                      months=MONTHS)[0]
    data = result.to_dict()
    return {
        "ranked": ranked,
        "ties": [list(t) for t in made.ties],
        "probability_by_target": [round(a.probability_by_target, 4) for a in made.alternatives],
        "mc_se_by_target": [round(a.mc_se_by_target, 4) for a in made.alternatives],
        "target_month": made.target_month,
        "low_confidence": bool(data["basis"].get("low_confidence", False)),
        "protocols": {f.protocol.id: {"probability": list(f.curve.probability),
                                      "mc_se": list(f.curve.mc_se)} for f in result.protocols},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "tests" / "reference" /
                        "prognosis_seeds.json")
    parser.add_argument("--case", nargs="*", default=None, help="only these (merged into --out)")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=RuntimeWarning)
    stored: dict[str, Any] = (json.loads(args.out.read_text()) if args.case and args.out.exists()
                              else {})
    stored.update({"particles": DEFAULT_PARTICLES, "months": list(MONTHS)})
    stored.setdefault("cases", {})
    load = os.getloadavg()
    for case_id, (path, as_of) in cases().items():
        if args.case and case_id not in args.case:
            continue
        case = load_case(path, as_of=as_of)
        seeds = range(1, 6 if case_id in FIVE_SEEDS else 5)
        t = time.perf_counter()
        stored["cases"][case_id] = {"as_of": None if as_of is None else as_of.isoformat(),
                                    "seeds": {str(s): run(case, s) for s in seeds}}
        print(f"{case_id}: {len(seeds)} seeds in {time.perf_counter() - t:.0f} s", flush=True)
        # after each case, so a long run that is stopped keeps what it measured
        stored["load_average"] = [round(v, 2) for v in (*load, *os.getloadavg())]
        args.out.write_text(json.dumps(stored, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
