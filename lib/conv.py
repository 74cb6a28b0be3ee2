"""Convolution and pooling, small enough to see: sliding windows, kernels, shapes, pooling.

Pairs a from-scratch version with the PyTorch call (`conv2d_naive` vs `F.conv2d`) and
generates the runnable code shown in the page's code panels.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

MAX_KERNEL = 7  # typed kernels up to 7x7: bigger ones are unreadable as text and slow to step through
PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
DISPLAY_MODES = ("Stretch min..max", "Clip to 0..1", "Absolute value")


@dataclass(frozen=True)
class ConvConfig:
    """Defaults and ranges of every control on the conv page."""

    grid_size: int = 5            # the classic recipe's 5x5 integer input
    grid_sizes: tuple[int, ...] = (5, 6, 7, 8)
    grid_seed: int = 0
    window_kernel: int = 3        # 3x3 is what every CNN tutorial starts with
    preset: str = "Sobel x"       # shows a visible, signed response on photos
    stride: int = 1
    max_stride: int = 4
    padding: int = 0
    max_padding: int = 4
    dilation: int = 1
    max_dilation: int = 4
    groups: int = 1
    max_groups: int = 4
    bias: float = 0.0
    pool_kernel: int = 2          # 2x2/2 halves each side: the usual CNN downsampling step
    pool_stride: int = 2
    max_pool_kernel: int = 8
    max_side: int = 512           # caps every image: keeps reruns instant on CPU
    vgg_side: int = 256           # VGG input side: deep layers stay under a second on CPU
    vgg_layer: str = "conv1_1"
    feature_maps: int = 16        # feature maps drawn in the grid


# ----------------------------------------------------------------------------- kernels

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
    if len(rows) > MAX_KERNEL or rows[0].__len__() > MAX_KERNEL:
        raise ValueError(f"The kernel is {len(rows)}x{len(rows[0])}; keep it at most {MAX_KERNEL}x{MAX_KERNEL}.")
    return torch.tensor(rows, dtype=torch.float32)


def kernel_text(kernel: torch.Tensor) -> str:
    """A (kh, kw) kernel as editable text, one row per line."""
    return "\n".join(" ".join(f"{v:.4g}" for v in row) for row in kernel.tolist())


# ----------------------------------------------------------------------------- shapes

def check_hyper(stride: int, dilation: int = 1, padding: int = 0) -> None:
    """Refuse stride/dilation below 1 and negative padding with a learner-level sentence."""
    if stride < 1:
        raise ValueError(f"Stride must be at least 1 (got {stride}): the window has to move forward.")
    if dilation < 1:
        raise ValueError(f"Dilation must be at least 1 (got {dilation}); 1 means no gaps.")
    if padding < 0:
        raise ValueError(f"Padding cannot be negative (got {padding}).")


def output_size(n: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1,
                ceil_mode: bool = False) -> int:
    """PyTorch's output length along one axis: floor((n + 2p - d(k-1) - 1) / s) + 1."""
    check_hyper(stride, dilation, padding)
    span = dilation * (kernel - 1) + 1  # how many input cells one window covers
    if n + 2 * padding < span:
        raise ValueError(
            f"The kernel covers {span} cells but the padded input has only {n + 2 * padding} "
            f"({n} + 2x{padding} padding): use a smaller kernel or dilation, or more padding."
        )
    room = n + 2 * padding - span
    out = (math.ceil(room / stride) if ceil_mode else room // stride) + 1
    if ceil_mode and (out - 1) * stride >= n + padding:
        out -= 1  # PyTorch drops a last window that would start in the right padding
    return out


def formula_text(n: int, kernel: int, stride: int, padding: int, dilation: int,
                 ceil_mode: bool = False) -> str:
    """The output-size formula with the numbers filled in, as LaTeX."""
    out = output_size(n, kernel, stride, padding, dilation, ceil_mode)
    rounding = r"\left\lceil" if ceil_mode else r"\left\lfloor"
    closing = r"\right\rceil" if ceil_mode else r"\right\rfloor"
    numerator = f"{n} + 2\\cdot{padding} - {dilation}\\cdot({kernel}-1) - 1"
    value = n + 2 * padding - dilation * (kernel - 1) - 1
    return (f"{rounding}\\frac{{{numerator}}}{{{stride}}}{closing} + 1 = "
            f"{rounding}\\frac{{{value}}}{{{stride}}}{closing} + 1 = {out}")


def same_padding(kernel: int, dilation: int = 1) -> tuple[int, int]:
    """(before, after) padding that keeps the size at stride 1; the extra cell goes after, as in PyTorch."""
    total = dilation * (kernel - 1)
    return total // 2, total - total // 2


# ----------------------------------------------------------------------------- sliding window

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
        raise ValueError("A convolution needs a kernel.")
    kh, kw = kernel_hw
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
        raise ValueError(f"Unknown operation {op!r}; use conv, max or avg.")
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


# ----------------------------------------------------------------------------- conv on images

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
            raise ValueError("padding='same' only works with stride 1 (PyTorch refuses it otherwise); "
                             "pick a number instead.")
        top, bottom = same_padding(kh, settings.dilation)
        left, right = same_padding(kw, settings.dilation)
        return left, right, top, bottom
    if not isinstance(p, int):
        raise ValueError(f"Padding must be a number, 'same' or 'valid', not {p!r}.")
    return p, p, p, p


def conv_weight(kernel: torch.Tensor, channels: int, groups: int) -> torch.Tensor:
    """One kernel for every (out, in) pair: (kh, kw) -> (C, C/groups, kh, kw), divided by C/groups.

    Dividing by the number of input channels each output sees keeps the brightness of a
    blur the same whether it mixes all colours (groups=1) or filters each alone (groups=C).
    """
    if groups < 1:
        raise ValueError(f"groups must be at least 1 (got {groups}).")
    if channels % groups:
        raise ValueError(f"groups={groups} is impossible: the {channels} input channels cannot be split "
                         f"into {groups} equal groups. Use a divisor of {channels}.")
    per_group = channels // groups
    return kernel.expand(channels, per_group, *kernel.shape).clone() / per_group


def check_conv(in_hw: tuple[int, int], kernel_hw: tuple[int, int], settings: ConvSettings) -> tuple[int, int]:
    """Validate the settings for an input size and return the output (H, W)."""
    check_hyper(settings.stride, settings.dilation)
    if settings.padding_mode not in PADDING_MODES:
        raise ValueError(f"padding_mode must be one of {', '.join(PADDING_MODES)}.")
    left, right, top, bottom = resolve_padding(settings, *kernel_hw)
    if settings.padding_mode in ("reflect", "circular") and max(left, right, top, bottom) >= min(in_hw):
        raise ValueError(f"{settings.padding_mode} padding must be smaller than the input "
                         f"({min(in_hw)} pixels); reduce the padding.")
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


def to_display(x: torch.Tensor, mode: str = DISPLAY_MODES[0]) -> np.ndarray:
    """A (1, C, H, W) result as a uint8 image (H, W) or (H, W, 3) for `st.image`."""
    x = x.detach().float().cpu()[0]
    if mode == "Absolute value":
        x = x.abs().clamp(0, 1)
    elif mode == "Stretch min..max":
        lo, hi = x.min(), x.max()
        x = (x - lo) / (hi - lo) if hi > lo else torch.zeros_like(x)
    elif mode == "Clip to 0..1":
        x = x.clamp(0, 1)
    else:
        raise ValueError(f"Unknown display mode {mode!r}.")
    arr = (x * 255).round().to(torch.uint8).permute(1, 2, 0).numpy()  # (C, H, W) -> (H, W, C)
    return arr[:, :, 0] if arr.shape[2] == 1 else arr


# ----------------------------------------------------------------------------- pooling

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
    if s.kind not in ("max", "avg"):
        raise ValueError(f"Pooling is 'max' or 'avg', not {s.kind!r}.")
    if s.kernel < 1:
        raise ValueError("The pooling window must be at least 1x1.")
    if s.padding > s.kernel // 2:
        raise ValueError(f"Pooling padding can be at most half the window ({s.kernel // 2} for a "
                         f"{s.kernel}x{s.kernel} window); PyTorch refuses more.")
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


# ----------------------------------------------------------------------------- VGG pictures

def tile_grid(maps: torch.Tensor, cols: int, gap: int = 1, scale: int = 1) -> np.ndarray:
    """(N, C, h, w) maps, each stretched to 0..1 on its own, as one uint8 mosaic (C = 1 or 3)."""
    n, c, h, w = maps.shape
    flat = maps.detach().float().cpu().reshape(n, -1)  # (N, C, h, w) -> (N, C*h*w)
    lo, hi = flat.min(1, keepdim=True).values, flat.max(1, keepdim=True).values
    flat = (flat - lo) / (hi - lo).clamp_min(1e-8)
    maps = flat.view(n, c, h, w).repeat_interleave(scale, 2).repeat_interleave(scale, 3)
    rows = math.ceil(n / cols)
    th, tw = h * scale, w * scale
    canvas = torch.ones(c, rows * (th + gap) - gap, cols * (tw + gap) - gap)
    for k in range(n):
        r, q = divmod(k, cols)
        canvas[:, r * (th + gap): r * (th + gap) + th, q * (tw + gap): q * (tw + gap) + tw] = maps[k]
    arr = (canvas * 255).round().to(torch.uint8).permute(1, 2, 0).numpy()  # (C, H, W) -> (H, W, C)
    return arr[:, :, 0] if c == 1 else arr


def resize_for_vgg(image: Image.Image, side: int) -> Image.Image:
    """Shrink so the longest side is at most `side` (deep VGG layers on CPU stay fast)."""
    image = image.convert("RGB")
    if max(image.size) > side:
        image = image.copy()
        image.thumbnail((side, side), Image.Resampling.LANCZOS)
    return image
