"""Rule-file validation: every error names the file, the rule id and the field."""

from __future__ import annotations

from typing import Any

import pytest

from androcast.errors import CaseProblems, DateError, RuleError
from androcast.interpret import load_rules, vocabulary
from androcast.interpret.engine import run_rules, verify_examples
from androcast.interpret.rules import check_rule_set, parse_rules
from androcast.labs import parse_case

EXAMPLES = [
    {"name": "fires", "fires": True, "case": {"patient": {"id": "a"}, "goal": "fertility"}},
    {"name": "does not", "fires": False, "case": {"patient": {"id": "b"}, "goal": "fertility"}},
]


def _rule(**changes: Any) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "id": "TST-1",
        "version": 1,
        "title": "test rule",
        "inputs": ["lh"],
        "when": "lh in_ref low",
        "findings": [{"code": "lh_suppressed"}],
        "citation": {"key": "eau_srh", "section": "5.3"},
        "examples": EXAMPLES,
    }
    rule.update(changes)
    return rule


def _error(records: list[dict[str, Any]]) -> str:
    with pytest.raises(RuleError) as err:
        check_rule_set(parse_rules(records, file="my.yaml"))
    return str(err.value)


def test_valid_rule_loads() -> None:
    (rule,) = parse_rules([_rule()], file="my.yaml")
    assert rule.id == "TST-1" and rule.file == "my.yaml"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"citation": {"key": "nobody1999"}},
            "my.yaml: TST-1.citation.key: 'nobody1999' is not a valid rule; expected a key of "
            "androcast.evidence.bibliography() or interpret/bibliography.yaml",
        ),
        (
            {"when": 'lh < evidence("lh.no_such_key")'},
            "my.yaml: TST-1.when: 'lh.no_such_key' is not a valid rule; "
            "expected a key of androcast.evidence or interpret.",
        ),
        (
            {"when": "fsh in_ref low"},
            "my.yaml: TST-1.when: 'fsh' is not a valid rule; "
            "expected a name listed in inputs ['lh']",
        ),
        (
            {"inputs": ["lh", "testosteron"]},
            "my.yaml: TST-1.inputs: 'testosteron' is not a valid rule; "
            "expected an analyte key or a fact name",
        ),
        (
            {"when": "lh in_ref low and guess(lh)"},
            "my.yaml: TST-1.when: 'guess()' is not a valid rule; expected one of "
            "['action', 'cause', 'caution', 'condition', 'count', 'evidence', 'finding', "
            "'medication', 'missing', 'near', 'present']",
        ),
        (
            {"when": "lh in_ref"},
            "my.yaml: TST-1.when: 'lh in_ref' is not a valid rule; "
            "expected a valid condition (unexpected end of expression)",
        ),
        (
            {"inputs": ["lh", "fsh"]},
            "my.yaml: TST-1.inputs: 'fsh' is not a valid rule; "
            "expected only names the condition reads",
        ),
        (
            {"findings": [{"code": "lh_is_odd"}]},
            "my.yaml: TST-1.findings[0].code: 'lh_is_odd' is not a valid rule; "
            "expected a findings code of vocabulary.yaml",
        ),
        (
            {"causes": [{"code": "opioid"}]},
            "my.yaml: TST-1.causes[0].confidence: None is not a valid rule; "
            "expected high, moderate or low",
        ),
        (
            {"examples": [EXAMPLES[0], EXAMPLES[0]]},
            "my.yaml: TST-1.examples: 2 is not a valid rule; "
            "expected at least one firing and one non-firing example",
        ),
        (
            {"colour": "red"},
            "my.yaml: TST-1.colour: 'red' is not a valid rule; "
            "expected extra inputs are not permitted",
        ),
        (
            {"id": "tst 1"},
            "my.yaml: tst 1.id: 'tst 1' is not a valid rule; "
            "expected string should match pattern '^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$'",
        ),
    ],
)
def test_rule_error_names_file_rule_and_field(changes: dict[str, Any], message: str) -> None:
    assert _error([_rule(**changes)]) == message


def test_duplicate_ids_are_refused() -> None:
    assert _error([_rule(), _rule()]) == (
        "my.yaml: TST-1.id: 'TST-1' is not a valid rule; expected a unique id (also in my.yaml)"
    )


def test_reference_to_an_output_no_rule_produces() -> None:
    assert _error([_rule(inputs=[], when='finding("azoospermia")')]) == (
        "my.yaml: TST-1.when: 'finding(\"azoospermia\")' is not a valid rule; "
        "expected an output some rule produces"
    )


def test_circular_dependencies_are_refused() -> None:
    a = _rule(
        id="TST-A",
        inputs=[],
        when='finding("fsh_suppressed")',
        findings=[{"code": "lh_suppressed"}],
    )
    b = _rule(
        id="TST-B",
        inputs=[],
        when='finding("lh_suppressed")',
        findings=[{"code": "fsh_suppressed"}],
    )
    assert "expected rules without circular dependencies" in _error([a, b])


def test_dependent_rules_come_after_what_they_use() -> None:
    user = _rule(
        id="TST-B",
        inputs=[],
        when='finding("lh_suppressed")',
        findings=[{"code": "fsh_suppressed"}],
    )
    ordered = check_rule_set(parse_rules([user, _rule()], file="my.yaml"))
    assert [r.id for r in ordered] == ["TST-1", "TST-B"]


def test_shipped_vocabulary_extends_design_codes_without_renaming() -> None:
    design = {
        "pattern": "eugonadal secondary primary compensated_primary exogenous_suppression "
        "normogonadotropic_spermatogenic indeterminate",
        "causes": "exogenous_testosterone undisclosed_androgen_use post_androgen_persistent "
        "hyperprolactinemia hypothyroidism hyperthyroidism obesity_metabolic estradiol_excess "
        "congenital_hypogonadotropic pituitary_lesion_suspected klinefelter_suspected "
        "primary_testicular_failure low_shbg idiopathic_oligozoospermia age_related opioid",
        "actions": "repeat_morning_testosterone measure_free_testosterone measure_prolactin "
        "repeat_prolactin_macroprolactin pituitary_mri thyroid_tests karyotype y_microdeletion "
        "genetic_counseling stop_exogenous_androgen drug_history_review serm hcg fsh "
        "gonadorelin_pulsatile aromatase_inhibitor dopamine_agonist treat_thyroid weight_loss "
        "sleep_apnea_assessment repeat_semen_analysis sperm_cryopreservation art_counseling "
        "micro_tese_counseling female_partner_evaluation",
        "cautions": "avoid_testosterone_therapy avoid_aromatase_inhibitor avoid_serm_monotherapy "
        "avoid_hcg_monotherapy defer_pituitary_imaging confirm_before_treating",
        "prognosis": "good moderate guarded poor",
    }
    for kind, codes in design.items():
        assert set(codes.split()) <= vocabulary()[kind], kind


def test_every_design_action_and_caution_is_produced_by_some_shipped_rule() -> None:
    rules = load_rules()
    for kind in ("actions", "cautions"):
        produced = {o.code for r in rules for o in getattr(r.spec, kind)}
        if kind == "actions":  # a repeat panel is asked for as missing information
            produced |= {m.code for r in rules for m in r.spec.measure_next}
        missing = {
            code
            for code in vocabulary()[kind]
            if code not in produced and not code.startswith("measure_") and code != "semen_analysis"
        }
        assert missing == set(), kind


def test_prognosis_class_must_match_its_cited_anchor() -> None:
    rule = _rule(
        prognosis={"class": "good", "priority": 1, "basis": "b", "anchor_p_recovery_12mo": 0.7}
    )
    assert _error([rule]) == (
        "my.yaml: TST-1.prognosis.class: 'good' is not a valid rule; "
        "expected moderate (prognosis_class of anchor 0.7)"
    )


def test_measure_next_names_an_action_code() -> None:
    rule = _rule(measure_next=[{"code": "repeat_everything", "inputs": ["lh"]}])
    assert _error([rule]) == (
        "my.yaml: TST-1.measure_next[0].code: 'repeat_everything' is not a valid rule; "
        "expected an actions code of vocabulary.yaml"
    )


def test_measure_next_inputs_are_known_names() -> None:
    rule = _rule(measure_next=[{"code": "repeat_hormone_panel", "inputs": ["lh", "luteinising"]}])
    assert _error([rule]) == (
        "my.yaml: TST-1.measure_next[0].inputs: 'luteinising' is not a valid rule; "
        "expected an analyte key or a fact name"
    )


def _lh_example(name: str, value: float, fires: bool) -> dict[str, Any]:
    lab = {"date": "2025-10-01", "analyte": "lh", "value": value, "unit": "IU/L"}
    case = {"patient": {"id": "e"}, "goal": "fertility", "labs": [lab]}
    return {"name": name, "fires": fires, "as_of": "2025-11-01", "case": case}


def test_a_user_rule_runs_its_examples_and_one_that_misfires_is_named() -> None:
    # the FAMHES LH interval starts at 2.2 IU/L: 0.5 is below it, 5 within
    right = [_lh_example("LH 0.5", 0.5, True), _lh_example("LH 5", 5, False)]
    verify_examples(check_rule_set(parse_rules([_rule(examples=right)], file="my.yaml")))
    for index, wrong in enumerate(([_lh_example("LH 5", 5, True), right[1]],
                                   [right[0], _lh_example("LH 0.5", 0.5, False)])):
        rules = check_rule_set(parse_rules([_rule(examples=wrong)], file="my.yaml"))
        with pytest.raises(RuleError) as err:
            verify_examples(rules)
        expected = ("a case on which the rule fires", "a case on which it does not fire")[index]
        assert str(err.value) == (
            f"my.yaml: TST-1.examples[{index}]: {wrong[index]['name']!r} is not a valid rule; "
            f"expected {expected}"
        )


def test_a_rule_waiting_on_an_undecided_one_lacks_only_its_required_inputs() -> None:
    # TST-1 needs LH; inhibin B only sharpens it (optional). With neither measured it is
    # undecided, and TST-2, which reads its finding, lacks LH, not inhibin B.
    first = _rule(inputs=["lh", "inhibin_b"], optional=["inhibin_b"],
                  when="lh in_ref low or inhibin_b < 40")
    second = _rule(id="TST-2", inputs=[], when='finding("lh_suppressed")',
                   findings=[{"code": "low_testosterone"}])
    rules = check_rule_set(parse_rules([first, second], file="my.yaml"))
    case = parse_case({"patient": {"id": "u"}, "goal": "fertility"})
    verdicts = {v.rule.id: v for v in run_rules(case, rules)}
    assert verdicts["TST-1"].fired is None
    assert set(verdicts["TST-1"].trace.unknown) >= {"lh", "inhibin_b"}
    assert verdicts["TST-2"].fired is None
    assert "lh" in verdicts["TST-2"].trace.unknown
    assert "inhibin_b" not in verdicts["TST-2"].trace.unknown


@pytest.mark.parametrize(
    ("inputs", "when", "found"),
    [
        (["lh", "fsh"], "count(lh > 1 and fsh > 1) >= 1", "fsh, lh"),
        (["lh", "fsh"], "count(lh in_ref low) >= 1 and count(fsh > lh) >= 2", "fsh, lh"),
        (["age_years"], "count(age_years > 40) >= 1", "no analyte"),
    ],
)
def test_count_over_other_than_one_analyte_is_refused_on_load(
    inputs: list[str], when: str, found: str
) -> None:
    # count() counts the results of one analyte; over two (or none) it cannot say whose, so a
    # user's rule file is refused when it is loaded, before it meets a case
    assert _error([_rule(inputs=inputs, when=when)]) == (
        f"my.yaml: TST-1.when: 'count() over {found}' is not a valid rule; expected "
        "count() over the results of exactly one analyte"
    )


def test_count_over_one_analyte_with_a_fact_beside_it_loads() -> None:
    rule = _rule(inputs=["lh", "age_years"], when="count(lh in_ref high and age_years > 40) >= 2")
    (loaded,) = check_rule_set(parse_rules([rule], file="my.yaml"))
    assert loaded.id == "TST-1"


def test_a_rule_example_is_read_as_of_its_own_date_and_named_when_bad() -> None:
    late = _lh_example("late", 0.5, True)
    late["case"]["labs"][0]["date"] = "2025-12-01"  # after the example's as_of, 2025-11-01
    rules = check_rule_set(parse_rules([_rule(examples=[late, _lh_example("LH 5", 5, False)])],
                                       file="my.yaml"))
    with pytest.raises(DateError) as late_error:
        verify_examples(rules)
    assert late_error.value.expected == "a date on or before 2025-11-01 (as of)"
    bad = _lh_example("bad", 0.5, True)
    bad["case"].update(labs="x", semen={})
    rules = check_rule_set(parse_rules([_rule(examples=[bad, _lh_example("LH 5", 5, False)])],
                                       file="my.yaml"))
    with pytest.raises(CaseProblems) as problems:
        verify_examples(rules)
    assert str(problems.value).startswith("my.yaml: TST-1.examples[0]: 2 problems\n")
