"""Standalone, runnable PyTorch code for the conv page's current settings (shown in code panels).

One generator per section: sliding window, convolution and pooling on an image, VGG19 filters, layer stack.
"""
from __future__ import annotations

import json

import torch

from lib.conv.image_ops import ConvSettings, resolve_padding
from lib.conv.layer_stack import module_specs
from lib.conv.pooling import PoolSettings


def _matrix(kernel: torch.Tensor) -> str:
    """A kernel as a `torch.tensor([...])` literal."""
    rows = ", ".join("[" + ", ".join(f"{v:.6g}" for v in row) + "]" for row in kernel.tolist())
    return f"torch.tensor([{rows}], dtype=torch.float32)"


def _path(image_path: str) -> str:
    """A file name as a Python string literal: an uploaded file's name may hold quotes or backslashes."""
    return json.dumps(image_path)  # a JSON string is also a valid Python string literal


def window_code(size: int, seed: int, op: str, kernel_hw: tuple[int, int], stride: int, padding: int,
                dilation: int, kernel: torch.Tensor | None = None) -> str:
    """The sliding-window section: a seeded integer grid and one conv or pooling call."""
    lines = [
        "import torch",
        "import torch.nn.functional as F",
        "",
        "# like the classic torch.FloatTensor(1, 5, 5).random_(0, 10), but seeded",
        f"g = torch.Generator().manual_seed({seed})",
        f"x = torch.randint(0, 10, (1, 1, {size}, {size}), generator=g).float()  # (B, C, H, W)",
    ]
    if op == "conv":
        assert kernel is not None
        lines += [f"kernel = {_matrix(kernel)}",
                  "weight = kernel[None, None]  # (kh, kw) -> (out_channels, in_channels, kh, kw)",
                  f"out = F.conv2d(x, weight, stride={stride}, padding={padding}, dilation={dilation})"]
    elif op == "max":
        lines.append(f"out = F.max_pool2d(x, kernel_size={kernel_hw}, stride={stride}, padding={padding}, "
                     f"dilation={dilation})")
    else:
        lines.append(f"out = F.avg_pool2d(x, kernel_size={kernel_hw}, stride={stride}, padding={padding})")
    lines += ["print('input', tuple(x.shape))", "print(x[0, 0])",
              "print('output', tuple(out.shape))", "print(out[0, 0])"]
    return "\n".join(lines) + "\n"


def _load_image_lines(image_path: str, grey: bool, max_side: int) -> list[str]:
    """Code that opens an image file the way the page does: (1, C, H, W) in [0, 1]."""
    mode = "L" if grey else "RGB"
    return [
        "import numpy as np",
        "import torch",
        "import torch.nn.functional as F",
        "from PIL import Image",
        "",
        f'image = Image.open({_path(image_path)}).convert("{mode}")',
        f"image.thumbnail(({max_side}, {max_side}), Image.Resampling.LANCZOS)  # the page caps the size too",
        "x = torch.from_numpy(np.asarray(image, dtype=np.float32) / 255.0)",
        ("x = x[None, None]  # (H, W) -> (1, 1, H, W)" if grey
         else "x = x.permute(2, 0, 1)[None]  # (H, W, 3) -> (1, 3, H, W)"),
    ]


def image_conv_code(kernel: torch.Tensor, s: ConvSettings, grey: bool, image_path: str, max_side: int) -> str:
    """The image section: pad with padding_mode, then F.conv2d with the kernel on every channel."""
    kh, kw = kernel.shape
    pads = resolve_padding(s, kh, kw)
    mode = "constant" if s.padding_mode == "zeros" else s.padding_mode
    lines = _load_image_lines(image_path, grey, max_side) + [
        "",
        f"kernel = {_matrix(kernel)}",
        "channels = x.shape[1]",
        f"groups = {s.groups}",
        "# every output channel sees channels // groups inputs; dividing keeps the brightness",
        "weight = kernel.expand(channels, channels // groups, *kernel.shape) / (channels // groups)",
        f"bias = torch.full((channels,), {s.bias!r})",
        f"# padding={s.padding!r} -> (left, right, top, bottom) = {pads}, padding_mode={s.padding_mode!r}",
        f'x_padded = F.pad(x, {pads}, mode="{mode}")',
        f"out = F.conv2d(x_padded, weight, bias, stride={s.stride}, dilation={s.dilation}, groups=groups)",
        "# the same layer as a module:",
        f"conv = torch.nn.Conv2d(channels, channels, {(kh, kw)}, stride={s.stride}, padding={s.padding!r}, "
        f"dilation={s.dilation}, groups=groups, padding_mode={s.padding_mode!r})",
        "print('input', tuple(x.shape), '-> output', tuple(out.shape))",
    ]
    return "\n".join(lines) + "\n"


def pool_code(s: PoolSettings, grey: bool, image_path: str, max_side: int) -> str:
    """The pooling section: max/avg pooling, global average pooling, MaxUnpool2d."""
    fn = "max_pool2d" if s.kind == "max" else "avg_pool2d"
    lines = _load_image_lines(image_path, grey, max_side) + [
        "",
        f"out = F.{fn}(x, kernel_size={s.kernel}, stride={s.stride}, padding={s.padding}, "
        f"ceil_mode={s.ceil_mode})",
        "gap = F.adaptive_avg_pool2d(x, 1)  # global average pooling: (1, C, H, W) -> (1, C, 1, 1)",
        f"pooled, indices = F.max_pool2d(x, {s.kernel}, {s.stride}, return_indices=True)",
        f"unpool = torch.nn.MaxUnpool2d({s.kernel}, {s.stride})",
        "unpooled = unpool(pooled, indices, output_size=x.shape[-2:])  # zeros except where each max was",
        "print('input', tuple(x.shape), '->', tuple(out.shape))",
        "print('channel means', gap.flatten().tolist())",
        "print('fraction of pixels kept by max pooling', (unpooled != 0).float().mean().item())",
    ]
    return "\n".join(lines) + "\n"


def vgg_code(layer: str, image_path: str, side: int) -> str:
    """The learned-filters section, using the project's VGG19 loader (run from the repository root)."""
    lines = [
        "# Run from the repository root: lib.common.vgg loads torchvision's VGG19 weights when cached,",
        "# else the embedded Caffe weights. Plain torchvision equivalent (downloads 550 MB):",
        "#   torchvision.models.vgg19(weights='IMAGENET1K_V1').features, input normalised with",
        "#   mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225)",
        "import numpy as np",
        "import torch",
        "from PIL import Image",
        "",
        "from lib.common.vgg import load_vgg19_features",
        "",
        f'features = load_vgg19_features("{layer}", "cpu")',
        "print('weights:', features.source)",
        "kernels = features.layers[0].weight  # conv1_1: (64, 3, 3, 3) = (out, RGB in, kh, kw)",
        f'image = Image.open({_path(image_path)}).convert("RGB")',
        f"image.thumbnail(({side}, {side}), Image.Resampling.LANCZOS)",
        "x = torch.from_numpy(np.asarray(image, dtype=np.float32) / 255.0).permute(2, 0, 1)[None]  # (1, 3, H, W)",
        "with torch.no_grad():",
        f'    maps = features.extract(x, ["{layer}"])["{layer}"]',
        f"print('{layer} output', tuple(maps.shape))  # (1, channels, H', W')",
    ]
    return "\n".join(lines) + "\n"


def stack_code(rows: list[dict], input_shape: tuple[int, int, int]) -> str:
    """Runnable code building the valid layers and printing each output shape and the parameter count."""
    calls = [f"nn.{name}({', '.join(f'{k}={v}' for k, v in kw.items())})" for name, kw in module_specs(rows, input_shape)]
    body = "\n".join(f"    {call}," for call in calls)
    c, h, w = input_shape
    return (
        "import torch\nfrom torch import nn\n\n"
        f"model = nn.Sequential(\n{body}\n)\n"
        f"x = torch.zeros(1, {c}, {h}, {w})  # (B, C, H, W)\n"
        "for layer in model:\n"
        "    x = layer(x)\n"
        "    print(f'{layer.__class__.__name__:10s} -> {tuple(x.shape[1:])}')\n"
        "print('parameters:', sum(p.numel() for p in model.parameters()))\n"
    )
