"""The couple's curve per protocol: each virtual man's forecast semen, month by month,
through the conception model; his partner's age is required."""

from __future__ import annotations

import dataclasses
import json
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
import yaml
from twin_cases import post_trt_case
from typer.testing import CliRunner

from androcast.cli import app
from androcast.conception import Couple, cumulative_at, cumulative_conception, male_ratio
from androcast.errors import ParameterError
from androcast.labs import Case, Partner
from androcast.population import DAYS_PER_MONTH
from androcast.prognosis import prognose
from androcast.prognosis.pregnancy import PREGNANCY_NATURAL, pregnancy_curve

MONTHS = (3.0, 6.0, 12.0)
POST_TRT = Path(str(resources.files("androcast").joinpath("examples/cases/post_trt.yaml")))


def _with_partner(case: Case, age: float) -> Case:
    return dataclasses.replace(case, partner=Partner(age_years=age))


def test_missing_partner_age_is_named() -> None:
    with pytest.raises(ParameterError) as err:
        prognose(post_trt_case(), ["watchful_waiting"], [PREGNANCY_NATURAL], n=4)
    assert err.value.field == "partner.age_years"
    assert PREGNANCY_NATURAL in str(err.value)


def _grid_block(conc: list[float], tmsc: list[float]) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Two men whose semen is constant over two years (weekly grid)."""
    grid = np.arange(0.0, 25 * DAYS_PER_MONTH, 7.0)
    ones = np.ones((grid.size, 1))
    return ({"sperm_concentration": ones * np.asarray(conc)[None, :],
             "tmsc": ones * np.asarray(tmsc)[None, :]}, grid)


def test_men_with_steady_semen_give_the_model_curve_weighted() -> None:
    block, grid = _grid_block([60.0, 3.0], [60.0, 0.5])
    couple = Couple(35.0)
    weights = np.array([3.0, 1.0])
    curve = pregnancy_curve(block, grid, 0.0, couple, weights, (*MONTHS, 24.0))
    paths = male_ratio(np.array([[60.0] * 24, [3.0] * 24]), np.array([[60.0] * 24, [0.5] * 24]))
    per_man = cumulative_conception(couple, paths)
    expected = 0.75 * per_man[0] + 0.25 * per_man[1]
    assert curve.probability == pytest.approx([expected[2], expected[5], expected[11],
                                               expected[23]], abs=1e-4)
    assert per_man[0][11] == pytest.approx(cumulative_at(couple, 12))
    for i, (low, high), p, se in zip((2, 5, 11, 23), curve.interval_90, curve.probability,
                                     curve.mc_se, strict=True):
        # one run: the error of two independent weighted men, sqrt(sum w^2 (x - p)^2),
        # and the interval p +/- 1.645 se (normal 95th percentile)
        x = per_man[:, i]
        assert se == pytest.approx(np.sqrt(np.sum(np.array([0.75, 0.25]) ** 2
                                                  * (x - expected[i]) ** 2)), abs=1e-4)
        assert low == pytest.approx(max(0.0, p - 1.6449 * se), abs=2e-4)
        assert high == pytest.approx(min(1.0, p + 1.6449 * se), abs=2e-4)


def test_every_protocol_gets_a_pregnancy_curve_that_falls_with_her_age() -> None:
    ids = ["watchful_waiting", "hcg"]
    younger, older = (
        prognose(_with_partner(post_trt_case(), age), ids,
                 ["concentration_ge_20m_per_ml", PREGNANCY_NATURAL], n=8, months=MONTHS)
        for age in (29.0, 41.0))
    assert [r.outcome for r in younger] == ["concentration_ge_20m_per_ml", PREGNANCY_NATURAL]
    for y, o in zip(younger[1].protocols, older[1].protocols, strict=True):
        assert y.protocol.id == o.protocol.id
        assert np.all(np.diff(y.curve.probability) >= 0.0)
        assert y.curve.probability[-1] <= cumulative_at(Couple(29.0), 12) + 1e-4
        assert o.curve.probability[-1] < y.curve.probability[-1]
    assert "wesselink2017" in younger[1].citations
    assert any("41 %" in c for c in older[1].caveats)


def test_cli_prints_the_pregnancy_curve_beside_the_semen_curve(tmp_path: Path) -> None:
    case = yaml.safe_load(POST_TRT.read_text(encoding="utf-8"))
    case["partner"] = {"age_years": 34}
    path = tmp_path / "couple.yaml"
    path.write_text(yaml.safe_dump(case), encoding="utf-8")
    result = CliRunner().invoke(app, ["prognosis", str(path), "--protocol", "watchful_waiting",
                                      "--outcome", "concentration_ge_20m_per_ml", "--outcome",
                                      PREGNANCY_NATURAL, "--particles", "4", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [d["outcome"] for d in data] == ["concentration_ge_20m_per_ml", PREGNANCY_NATURAL]
    assert len(data[1]["protocols"][0]["probability"]) == len(data[0]["protocols"][0]["months"])


def test_cli_without_partner_age_exits_2_naming_the_field() -> None:
    result = CliRunner().invoke(app, ["prognosis", str(POST_TRT), "--outcome",
                                      PREGNANCY_NATURAL, "--particles", "4"])
    assert result.exit_code == 2
    assert "partner.age_years" in result.output


def test_the_cli_table_shows_the_couples_curve_by_default_and_the_json_stays_one(
        tmp_path: Path) -> None:
    case = yaml.safe_load(POST_TRT.read_text(encoding="utf-8"))
    case["partner"] = {"age_years": 34}
    path = tmp_path / "couple.yaml"
    path.write_text(yaml.safe_dump(case), encoding="utf-8")
    args = ["prognosis", str(path), "--protocol", "watchful_waiting", "--particles", "4"]
    table = CliRunner().invoke(app, [*args, "--format", "table"], env={"COLUMNS": "200"})
    assert table.exit_code == 0, table.output
    assert "P(concentration_ge_20m_per_ml)" in table.output
    assert "P(pregnancy_natural)" in table.output and "partner aged 34" in table.output
    data = json.loads(CliRunner().invoke(app, [*args, "--format", "json"]).stdout)
    assert data["outcome"] == "concentration_ge_20m_per_ml"  # the JSON default: one outcome


def test_the_published_pregnancy_odds_ratio_stands_beside_the_couples_curve() -> None:
    """chua2013's OR 2.42 (1.47-3.94) beside clomiphene's pregnancy curve for a man with
    idiopathic oligozoospermia, with the stored calibration value and verdict (validation
    target chua2013_pregnancy_or); not beside his semen curve."""
    from androcast.labs import load_case
    from androcast.prognosis.evidence import stored_simulated, stored_verdict

    path = resources.files("androcast").joinpath("examples/cases/idiopathic_oligozoospermia.yaml")
    case = _with_partner(load_case(str(path)), 33.0)
    semen, pregnancy = prognose(case, ["serm_clomiphene"],
                                ["concentration_ge_20m_per_ml", PREGNANCY_NATURAL], n=8)
    rows = [e.to_dict() for e in pregnancy.protocols[0].evidence]
    assert [(r["source"], r["value"], r["interval"]) for r in rows] == [
        ("chua2013", 2.42, [1.47, 3.94])]
    assert rows[0]["agrees"] is stored_verdict("chua2013_pregnancy_or")
    assert rows[0]["model"] == stored_simulated("chua2013_pregnancy_or")
    assert all(e.figure.kind != "odds_ratio" for e in semen.protocols[0].evidence)
