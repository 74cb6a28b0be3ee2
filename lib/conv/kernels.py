"""Kernels: the classic image presets, and a small matrix typed by the learner (parsed, never evaluated)."""
from __future__ import annotations

import re
from fractions import Fraction

import torch

MAX_KERNEL = 7  # typed kernels up to 7x7: bigger ones are unreadable as text and slow to step through
CUSTOM = "Custom (type it)"  # the kernel choice that shows a text box instead of a preset


def _presets() -> dict[str, list[list[float]]]:
    """The classic image kernels, as nested lists (rows of the matrix)."""
    g = [1, 4, 6, 4, 1]  # binomial row: a cheap Gaussian with sigma ~ 1
    return {
        "Identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
        "Box blur": [[1 / 9] * 3 for _ in range(3)],
        "Gaussian blur": [[a * b / 256 for b in g] for a in g],
        "Sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
        "Sobel x": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
        "Sobel y": [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
        "Laplacian": [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
        "Emboss": [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]],
        "Edge (all directions)": [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
    }


KERNEL_PRESETS: dict[str, list[list[float]]] = _presets()


def preset_kernel(name: str) -> torch.Tensor:
    """A preset kernel as a float tensor of shape (kh, kw)."""
    if name not in KERNEL_PRESETS:
        raise ValueError(f"There is no kernel preset called {name!r}.")
    return torch.tensor(KERNEL_PRESETS[name], dtype=torch.float32)


_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def _parse_number(token: str) -> float:
    """'3', '-0.5', '1e-2' or a fraction '1/9' -> float; anything else is refused."""
    parts = token.split("/")
    if len(parts) > 2 or not all(_NUMBER.match(p) for p in parts):
        raise ValueError(f"{token!r} is not a number; write numbers like 2, -0.5 or 1/9.")
    if len(parts) == 2:
        if float(parts[1]) == 0:
            raise ValueError(f"{token!r} divides by zero.")
        return float(Fraction(parts[0]) / Fraction(parts[1]))
    return float(parts[0])


def parse_kernel(text: str) -> torch.Tensor:
    """Parse a small matrix typed by the user: one row per line (or ';'), numbers split by spaces/commas.

    Python-style brackets `[[1, 0], [0, 1]]` are accepted too. Never evaluates the text.
    """
    body = text.strip()
    if not body:
        raise ValueError("The kernel is empty: type one row of numbers per line, e.g. `1 0 -1`.")
    rows_text = re.split(r"\]\s*,?\s*\[|;|\n", body)
    rows = []
    for row in rows_text:
        tokens = [t for t in re.split(r"[\s,]+", row.strip().strip("[]").strip()) if t]
        if tokens:
            rows.append([_parse_number(t) for t in tokens])
    if not rows:
        raise ValueError("The kernel has no numbers in it.")
    widths = {len(r) for r in rows}
    if len(widths) > 1:
        raise ValueError(f"Every row must have the same number of values; these rows have {sorted(widths)}.")
    if len(rows) > MAX_KERNEL or len(rows[0]) > MAX_KERNEL:
        raise ValueError(f"The kernel is {len(rows)}x{len(rows[0])}; keep it at most {MAX_KERNEL}x{MAX_KERNEL}.")
    return torch.tensor(rows, dtype=torch.float32)


def kernel_text(kernel: torch.Tensor) -> str:
    """A (kh, kw) kernel as editable text, one row per line."""
    return "\n".join(" ".join(f"{v:.4g}" for v in row) for row in kernel.tolist())


def kernel_caption(kernel: torch.Tensor) -> str:
    """A (kh, kw) kernel on one line, rows split by bars: `-1 0 1 | -2 0 2 | -1 0 1`."""
    return " | ".join(" ".join(f"{v:.3g}" for v in row) for row in kernel.tolist())
