"""Every setting of the conv page, with its widget range: the page reads defaults and ranges from here.

The classic recipe is the default: a 5x5 integer grid under a 3x3 kernel, a photo under Sobel x,
2x2 max pooling with stride 2, VGG19's first layer and the LeNet of the "Neural Networks" tutorial.
"""
from __future__ import annotations

from dataclasses import dataclass

from lib.common.settings import setting
from lib.conv.filters import VGG_LAYERS
from lib.conv.image_ops import COLOURS, DISPLAY_MODES, PADDING_KINDS, PADDING_MODES
from lib.conv.kernels import CUSTOM, KERNEL_PRESETS
from lib.conv.layer_stack import PRESETS
from lib.conv.pooling import POOL_KINDS
from lib.conv.window import WINDOW_OPS

STEPS = {"step": 1}  # every integer setting moves one at a time


@dataclass(frozen=True)
class ConvConfig:
    """Defaults and ranges of every control on the conv page."""

    # 1. sliding window on a small integer grid (the classic recipe's 5x5 input)
    window_op: str = setting("Convolution", options=tuple(WINDOW_OPS))
    grid_size: int = setting(5, options=(5, 6, 7, 8))
    grid_seed: int = 0
    stride: int = setting(1, lo=0, hi=4, **STEPS)  # 0 is offered so the learner sees why it cannot work
    window_padding: int = setting(0, lo=0, hi=3, **STEPS)
    window_dilation: int = setting(1, lo=1, hi=3, **STEPS)
    window_pool: int = setting(2, lo=1, hi=4, **STEPS)  # 2x2/2 halves each side: the usual CNN downsampling
    # 2a. convolution on an image; Sobel x shows a visible, signed response on photos
    preset: str = setting("Sobel x", options=(*KERNEL_PRESETS, CUSTOM))
    custom_kernel: str = "1 2 1\n0 0 0\n-1 -2 -1"  # Sobel y, typed: a starting point to edit
    colour: str = setting("RGB", options=COLOURS)
    padding_kind: str = setting("number", options=PADDING_KINDS)
    padding: int = setting(0, lo=0, hi=50, **STEPS)
    padding_mode: str = setting("zeros", options=PADDING_MODES)
    dilation: int = setting(1, lo=1, hi=4, **STEPS)
    groups: int = setting(1, lo=1, hi=4, **STEPS)
    bias: float = setting(0.0, lo=-1.0, hi=1.0, step=0.1)
    display: str = setting(DISPLAY_MODES[0], options=DISPLAY_MODES)
    # 2b. pooling on the image
    pool_kind: str = setting("max", options=POOL_KINDS)
    pool_kernel: int = setting(2, lo=1, hi=8, **STEPS)
    pool_stride: int = setting(2, lo=0, hi=8, **STEPS)
    pool_padding: int = setting(0, lo=0, hi=4, **STEPS)
    ceil_mode: bool = setting(False)
    max_side: int = 512           # caps every image: keeps reruns instant on CPU
    # 3. learned filters
    vgg_layer: str = setting("conv1_1", options=VGG_LAYERS)
    feature_maps: int = setting(16, lo=4, hi=64, step=4)  # feature maps drawn in the grid
    download: bool = setting(False)  # torchvision's full weights: 550 MB, so never by default
    vgg_side: int = 256           # VGG input side: deep layers stay under a second on CPU
    # 4. shape calculator; each preset brings its own input shape, this is the range of C, H and W
    stack_preset: str = setting(next(iter(PRESETS)), options=tuple(PRESETS))
    stack_side: int = setting(32, lo=1, hi=4096, **STEPS)
