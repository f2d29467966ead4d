"""The `when` language of interpretation rules: a tiny, safe expression grammar.

Rules are data, so their conditions are parsed here (recursive descent, no ``eval``) into
a tree of frozen nodes that ``evaluate.py`` walks. The grammar::

    expr       := or_expr
    or_expr    := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | comparison
    comparison := operand ((CMP operand) | ("in_ref" CATEGORY))?
    operand    := NUMBER | STRING | "true" | "false" | call | NAME | "(" expr ")"
    call       := NAME "(" [expr ("," expr)*] ")"
    CMP        := "<" | "<=" | ">" | ">=" | "==" | "!="
    NAME       := letter (letter | digit | "_")* ("." letter (letter | digit | "_")*)*

Example: ``testosterone_total < evidence("testosterone_total.aua2018_low_t_cutoff")
and lh in_ref low_or_normal and not condition("anosmia")``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

COMPARATORS = ("<=", ">=", "==", "!=", "<", ">")
REF_CATEGORIES = ("low", "normal", "high", "low_or_normal", "normal_or_high")
_KEYWORDS = {"and", "or", "not", "in_ref", "true", "false"}

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<number>\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)
      | (?P<string>"[^"]*")
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
      | (?P<op><=|>=|==|!=|<|>)
      | (?P<punct>[(),])
    )""",
    re.VERBOSE,
)


class ExpressionSyntaxError(ValueError):
    """A `when` text that does not follow the grammar; the rule loader wraps it in RuleError."""


@dataclass(frozen=True)
class Number:
    value: float


@dataclass(frozen=True)
class String:
    value: str


@dataclass(frozen=True)
class Boolean:
    value: bool


@dataclass(frozen=True)
class Name:
    """An analyte key (its latest result) or a fact such as ``androgen.current``."""

    name: str


@dataclass(frozen=True)
class Call:
    function: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Compare:
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class InRef:
    """``lh in_ref low``: the value against the reference interval its LabResult carries."""

    operand: Node
    category: str


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    item: Node


Node = Number | String | Boolean | Name | Call | Compare | InRef | And | Or | Not


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise ExpressionSyntaxError(f"unexpected character {text[pos:].lstrip()[:1]!r}")
        kind = match.lastgroup
        assert kind is not None
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.pos = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def next(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise ExpressionSyntaxError("unexpected end of expression")
        self.pos += 1
        return token

    def accept(self, value: str) -> bool:
        token = self.peek()
        # accepted words and brackets are names or punctuation (an operator is read by
        # comparison, a quoted string keeps its quotes)
        if token is not None and token[1] == value and token[0] in ("name", "punct"):
            self.pos += 1
            return True
        return False

    def expect(self, value: str) -> None:
        if not self.accept(value):
            found = self.peek()
            raise ExpressionSyntaxError(
                f"expected {value!r}, found {found[1] if found else 'end of expression'!r}"
            )

    def parse(self) -> Node:
        node = self.or_expr()
        if self.peek() is not None:
            raise ExpressionSyntaxError(
                f"unexpected {self.next()[1]!r} after a complete expression"
            )
        return node

    def or_expr(self) -> Node:
        items = [self.and_expr()]
        while self.accept("or"):
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def and_expr(self) -> Node:
        items = [self.not_expr()]
        while self.accept("and"):
            items.append(self.not_expr())
        return items[0] if len(items) == 1 else And(tuple(items))

    def not_expr(self) -> Node:
        if self.accept("not"):
            return Not(self.not_expr())
        return self.comparison()

    def comparison(self) -> Node:
        left = self.operand()
        token = self.peek()
        if token is not None and token[0] == "op":
            self.next()
            return Compare(token[1], left, self.operand())
        if self.accept("in_ref"):
            kind, category = self.next()
            if kind != "name" or category not in REF_CATEGORIES:
                raise ExpressionSyntaxError(
                    f"in_ref needs one of {', '.join(REF_CATEGORIES)}, found {category!r}"
                )
            return InRef(left, category)
        return left

    def operand(self) -> Node:
        kind, value = self.next()
        if kind == "number":
            return Number(float(value))
        if kind == "string":
            return String(value[1:-1])
        if kind == "punct" and value == "(":
            node = self.or_expr()
            self.expect(")")
            return node
        if kind == "name" and value in ("true", "false"):
            return Boolean(value == "true")
        if kind == "name" and value not in _KEYWORDS:
            if self.accept("("):
                args: list[Node] = []
                if not self.accept(")"):
                    args.append(self.or_expr())
                    while self.accept(","):
                        args.append(self.or_expr())
                    self.expect(")")
                return Call(value, tuple(args))
            return Name(value)
        raise ExpressionSyntaxError(f"unexpected {value!r}")


def parse_expression(text: str) -> Node:
    """Parse a rule's `when` text into a tree; bad syntax raises ExpressionSyntaxError."""
    return _Parser(text).parse()


def walk(node: Node) -> list[Node]:
    """Every node of a tree, parents before children."""
    out: list[Node] = [node]
    children: tuple[Node, ...] = ()
    if isinstance(node, Call):
        children = node.args
    elif isinstance(node, Compare):
        children = (node.left, node.right)
    elif isinstance(node, InRef):
        children = (node.operand,)
    elif isinstance(node, And | Or):
        children = node.items
    elif isinstance(node, Not):
        children = (node.item,)
    for child in children:
        out.extend(walk(child))
    return out
