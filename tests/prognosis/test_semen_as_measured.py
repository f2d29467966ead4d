"""A man's forecast starts where his measured results put him (issue 16; DESIGN.md
Prognosis): the idiopathic-oligozoospermia example measured 8 and 11 M/mL."""

from __future__ import annotations

from importlib import resources

from androcast.labs import load_case
from androcast.prognosis import prognose

EXAMPLES = resources.files("androcast").joinpath("examples/cases")
MONTHS = (3.0, 6.0, 12.0)


def test_oligozoospermic_man_starts_below_20_and_clomiphene_lifts_him() -> None:
    case = load_case(EXAMPLES.joinpath("idiopathic_oligozoospermia.yaml"))
    at20, at15 = prognose(case, ["watchful_waiting", "serm_clomiphene"],
                          ["concentration_ge_20m_per_ml", "concentration_ge_15m_per_ml"],
                          n=32, months=MONTHS, seed=1)
    waiting20, _ = (p.curve.probability for p in at20.protocols)
    waiting15, clomiphene15 = (p.curve.probability for p in at15.protocols)
    # measured at 8 and 11 M/mL, he is not "already at 20" (was 0.40 flat from month 3)
    assert max(waiting20) <= 0.10
    # chua2013: +5.24 (2.12-8.37) M/mL on a SERM, about x1.5 near 10 M/mL: a good share of
    # his men cross 15 M/mL (seeds 1-3 at 32 men: 0.22-0.36 by 3 months against 0-0.02)
    assert clomiphene15[0] >= waiting15[0] + 0.15
