"""A safe expression language for the autograd page: tokenizer + recursive descent, never `eval`.

Grammar (lowest precedence first)::

    expr  := term (("+" | "-") term)*
    term  := unary (("*" | "/" | "@") unary)*
    unary := "-" unary | power
    power := atom ("**" unary)?          # right-associative, binds tighter than unary minus
    atom  := NUMBER | NAME | FUNC "(" expr ")" | "(" expr ")"
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from lib.common.messages import LearnerError, N_

FUNCTIONS = ("exp", "log", "sin", "cos", "tanh", "sigmoid", "relu", "sum", "mean")
MAX_LENGTH = 200  # characters: a size budget, so a pasted essay is refused early
MAX_NODES = 40    # operations + leaves + numbers: keeps the drawn graph readable

_TOKEN = re.compile(r"\s*(?:(\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+)|([A-Za-z_]\w*)|(\*\*|[-+*/@()]))")


@dataclass(frozen=True)
class Token:
    kind: str  # "num", "name", "op", "end"
    text: str
    pos: int


@dataclass(frozen=True)
class Num:
    value: float


@dataclass(frozen=True)
class Name:
    name: str


@dataclass(frozen=True)
class BinOp:
    op: str  # one of + - * / ** @
    left: "Node"
    right: "Node"


@dataclass(frozen=True)
class Neg:
    operand: "Node"


@dataclass(frozen=True)
class Call:
    func: str
    arg: "Node"


Node = Num | Name | BinOp | Neg | Call


def _pointer(text: str, pos: int) -> str:
    """The expression with a caret under the character at `pos`, for error messages."""
    return f"\n\n    {text}\n    {' ' * pos}^"


def tokenize(text: str) -> list[Token]:
    """Split an expression into numbers, names and operators; anything else is an error."""
    tokens, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if not match:
            bad = len(text) - len(text[pos:].lstrip())
            raise LearnerError("The character {char} is not allowed here.{pointer}", char=repr(text[bad]),
                               pointer=_pointer(text, bad))
        kind = "num" if match.group(1) else "name" if match.group(2) else "op"
        tokens.append(Token(kind, match.group(match.lastindex), match.start(match.lastindex)))
        pos = match.end()
    return tokens + [Token("end", "", len(text))]


class _Parser:
    """Recursive descent over the token list; one method per grammar rule."""

    def __init__(self, text: str, names: tuple[str, ...]) -> None:
        self.text, self.names = text, names
        self.tokens = tokenize(text)
        self.i = 0

    def peek(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def fail(self, template: str, token: Token, **params: str) -> LearnerError:
        """A translatable error; `template` (marked with N_) ends in `{pointer}`: the expression, a caret under `token`."""
        return LearnerError(template, pointer=_pointer(self.text, token.pos), **params)

    def expect(self, text: str) -> None:
        token = self.take()
        if token.text != text:
            if token.kind == "end":
                raise self.fail(N_("Expected {expected} but the expression ended.{pointer}"), token, expected=repr(text))
            raise self.fail(N_("Expected {expected} but found {found}.{pointer}"), token, expected=repr(text),
                            found=repr(token.text))

    def expr(self) -> Node:
        node = self.term()
        while self.peek().text in ("+", "-"):
            node = BinOp(self.take().text, node, self.term())
        return node

    def term(self) -> Node:
        node = self.unary()
        while self.peek().text in ("*", "/", "@"):
            node = BinOp(self.take().text, node, self.unary())
        return node

    def unary(self) -> Node:
        if self.peek().text == "-":
            self.take()
            return Neg(self.unary())
        return self.power()

    def power(self) -> Node:
        node = self.atom()
        if self.peek().text == "**":
            self.take()
            node = BinOp("**", node, self.unary())
        return node

    def atom(self) -> Node:
        token = self.take()
        if token.kind == "num":
            if not math.isfinite(value := float(token.text)):  # 1e999: inf has no place in a graph or in code
                raise self.fail(N_("The number {number} is too large.{pointer}"), token, number=token.text)
            return Num(value)
        if token.kind == "name":
            return self.name_or_call(token)
        if token.text == "(":
            node = self.expr()
            self.expect(")")
            return node
        if token.kind == "end":
            raise self.fail(N_("Expected a number, a name or '(' but the expression ended.{pointer}"), token)
        raise self.fail(N_("Expected a number, a name or '(' but found {found}.{pointer}"), token,
                        found=repr(token.text))

    def name_or_call(self, token: Token) -> Node:
        if token.text in FUNCTIONS:
            self.expect("(")
            node = Call(token.text, self.expr())
            self.expect(")")
            return node
        if token.text in self.names:
            return Name(token.text)
        raise self.fail(N_("Unknown name {name}. Leaves you defined: `{leaves}`; functions: `{functions}`.{pointer}"), token,
                        name=repr(token.text), leaves=", ".join(self.names) or "-", functions=", ".join(FUNCTIONS))


def count_nodes(node: Node) -> int:
    """Number of nodes in the tree (leaves, numbers and operations)."""
    if isinstance(node, BinOp):
        return 1 + count_nodes(node.left) + count_nodes(node.right)
    if isinstance(node, (Neg, Call)):
        return 1 + count_nodes(node.operand if isinstance(node, Neg) else node.arg)
    return 1


def parse(text: str, names: tuple[str, ...]) -> Node:
    """Parse `text` over the leaf `names`; raises ValueError pointing at the problem."""
    text = text.strip()
    if not text:
        raise LearnerError("The expression is empty: type something like `2*x**2 + 3`.")
    if len(text) > MAX_LENGTH:
        raise LearnerError("The expression has {n} characters; the limit is {limit}.", n=len(text), limit=MAX_LENGTH)
    parser = _Parser(text, names)
    node = parser.expr()
    if parser.peek().kind != "end":
        raise parser.fail(N_("Unexpected {found} after a complete expression.{pointer}"), parser.peek(),
                          found=repr(parser.peek().text))
    if (n := count_nodes(node)) > MAX_NODES:
        raise LearnerError("The expression has {n} parts; the limit is {limit} so the graph stays readable.", n=n,
                           limit=MAX_NODES)
    return node


def spell(node: Node, number: Callable[[float], str], func: Callable[[str], str], code: bool = False) -> str:
    """Write a tree back as text: `number` and `func` spell numbers and function names.

    code=False brackets only compound operands (`-(x + 1)`, `2 * (x + 1)`); code=True brackets every
    operation, so the text is valid Python whatever the operators (`(2.0 * (x + 1.0))`).
    """
    def write(child: Node) -> str:
        return spell(child, number, func, code)

    if isinstance(node, Num):
        return number(node.value)
    if isinstance(node, Name):
        return node.name
    if isinstance(node, Call):
        return f"{func(node.func)}({write(node.arg)})"
    if isinstance(node, Neg):
        return f"-({write(node.operand)})" if code else f"-{_wrap(node.operand, write)}"
    if code:
        return f"({write(node.left)} {node.op} {write(node.right)})"
    return f"{_wrap(node.left, write)} {node.op} {_wrap(node.right, write)}"


def _wrap(node: Node, write: Callable[[Node], str]) -> str:
    text = write(node)
    return f"({text})" if isinstance(node, (BinOp, Neg)) else text


def to_text(node: Node) -> str:
    """The tree as readable text for messages: every compound operand bracketed (`(2 * x) + 3`)."""
    return spell(node, lambda value: f"{value:g}", str)
