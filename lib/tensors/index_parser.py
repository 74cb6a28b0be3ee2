"""A safe parser for NumPy-style index expressions such as `[1:3, ::2]` or `[x > 5]`.

User text is never given to `eval`: a tiny tokenizer and recursive-descent parser
understand integers, slices, `...`, `None`, lists of ints or bools, and boolean
masks written as a comparison of the source tensor `x` with a number.
"""
from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from typing import Union

import torch

from lib.common.messages import LearnerError

_TOKEN = re.compile(r"\s*(\.\.\.|>=|<=|==|!=|[-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|[\[\]:,<>]|[A-Za-z_]+)")
_COMPARE = {">": operator.gt, "<": operator.lt, ">=": operator.ge, "<=": operator.le,
            "==": operator.eq, "!=": operator.ne}
MAX_INDEX_TEXT = 200  # long enough for any sensible index, short enough to stay readable


@dataclass(frozen=True)
class Mask:
    """A boolean mask `x <op> value` over the whole source tensor."""

    op: str
    value: float

    def evaluate(self, x: torch.Tensor) -> torch.Tensor:
        return _COMPARE[self.op](x, self.value)

    def __str__(self) -> str:
        return f"x {self.op} {_number_text(self.value)}"


Item = Union[int, slice, type(Ellipsis), None, list, Mask]


def tokenize(text: str) -> list[str]:
    """Split an index expression into tokens; unknown characters are an error."""
    tokens, pos, text = [], 0, text.strip()
    while pos < len(text):
        if text[pos].isspace():
            pos += 1
            continue
        match = _TOKEN.match(text, pos)
        if not match:
            raise LearnerError("I don't understand `{char}` at position {pos}. Use numbers, `:`, `...`, "
                               "`None`, lists, or a comparison such as `x > 5`.", char=text[pos], pos=pos + 1)
        tokens.append(match.group(1))
        pos = match.end()
    return tokens


class _Parser:
    """Recursive descent over the token list; each method consumes what it reads."""

    def __init__(self, tokens: list[str]) -> None:
        self.tokens, self.pos = tokens, 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None:
            raise LearnerError("The index ends too early - is a `]` or a number missing?")
        if expected is not None and token != expected:
            raise LearnerError("Expected `{expected}` but found `{token}`.", expected=expected, token=token)
        self.pos += 1
        return token

    def items(self) -> tuple:
        self.take("[")
        items = [] if self.peek() == "]" else [self.item()]
        while self.peek() == ",":
            self.take(",")
            if self.peek() != "]":  # a trailing comma is allowed, as in Python
                items.append(self.item())
        self.take("]")
        if self.peek() is not None:
            raise LearnerError("Unexpected `{token}` after the closing `]`.", token=self.peek())
        return tuple(items)

    def item(self) -> Item:
        token = self.peek()
        if token == "...":
            self.take()
            return Ellipsis
        if token == "None":
            self.take()
            return None
        if token == "[":
            return self.sequence()
        if token == "x":
            return self.mask()
        return self.slice_or_int()

    def slice_or_int(self) -> int | slice:
        parts: list[int | None] = [self.optional_int()]
        while self.peek() == ":" and len(parts) < 3:
            self.take(":")
            parts.append(self.optional_int())
        if len(parts) == 1:
            if parts[0] is None:
                if self.peek() is None:
                    raise LearnerError("The index ends too early - is a `]` or a number missing?")
                raise LearnerError("Expected a number, `:`, `...`, `None`, a list or `x > ...` but found `{token}`.",
                                   token=self.peek())
            return parts[0]
        if len(parts) == 3 and parts[2] is not None and parts[2] <= 0:
            raise LearnerError("PyTorch slices need a positive step (use `torch.flip` to reverse).")
        return slice(*parts)

    def optional_int(self) -> int | None:
        token = self.peek()
        if token is None or not re.fullmatch(r"[-+]?\d+(\.\d*)?([eE][-+]?\d+)?", token):
            return None
        if not re.fullmatch(r"[-+]?\d+", token):
            raise LearnerError("Indices must be whole numbers, not `{token}`.", token=token)
        self.take()
        return int(token)

    def sequence(self) -> list:
        self.take("[")
        values = [self.list_value()]
        while self.peek() == ",":
            self.take(",")
            values.append(self.list_value())
        self.take("]")
        kinds = {type(v) for v in values}
        if len(kinds) > 1:
            raise LearnerError("A list index must be all whole numbers or all True/False, not a mix.")
        return values

    def list_value(self) -> int | bool:
        token = self.peek()
        if token in ("True", "False"):
            self.take()
            return token == "True"
        value = self.optional_int()
        if value is None:
            raise LearnerError("A list index holds whole numbers or True/False, not `{token}`.", token=token)
        return value

    def mask(self) -> Mask:
        self.take("x")
        op = self.take()
        if op not in _COMPARE:
            raise LearnerError("After `x` write a comparison such as `x > 5`, not `{op}`.", op=op)
        number = self.take()
        try:
            return Mask(op, float(number))
        except ValueError:
            raise LearnerError("`x {op}` must be followed by a number, not `{number}`.", op=op, number=number) from None


def parse_index(text: str) -> tuple:
    """Parse `[...]` text into a tuple of index items (ints, slices, ..., None, lists, Mask)."""
    text = text.strip()
    if not text:
        raise LearnerError("Type an index such as `[1:3, ::2]`.")
    if len(text) > MAX_INDEX_TEXT:
        raise LearnerError("That index is longer than {n} characters.", n=MAX_INDEX_TEXT)
    if not text.startswith("["):
        text = f"[{text}]"  # `1:3, 0` is as clear as `[1:3, 0]`
    return _Parser(tokenize(text)).items()


def to_torch_index(items: tuple, x: torch.Tensor) -> tuple:
    """Turn parsed items into what `x[...]` takes (masks become bool tensors)."""
    out = []
    for item in items:
        if isinstance(item, Mask):
            out.append(item.evaluate(x))
        elif isinstance(item, list):
            out.append(torch.tensor(item, dtype=torch.bool if item and isinstance(item[0], bool) else torch.long))
        else:
            out.append(item)
    return tuple(out)


def apply_index(x: torch.Tensor, text: str) -> torch.Tensor:
    """`x[text]` computed safely; PyTorch's complaints become a `ValueError`."""
    return apply_index_with(x, parse_index(text), x)


def selected_cells(x: torch.Tensor, text: str) -> torch.Tensor:
    """Bool tensor shaped like `x`: True where `x[text]` reads an element."""
    positions = torch.arange(x.numel()).reshape(x.shape)  # each element's flat position
    picked = apply_index_with(positions, parse_index(text), x)
    mask = torch.zeros(x.numel(), dtype=torch.bool)
    mask[picked.reshape(-1)] = True
    return mask.reshape(x.shape)


def apply_index_with(target: torch.Tensor, items: tuple, x: torch.Tensor) -> torch.Tensor:
    """Index `target` with items parsed against `x` (masks are evaluated on `x`)."""
    try:
        return target[to_torch_index(items, x)]
    except (IndexError, RuntimeError, TypeError) as e:
        raise LearnerError("PyTorch refused this index: `{reason}`", reason=str(e).replace("`", "'")) from None


def index_source(items: tuple) -> str:
    """The Python text of parsed items, e.g. `[1:3, ::2]`, for the code panel."""
    return "[" + ", ".join(_item_source(i) for i in items) + "]"


def _item_source(item: Item) -> str:
    if item is Ellipsis:
        return "..."
    if item is None:
        return "None"
    if isinstance(item, slice):
        parts = ["" if p is None else str(p) for p in (item.start, item.stop, item.step)]
        return ":".join(parts[:2]) + (f":{parts[2]}" if item.step is not None else "")
    if isinstance(item, list):
        return f"torch.tensor({item!r})"
    if isinstance(item, Mask):
        return f"({item})"
    return str(item)


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)
