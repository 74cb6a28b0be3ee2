"""Section 5: combining tensors - element-wise with broadcasting, matrix products, reductions, in place."""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from lib.common.messages import N_, LearnerError, Message
from lib.tensors.basics import TEACHING_BYTES, check_budget, torch_error

ELEMENTWISE_OPS = ("+", "torch.add(a, b, out=out)", "*", "torch.mul", "-", "/")
REDUCTIONS = ("sum", "mean", "max", "min", "prod", "argmax", "std")
RULES = {"equal": N_("equal"), "a": N_("a stretched"), "b": N_("b stretched")}  # broadcast table's last column


def operands(shape_a: tuple[int, ...], shape_b: tuple[int, ...]) -> tuple[torch.Tensor, torch.Tensor]:
    """Readable operands: a counts 1, 2, 3...; b counts in tens."""
    for s in (shape_a, shape_b):
        check_budget(s, torch.float32, TEACHING_BYTES)  # these are teaching examples
    a = torch.arange(1, math.prod(shape_a) + 1, dtype=torch.float32).reshape(shape_a)  # (n,) -> shape_a
    b = torch.arange(1, math.prod(shape_b) + 1, dtype=torch.float32).reshape(shape_b) * 10  # (m,) -> shape_b
    return a, b


def broadcast_table(shape_a: tuple[int, ...], shape_b: tuple[int, ...]) -> list[dict[str, str]]:
    """One row per aligned dim (right to left, padded with 1s): sizes of a, b and the result, and the rule."""
    rank = max(len(shape_a), len(shape_b))
    pa = (1,) * (rank - len(shape_a)) + tuple(shape_a)
    pb = (1,) * (rank - len(shape_b)) + tuple(shape_b)
    rows = []
    for k, (sa, sb) in enumerate(zip(pa, pb)):
        if sa != sb and 1 not in (sa, sb):
            raise LearnerError("Shapes {a} and {b} cannot broadcast: at dim {k} (counting after padding on the "
                               "left) the sizes {sa} and {sb} differ and neither is 1.", a=tuple(shape_a),
                               b=tuple(shape_b), k=k, sa=sa, sb=sb)
        rule = RULES["equal"] if sa == sb else (RULES["a"] if sa == 1 else RULES["b"])
        rows.append({"dim": str(k), "a": _padded(k, rank - len(shape_a), sa), "b": _padded(k, rank - len(shape_b), sb),
                     "result": str(max(sa, sb) if 0 not in (sa, sb) else 0), "rule": rule})
    return rows


def _padded(k: int, pad: int, size: int) -> str:
    return "(1)" if k < pad else str(size)


def elementwise(a: torch.Tensor, b: torch.Tensor, op: str) -> torch.Tensor:
    """a (op) b with broadcasting; `out=` writes into a pre-allocated tensor."""
    broadcast_table(tuple(a.shape), tuple(b.shape))  # raises the readable message first
    if op == "torch.add(a, b, out=out)":
        out = torch.empty(torch.broadcast_shapes(a.shape, b.shape))
        torch.add(a, b, out=out)
        return out
    fn = {"+": torch.add, "*": torch.mul, "torch.mul": torch.mul, "-": torch.sub, "/": torch.div}[op]
    return fn(a, b)


def stretched(t: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """`t.expand_as(like)`: the broadcast operand as the operation sees it (stride 0 where it was 1)."""
    return t.expand_as(like)


def matmul(shape_a: tuple[int, ...], shape_b: tuple[int, ...]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """a @ b for small integer-valued float operands; the shape rule is explained on failure."""
    a, b = operands(shape_a, shape_b)
    if a.dim() == 0 or b.dim() == 0:
        raise LearnerError("Matrix products need at least 1-D tensors; use `*` for a scalar.")
    inner_a, inner_b = a.shape[-1], b.shape[0] if b.dim() == 1 else b.shape[-2]
    if inner_a != inner_b:
        if b.dim() == 1:
            raise LearnerError("(…, n, k) @ (k,): the last size of a ({ka}) must equal the only size of b ({kb}).",
                               ka=inner_a, kb=inner_b)
        raise LearnerError("(…, n, k) @ (…, k, m): the last size of a ({ka}) must equal the second-to-last "
                           "size of b ({kb}).", ka=inner_a, kb=inner_b)
    try:
        return a, b, a @ b
    except RuntimeError as e:
        raise torch_error(e, Message("multiply these shapes")) from None


def reduce_dims(rank: int) -> list[str]:
    """The choices of the reduction's `dim`: all elements, or one dim counted from the end or the start."""
    return ["all"] + [str(d) for d in range(-1, rank)]


def reduce(x: torch.Tensor, op: str, dim: int | None, keepdim: bool) -> torch.Tensor:
    """A reduction over `dim` (None = all elements); max/min return only the values."""
    if op not in REDUCTIONS:
        raise LearnerError("Unknown reduction {name}.", name=repr(op))
    try:
        if dim is None:
            return getattr(x, op)()
        result = getattr(x, op)(dim=dim, keepdim=keepdim)
    except (IndexError, RuntimeError) as e:
        raise torch_error(e, Message("{op} over dim {dim}", op=op, dim=dim)) from None
    return result.values if op in ("max", "min") else result


@dataclass(frozen=True)
class InPlace:
    """`x.add_(v)` against `y = x + v`: who got new memory."""

    x: torch.Tensor               # after x.add_(v)
    y: torch.Tensor               # x + v, computed before add_
    same_memory_after: bool       # x kept its storage
    returns_x: bool               # add_ returned x itself
    y_is_new: bool                # x + v allocated


def inplace_demo(value: float) -> InPlace:
    """`x.add_(v)` changes x in place (same memory); `x + v` makes a new tensor."""
    x = torch.arange(6, dtype=torch.float32).reshape(2, 3)
    before_ptr = x.data_ptr()
    y = x + value            # out of place: a new tensor
    returned = x.add_(value)  # trailing underscore: modifies x and returns x itself
    return InPlace(x, y, x.data_ptr() == before_ptr, returned is x, y.data_ptr() != x.data_ptr())
