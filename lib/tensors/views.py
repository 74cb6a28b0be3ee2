"""Sections 3 and 4: a tensor is storage + shape + strides + offset; indexing and reshaping change only those."""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from lib.common.messages import N_, LearnerError, Message
from lib.tensors import index_parser
from lib.tensors.basics import check_budget, torch_error

RESHAPE_OPS: dict[str, str] = {  # op -> what its argument box expects (shown as the box's label)
    "view": N_("new shape, e.g. `4, -1` (-1 = work it out)"),
    "reshape": N_("new shape, e.g. `6, 4`"),
    "resize_": N_("new shape, any size, e.g. `5, 6`"),
    "view_as": N_("shape of the other tensor, e.g. `4, 6`"),
    "transpose": N_("two dims to swap, e.g. `0, 1`"),
    "permute": N_("new order of all dims, e.g. `2, 0, 1`"),
    "squeeze": N_("dim to drop if its size is 1 (empty = all)"),
    "unsqueeze": N_("where to insert a size-1 dim, e.g. `0`"),
    "flatten": N_("start dim, end dim, e.g. `0, -1`"),
    "contiguous": N_("(no arguments)"),
}
RESHAPE_DEFAULT_ARGS: dict[str, str] = {
    "view": "4, -1", "reshape": "6, 4", "resize_": "5, 6", "view_as": "4, 6", "transpose": "0, 1",
    "permute": "2, 0, 1", "squeeze": "", "unsqueeze": "0", "flatten": "0, -1", "contiguous": "",
}


def arange_source(shape: tuple[int, ...], transposed: bool = False) -> torch.Tensor:
    """`arange(n).reshape(shape)`, optionally with its last two dims swapped (non-contiguous)."""
    x = torch.arange(math.prod(shape)).reshape(shape)  # (n,) -> shape
    if transposed:
        if x.dim() < 2:
            raise LearnerError("Transposing needs at least two dims.")
        x = x.transpose(-2, -1)  # swaps strides, not data: no longer contiguous
    return x


def apply_reshape(x: torch.Tensor, op: str, args: tuple[int, ...]) -> torch.Tensor:
    """Run one reshaping op; PyTorch's refusal becomes a `ValueError` with its message."""
    if op not in RESHAPE_OPS:
        raise LearnerError("Unknown operation {name}.", name=repr(op))
    if op == "resize_":
        check_budget(args, x.dtype)
    try:
        return _reshape(x, op, args)
    except (RuntimeError, IndexError, TypeError) as e:
        raise torch_error(e, Message("{op} a {shape} tensor with ({args})", op=op, shape=tuple(x.shape),
                                     args=", ".join(map(str, args)))) from None


def _reshape(x: torch.Tensor, op: str, args: tuple[int, ...]) -> torch.Tensor:
    if op in ("view", "reshape", "permute"):
        return getattr(x, op)(*args)
    if op == "resize_":
        return x.clone().resize_(*args)  # clone so the source stays readable next to it
    if op == "view_as":
        return x.view_as(torch.empty(args, dtype=x.dtype))
    if op == "transpose":
        return x.transpose(*args)
    if op in ("squeeze", "unsqueeze", "flatten"):
        return getattr(x, op)(*args)
    return x.contiguous()


def can_fall_back(x: torch.Tensor, op: str) -> bool:
    """True when `op` failed only because `view` never copies: `reshape` would copy and succeed."""
    return op == "view" and not x.is_contiguous()


def layout(t: torch.Tensor) -> dict[str, str]:
    """The memory-layout facts: shape, stride, offset, contiguity, storage address."""
    return {
        "shape": str(tuple(t.shape)),
        "stride()": str(t.stride()),
        "storage_offset()": str(t.storage_offset()),
        "is_contiguous()": str(t.is_contiguous()),
        N_("storage data_ptr"): hex(t.untyped_storage().data_ptr()),
        N_("storage elements"): str(t.untyped_storage().nbytes() // t.element_size()),
    }


def shares_storage(a: torch.Tensor, b: torch.Tensor) -> bool:
    """True when both tensors read the same memory block (a view, not a copy)."""
    return a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()


def storage_positions(t: torch.Tensor) -> torch.Tensor:
    """For each element, its index in the storage: offset + sum(index_k * stride_k)."""
    pos = torch.full(t.shape, t.storage_offset(), dtype=torch.long)
    for k, (size, stride) in enumerate(zip(t.shape, t.stride())):
        shape = [1] * t.dim()
        shape[k] = size
        pos = pos + torch.arange(size).reshape(shape) * stride  # (size,) -> broadcastable along dim k
    return pos


@dataclass(frozen=True)
class Indexed:
    """`x[index]` for the indexing section: the source, the result, which cells were read, and how."""

    x: torch.Tensor
    result: torch.Tensor
    picked: torch.Tensor    # bool, shaped like x: True where the index reads an element
    source: str             # the index as Python text, e.g. `[1:3, ::2]`

    @property
    def is_view(self) -> bool:
        """Basic indexing (numbers, slices) gives a view; lists and masks give a copy."""
        return shares_storage(self.result, self.x)


def index_example(shape: tuple[int, ...], text: str) -> Indexed:
    """`arange(n).reshape(shape)[text]`, parsed safely (never evaluated)."""
    x = arange_source(shape)
    result = index_parser.apply_index(x, text)
    return Indexed(x, result, index_parser.selected_cells(x, text),
                   index_parser.index_source(index_parser.parse_index(text)))
