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


def test_a_reversed_published_order_of_arms_is_said() -> None:
    """aas_pct79 reports three arms of one cohort (CC + hCG 87.5 % > CC 69 % > none 59 % by
    12 months): a model that ranks them otherwise by more than its Monte Carlo error says so
    once, with both orders; within its error it says nothing."""
    from androcast.prognosis.evidence import EvidenceRow, figures, order_caveats

    by_id = {f.id: f for f in figures()}
    arms = {"hcg_serm": by_id["aas_pct79_cc_hcg"], "serm_clomiphene": by_id["aas_pct79_cc"],
            "watchful_waiting": by_id["aas_pct79_none"]}

    def rows(model: dict[str, float], se: float) -> list[tuple[str, EvidenceRow]]:
        return [(p, EvidenceRow(f, model[p], (0.0, 1.0), True, se)) for p, f in arms.items()]

    inverted = {"hcg_serm": 0.62, "serm_clomiphene": 0.94, "watchful_waiting": 0.87}
    (text,) = order_caveats(rows(inverted, 0.02))
    assert text.startswith("The model does not rank these arms as aas_pct79 did")
    assert "published hcg_serm 88% > serm_clomiphene 69% > watchful_waiting 59%" in text
    assert "model hcg_serm 62%, serm_clomiphene 94%, watchful_waiting 87%" in text
    assert order_caveats(rows(inverted, 0.2)) == ()  # within twice the combined error
    kept = {"hcg_serm": 0.9, "serm_clomiphene": 0.8, "watchful_waiting": 0.7}
    assert order_caveats(rows(kept, 0.02)) == ()
