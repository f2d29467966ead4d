"""Cohort files for anabolic-steroid users: stacks, on/off cycles, a post-cycle regimen and
an entry condition (DESIGN.md, "Cohort file"), and one message naming every bad field."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pytest

from androcast.errors import CaseProblems
from androcast.population import Cohort, parse_cohort, run_cohort, sample_patients
from androcast.population.outcomes import Observable
from androcast.population.sampling import CohortSample
from androcast.population.summary import AbstractEngine

TE = {"agent": "testosterone_enanthate", "dose": "500 mg", "route": "im", "every": "7 d"}
ND = {"agent": "nandrolone_decanoate", "dose": "300 mg", "route": "im", "every": "14 d"}
CYCLER = {
    "name": "cycler",
    "seed": 3,
    "follow_up_months": 6,
    "outcomes": ["concentration_ge_15m_per_ml"],
    "androgen": {
        "duration_weeks": {"distribution": "fixed", "value": 48},
        "agents": [{"stack": [TE, ND], "weight": 1}],
        "cycle": {"on_weeks": 12, "off_weeks": 12},
        "post_cycle": [{"drug": "clomiphene_citrate", "dose": "25 mg", "route": "oral",
                        "every": "1 d", "start": "7 d", "duration": "28 d"}],
    },
    "entry": {"observable": "sperm_concentration", "at_most": 1},
}


def test_a_stack_taken_in_cycles_with_post_cycle_therapy_is_his_history() -> None:
    cohort = parse_cohort(CYCLER, source="c.yaml")
    history = sample_patients(cohort, 0, 1).history(cohort, 0)
    by_drug: dict[str, list[tuple[float, float]]] = {}
    for e in history.entries:
        by_drug.setdefault(e.drug, []).append((e.start_d, e.stop_d))
    # 48 weeks of 12 on / 12 off, the last "on" ending at time 0: on days -252..-168 and
    # -84..0, each agent's last dose one of its intervals before the end
    assert sorted(by_drug["testosterone_enanthate"]) == [(-252.0, -171.5), (-84.0, -3.5)]
    assert sorted(by_drug["nandrolone_decanoate"]) == [(-252.0, -175.0), (-84.0, -7.0)]
    # the post-cycle clomiphene follows the end of each "on" period (its day 0)
    assert sorted(by_drug["clomiphene_citrate"]) == [(-161.0, -133.0), (7.0, 35.0)]


def test_one_androgen_without_cycles_keeps_the_history_it_had() -> None:
    data = {**CYCLER, "androgen": {"duration_weeks": {"distribution": "fixed", "value": 10},
                                   "agents": [TE]}}
    data.pop("entry")
    cohort = parse_cohort(data)
    (entry,) = sample_patients(cohort, 0, 1).history(cohort, 0).entries
    assert (entry.start_d, entry.stop_d) == (-70.0, -3.5)


def test_the_entry_condition_is_parsed() -> None:
    entry = parse_cohort(CYCLER).entry
    assert entry is not None and entry.observable is Observable.sperm_concentration
    assert entry.admits(np.array([0.5, 1.0, 3.0])).tolist() == [True, True, False]


def test_bad_cohort_names_every_bad_field_in_one_message() -> None:
    bad = {**CYCLER, "follow_up_months": -2, "seed": "one",
           "androgen": {**CYCLER["androgen"], "cycle": {"on_weeks": 0, "off_weeks": 4}},
           "entry": {"observable": "sperm_concentration", "below": 1}}
    with pytest.raises(CaseProblems) as err:
        parse_cohort(bad, source="c.yaml")
    assert str(err.value) == "\n".join([
        "c.yaml: 4 problems",
        "  - c.yaml: follow_up_months: -2 is not a valid parameter; expected a number > 0",
        "  - c.yaml: seed: 'one' is not a valid parameter; expected a non-negative integer",
        "  - c.yaml: androgen.cycle.on_weeks: 0 is not a valid parameter; expected a number > 0",
        "  - c.yaml: entry: {'observable': 'sperm_concentration', 'below': 1} is not a valid "
        "parameter; expected {observable: one of sperm_concentration, tmsc, lh, "
        "testosterone_total, and at_most or at_least: a number}",
    ])


class _Plateau(AbstractEngine):
    """A test double: each man sits at his baseline concentration/100 at time 0 and reaches
    his baseline over 30 days."""

    def observe(self, cohort: Cohort, sample: CohortSample, t_d: np.ndarray
                ) -> Mapping[Observable, np.ndarray]:
        base = sample.covariates["baseline_concentration_m_per_ml"]
        share = np.clip(0.01 + t_d[:, None] / 30.0, 0.0, 1.0)
        return {Observable.sperm_concentration: base * share}


def test_only_men_meeting_the_entry_condition_at_time_0_are_the_cohort() -> None:
    """Men whose concentration at time 0 is <= 0.5 M/mL (baseline <= 50) are admitted."""
    data = {"name": "entry", "seed": 5, "follow_up_months": 3, "months": [0, 1, 3],
            "outcomes": ["concentration_ge_20m_per_ml"],
            "covariates": {"baseline_concentration_m_per_ml": {
                "distribution": "uniform", "low": 20, "high": 80}},
            "entry": {"observable": "sperm_concentration", "at_most": 0.5}}
    cohort = parse_cohort(data)
    result = run_cohort(cohort, 400, _Plateau(), chunk_size=100)
    base = sample_patients(cohort, 0, 400).covariates["baseline_concentration_m_per_ml"]
    admitted = int(np.sum(base <= 50))
    assert result.n == admitted and 0 < admitted < 400
    # every admitted man reaches 20 M/mL (baseline >= 20) by month 1: 30 x 20/base days
    assert result.outcomes["concentration_ge_20m_per_ml"].probability[1:] == (1.0, 1.0)
