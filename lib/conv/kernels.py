"""Kernels: the classic image presets, and a small matrix typed by the learner (parsed, never evaluated)."""
from __future__ import annotations

import re
from fractions import Fraction

import torch

from lib.common.messages import N_, LearnerError

MAX_KERNEL = 7  # typed kernels up to 7x7: bigger ones are unreadable as text and slow to step through
CUSTOM = "custom"  # the kernel choice that shows a text box instead of a preset


def _presets() -> dict[str, list[list[float]]]:
    """The classic image kernels by id (the id travels in links), as nested lists (rows of the matrix)."""
    g = [1, 4, 6, 4, 1]  # binomial row: a cheap Gaussian with sigma ~ 1
    return {
        "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
        "box": [[1 / 9] * 3 for _ in range(3)],
        "gauss": [[a * b / 256 for b in g] for a in g],
        "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
        "sobel_x": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
        "sobel_y": [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
        "laplace": [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
        "emboss": [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]],
        "edge": [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
    }


KERNEL_PRESETS: dict[str, list[list[float]]] = _presets()
# what the page calls each choice (translated there)
KERNEL_LABELS = {"identity": N_("Identity"), "box": N_("Box blur"), "gauss": N_("Gaussian blur"),
                 "sharpen": N_("Sharpen"), "sobel_x": N_("Sobel x"), "sobel_y": N_("Sobel y"),
                 "laplace": N_("Laplacian"), "emboss": N_("Emboss"), "edge": N_("Edge (all directions)"),
                 CUSTOM: N_("Custom (type it)")}


def preset_kernel(name: str) -> torch.Tensor:
    """A preset kernel as a float tensor of shape (kh, kw)."""
    if name not in KERNEL_PRESETS:
        raise LearnerError("There is no kernel preset called {name}.", name=repr(name))
    return torch.tensor(KERNEL_PRESETS[name], dtype=torch.float32)


_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def _parse_number(token: str) -> float:
    """'3', '-0.5', '1e-2' or a fraction '1/9' -> float; anything else is refused."""
    parts = token.split("/")
    if len(parts) > 2 or not all(_NUMBER.match(p) for p in parts):
        raise LearnerError("{token} is not a number; write numbers like 2, -0.5 or 1/9.", token=repr(token))
    if len(parts) == 2:
        if float(parts[1]) == 0:
            raise LearnerError("{token} divides by zero.", token=repr(token))
        return float(Fraction(parts[0]) / Fraction(parts[1]))
    return float(parts[0])


def parse_kernel(text: str) -> torch.Tensor:
    """Parse a small matrix typed by the user: one row per line (or ';'), numbers split by spaces/commas.

    Python-style brackets `[[1, 0], [0, 1]]` are accepted too. Never evaluates the text.
    """
    body = text.strip()
    if not body:
        raise LearnerError("The kernel is empty: type one row of numbers per line, e.g. `1 0 -1`.")
    rows_text = re.split(r"\]\s*,?\s*\[|;|\n", body)
    rows = []
    for row in rows_text:
        tokens = [t for t in re.split(r"[\s,]+", row.strip().strip("[]").strip()) if t]
        if tokens:
            rows.append([_parse_number(t) for t in tokens])
    if not rows:
        raise LearnerError("The kernel has no numbers in it.")
    widths = {len(r) for r in rows}
    if len(widths) > 1:
        raise LearnerError("Every row must have the same number of values; these rows have {widths}.",
                           widths=sorted(widths))
    if len(rows) > MAX_KERNEL or len(rows[0]) > MAX_KERNEL:
        raise LearnerError("The kernel is {h}x{w}; keep it at most {most}x{most}.", h=len(rows), w=len(rows[0]),
                           most=MAX_KERNEL)
    return torch.tensor(rows, dtype=torch.float32)


def kernel_text(kernel: torch.Tensor) -> str:
    """A (kh, kw) kernel as editable text, one row per line."""
    return "\n".join(" ".join(f"{v:.4g}" for v in row) for row in kernel.tolist())


def kernel_caption(kernel: torch.Tensor) -> str:
    """A (kh, kw) kernel on one line, rows split by bars: `-1 0 1 | -2 0 2 | -1 0 1`."""
    return " | ".join(" ".join(f"{v:.3g}" for v in row) for row in kernel.tolist())
