"""Section 5, dtypes: which dtype `a + b` gets (PyTorch's promotion rule), and what overflow and rounding do.

The rule, as `torch.result_type` applies it: the highest *category* among the operands wins (bool <
integer < floating point). Among the operands of that category, the tensors with dims decide when there
are any, else the 0-dim tensors, else the Python numbers (which bring the default dtype of their kind);
between the deciding ones `torch.promote_types` picks the smallest dtype that holds both - which may be
neither operand's own dtype (`uint8 + int8` -> `int16`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from lib.common.messages import N_, Message
from lib.tensors.basics import dtype_name, dtype_of

B_KINDS: dict[str, str] = {  # how operand b enters `a + b`
    "tensor": N_("a tensor"),
    "zero_dim": N_("a 0-dim tensor"),
    "scalar": N_("a Python number"),
}
CATEGORIES = (N_("bool"), N_("integer"), N_("floating point"))
RULE_EXAMPLE = ("uint8", "int8")  # the page's sentence about the rule uses this pair: see rule_example()
# (a dtype, b dtype, b kind), each case one step of the rule
RULE_CASES: tuple[tuple[str, str, str], ...] = (
    ("uint8", "int8", "tensor"),        # neither type: the smallest that holds 0..255 and -128..127
    ("int8", "int64", "tensor"),        # same category: the wider one holds both
    ("int64", "float16", "tensor"),     # category before width: a 2-byte float beats an 8-byte int
    ("float16", "bfloat16", "tensor"),  # neither holds the other's range and precision: float32
    ("int8", "int64", "zero_dim"),      # a 0-dim tensor of the same category does not widen
    ("int8", "float64", "zero_dim"),    # ...a higher category does, with its own dtype
    ("int8", "int64", "scalar"),        # a Python int never widens a tensor
    ("int8", "float64", "scalar"),      # a Python float makes it the default float dtype
)


def operand_b(dtype: str, kind: str) -> torch.Tensor | bool | int | float:
    """b as the promotion example uses it: a 1-D tensor, a 0-dim tensor, or the Python number of that kind."""
    if kind == "scalar":
        return python_scalar(dtype)
    if kind == "zero_dim":
        return torch.ones((), dtype=dtype_of(dtype))
    return torch.ones(2, dtype=dtype_of(dtype))


def python_scalar(dtype: str) -> bool | int | float:
    """The Python scalar kind matching a dtype: bool, int or float."""
    if dtype == "bool":
        return True
    return 2.5 if dtype_of(dtype).is_floating_point else 2


def category(dtype: torch.dtype) -> str:
    """bool, integer or floating point (an English msgid)."""
    if dtype == torch.bool:
        return CATEGORIES[0]
    return CATEGORIES[2] if dtype.is_floating_point else CATEGORIES[1]


@dataclass(frozen=True)
class Promotion:
    """`a + b` for one pair: the operands as described to a learner, and the dtype PyTorch gives."""

    a: str
    b: str
    b_kind: str
    result: str        # torch.result_type(a, b)
    sum_dtype: str     # (a + b).dtype: the same, computed by doing it

    @property
    def is_neither(self) -> bool:
        """True when the result is neither operand's own dtype."""
        return self.result not in (self.a, self.b)


def promotion(dtype_a: str, dtype_b: str, b_kind: str = "tensor") -> Promotion:
    """`torch.result_type` of a 1-D tensor with b, and the dtype `a + b` really has."""
    a = torch.ones(2, dtype=dtype_of(dtype_a))
    b = operand_b(dtype_b, b_kind)
    return Promotion(dtype_a, dtype_b, b_kind, dtype_name(torch.result_type(a, b)), dtype_name((a + b).dtype))


def promotion_facts(p: Promotion) -> dict[str, str]:
    """The table under the promotion widgets: label (an English msgid) -> value."""
    b = operand_b(p.b, p.b_kind)
    if p.b_kind == "scalar":
        b_text = Message("Python {kind} {value}", kind=type(b).__name__, value=repr(b))
    else:
        b_text = Message("{shape} tensor of {dtype}", shape=str(tuple(b.shape)), dtype=p.b)
    return {"a": Message("{shape} tensor of {dtype}", shape="(2,)", dtype=p.a), "b": b_text,
            N_("category of a"): Message(category(dtype_of(p.a))), N_("category of b"): Message(category(dtype_of(p.b))),
            "torch.result_type(a, b)": p.result, "(a + b).dtype": p.sum_dtype}


def rule_example() -> Promotion:
    """The pair the page's sentence about the rule quotes, computed (uint8 + int8 -> int16)."""
    return promotion(*RULE_EXAMPLE)


def rule_sentence() -> dict[str, str]:
    """The values the page's sentence about the rule quotes, each computed by PyTorch."""
    pair = rule_example()
    return {"a": pair.a, "b": pair.b, "result": pair.result,
            "with_int": promotion("int8", "int64", "scalar").result,      # int8 tensor + 2
            "with_float": promotion("int8", "float64", "scalar").result}  # int8 tensor + 2.5


def promote_types(dtype_a: str, dtype_b: str) -> str:
    """`torch.promote_types`: the smallest dtype both convert to without loss, by name."""
    return dtype_name(torch.promote_types(dtype_of(dtype_a), dtype_of(dtype_b)))


def rule_cases() -> list[Promotion]:
    """Each step of the rule on one pair, computed by PyTorch."""
    return [promotion(a, b, kind) for a, b, kind in RULE_CASES]


OVERFLOW_EXAMPLES: dict[str, tuple[str, float, float]] = {
    "int8: 127 + 1": ("int8", 127, 1),
    "uint8: 0 - 1": ("uint8", 0, -1),
    "int16: 32767 + 1": ("int16", 32767, 1),
    "float16: 2048 + 1": ("float16", 2048, 1),
    "float16: 0.1 + 0.2": ("float16", 0.1, 0.2),
    "bfloat16: 256 + 1": ("bfloat16", 256, 1),
    "float32: 16777216 + 1": ("float32", 16777216, 1),
}


def overflow(dtype: str, value: float, step: float) -> dict[str, str]:
    """value + step computed in `dtype` next to the exact answer: label (an English msgid) -> value."""
    dt = dtype_of(dtype)
    x = torch.tensor(value, dtype=dt)
    result = x + torch.tensor(step, dtype=dt)
    return {"dtype": dtype, N_("stored value"): fmt(x.item()), N_("added"): fmt(step),
            N_("torch result"): fmt(result.item()), N_("exact result"): fmt(value + step),
            N_("equal"): str(math.isclose(result.item(), value + step, rel_tol=0, abs_tol=1e-12))}


def fmt(v: float) -> str:
    """A whole number without `.0`, anything else with up to 10 significant digits."""
    return str(int(v)) if float(v).is_integer() else f"{v:.10g}"
