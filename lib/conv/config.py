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
    """Defaults and ranges of every control on the conv page, with each one's short name in the page's link."""

    # 1. sliding window on a small integer grid (the classic recipe's 5x5 input)
    window_op: str = setting("conv", options=tuple(WINDOW_OPS), param="op")
    grid_size: int = setting(5, options=(5, 6, 7, 8), param="grid")
    grid_seed: int = 0
    window_stride: int = setting(1, lo=0, hi=4, param="ws", **STEPS)  # 0 is offered: the learner sees why not
    window_padding: int = setting(0, lo=0, hi=3, param="wp", **STEPS)
    window_dilation: int = setting(1, lo=1, hi=3, param="wd", **STEPS)
    window_pool: int = setting(2, lo=1, hi=4, param="wpool", **STEPS)  # 2x2/2 halves each side: usual downsampling
    window_kernel: str = setting("-1 0 1\n-2 0 2\n-1 0 1", param="wk")  # Sobel x, as on the photo
    window_step: int = setting(1, lo=1, param="pos")  # the stop shown; the top is the number of stops
    # 2a. convolution on an image; Sobel x shows a visible, signed response on photos
    preset: str = setting("sobel_x", options=(*KERNEL_PRESETS, CUSTOM), param="k")
    custom_kernel: str = setting("1 2 1\n0 0 0\n-1 -2 -1", param="kt")  # Sobel y, typed: a start to edit
    colour: str = setting("rgb", options=tuple(COLOURS), param="col")
    padding_kind: str = setting("number", options=PADDING_KINDS, param="pad")
    padding: int = setting(0, lo=0, hi=50, param="px", **STEPS)
    padding_mode: str = setting("zeros", options=PADDING_MODES, param="mode")
    stride: int = setting(1, lo=0, hi=4, param="s", **STEPS)
    dilation: int = setting(1, lo=1, hi=4, param="dil", **STEPS)
    groups: int = setting(1, lo=1, hi=4, param="g", **STEPS)
    bias: float = setting(0.0, lo=-1.0, hi=1.0, step=0.1, param="bias")
    display: str = setting("stretch", options=tuple(DISPLAY_MODES), param="show")
    # 2b. pooling on the image
    pool_kind: str = setting("max", options=tuple(POOL_KINDS), param="pool")
    pool_kernel: int = setting(2, lo=1, hi=8, param="pk", **STEPS)
    pool_stride: int = setting(2, lo=0, hi=8, param="ps", **STEPS)
    pool_padding: int = setting(0, lo=0, hi=4, param="pp", **STEPS)
    ceil_mode: bool = setting(False, param="ceil")
    max_side: int = 512           # caps every image: keeps reruns instant on CPU
    # 3. learned filters
    vgg_layer: str = setting("conv1_1", options=VGG_LAYERS, param="layer")
    feature_maps: int = setting(16, lo=4, hi=64, step=4, param="maps")  # feature maps drawn in the grid
    download: bool = setting(False)  # torchvision's full weights: 550 MB, never by default nor from a link
    vgg_side: int = 256           # VGG input side: deep layers stay under a second on CPU
    # 4. shape calculator; each preset brings its own input shape and layers (`layers` in the link, packed)
    stack_preset: str = setting(next(iter(PRESETS)), options=tuple(PRESETS), param="net")
    stack_side: int = setting(32, lo=1, hi=4096, **STEPS)  # the range of C, H and W (`c`, `h`, `w` in the link)
