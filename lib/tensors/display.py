"""What the page draws, computed here: a tensor as 2-D panels of numbers, its values flat, images as arrays."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

MAX_PANELS = 24     # 2-D slices drawn for ranks >= 3
MAX_CELLS = 720     # beyond this a heat-map is unreadable; the page shows a histogram instead


def panels(t: torch.Tensor, max_panels: int = MAX_PANELS) -> tuple[np.ndarray, list[str]]:
    """2-D slices of `t` for heat-maps: (P, H, W) float array and one label per slice."""
    x = t.detach().to("cpu")
    x = x.float() if x.dtype in (torch.bfloat16, torch.float16, torch.bool) else x
    if x.dim() <= 2:
        grid = x.reshape(1, 1, -1) if x.dim() < 2 else x.unsqueeze(0)  # () or (n,) -> (1, 1, n); (H, W) -> (1, H, W)
        return grid.double().numpy(), ["x" if x.dim() < 2 else "x[:, :]"]
    lead = x.shape[:-2]
    flat = x.reshape(-1, x.shape[-2], x.shape[-1])[:max_panels]  # (..., H, W) -> (P, H, W)
    labels = []
    for i in range(flat.shape[0]):
        idx = np.unravel_index(i, tuple(lead))
        labels.append("x[" + ", ".join(str(int(k)) for k in idx) + ", :, :]")
    return flat.double().numpy(), labels


@dataclass(frozen=True)
class Grid:
    """A tensor ready for an annotated heat-map: values, their printed text, and what colours the cells."""

    values: np.ndarray      # (P, H, W) float64
    text: np.ndarray        # (P, H, W) the numbers as printed in the cells
    colour: np.ndarray      # (P, H, W) the values, or 0/1 where `highlight` picks cells
    labels: list[str]       # one per panel: x[0, :, :]...
    shape: tuple[int, ...]  # of the tensor itself
    numel: int


def grid(t: torch.Tensor, highlight: torch.Tensor | None = None, max_panels: int = MAX_PANELS) -> Grid:
    """Panels of `t`, printed with 2 decimals for floats; `highlight` (same shape, 0/1) colours the cells."""
    values, labels = panels(t, max_panels)
    colour = values if highlight is None else panels(highlight.long(), max_panels)[0]
    form = "{:.2f}" if t.is_floating_point() else "{:.0f}"
    text = np.vectorize(form.format, otypes=[str])(values) if values.size else values.astype(str)
    return Grid(values, text, colour, labels, tuple(t.shape), t.numel())


def flat_values(t: torch.Tensor) -> np.ndarray:
    """Every value of `t` as one float64 row, for a histogram."""
    return t.detach().to("cpu").reshape(-1).double().numpy()  # any shape -> (numel,)


def worth_a_histogram(t: torch.Tensor) -> bool:
    """Random values say more as a histogram - unless there is one value, or they are only True/False."""
    return t.numel() > 1 and t.dtype != torch.bool


def short_repr(t: torch.Tensor, most: int = 1000) -> str | None:
    """`repr` of the tensor on the CPU, or None when it has more than `most` values."""
    return repr(t.detach().cpu()) if t.numel() <= most else None


def changed(t: torch.Tensor, base: torch.Tensor) -> torch.Tensor:
    """0/1 per cell: where `t` differs from `base` (compared on the CPU)."""
    return (t.detach().cpu() != base).long()
