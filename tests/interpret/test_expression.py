"""The `when` grammar: trees for valid text, a clear message for invalid text."""

from __future__ import annotations

import pytest

from androcast.interpret.expression import (
    And,
    Boolean,
    Call,
    Compare,
    ExpressionSyntaxError,
    InRef,
    Name,
    Not,
    Number,
    Or,
    String,
    parse_expression,
    walk,
)


def test_precedence_not_binds_tighter_than_and_than_or() -> None:
    tree = parse_expression("not a or b and c")
    assert tree == Or((Not(Name("a")), And((Name("b"), Name("c")))))


def test_comparison_with_evidence_call() -> None:
    tree = parse_expression(
        'testosterone_total < evidence("testosterone_total.aua2018_low_t_cutoff")'
    )
    assert tree == Compare(
        "<",
        Name("testosterone_total"),
        Call("evidence", (String("testosterone_total.aua2018_low_t_cutoff"),)),
    )


def test_in_ref_and_dotted_names_and_numbers() -> None:
    assert parse_expression("lh in_ref low_or_normal") == InRef(Name("lh"), "low_or_normal")
    assert parse_expression("androgen.current") == Name("androgen.current")
    assert parse_expression("count(x > 1.5e1) >= 2") == Compare(
        ">=", Call("count", (Compare(">", Name("x"), Number(15.0)),)), Number(2.0)
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("lh <", "unexpected end of expression"),
        (
            "lh in_ref middling",
            "in_ref needs one of low, normal, high, low_or_normal, normal_or_high, "
            "found 'middling'",
        ),
        ("(lh > 1", "expected ')', found 'end of expression'"),
        ("(lh > 1 lh", "expected ')', found 'lh'"),
        ("lh > )", "unexpected ')'"),
        ("lh > 1 lh", "unexpected 'lh' after a complete expression"),
        ("lh ; 2", "unexpected character ';'"),
        ("and lh", "unexpected 'and'"),
    ],
)
def test_syntax_errors_say_what_was_expected(text: str, message: str) -> None:
    with pytest.raises(ExpressionSyntaxError) as err:
        parse_expression(text)
    assert str(err.value) == message


def test_no_python_evaluation_is_possible() -> None:
    with pytest.raises(ExpressionSyntaxError):
        parse_expression("__import__('os').system('true')")


def test_boolean_literals_empty_calls_and_trailing_space() -> None:
    assert parse_expression("true") == Boolean(True)
    assert parse_expression("false") == Boolean(False)
    assert parse_expression("f()") == Call("f", ())
    assert parse_expression("lh  ") == Name("lh")


def test_walk_visits_parents_before_children_through_not() -> None:
    tree = parse_expression("not lh > 1")
    assert walk(tree) == [
        tree,
        Compare(">", Name("lh"), Number(1.0)),
        Name("lh"),
        Number(1.0),
    ]
