"""Section 2: one photo as tensors of every rank from 0 (a scalar) to 5 (a batch of video clips)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image

from lib.common.messages import N_, LearnerError

RANK_MEANINGS: dict[int, str] = {
    0: N_("a scalar - one number, e.g. a loss"),
    1: N_("a vector - e.g. one row of pixels, or a word embedding"),
    2: N_("a matrix - e.g. a greyscale image, or a batch of feature vectors"),
    3: N_("an image: height x width x colour channels (H, W, C)"),
    4: N_("a batch of images: (N, C, H, W), the layout conv layers expect"),
    5: N_("a batch of video clips: (N, F, C, H, W) - clips, frames, channels, height, width"),
}
IMAGE_SIDE = 96     # small images keep the rank demos instant
BATCH = 4           # images in the rank-4 batch
FRAMES = 6          # frames per clip in the rank-5 example


def image_size(size: tuple[int, int], side: int) -> tuple[int, int]:
    """(width, height) scaled so the longer side is `side`."""
    w, h = size
    scale = side / max(w, h)
    return max(1, round(w * scale)), max(1, round(h * scale))


def image_tensor(image: Image.Image, side: int = IMAGE_SIDE) -> torch.Tensor:
    """An RGB photo as a uint8 (H, W, C) tensor, longer side `side` pixels."""
    small = image.convert("RGB").resize(image_size(image.size, side), Image.Resampling.BILINEAR)
    return torch.from_numpy(np.array(small))  # (H, W, C) uint8


def rank_tensor(hwc: torch.Tensor, rank: int, batch: int = BATCH, frames: int = FRAMES) -> torch.Tensor:
    """The rank-`rank` example built from one (H, W, C) image."""
    if rank == 0:
        return hwc.float().mean()  # the mean brightness: a scalar
    if rank == 1:
        return hwc[hwc.shape[0] // 2, :, 0]  # the middle row of the red channel
    if rank == 2:
        return hwc.float().mean(dim=2).round().to(torch.uint8)  # (H, W, C) -> (H, W) greyscale
    if rank == 3:
        return hwc
    chw = hwc.permute(2, 0, 1)  # (H, W, C) -> (C, H, W)
    if rank == 4:
        return batch_of(chw, batch)
    if rank == 5:
        return clips_of(chw, frames)
    raise LearnerError("Ranks 0 to 5 are shown here.")


def batch_of(chw: torch.Tensor, n: int) -> torch.Tensor:
    """N variants of one (C, H, W) image stacked into (N, C, H, W): flips and a rotation."""
    variants = [chw, chw.flip(2), chw.flip(1), chw.flip(1, 2)]  # original, mirror, upside down, rotated 180
    return torch.stack([variants[i % 4] for i in range(n)])  # N x (C, H, W) -> (N, C, H, W)


def clips_of(chw: torch.Tensor, frames: int) -> torch.Tensor:
    """Two clips of `frames` frames, (2, F, C, H, W): a camera panning right, then down."""
    _, h, w = chw.shape
    pan_right = [chw.roll(i * w // frames, dims=2) for i in range(frames)]
    pan_down = [chw.roll(i * h // frames, dims=1) for i in range(frames)]
    return torch.stack([torch.stack(pan_right), torch.stack(pan_down)])  # 2 x F x (C, H, W) -> (2, F, C, H, W)


def crop(hwc: torch.Tensor, top: int, left: int, height: int, width: int) -> torch.Tensor:
    """`hwc[top:top+height, left:left+width, :]` - a view, no copy."""
    return hwc[top:top + height, left:left + width, :]


@dataclass(frozen=True)
class CropRange:
    """Where a crop of an (H, W) image may start and how big it may be, and the page's starting crop."""

    height: int
    width: int

    def default(self) -> tuple[int, int, int, int]:
        """(top, left, height, width): the middle half of the picture."""
        return self.height // 4, self.width // 4, self.height // 2, self.width // 2

    def bounds(self) -> tuple[tuple[int, int], ...]:
        """(lo, hi) of top, left, height and width."""
        return (0, self.height - 1), (0, self.width - 1), (1, self.height), (1, self.width)


@dataclass(frozen=True)
class Facts:
    """What the page prints about the rank example."""

    shape: tuple[int, ...]
    dtype: str
    numel: int
    stride: tuple[int, ...]
    value: float | None    # x.item() for a scalar

    @property
    def last_dim_contiguous(self) -> bool:
        """True when neighbours along the last dim are neighbours in memory."""
        return bool(self.stride) and self.stride[-1] == 1


def facts(x: torch.Tensor) -> Facts:
    """Shape, dtype, element count and strides of `x`."""
    return Facts(tuple(x.shape), str(x.dtype), x.numel(), tuple(x.stride()), x.item() if x.dim() == 0 else None)


def as_picture(t: torch.Tensor) -> np.ndarray:
    """An (H, W) or (H, W, C) tensor as a NumPy image."""
    return t.detach().cpu().numpy()


def _chw_picture(t: torch.Tensor) -> np.ndarray:
    return t.permute(1, 2, 0).numpy()  # (C, H, W) -> (H, W, C), the layout images are shown in


def channels(hwc: torch.Tensor) -> np.ndarray:
    """The three colour planes of an (H, W, C) image: (C, H, W)."""
    return hwc.permute(2, 0, 1).numpy()  # (H, W, C) -> (C, H, W)


def pictures(x: torch.Tensor) -> list:
    """Images of a rank-4 (N, C, H, W) batch as a list, of a rank-5 one as a list per clip."""
    if x.dim() == 4:
        return [_chw_picture(img) for img in x]
    return [[_chw_picture(f) for f in clip] for clip in x]
