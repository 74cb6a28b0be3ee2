"""Faster, bit-exact versions of the torchvision v2 kernels that dominate a preview grid.

ColorJitter and RandomRotation on uint8 CPU images spend most of their time converting to float and
back, in bool/int64 temporaries (`aminmax`, `gather`, masks), in fresh buffers and in a thin `bmm`.
The code here computes the very same numbers another way: ColorJitter's four steps on one float copy
of the image's levels, in place, with 0/1 float-mask arithmetic for hue; rotation through a sampled
"pixel number" image.

The page builds `ExactColorJitter` / `ExactRandomRotation`: v2 subclasses whose random draws are the
original's, so a grid drawn on the page equals the grid the exported `v2.Compose` code draws.
tests/unit/augment/test_augment_kernels.py compares every kernel with torchvision's bit for bit (hue on all
2**24 colours); inputs a shortcut does not cover (float, grey where it matters, empty, non-CPU
images, masks, boxes) take torchvision's own kernels.
"""
from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import torch
from torchvision import tv_tensors
from torchvision.transforms import v2
from torchvision.transforms.v2 import functional as F
# torchvision's own helpers, so the fast paths compute exactly what torchvision computes
from torchvision.transforms.v2.functional._color import _rgb_to_grayscale_image
from torchvision.transforms.v2.functional._geometry import _affine_grid, _get_inverse_affine_matrix


# ---------------------------------------------------------------- ColorJitter on float "levels"

# Each of torchvision's uint8 colour kernels converts the image to float, computes, and converts back
# (truncating). ColorJitter chains four of them, so the page converts once: it keeps the image as
# float32 *levels* - the uint8 numbers 0..255, integer-valued - and each step below does torchvision's
# float arithmetic on them and truncates as its `.to(torch.uint8)` would. The float ops see the very
# numbers torchvision's see (a uint8 operand is widened to the same float32 value), so every step gives
# the same levels; one conversion back to uint8 at the end.
# - The steps work in place (trailing underscore): the levels are the transform's own copy, and
#   writing over a buffer already in cache is about twice as fast as filling a new one.
# - The values are never negative here, so truncating is `floor_` (vectorised; `trunc_` is not).
_TO_UINT8 = 255.0 + 1.0 - 1e-3  # torchvision's to_dtype(float -> uint8, scale=True) multiplies by this


def _cpu_uint8(image: torch.Tensor) -> bool:
    return image.dtype == torch.uint8 and image.device.type == "cpu" and image.numel() > 0


def _to_uint8(x: torch.Tensor) -> torch.Tensor:
    """Float in [0, 255.999] -> uint8 by truncation, as `.to(torch.uint8)`; via int32 is twice as fast."""
    return x.to(torch.int32).to(torch.uint8)


def _grey_levels(x: torch.Tensor) -> torch.Tensor:
    """(..., 1, H, W) grey of an RGB image of levels, floored as torchvision floors it for uint8 images."""
    return _rgb_to_grayscale_image(x, num_output_channels=1, preserve_dtype=False).floor_()


def _clamp_floor_(x: torch.Tensor, factor: float) -> torch.Tensor:
    """Clamp to [0, 255] and truncate. With a factor <= 1 each value is a level scaled down, or a mix of
    two levels, so it lies in [0, 255] up to rounding: truncating alone gives the same level."""
    return (x.clamp_(0, 255) if factor > 1 else x).floor_()


def _blend_levels_(x: torch.Tensor, other: torch.Tensor, ratio: float) -> torch.Tensor:
    """torchvision's `_blend` of a uint8 image: x * ratio + other * (1 - ratio), clamped, truncated."""
    ratio = float(ratio)
    return _clamp_floor_(x.mul_(ratio).add_(other, alpha=1.0 - ratio), ratio)


def brightness_levels_(x: torch.Tensor, factor: float) -> torch.Tensor:
    """`adjust_brightness` of a uint8 image, on its levels."""
    return _clamp_floor_(x.mul_(factor), factor)


def contrast_levels_(x: torch.Tensor, factor: float) -> torch.Tensor:
    """`adjust_contrast` of a uint8 image, on its levels: blend with the mean grey of each image."""
    grey = _grey_levels(x) if x.shape[-3] == 3 else x
    return _blend_levels_(x, torch.mean(grey, dim=(-3, -2, -1), keepdim=True), factor)


def saturation_levels_(x: torch.Tensor, factor: float) -> torch.Tensor:
    """`adjust_saturation` of a uint8 image, on its levels: blend with the grey image (grey stays grey)."""
    return x if x.shape[-3] == 1 else _blend_levels_(x, _grey_levels(x), factor)


# ---------------------------------------------------------------- hue

# torchvision's hue arithmetic, op for op, with two changes that keep its numbers:
# - every selection is arithmetic with 0/1 float masks: `x * 1 = x`, `x * 0 = 0` and `x + 0 = x` are
#   exact (so `out.addcmul_(x, mask)` adds x or nothing), which runs about ten times faster than
#   `where`/`gather` and bool tensors here;
# - `1 - x` is written `x.neg_().add_(1)` where that saves a new tensor: IEEE defines a - b as a + (-b).
# The planes live in one workspace and in the image's own planes, overwritten once no longer needed.
_TINY = 1e-30  # below every non-zero value an 8-bit image gives (1/255): stands in for "divide by 1 when 0"
# 0.0 .. 6.0 as 0-dim float32 tensors: comparing with these skips wrapping a Python number on every call
_SMALL_INTS = tuple(torch.tensor(float(k)) for k in range(7))


def _rgb_to_hsv_(rgb: torch.Tensor, ws: list[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(..., 3, H, W) float in [0, 1] -> h, s, v planes (in `ws`) with torchvision's `_rgb_to_hsv` numbers.

    Overwrites `rgb`; `ws` is six (..., H, W) planes, of which h, s, v are the first three.
    """
    h, s, v, r_wins, g_wins, b_wins = ws
    r, g, b = rgb.unbind(dim=-3)
    torch.maximum(torch.maximum(r, g, out=v), b, out=v)
    spread = torch.sub(v, torch.minimum(torch.minimum(r, g, out=h), b, out=h), out=h)  # max - min, in h for now
    # torchvision divides by 1 where all channels are equal; the numerators are 0 there, so any divisor does
    torch.div(spread, torch.clamp_min(v, _TINY, out=s), out=s)
    spread.clamp_min_(_TINY)
    for c in (r, g, b):
        torch.sub(v, c, out=c).div_(spread)  # rc, gc, bc: (max - c) / spread; 0 exactly where c is the max
    rc, gc, bc = r, g, b
    torch.eq(rc, _SMALL_INTS[0], out=r_wins)
    torch.eq(gc, _SMALL_INTS[0], out=g_wins).addcmul_(g_wins, r_wins, value=-1.0)  # torchvision: max == g and max != r
    torch.neg(r_wins, out=b_wins).add_(1.0).sub_(g_wins)  # max != r and max != g
    # torchvision adds the three masked candidates; exactly one is kept
    torch.sub(bc, gc, out=h).mul_(r_wins)
    h.addcmul_(torch.add(rc, 2.0, out=r_wins).sub_(bc), g_wins)  # r_wins is free again
    h.addcmul_(torch.add(gc, 4.0, out=g_wins).sub_(rc), b_wins)
    h.mul_(1.0 / 6.0).add_(1.0)  # in [5/6, 11/6]: torchvision's fmod(h, 1) is exactly h - floor(h)
    h.sub_(torch.floor(h, out=r_wins))
    return h, s, v


def _hsv_to_rgb_(h: torch.Tensor, s: torch.Tensor, v: torch.Tensor, ws: list[torch.Tensor],
                 out: torch.Tensor) -> torch.Tensor:
    """Inverse of `_rgb_to_hsv_` into `out` (..., 3, H, W), with torchvision's `_hsv_to_rgb` numbers.

    Overwrites h and s; uses the last three planes of `ws`.
    """
    sector, q, mask = ws[3:]
    h.mul_(6)
    torch.floor(h, out=sector)
    sxf = h.sub_(sector).mul_(s)  # h: (the fraction within the sector) * s
    one_minus_s = s.neg_().add_(1.0)
    # torchvision clamps q, t and p to [0, 1]; q and p are products of two numbers in [0, 1], which
    # round into [0, 1], so only t (a sum first) needs it
    torch.neg(sxf, out=q).add_(1.0).mul_(v)  # (1 - s * f) * v
    t = sxf.add_(one_minus_s).mul_(v).clamp_(0.0, 1.0)
    p = one_minus_s.mul_(v)
    by_sector = {0: (v, q, p, p, t, v), 1: (t, v, v, q, p, p), 2: (p, p, t, v, v, q)}  # channel: its value per sector
    channels = out.unbind(dim=-3)
    for k in range(7):  # sector 6 (h rounded up to 1) is sector 0, as torchvision's remainder(6) makes it
        torch.eq(sector, _SMALL_INTS[k], out=mask)
        for channel, values in by_sector.items():
            if k == 0:
                torch.mul(values[0], mask, out=channels[channel])
            else:
                channels[channel].addcmul_(values[k % 6], mask)
    return out


def hue_levels_(x: torch.Tensor, factor: float) -> torch.Tensor:
    """`adjust_hue` of a uint8 image, on its levels (a grey image is left alone, as torchvision does)."""
    if x.shape[-3] == 1:
        return x
    ws = list(x.new_empty((6, *x.shape[:-3], *x.shape[-2:])).unbind(0))
    h, s, v = _rgb_to_hsv_(x.mul_(1.0 / 255), ws)  # torchvision's to_dtype(uint8 -> float32, scale=True)
    h.add_(factor)  # now in [-0.5, 1.5): torchvision's remainder(h, 1) is exactly h - floor(h) here
    h.sub_(torch.floor(h, out=ws[3]))
    return _hsv_to_rgb_(h, s, v, ws, out=x).mul_(_TO_UINT8).floor_()


# ---------------------------------------------------------------- rotation (nearest neighbour)

# torchvision builds the rotation's sampling grid with a thin `bmm`: each output coordinate is the dot
# product of (x, y, 1) with a column (a, b, c) of a 3x2 matrix. How that dot product rounds is up to the
# matrix code, and it varies with size: below 400 multiply-adds torch's own loop computes
# round(round(round(x*a) + round(y*b)) + c); above, the BLAS (MKL/oneDNN) fuses the second and third steps
# into FMAs: round(round(y*b + round(x*a)) + c), y*b never rounded on its own. Plain float32 arithmetic
# gives the first formula, 1-2 ulp away from the second in about one value in five.
# The FMA is emulated exactly in float64: a product of two float32 numbers is exact in float64 (48 of 53
# bits), and so is its sum with round(x*a) whenever both fit in one 53-bit window (`_exact_in_float64`);
# a single rounding to float32 then gives the FMA's result. Tiny images, angles within ~1e-5 degrees of a
# right angle and a BLAS that does not fuse (`_blas_fuses`) take torchvision's own `_affine_grid`.
_SMALL_BMM = 400  # multiply-adds (3 * 2 * H * W): below this, torch's bmm runs its own unfused loop


def _inverse_matrix(angle: float) -> torch.Tensor:
    """(2, 3) float32 inverse matrix of a rotation by `angle` degrees about the centre, as torchvision's."""
    matrix = _get_inverse_affine_matrix([0.0, 0.0], -angle, [0.0, 0.0], 1.0, [0.0, 0.0])
    return torch.tensor(matrix, dtype=torch.float32).reshape(2, 3)


@functools.lru_cache(maxsize=8)
def _centred(n: int) -> torch.Tensor:
    """(n,) pixel centres (1 - n) / 2 .. (n - 1) / 2, torchvision's linspace (read-only).

    The step is exactly 1, so these are half-integers (or integers), exact in float32 for n < 2**24.
    """
    return torch.linspace((1.0 - n) * 0.5, (n - 1.0) * 0.5, steps=n)


def _exact_in_float64(a: float, b: float, x_max: float, y_max: float) -> bool:
    """True if y*b + round32(x*a) is exact in float64 for all half-integers |x| <= x_max, |y| <= y_max.

    A float32 v with frexp exponent e is a multiple of 2**(e - 24), so y*b, x*a and its float32 rounding
    are multiples of 2**(e - 25): their sum is an integer multiple of the smaller step, below 2**top,
    and exact when that integer has at most 53 bits.
    """
    terms = [v for v in (a, b) if v != 0.0]
    if not terms:
        return True
    step = min(math.frexp(v)[1] for v in terms) - 25
    top = math.frexp((x_max * abs(a) + y_max * abs(b)) * (1 + 2 ** -20))[1] + 1  # slack for the roundings
    return top - step <= 53


def _fused_grid(theta: torch.Tensor, h: int, w: int) -> torch.Tensor | None:
    """(1, H, W, 2) grid with the fused formula, or None where float64 could not emulate the FMA exactly."""
    rescaled = theta.T.div(torch.tensor([0.5 * w, 0.5 * h]))  # (3, 2), as torchvision rescales it
    (ax, ay), (bx, by), (cx, cy) = rescaled.tolist()  # a, b, c of the grid's x and y columns
    x_max, y_max = (w - 1) * 0.5, (h - 1) * 0.5
    if not (_exact_in_float64(ax, bx, x_max, y_max) and _exact_in_float64(ay, by, x_max, y_max)):
        return None
    a, b, c = (col.view(2, 1, 1) for col in rescaled)  # per grid column (x, y)
    xa = (_centred(w)[None, :] * a).double()  # (2, 1, W): round(x*a), in float32 first, as the BLAS does
    if cx == cy == 0.0:  # always, for these rotations: the BLAS's last step adds 0, which turns -0 into +0;
        xa.add_(0.0)     # doing that to round(x*a) gives the same signs and saves a pass over the grid
    fused = torch.add(_centred(h)[:, None].double() * b.double(), xa)  # (2, H, W): y*b + round(x*a), exact
    columns = fused.float()  # one rounding: the FMA's
    if cx != 0.0 or cy != 0.0:
        columns.add_(c)  # the BLAS's last FMA: round(acc + 1 * c)
    return columns.permute(1, 2, 0)[None]  # grid_sample reads the (1, H, W, 2) view without a copy


@functools.cache
def _blas_fuses() -> bool:
    """Whether this machine's bmm rounds a grid as the fused formula does (checked once, on a probe)."""
    theta = _inverse_matrix(33.3)
    return torch.equal(_affine_grid(theta[None].clone(), w=53, h=37, ow=53, oh=37), _fused_grid(theta, 37, 53))


def _rotation_grid(angle: float, h: int, w: int) -> torch.Tensor:
    """(1, H, W, 2) sampling grid of `v2.functional.rotate` about the centre: its very numbers, about
    twice as fast as its `bmm` for these thin shapes."""
    theta = _inverse_matrix(angle)
    grid = _fused_grid(theta, h, w) if 6 * h * w >= _SMALL_BMM and _blas_fuses() else None
    return grid if grid is not None else _affine_grid(theta[None], w=w, h=h, ow=w, oh=h)


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


class ExactColorJitter(v2.ColorJitter):
    """`v2.ColorJitter` that runs its four adjustments on float levels (above) for uint8 CPU images."""

    _LEVEL_STEPS = (("brightness_factor", brightness_levels_), ("contrast_factor", contrast_levels_),
                    ("saturation_factor", saturation_levels_), ("hue_factor", hue_levels_))  # by fn_idx

    def transform(self, inpt: Any, params: dict[str, Any]) -> Any:
        if not (_plain_image(inpt) and _cpu_uint8(inpt) and inpt.shape[-3] in (1, 3)):
            return super().transform(inpt, params)  # floats, masks, boxes, videos: torchvision's kernels
        x = inpt.as_subclass(torch.Tensor).to(torch.float32, memory_format=torch.contiguous_format)
        for fn_id in params["fn_idx"]:  # the factors are in range: the constructor checked the ranges
            name, step = self._LEVEL_STEPS[fn_id]
            if params[name] is not None:
                x = step(x, params[name])
        return _like(_to_uint8(x), inpt)


class ExactRandomRotation(v2.RandomRotation):
    """`v2.RandomRotation` with the faster nearest-neighbour rotation (same draws, same pixels)."""

    def _call_kernel(self, functional: Callable, inpt: Any, *args: Any, **kwargs: Any) -> Any:
        if functional is F.rotate and _plain_image(inpt):
            out = rotate_nearest(inpt.as_subclass(torch.Tensor), *args, **kwargs)
            if out is not None:  # None: a case the shortcut does not cover
                return _like(out, inpt)
        return super()._call_kernel(functional, inpt, *args, **kwargs)


# The page builds these instead of the v2 class of the same name.
EXACT_FASTER = {"ColorJitter": ExactColorJitter, "RandomRotation": ExactRandomRotation}
