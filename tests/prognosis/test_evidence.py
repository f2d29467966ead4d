"""Evidence beside every forecast (DESIGN.md, Prognosis: ``evidence``)."""

from __future__ import annotations

from twin_cases import post_trt_case

from androcast.prognosis import prognose
from androcast.prognosis.curves import Curve
from androcast.prognosis.evidence import closest, figures, judge, populations

KEYS = {"source", "population", "outcome", "month", "value", "interval", "agrees"}


def _curve(p: float, low: float, high: float) -> Curve:
    return Curve((12.0,), (p,), ((low, high),), None)


def test_every_figure_holds_its_value_within_its_interval() -> None:
    for f in figures():
        assert f.interval[0] <= f.value <= f.interval[1], f.id


def test_agreement_is_overlap_of_his_interval_with_the_published_one() -> None:
    kohn = next(f for f in figures() if f.id == "kohn2017_12")  # 0.70 (0.581-0.797)
    assert judge(kohn, _curve(0.85, 0.75, 0.93), None).agrees  # type: ignore[union-attr]
    disagree = judge(kohn, _curve(0.97, 0.91, 1.0), None)
    assert disagree is not None and not disagree.agrees
    assert disagree.to_dict()["model"] == 0.97


def test_figures_are_chosen_by_protocol_and_kind_of_man() -> None:
    kinds = populations(post_trt_case(), [], fsh_limited=False)
    assert kinds == ("after_testosterone",)
    assert {f.source for f in closest("watchful_waiting", kinds)} == {"liu2006"}
    assert {f.source for f in closest("hcg_serm", kinds)} == {"kohn2017", "wenker2015"}
    # an AAS-only figure is not shown to a man after testosterone
    assert not any(f.source == "aas_pct79" for f in closest("hcg_serm", kinds))


def test_prognosis_json_carries_the_evidence_per_protocol() -> None:
    (result,) = prognose(post_trt_case(), ["watchful_waiting", "hcg_serm"], n=16)
    rows = {p["id"]: p["evidence"] for p in result.to_dict()["protocols"]}
    assert [e["month"] for e in rows["watchful_waiting"]] == [6.0, 12.0, 24.0]
    assert {e["source"] for e in rows["hcg_serm"]} == {"kohn2017", "wenker2015"}
    for e in (*rows["watchful_waiting"], *rows["hcg_serm"]):
        assert set(e) >= KEYS and isinstance(e["agrees"], bool)
