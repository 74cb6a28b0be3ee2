"""Section 6: NumPy and PyTorch sharing memory - `from_numpy` shares, `torch.tensor` copies, `.to()` moves."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from lib.common.messages import LearnerError
from lib.tensors.basics import check_budget

Edit = tuple[int, int, float]  # (row, column, new value)


@dataclass
class Bridge:
    """The NumPy array and the three tensors made from it, after the user's edits."""

    array: np.ndarray
    shared: torch.Tensor   # torch.from_numpy(array): same memory
    copied: torch.Tensor   # torch.tensor(array): a copy
    moved: torch.Tensor    # shared.to(device): a copy unless device is the CPU

    def views(self) -> list[tuple[str, torch.Tensor, torch.Tensor]]:
        """(name, values on the CPU, 0/1 where they differ from the untouched count) for each of the four."""
        base = torch.arange(self.array.size, dtype=torch.float32).reshape(self.array.shape)  # untouched values
        items = [("array (NumPy)", torch.from_numpy(self.array.copy())), ("shared: from_numpy", self.shared),
                 ("copied: torch.tensor", self.copied), (f"moved: .to('{self.moved.device}')", self.moved.cpu())]
        return [(name, t, (t != base).long()) for name, t in items]


def start_array(rows: int, cols: int) -> np.ndarray:
    """The array before any edit: 0, 1, 2... laid out in `rows` x `cols`."""
    return np.arange(rows * cols, dtype=np.float32).reshape(rows, cols)


def bridge(rows: int, cols: int, numpy_edits: list[Edit], tensor_edit: Edit | None,
           device: torch.device) -> Bridge:
    """Apply edits to the NumPy array, then to the tensor, and see who notices."""
    check_budget((rows, cols), torch.float32, 2**20)
    array = start_array(rows, cols)
    shared = torch.from_numpy(array)
    copied = torch.tensor(array)
    moved = shared.to(device)
    for r, c, v in numpy_edits:
        _check_cell(r, c, rows, cols)
        array[r, c] = v       # NumPy writes; `shared` sees it, `copied` does not
    if tensor_edit is not None:
        r, c, v = tensor_edit
        _check_cell(r, c, rows, cols)
        shared[r, c] = v      # torch writes; `array` sees it
    return Bridge(array, shared, copied, moved)


def cell_edits(base: np.ndarray, edited: np.ndarray) -> list[Edit]:
    """The (row, col, new value) cells where a user's edited copy differs from `base`."""
    if edited.shape != base.shape:
        raise LearnerError("The edited table has shape {got}, expected {want}.", got=edited.shape, want=base.shape)
    try:
        values = edited.astype(np.float64)
    except (TypeError, ValueError):
        raise LearnerError("Every cell must hold a number.") from None
    if np.isnan(values).any():
        raise LearnerError("A cell was left empty: every cell must hold a number.")
    rows, cols = np.nonzero(values != base)
    return [(int(r), int(c), float(values[r, c])) for r, c in zip(rows, cols)]


def apply_edits(base: np.ndarray, edits: list[Edit]) -> np.ndarray:
    """A copy of `base` with the edits written in (what a link's edits look like in the table)."""
    out = base.copy()
    for r, c, v in edits:
        out[r, c] = v
    return out


def valid_edits(value: object, rows: int, cols: int, most: float = 1e6) -> bool:
    """True for a list of [row, col, value] inside the array with finite values up to `most`: a link's edits."""
    if not isinstance(value, list) or len(value) > rows * cols:
        return False
    return all(isinstance(e, list) and len(e) == 3 and all(_is_number(v) for v in e)
               and float(e[0]).is_integer() and float(e[1]).is_integer()
               and 0 <= e[0] < rows and 0 <= e[1] < cols and abs(e[2]) <= most for e in value)


def _is_number(v: object) -> bool:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return False
    try:
        return math.isfinite(float(v))
    except OverflowError:  # a 400-digit integer from a hostile link
        return False


def _check_cell(r: int, c: int, rows: int, cols: int) -> None:
    if not (0 <= r < rows and 0 <= c < cols):
        raise LearnerError("Cell ({r}, {c}) is outside the {rows} x {cols} array.", r=r, c=c, rows=rows, cols=cols)
