"""Pooling: max and average windows, global average pooling and MaxUnpool2d, with the numbers the page shows."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from lib.common.messages import N_, LearnerError
from lib.conv.image_ops import image_to_tensor, to_display
from lib.conv.shapes import check_pool_padding, formula_text, output_size

POOL_KINDS = {"max": N_("max"), "avg": N_("average")}  # id (as PyTorch names it) -> label
SWATCH_SIDE = 60  # pixels of the mean-colour square


@dataclass(frozen=True)
class PoolSettings:
    """Arguments of `F.max_pool2d` / `F.avg_pool2d`."""

    kind: str = "max"  # 'max' or 'avg'
    kernel: int = 2
    stride: int = 2
    padding: int = 0
    ceil_mode: bool = False


def check_pool(in_hw: tuple[int, int], s: PoolSettings) -> tuple[int, int]:
    """Validate pooling settings and return the output (H, W)."""
    if s.kind not in POOL_KINDS:
        raise LearnerError("Pooling is 'max' or 'avg', not {kind}.", kind=repr(s.kind))
    if s.kernel < 1:
        raise LearnerError("The pooling window must be at least 1x1.")
    check_pool_padding(s.padding, s.kernel, s.kernel)
    return tuple(output_size(n, s.kernel, s.stride, s.padding, 1, s.ceil_mode) for n in in_hw)  # type: ignore[return-value]


def apply_pool(x: torch.Tensor, s: PoolSettings) -> torch.Tensor:
    """Max or average pooling of a (B, C, H, W) tensor."""
    check_pool((x.shape[-2], x.shape[-1]), s)
    if s.kind == "max":
        return F.max_pool2d(x, s.kernel, s.stride, s.padding, ceil_mode=s.ceil_mode)
    return F.avg_pool2d(x, s.kernel, s.stride, s.padding, ceil_mode=s.ceil_mode)


def global_avg_pool(x: torch.Tensor) -> torch.Tensor:
    """`adaptive_avg_pool2d` to 1x1: one mean per channel, (B, C, H, W) -> (B, C, 1, 1)."""
    return F.adaptive_avg_pool2d(x, 1)


def max_unpool(x: torch.Tensor, kernel: int, stride: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(pooled, indices, unpooled): MaxUnpool2d puts each max back where it came from, zeros elsewhere."""
    check_pool((x.shape[-2], x.shape[-1]), PoolSettings("max", kernel, stride))
    pooled, indices = F.max_pool2d(x, kernel, stride, return_indices=True)
    unpool = torch.nn.MaxUnpool2d(kernel, stride)
    return pooled, indices, unpool(pooled, indices, output_size=x.shape[-2:])


def kept_fraction(indices: torch.Tensor, pixels: int) -> float:
    """Share of input pixels max pooling kept, averaged over channels (overlapping windows can pick one twice)."""
    flat = indices.flatten(2)[0]  # (1, C, h, w) -> (C, h*w)
    kept = torch.zeros(flat.shape[0], pixels, dtype=torch.bool, device=flat.device)
    kept.scatter_(1, flat, True)  # marking twice is harmless: each pixel counts once
    return float(kept.float().mean())


def colour_swatch(means: list[float], side: int = SWATCH_SIDE) -> np.ndarray:
    """A (side, side, 3) uint8 square of one colour; a single (grey) mean is repeated on R, G and B."""
    rgb = means if len(means) == 3 else means * 3
    return np.full((side, side, 3), np.array(rgb) * 255, dtype=np.uint8)


# ----------------------------------------------------------------------------- what the page shows

@dataclass(frozen=True)
class ImagePool:
    """An image pooled, unpooled and averaged, with the numbers the page writes about it."""

    pooled: torch.Tensor            # (1, C, H', W') by the chosen pooling
    unpooled: torch.Tensor          # (1, C, H, W): MaxUnpool2d of a plain max pooling
    in_shape: tuple[int, ...]       # (1, C, H, W)
    pooled_shape: tuple[int, ...]
    gap_shape: tuple[int, ...]      # what `adaptive_avg_pool2d(x, 1)` gives: (1, C, 1, 1)
    means: list[float]              # global average pooling: one mean per channel
    kept: float                     # share of the pixels max pooling kept
    formula: str                    # the output-height formula, LaTeX

    def pictures(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(pooled, unpooled, mean-colour swatch) as uint8 images."""
        return to_display(self.pooled, "clip"), to_display(self.unpooled, "clip"), \
            colour_swatch(self.means)


def pool_image(image: Image.Image, grey: bool, s: PoolSettings, device: torch.device | str = "cpu") -> ImagePool:
    """The pooling section's computation on a picture."""
    x = image_to_tensor(image, grey, device)  # (1, C, H, W)
    pooled = apply_pool(x, s)
    _, indices, unpooled = max_unpool(x, s.kernel, s.stride)
    gap = global_avg_pool(x)  # (1, C, 1, 1)
    kept = kept_fraction(indices, x.shape[-2] * x.shape[-1])
    formula = formula_text(x.shape[-2], s.kernel, s.stride, s.padding, 1, s.ceil_mode)
    return ImagePool(pooled, unpooled, tuple(x.shape), tuple(pooled.shape), tuple(gap.shape),
                     gap.flatten().tolist(), kept, formula)
