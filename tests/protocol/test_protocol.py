"""The phased planner: pathways, escalation rules as cited data, monitoring, ranking."""

from __future__ import annotations

import datetime as dt
from importlib import resources

from androcast.evidence import bibliography, evidence
from androcast.labs import load_case
from androcast.prognosis import get_protocol
from androcast.protocol import all_citations, escalations_for, monitoring_checks, plan, plan_rules

EXAMPLES = resources.files("androcast").joinpath("examples/cases")


def test_every_plan_citation_resolves_in_the_bibliography() -> None:
    assert set(all_citations(plan_rules())) <= set(bibliography())


def test_semen_is_checked_about_once_per_spermatogenic_cycle() -> None:
    # amann2008: 64-74 d; one analysis every 3 months covers one cycle plus transit
    low, high = evidence("spermatogenesis_kinetics.duration_quoted_range").value
    every_d = plan_rules().monitoring.semen_every_months * 30.4375
    assert high <= every_d <= high + 30
    assert low == 64


def test_pathway_after_androgens_starts_by_stopping_them() -> None:
    case = load_case(str(EXAMPLES.joinpath("post_trt.yaml")))
    pathway = plan_rules().pathway_for(case)
    assert pathway.id == "after_androgens" and pathway.first == "stop_androgens"


def test_central_hypogonadism_without_androgens_gets_a_serm_first() -> None:
    case = load_case(str(EXAMPLES.joinpath("hyperprolactinaemia.yaml")))
    pathway = plan_rules().pathway_for(case)
    assert pathway.id == "central_intact_axis" and pathway.alternatives[0] == "serm_clomiphene"


def test_escalations_follow_the_regimen() -> None:
    serm = {e.id for e in escalations_for(get_protocol("serm_clomiphene"), set())}
    hcg = {e.id for e in escalations_for(get_protocol("hcg"), set())}
    hcg_fsh = {e.id for e in escalations_for(get_protocol("hcg_fsh"), set())}
    with_ai = {e.id for e in escalations_for(get_protocol("hcg_serm_ai"), set())}
    cautioned = {e.id for e in escalations_for(get_protocol("hcg"),
                                               {"avoid_aromatase_inhibitor"})}
    assert serm == {"ESC-SERM-NO-RESPONSE", "ESC-AI", "CRYO"}
    assert hcg == {"ESC-HCG-T", "ESC-AI", "ESC-FSH", "CRYO"}
    assert "ESC-FSH" not in hcg_fsh  # FSH is already there
    assert "ESC-AI" not in with_ai and "ESC-AI" not in cautioned


def test_monitoring_has_hormones_after_the_start_and_semen_every_three_months() -> None:
    start = dt.date(2026, 1, 1)
    esc = escalations_for(get_protocol("hcg"), set())
    checks = monitoring_checks(start, esc, plan_rules().monitoring, 12.0)
    hormone_days = [(c.date - start).days for c in checks if c.what.startswith("hormones")]
    semen_days = [(c.date - start).days for c in checks
                  if c.what == "semen analysis" and c.why.startswith("one spermatogenic")]
    assert hormone_days == [14, 42]
    assert semen_days == [91, 183, 274, 365]
    assert any(c.why.startswith("ESC-FSH") and (c.date - start).days == 182 for c in checks)


def test_plan_ranks_the_appropriate_alternatives_by_probability_at_the_target() -> None:
    case = load_case(str(EXAMPLES.joinpath("post_trt.yaml")))
    result = plan(case, target_month=6.0, n=6)
    probabilities = [a.probability_by_target for a in result.alternatives]
    assert probabilities == sorted(probabilities, reverse=True)
    assert [a.rank for a in result.alternatives] == list(range(1, len(probabilities) + 1))
    assert ("hcg_serm_ai", "caution avoid_aromatase_inhibitor") in result.excluded
    data = result.to_dict()
    assert data["pathway"] == "after_androgens" and data["target_month"] == 6.0
    assert data["alternatives"][0]["checks"][0]["what"].startswith("hormones")
