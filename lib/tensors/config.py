"""Every setting of the tensor page, with its widget range and its short name in the page's link.

The page reads defaults and ranges from `TensorConfig` (its `DEFAULTS`); text settings (shapes, an index)
are parsed by lib and refused in plain words, so a link can carry any text safely.
"""
from __future__ import annotations

from dataclasses import dataclass

from lib.common.messages import N_
from lib.common.samples import PHOTOS
from lib.common.settings import setting
from lib.tensors.basics import DTYPES
from lib.tensors.create import FACTORIES
from lib.tensors.operations import ELEMENTWISE_OPS, REDUCTIONS
from lib.tensors.promotion import B_KINDS, OVERFLOW_EXAMPLES
from lib.tensors.timing import SIZE_CHOICES
from lib.tensors.views import RESHAPE_OPS

SECTIONS: dict[str, str] = {  # stable id (in links) -> tab label (an English msgid)
    "create": N_("1 · Create"), "ranks": N_("2 · Ranks"), "index": N_("3 · Index"), "views": N_("4 · Views"),
    "ops": N_("5 · Operations"), "numpy": N_("6 · NumPy"), "timing": N_("7 · CPU vs GPU"),
}
TOPICS: dict[str, str] = {  # the operations tab's topics: stable id -> label
    "broadcast": N_("Element-wise & broadcasting"), "matmul": N_("Matrix product"), "reduce": N_("Reductions"),
    "inplace": N_("In-place"), "promotion": N_("Type promotion"), "overflow": N_("Overflow & rounding"),
}
BIG = 1e6          # number inputs stay printable: a link cannot ask for 1e308
SHAPE_CHARS = 40   # a rank-5 shape needs far fewer characters
INTS = dict(lo=-10**6, hi=10**6, step=1)
SEEDS = dict(lo=0, hi=2**31 - 1, step=1)
ROWS, COLS = 3, 4  # the NumPy bridge's array: small enough to edit by hand


@dataclass(frozen=True)
class TensorConfig:
    """Defaults and ranges of every control on the tensor page."""

    # 1. create: a small random matrix, every value fits on screen; float32 is PyTorch's default dtype
    factory: str = setting("rand", options=FACTORIES, param="f")
    shape: str = setting("3, 4", param="shape")
    dtype: str = setting("float32", options=tuple(DTYPES), param="dtype")
    seed: int = setting(0, **SEEDS, param="seed")
    fill_value: float = setting(7.0, lo=-BIG, hi=BIG, param="fill")
    low: int = setting(0, **INTS, param="low")
    high: int = setting(10, **INTS, param="high")
    start: float = setting(0.0, lo=-BIG, hi=BIG, param="start")
    end: float = setting(1.0, lo=-BIG, hi=BIG, param="end")
    # 2. ranks: a sample photo at rank 3, the (H, W, C) layout images arrive in
    photo: str = setting(next(iter(PHOTOS)), options=tuple(PHOTOS), param="photo")
    rank: int = setting(3, options=(0, 1, 2, 3, 4, 5), param="rank")
    # 3. index: rows 1-2, every other column of a 4 x 6 count
    index_shape: str = setting("4, 6", param="ishape")
    index_text: str = setting("[1:3, ::2]", param="idx")
    # 4. views: a view of a contiguous (2, 3, 4) count; the op's argument is linked as `vargs`
    reshape_shape: str = setting("2, 3, 4", param="vshape")
    reshape_op: str = setting("view", options=tuple(RESHAPE_OPS), param="vop")
    transposed: bool = setting(False, param="vt")
    # 5. operations
    topic: str = setting("broadcast", options=tuple(TOPICS), param="topic")
    elementwise_op: str = setting("+", options=ELEMENTWISE_OPS, param="op")
    shape_a: str = setting("2, 3", param="a")            # a row (3,) added to every row of a (2, 3)
    shape_b: str = setting("3", param="b")
    matmul_a: str = setting("2, 3", param="ma")
    matmul_b: str = setting("3, 4", param="mb")
    reduce_shape: str = setting("3, 4", param="rshape")
    reduction: str = setting("sum", options=REDUCTIONS, param="red")
    keepdim: bool = setting(False, param="keep")
    inplace_value: float = setting(10.0, lo=-BIG, hi=BIG, param="v")
    promote_a: str = setting("uint8", options=tuple(DTYPES), param="pa")  # uint8 + int8: neither type wins
    promote_b: str = setting("int8", options=tuple(DTYPES), param="pb")
    b_kind: str = setting("tensor", options=tuple(B_KINDS), param="pk")
    overflow: str = setting(next(iter(OVERFLOW_EXAMPLES)), options=tuple(OVERFLOW_EXAMPLES), param="ovf")
    # 6. NumPy bridge: a 3 x 4 array; the table's edits are linked as `edits`
    bridge_rows: int = ROWS
    bridge_cols: int = COLS
    write: bool = setting(False, param="write")
    row: int = setting(0, lo=0, hi=ROWS - 1, step=1, param="row")
    col: int = setting(0, lo=0, hi=COLS - 1, step=1, param="col")
    value: float = setting(-1.0, lo=-BIG, hi=BIG, param="val")
    # 7. timing: small sizes, the page must stay fast on a CPU
    timing_sizes: tuple[int, ...] = setting((32, 64, 128, 256, 512), options=SIZE_CHOICES, param="sizes")
