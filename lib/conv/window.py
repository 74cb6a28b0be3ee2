"""The sliding window, step by step: a small integer grid, one kernel or pooling window, every stop written out.

`sliding_window` computes each output cell by hand (`WindowStep`), `window_picture` gives the arrays the
page draws for one chosen stop, and `WindowDemo.mismatch` checks the hand computation against PyTorch's op.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from lib.common.messages import N_, LearnerError
from lib.conv.shapes import check_pool_padding, output_size

# the operations by the names the functions below take (and links carry) -> what the page calls them
WINDOW_OPS = {"conv": N_("Convolution"), "max": N_("Max pooling"), "avg": N_("Average pooling")}


def random_grid(size: int, seed: int, channels: int = 1) -> torch.Tensor:
    """Integers 0..9 like the classic `torch.FloatTensor(3, 5, 5).random_(0, 10)`, seeded: (C, size, size)."""
    gen = torch.Generator().manual_seed(seed)
    return torch.randint(0, 10, (channels, size, size), generator=gen).float()


@dataclass(frozen=True)
class WindowStep:
    """One output cell: where its window sits in the padded input and what it computes."""

    row: int                   # output position
    col: int
    top: int                   # window's top-left corner in the padded input
    left: int
    values: list[list[float]]  # input values under the (dilated) kernel taps
    result: float
    formula: str               # the arithmetic written out


def sliding_steps(grid: torch.Tensor, kernel_hw: tuple[int, int], op: str, stride: int = 1,
                  padding: int = 0, dilation: int = 1, kernel: torch.Tensor | None = None) -> list[WindowStep]:
    """Every window of a (H, W) grid, row by row; op is 'conv', 'max' or 'avg'."""
    if op == "conv" and kernel is None:
        raise LearnerError("A convolution needs a kernel.")
    kh, kw = kernel_hw
    if op != "conv":
        check_pool_padding(padding, kh, kw)
    out_h = output_size(grid.shape[0], kh, stride, padding, dilation)
    out_w = output_size(grid.shape[1], kw, stride, padding, dilation)
    padded = F.pad(grid, (padding,) * 4)
    steps = []
    for i in range(out_h):
        for j in range(out_w):
            top, left = i * stride, j * stride
            window = padded[top: top + dilation * (kh - 1) + 1: dilation, left: left + dilation * (kw - 1) + 1: dilation]
            steps.append(_window_step(i, j, top, left, window, op, kernel))
    return steps


def _num(v: float) -> str:
    """A number for the written-out arithmetic; negatives in brackets so `4·(-1)` reads right."""
    return f"({v:.3g})" if v < 0 else f"{v:.3g}"


def _window_step(i: int, j: int, top: int, left: int, window: torch.Tensor, op: str,
                 kernel: torch.Tensor | None) -> WindowStep:
    """Compute one window and write its arithmetic out."""
    vals = window.flatten().tolist()
    if op == "conv":
        assert kernel is not None
        weights = kernel.flatten().tolist()
        result = float((window * kernel).sum())
        formula = " + ".join(f"{_num(v)}·{_num(w)}" for v, w in zip(vals, weights))
    elif op == "max":
        result = float(window.max())
        formula = "max(" + ", ".join(_num(v) for v in vals) + ")"
    elif op == "avg":
        result = float(window.mean())
        formula = "(" + " + ".join(_num(v) for v in vals) + f") / {len(vals)}"
    else:
        raise LearnerError("Unknown operation {op}; use conv, max or avg.", op=repr(op))
    return WindowStep(i, j, top, left, window.tolist(), result, f"{formula} = {result:.4g}")


def steps_to_grid(steps: list[WindowStep]) -> torch.Tensor:
    """Collect the per-window results into the (out_h, out_w) output."""
    out_h, out_w = steps[-1].row + 1, steps[-1].col + 1
    return torch.tensor([s.result for s in steps]).view(out_h, out_w)  # (out_h*out_w,) -> (out_h, out_w)


def reference_window_op(grid: torch.Tensor, kernel_hw: tuple[int, int], op: str, stride: int,
                        padding: int, dilation: int, kernel: torch.Tensor | None = None) -> torch.Tensor:
    """The same computation with PyTorch's own ops, (H, W) -> (out_h, out_w)."""
    x = grid[None, None]  # (H, W) -> (1, 1, H, W)
    if op == "conv":
        assert kernel is not None
        return F.conv2d(x, kernel[None, None], stride=stride, padding=padding, dilation=dilation)[0, 0]
    if op == "max":
        return F.max_pool2d(x, kernel_hw, stride, padding, dilation)[0, 0]
    # avg pooling has no dilation in PyTorch; count_include_pad=True is its default
    return F.avg_pool2d(x, kernel_hw, stride, padding)[0, 0]


# ----------------------------------------------------------------------------- what the page shows

@dataclass(frozen=True)
class WindowDemo:
    """One sliding-window setup on a seeded grid and all its stops."""

    grid: torch.Tensor                 # (H, W) integers 0..9
    op: str                            # 'conv', 'max' or 'avg'
    kernel_hw: tuple[int, int]
    stride: int
    padding: int
    dilation: int
    kernel: torch.Tensor | None        # (kh, kw) for 'conv', None for pooling
    steps: list[WindowStep]

    @property
    def in_hw(self) -> tuple[int, int]:
        return int(self.grid.shape[0]), int(self.grid.shape[1])

    @property
    def out_hw(self) -> tuple[int, int]:
        return self.steps[-1].row + 1, self.steps[-1].col + 1

    def mismatch(self) -> float:
        """Largest difference between the hand-computed output and PyTorch's op (0 when they agree)."""
        reference = reference_window_op(self.grid, self.kernel_hw, self.op, self.stride, self.padding,
                                        self.dilation, self.kernel)
        return float((reference - steps_to_grid(self.steps)).abs().max())


def sliding_window(size: int, seed: int, op: str, stride: int, padding: int, dilation: int, *,
                   kernel: torch.Tensor | None = None, pool: int = 2) -> WindowDemo:
    """Every stop of a (kh, kw) kernel (op 'conv') or a pool x pool window on a seeded size x size grid.

    Average pooling has no dilation in PyTorch, so it is always 1 there.
    """
    if op == "conv" and kernel is None:
        raise LearnerError("A convolution needs a kernel.")
    kernel_hw = (int(kernel.shape[0]), int(kernel.shape[1])) if op == "conv" else (pool, pool)
    dilation = 1 if op == "avg" else dilation
    grid = random_grid(size, seed)[0]  # (1, size, size) -> (size, size)
    steps = sliding_steps(grid, kernel_hw, op, stride, padding, dilation, kernel)
    return WindowDemo(grid, op, kernel_hw, stride, padding, dilation, kernel if op == "conv" else None, steps)


@dataclass(frozen=True)
class WindowPicture:
    """The arrays and rectangles drawn for one stop; rectangles are (top, left, h, w)."""

    padded: np.ndarray                            # (H + 2p, W + 2p) input with its zero padding
    output: np.ndarray                            # (out_h, out_w): NaN where the window has not been yet
    kernel: np.ndarray | None                     # (kh, kw) weights, None for pooling
    window: tuple[int, int, int, int]             # the current window in the padded input
    inner: tuple[int, int, int, int] | None       # the unpadded input inside the padded one (None: no padding)
    cell: tuple[int, int, int, int]               # the output cell this stop writes


def window_picture(demo: WindowDemo, index: int) -> WindowPicture:
    """What the page draws at stop `index` (0-based): the input, the outputs so far, the window's place."""
    if not 0 <= index < len(demo.steps):
        raise LearnerError("There are {n} window positions; pick one from 1 to {n}.", n=len(demo.steps))
    step, p, (kh, kw) = demo.steps[index], demo.padding, demo.kernel_hw
    padded = F.pad(demo.grid, (p,) * 4).numpy()
    output = np.full(demo.out_hw, np.nan)
    for s in demo.steps[: index + 1]:
        output[s.row, s.col] = s.result  # only the windows visited so far
    span = (demo.dilation * (kh - 1) + 1, demo.dilation * (kw - 1) + 1)  # cells the dilated window covers
    inner = (p, p, *demo.in_hw) if p else None
    kernel = None if demo.kernel is None else demo.kernel.numpy()
    return WindowPicture(padded, output, kernel, (step.top, step.left, *span), inner, (step.row, step.col, 1, 1))
