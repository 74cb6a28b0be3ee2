"""Faster, bit-exact versions of the torchvision v2 kernels that dominate a preview grid.

ColorJitter and RandomRotation on uint8 CPU images spend most of their time converting to float and
back, in bool/int64 temporaries (`aminmax`, `gather`, masks) and in a thin `bmm`. The kernels here
compute the very same numbers another way: per-level look-up tables for brightness, contrast and
saturation, 0/1 float-mask arithmetic for hue, a sampled "pixel number" image for rotation.

The page builds `ExactColorJitter` / `ExactRandomRotation`: v2 subclasses whose random draws are the
original's, so a grid drawn on the page equals the grid the exported `v2.Compose` code draws.
tests/unit/test_augment_kernels.py compares every kernel with torchvision's bit for bit (hue on all
2**24 colours); each kernel returns None for inputs it does not cover, and torchvision's runs.
"""
from __future__ import annotations

import functools
from typing import Any, Callable

import torch
from torchvision import tv_tensors
from torchvision.transforms import v2
from torchvision.transforms.v2 import functional as F
# torchvision's own helpers, so the fast paths compute exactly what torchvision computes
from torchvision.transforms.v2.functional._color import _blend, _rgb_to_grayscale_image
from torchvision.transforms.v2.functional._geometry import _get_inverse_affine_matrix


# ---------------------------------------------------------------- brightness, contrast, saturation

# Brightness and contrast change each 8-bit level independently of its neighbours: run torchvision's
# kernel once on the 256 levels and look every pixel up in that table, instead of converting the
# image to float and back.
_LEVELS = torch.arange(256, dtype=torch.uint8).view(1, 1, 256)  # every uint8 value, as a 1-channel image
_TO_UINT8 = 255.0 + 1.0 - 1e-3  # torchvision's to_dtype(float -> uint8, scale=True) multiplies by this


def _cpu_uint8(image: torch.Tensor) -> bool:
    return image.dtype == torch.uint8 and image.device.type == "cpu" and image.numel() > 0


def _lookup(table: torch.Tensor, image: torch.Tensor) -> torch.Tensor:
    """table[pixel] for every pixel: (256,) values -> image-shaped tensor."""
    return table.index_select(0, image.reshape(-1).to(torch.int32)).view(image.shape)


def _to_uint8(x: torch.Tensor) -> torch.Tensor:
    """Float in [0, 255.999] -> uint8 by truncation, as `.to(torch.uint8)`; via int32 is twice as fast."""
    return x.to(torch.int32).to(torch.uint8)


def adjust_brightness_uint8(image: torch.Tensor, brightness_factor: float) -> torch.Tensor | None:
    """`v2.functional.adjust_brightness` of a uint8 CPU image by table look-up; None for other images."""
    if not _cpu_uint8(image) or image.shape[-3] not in (1, 3) or brightness_factor < 0:
        return None
    return _lookup(F.adjust_brightness(_LEVELS, brightness_factor).view(-1), image)


def adjust_contrast_uint8(image: torch.Tensor, contrast_factor: float) -> torch.Tensor | None:
    """`v2.functional.adjust_contrast` of one uint8 CPU image: blend each level with the mean grey."""
    if not _cpu_uint8(image) or image.ndim != 3 or image.shape[0] not in (1, 3) or contrast_factor < 0:
        return None
    if image.shape[0] == 3:
        grey = _rgb_to_grayscale_image(image, num_output_channels=1, preserve_dtype=False).floor_()
    else:
        grey = image.to(torch.float32)
    mean = torch.mean(grey, dim=(-3, -2, -1), keepdim=True)
    return _lookup(_blend(_LEVELS, mean, contrast_factor).view(-1), image)


def adjust_saturation_uint8(image: torch.Tensor, saturation_factor: float) -> torch.Tensor | None:
    """`v2.functional.adjust_saturation` of a uint8 RGB CPU image: torchvision's blend with the grey image,
    its first product (pixel x factor) looked up per level."""
    if not _cpu_uint8(image) or image.shape[-3] != 3 or saturation_factor < 0:
        return None
    ratio = float(saturation_factor)
    grey = _rgb_to_grayscale_image(image, num_output_channels=1, preserve_dtype=False).floor_()
    scaled = _lookup(_LEVELS.mul(ratio).view(-1), image)  # = image.mul(ratio), one rounding per level
    return _to_uint8(scaled.add_(grey, alpha=1.0 - ratio).clamp_(0, 255))


# ---------------------------------------------------------------- hue

# Every selection below is written as arithmetic with 0/1 float masks: `x * 1 = x`, `x * 0 = 0` and
# `x + 0 = x` are exact (so `out.addcmul_(x, mask)` adds x or nothing), which gives the number
# torchvision selects while float arithmetic runs about ten times faster than `where`/`gather` here.
_TINY = 1e-30  # below every non-zero value an 8-bit image gives (1/255): stands in for "divide by 1 when 0"


def _equal(x: torch.Tensor, y: torch.Tensor | float) -> torch.Tensor:
    """1.0 where x == y, else 0.0, as a float tensor (written directly, no bool tensor in between)."""
    return torch.eq(x, y, out=torch.empty_like(x))


def _rgb_to_hsv(image: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(..., 3, H, W) float in [0, 1] -> h, s, v planes, with the numbers torchvision's `_rgb_to_hsv` gives."""
    r, g, b = image.unbind(dim=-3)
    maxc = torch.maximum(torch.maximum(r, g), b)
    channels_range = maxc - torch.minimum(torch.minimum(r, g), b)
    # torchvision divides by 1 where all channels are equal; the numerators are 0 there, so any divisor does
    s = channels_range / maxc.clamp_min(_TINY)
    divisor = channels_range.clamp_min_(_TINY)
    rc, gc, bc = ((maxc - c).div_(divisor) for c in (r, g, b))
    r_is_max = _equal(maxc, r)
    b_wins = 1.0 - r_is_max
    g_wins = _equal(maxc, g).mul_(b_wins)  # torchvision: maxc == g and maxc != r
    b_wins.sub_(g_wins)  # maxc != r and maxc != g
    # torchvision adds the three masked candidates; exactly one is kept
    h = (bc - gc).mul_(r_is_max).addcmul_((rc + 2.0).sub_(bc), g_wins).addcmul_((gc + 4.0).sub_(rc), b_wins)
    h = h.mul_(1.0 / 6.0).add_(1.0)  # in [5/6, 11/6]: torchvision's fmod(h, 1) is exactly h - floor(h)
    return h.sub_(h.floor()), s, maxc


def _sector_masks(h: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
    """Fraction within the colour-wheel sector and one 0/1 mask per sector 0..5, as torchvision computes them."""
    h6 = h.mul(6)
    sector = torch.floor(h6)
    frac = h6.sub_(sector)
    hot = [_equal(sector, k) for k in range(7)]
    hot[0].add_(hot.pop())  # sector 6 (h rounded up to 1) is sector 0, as torchvision's remainder(6) makes it
    return frac, hot


def _hsv_to_rgb(h: torch.Tensor, s: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """Inverse of `_rgb_to_hsv`, with the numbers torchvision's `_hsv_to_rgb` gives."""
    f, masks = _sector_masks(h)
    sxf = s * f
    one_minus_s = 1.0 - s
    q = (1.0 - sxf).mul_(v).clamp_(0.0, 1.0)
    t = sxf.add_(one_minus_s).mul_(v).clamp_(0.0, 1.0)
    p = one_minus_s.mul_(v).clamp_(0.0, 1.0)
    rgb = torch.empty((*v.shape[:-2], 3, *v.shape[-2:]), dtype=v.dtype, device=v.device)
    by_sector = {0: (v, q, p, p, t, v), 1: (t, v, v, q, p, p), 2: (p, p, t, v, v, q)}  # channel: its value per sector
    for channel, values in by_sector.items():
        out = torch.mul(values[0], masks[0], out=rgb.select(-3, channel))
        for value, mask in zip(values[1:], masks[1:]):
            out.addcmul_(value, mask)
    return rgb


def adjust_hue_uint8(image: torch.Tensor, hue_factor: float) -> torch.Tensor | None:
    """`v2.functional.adjust_hue` of a (..., 3, H, W) uint8 image: same result, faster; None for other images."""
    if not _cpu_uint8(image) or image.shape[-3] != 3 or not -0.5 <= hue_factor <= 0.5:
        return None  # torchvision handles (or rejects) these
    h, s, v = _rgb_to_hsv(F.to_dtype(image.contiguous(), torch.float32, scale=True))  # planes, not channels-last
    h.add_(hue_factor)  # now in [-0.5, 1.5): torchvision's remainder(h, 1) is exactly h - floor(h) here
    h.sub_(h.floor())
    return _to_uint8(_hsv_to_rgb(h, s, v).mul_(_TO_UINT8))


# ---------------------------------------------------------------- rotation (nearest neighbour)


def _rotation_grid(angle: float, h: int, w: int) -> torch.Tensor:
    """(1, H, W, 2) sampling grid of `v2.functional.rotate` about the centre: its numbers, without its `bmm`.

    torchvision multiplies a (H*W, 3) grid of (x, y, 1) by a 3x2 matrix; for three terms that is
    (x*a + y*b) + c, which elementwise arithmetic gives exactly and much faster for these thin shapes.
    """
    matrix = _get_inverse_affine_matrix([0.0, 0.0], -angle, [0.0, 0.0], 1.0, [0.0, 0.0])
    theta = torch.tensor(matrix, dtype=torch.float32).reshape(2, 3)
    rescaled = theta.T.div_(torch.tensor([0.5 * w, 0.5 * h]))  # (3, 2), as torchvision rescales it
    xs = torch.linspace((1.0 - w) * 0.5, (w - 1.0) * 0.5, steps=w)[None, :]  # (1, W)
    ys = torch.linspace((1.0 - h) * 0.5, (h - 1.0) * 0.5, steps=h)[:, None]  # (H, 1)
    a, b, c = (col.view(2, 1, 1) for col in rescaled)  # per grid column (x, y)
    columns = (xs * a + ys * b) + c  # (2, H, W): each column computed along contiguous rows
    return columns.permute(1, 2, 0)[None]  # grid_sample reads the (1, H, W, 2) view without a copy


@functools.lru_cache(maxsize=4)
def _pixel_numbers(h: int, w: int) -> torch.Tensor:
    """(1, 1, H, W) float image numbering the pixels 1..H*W (read-only; 0 will mean "outside")."""
    return torch.arange(1, h * w + 1, dtype=torch.float32).reshape(1, 1, h, w)


def rotate_nearest(image: torch.Tensor, angle: float, interpolation: Any = v2.InterpolationMode.NEAREST,
                   expand: bool = False, center: list[float] | None = None, fill: Any = None) -> torch.Tensor | None:
    """`v2.functional.rotate` of a uint8 CPU image with nearest-neighbour sampling: same result, faster.

    Instead of sampling the float image plus a mask channel, sample an image of pixel numbers once
    (grid_sample's own nearest rule, so the same source pixel is chosen) and copy those pixels.
    None where this shortcut does not apply (torchvision then runs as usual).
    """
    h, w = image.shape[-2:]
    c = image.shape[-3]
    angle = angle % 360  # torchvision's first step: the matrix below is computed from this angle
    mode = getattr(interpolation, "value", interpolation)  # v2 passes "nearest"; users pass the enum
    values = [0.0] if fill is None else list(fill) if isinstance(fill, (tuple, list)) else [float(fill)]
    if (mode != "nearest" or expand or center is not None or not _cpu_uint8(image) or angle % 90 == 0
            or len(values) not in (1, c) or h * w >= 2 ** 24):  # pixel numbers stay exact in float32
        return None
    grid = _rotation_grid(angle, h, w)
    picked = torch.nn.functional.grid_sample(_pixel_numbers(h, w), grid, mode="nearest", padding_mode="zeros",
                                             align_corners=False).reshape(1, -1).long()
    # torchvision fills outside pixels with `fill` (0 when None), rounded to uint8: put that colour
    # at position 0, in front of each channel's pixels, so "outside" picks it
    fill_px = torch.tensor(values, dtype=torch.float32).round_().to(torch.uint8).expand(c)
    rows = image.reshape(-1, h * w)  # (..., C, H, W) -> (B*C, H*W)
    padded = torch.cat((fill_px.repeat(rows.shape[0] // c)[:, None], rows), dim=1)
    return padded.gather(1, picked.expand(rows.shape[0], -1)).reshape(image.shape)


# ---------------------------------------------------------------- transforms using them


def _plain_image(inpt: Any) -> bool:
    """A bare image tensor or `tv_tensors.Image` (masks, boxes and videos take torchvision's path)."""
    return type(inpt) in (torch.Tensor, tv_tensors.Image) and inpt.ndim >= 3


def _like(out: torch.Tensor, inpt: Any) -> Any:
    """`out` as the same kind of tensor as `inpt` (a bare tensor stays bare)."""
    return tv_tensors.wrap(out, like=inpt) if isinstance(inpt, tv_tensors.TVTensor) else out


class _ExactFaster:
    """Mixin for a v2 transform: its random draws stay torchvision's, some image kernels run faster.

    `fast_kernels` maps a v2 functional to a kernel returning the same result, or None where it does
    not apply (torchvision's kernel then runs).
    """

    fast_kernels: dict[Callable, Callable] = {}

    def _call_kernel(self, functional: Callable, inpt: Any, *args: Any, **kwargs: Any) -> Any:
        fast = self.fast_kernels.get(functional)
        if fast is not None and _plain_image(inpt):
            out = fast(inpt.as_subclass(torch.Tensor), *args, **kwargs)
            if out is not None:
                return _like(out, inpt)
        return super()._call_kernel(functional, inpt, *args, **kwargs)  # type: ignore[misc]


class ExactColorJitter(_ExactFaster, v2.ColorJitter):
    """`v2.ColorJitter` with the faster kernels above."""

    fast_kernels = {F.adjust_brightness: adjust_brightness_uint8, F.adjust_contrast: adjust_contrast_uint8,
                    F.adjust_saturation: adjust_saturation_uint8, F.adjust_hue: adjust_hue_uint8}

    def transform(self, inpt: Any, params: dict[str, Any]) -> Any:
        if _plain_image(inpt) and not inpt.is_contiguous():  # e.g. channels-last from to_image and resizing:
            inpt = _like(inpt.as_subclass(torch.Tensor).contiguous(), inpt)  # one copy; all four run on planes
        return super().transform(inpt, params)


class ExactRandomRotation(_ExactFaster, v2.RandomRotation):
    """`v2.RandomRotation` with the faster nearest-neighbour rotation."""

    fast_kernels = {F.rotate: rotate_nearest}


# The page builds these instead of the v2 class of the same name.
EXACT_FASTER = {"ColorJitter": ExactColorJitter, "RandomRotation": ExactRandomRotation}
