"""Convolution on images: `F.conv2d` with padding modes, groups and bias, a from-scratch twin, and pixels to show."""
from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from lib.common.messages import N_, LearnerError
from lib.conv.shapes import check_hyper, output_size, same_padding

PADDING_KINDS = ("number", "same", "valid")
PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
# how an output of any range becomes pixels: id (in links) -> what the page calls it
DISPLAY_MODES = {"stretch": N_("Stretch min..max"), "clip": N_("Clip to 0..1"), "abs": N_("Absolute value")}
COLOURS = {"rgb": N_("RGB"), "grey": N_("Greyscale")}


@dataclass(frozen=True)
class ConvSettings:
    """Everything `F.conv2d` is called with on the image section."""

    stride: int = 1
    padding: int | str = 0       # a number, 'same' or 'valid'
    padding_mode: str = "zeros"
    dilation: int = 1
    groups: int = 1
    bias: float = 0.0


def resolve_padding(settings: ConvSettings, kh: int, kw: int) -> tuple[int, int, int, int]:
    """(left, right, top, bottom) padding for a number, 'same' or 'valid'."""
    p = settings.padding
    if p == "valid":
        return 0, 0, 0, 0
    if p == "same":
        if settings.stride != 1:
            raise LearnerError("padding='same' only works with stride 1 (PyTorch refuses it otherwise); "
                               "pick a number instead.")
        top, bottom = same_padding(kh, settings.dilation)
        left, right = same_padding(kw, settings.dilation)
        return left, right, top, bottom
    if not isinstance(p, int):
        raise LearnerError("Padding must be a number, 'same' or 'valid', not {p}.", p=repr(p))
    return p, p, p, p


def conv_weight(kernel: torch.Tensor, channels: int, groups: int) -> torch.Tensor:
    """One kernel for every (out, in) pair: (kh, kw) -> (C, C/groups, kh, kw), divided by C/groups.

    Dividing by the number of input channels each output sees keeps the brightness of a
    blur the same whether it mixes all colours (groups=1) or filters each alone (groups=C).
    """
    if groups < 1:
        raise LearnerError("groups must be at least 1 (got {groups}).", groups=groups)
    if channels % groups:
        raise LearnerError("groups={groups} is impossible: the {channels} input channels cannot be split into "
                           "{groups} equal groups. Use a divisor of {channels}.", groups=groups, channels=channels)
    per_group = channels // groups
    return kernel.expand(channels, per_group, *kernel.shape).clone() / per_group


def check_conv(in_hw: tuple[int, int], kernel_hw: tuple[int, int], settings: ConvSettings) -> tuple[int, int]:
    """Validate the settings for an input size and return the output (H, W)."""
    check_hyper(settings.stride, settings.dilation)
    if settings.padding_mode not in PADDING_MODES:
        raise LearnerError("padding_mode must be one of {modes}.", modes=", ".join(PADDING_MODES))
    left, right, top, bottom = resolve_padding(settings, *kernel_hw)
    if settings.padding_mode in ("reflect", "circular") and max(left, right, top, bottom) >= min(in_hw):
        raise LearnerError("{mode} padding must be smaller than the input ({n} pixels); reduce the padding.",
                           mode=settings.padding_mode, n=min(in_hw))
    sizes = []
    for n, k, (a, b) in zip(in_hw, kernel_hw, ((top, bottom), (left, right))):
        # asymmetric 'same' padding: formula with the total padding split as PyTorch does
        out = output_size(n + a + b, k, settings.stride, 0, settings.dilation)
        sizes.append(out)
    return sizes[0], sizes[1]


def apply_conv(x: torch.Tensor, kernel: torch.Tensor, settings: ConvSettings) -> torch.Tensor:
    """Pad with `padding_mode`, then `F.conv2d` the (1, C, H, W) image with the kernel on every channel."""
    kh, kw = kernel.shape
    check_conv((x.shape[-2], x.shape[-1]), (kh, kw), settings)
    weight = conv_weight(kernel.to(x.device, x.dtype), x.shape[1], settings.groups)
    bias = torch.full((x.shape[1],), settings.bias, device=x.device, dtype=x.dtype)
    pads = resolve_padding(settings, kh, kw)
    mode = "constant" if settings.padding_mode == "zeros" else settings.padding_mode
    x = F.pad(x, pads, mode=mode)
    return F.conv2d(x, weight, bias, stride=settings.stride, dilation=settings.dilation, groups=settings.groups)


def conv2d_naive(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None = None, stride: int = 1,
                 padding: int = 0, dilation: int = 1, groups: int = 1) -> torch.Tensor:
    """Convolution (cross-correlation) with explicit loops over output positions; matches F.conv2d."""
    b, c_in, h, w = x.shape
    c_out, c_per_group, kh, kw = weight.shape
    out_h = output_size(h, kh, stride, padding, dilation)
    out_w = output_size(w, kw, stride, padding, dilation)
    x = F.pad(x, (padding,) * 4)
    out = torch.zeros(b, c_out, out_h, out_w, dtype=x.dtype)
    out_per_group = c_out // groups
    for o in range(c_out):
        g = o // out_per_group
        xs = x[:, g * c_per_group:(g + 1) * c_per_group]  # the input channels this output sees
        for i in range(out_h):
            for j in range(out_w):
                top, left = i * stride, j * stride
                patch = xs[:, :, top: top + dilation * (kh - 1) + 1: dilation, left: left + dilation * (kw - 1) + 1: dilation]
                out[:, o, i, j] = (patch * weight[o]).sum(dim=(1, 2, 3))
    return out if bias is None else out + bias.view(1, -1, 1, 1)


def image_to_tensor(image: Image.Image, grey: bool, device: torch.device | str = "cpu") -> torch.Tensor:
    """PIL image -> (1, C, H, W) float in [0, 1], C = 1 for greyscale, 3 for RGB."""
    arr = np.asarray(image.convert("L" if grey else "RGB"), dtype=np.float32) / 255.0
    t = torch.from_numpy(arr)
    t = t[None] if grey else t.permute(2, 0, 1)  # (H, W) -> (1, H, W) or (H, W, 3) -> (3, H, W)
    return t[None].to(device)  # (C, H, W) -> (1, C, H, W)


def to_display(x: torch.Tensor, mode: str = "stretch") -> np.ndarray:
    """A (1, C, H, W) result as a uint8 image (H, W) or (H, W, 3) for `st.image`.

    The mapping runs in NumPy, on one core: a light step redone on every slider move would otherwise
    wait for torch's thread team, which on a busy server costs many times the arithmetic.
    """
    a = x.detach().float().cpu()[0].numpy()  # (C, H, W), a view
    if mode == "abs":
        a = np.clip(np.abs(a), 0, 1)
    elif mode == "stretch":
        lo, hi = a.min(), a.max()
        a = (a - lo) / (hi - lo) if hi > lo else np.zeros_like(a)
    elif mode == "clip":
        a = np.clip(a, 0, 1)
    else:
        raise LearnerError("Unknown display mode {mode}.", mode=repr(mode))
    a = np.rint(a * 255).astype(np.uint8).transpose(1, 2, 0)  # (C, H, W) -> (H, W, C), half to even as torch
    return np.ascontiguousarray(a[:, :, 0] if a.shape[2] == 1 else a)


# ----------------------------------------------------------------------------- what the page shows

@dataclass(frozen=True)
class ImageConv:
    """An image, its convolution and the numbers the page writes about them."""

    x: torch.Tensor                      # (1, C, H, W) input in [0, 1]
    out: torch.Tensor                    # (1, C, H', W') output, any range
    in_shape: tuple[int, ...]
    out_shape: tuple[int, ...]
    weight_shape: tuple[int, ...]        # (out_channels, in_channels / groups, kh, kw)
    value_range: tuple[float, float]     # smallest and largest output (outside 0..1 for Sobel, sharpen...)

    def output_picture(self, display: str) -> np.ndarray:
        """The output as a uint8 image, mapped to pixels with `display`."""
        return to_display(self.out, display)


def input_picture_jpeg(image: Image.Image, grey: bool) -> bytes:
    """The input as the section shows it (RGB or greyscale), as JPEG bytes made once per picture.

    Quality 100, as `st.image` encodes an array: the page encodes the unchanging input once instead of on
    every slider move, and the browser gets the same picture as before.
    """
    buffer = io.BytesIO()
    image.convert("L" if grey else "RGB").save(buffer, format="JPEG", quality=100)
    return buffer.getvalue()


def convolve_image(image: Image.Image, grey: bool, kernel: torch.Tensor, settings: ConvSettings,
                   device: torch.device | str = "cpu") -> ImageConv:
    """The image section's computation: the picture as a tensor, convolved with the kernel on every channel."""
    x = image_to_tensor(image, grey, device)
    out = apply_conv(x, kernel, settings)
    lo, hi = torch.aminmax(out)  # one pass over the output instead of two
    weight_shape = (x.shape[1], x.shape[1] // settings.groups, *kernel.shape)  # as conv_weight builds it
    return ImageConv(x, out, tuple(x.shape), tuple(out.shape), weight_shape, (float(lo), float(hi)))
