"""Shapes, dtypes and the memory budget: what every section parses and checks before it allocates."""
from __future__ import annotations

import math

import torch

from lib.common.messages import N_, LearnerError, Message

DTYPES: dict[str, torch.dtype] = {
    "float32": torch.float32, "float64": torch.float64, "float16": torch.float16,
    "bfloat16": torch.bfloat16, "int8": torch.int8, "int16": torch.int16,
    "int32": torch.int32, "int64": torch.int64, "uint8": torch.uint8, "bool": torch.bool,
}
MAX_RANK = 5                   # rank 5 (a batch of video clips) is the largest the tutorials use
MAX_BYTES = 64 * 2**20         # per tensor: the server must never allocate gigabytes for a typo
TEACHING_BYTES = 2**20         # operands of the operation examples: small enough to print


def parse_shape(text: str, max_rank: int = MAX_RANK, max_numel: int | None = None) -> tuple[int, ...]:
    """`"3, 4"` -> (3, 4); an empty text or `()` is a rank-0 scalar; optionally cap the element count."""
    cleaned = text.strip().strip("()[]").replace("x", ",").replace("×", ",")
    parts = [p.strip() for p in cleaned.split(",") if p.strip()]
    try:
        shape = tuple(int(p) for p in parts)
    except ValueError:
        raise LearnerError("A shape is whole numbers separated by commas, like `3, 4` - not {text}.",
                           text=repr(text)) from None
    if any(s < 0 for s in shape):
        raise LearnerError("Sizes cannot be negative (0 is allowed: an empty tensor).")
    if len(shape) > max_rank:
        raise LearnerError("This page goes up to rank {most}; {text} has rank {rank}.", most=max_rank,
                           text=repr(text), rank=len(shape))
    if max_numel is not None and math.prod(shape) > max_numel:
        raise LearnerError("{shape} has {n} elements; this example draws at most {most}.", shape=tuple(shape),
                           n=math.prod(shape), most=max_numel)
    return shape


def parse_ints(text: str) -> tuple[int, ...]:
    """Comma-separated whole numbers (negatives allowed, e.g. `4, -1`)."""
    parts = [p.strip() for p in text.strip().strip("()[]").split(",") if p.strip()]
    try:
        return tuple(int(p) for p in parts)
    except ValueError:
        raise LearnerError("The arguments must be whole numbers separated by commas, not {text}.",
                           text=repr(text)) from None


def dtype_of(name: str) -> torch.dtype:
    """`"float32"` -> `torch.float32`."""
    if name not in DTYPES:
        raise LearnerError("Unknown dtype {name}; choose one of {options}.", name=repr(name),
                           options=", ".join(DTYPES))
    return DTYPES[name]


def dtype_name(dtype: torch.dtype) -> str:
    """`torch.float32` -> `"float32"`."""
    return str(dtype).removeprefix("torch.")


def nbytes(shape: tuple[int, ...], dtype: torch.dtype) -> int:
    """Bytes a contiguous tensor of this shape and dtype needs."""
    return math.prod(shape) * dtype.itemsize


def check_budget(shape: tuple[int, ...], dtype: torch.dtype, max_bytes: int = MAX_BYTES) -> None:
    """Refuse shapes that would take more than `max_bytes` (checked before allocating)."""
    need = nbytes(shape, dtype)
    if need > max_bytes:
        raise LearnerError("A {shape} {dtype} tensor needs {need}, more than this page's budget of {most}. "
                           "Try smaller sizes.", shape=tuple(shape), dtype=dtype_name(dtype),
                           need=human_bytes(need), most=human_bytes(max_bytes))


def human_bytes(n: int) -> str:
    """1536 -> '1.5 KiB'."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"


def torch_error(error: Exception, doing: Message) -> LearnerError:
    """PyTorch's own message, wrapped in a sentence saying what we were doing.

    The message stays in English, as a code span: it is what the learner's own terminal would print.
    """
    message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return LearnerError("PyTorch cannot {doing}: `{message}`", doing=doing, message=message.replace("`", "'"))


def describe(t: torch.Tensor) -> dict[str, str]:
    """The facts the page lists under a tensor: label (an English msgid) -> value."""
    return {
        N_("shape / size()"): str(tuple(t.shape)),
        "dtype": str(t.dtype),
        "numel()": str(t.numel()),
        "dim()": str(t.dim()),
        N_("device"): str(t.device),
        N_("bytes"): Message("{total} ({each} per element)", total=t.numel() * t.element_size(),
                             each=t.element_size()),
    }
