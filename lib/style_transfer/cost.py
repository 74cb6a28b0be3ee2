"""What a run will cost before it starts: peak memory (for the heavy-job gate and the size check) and time."""
from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import torch

from lib.common.messages import LearnerError
from lib.common.vgg import LAYER_NAMES, VGGFeatures, layer_index
from lib.style_transfer.config import StyleConfig
from lib.style_transfer.images import shape_for
from lib.style_transfer.optimise import scales, stylize

GIB = 1024**3
CHANNELS = {1: 64, 2: 128, 3: 256, 4: 512, 5: 512}  # VGG19 conv width per block


def activation_elements(shape: tuple[int, int], upto: str) -> int:
    """Number of activation values VGG19 keeps from the input up to `upto` (one image)."""
    h, w = shape
    channels, total = 3, 3 * h * w
    for name in LAYER_NAMES[: layer_index(upto) + 1]:
        if name.startswith("pool"):
            h, w = h // 2, w // 2
        elif name.startswith("conv"):
            channels = CHANNELS[int(name[4])]
        total += channels * h * w
    return total


def estimate_bytes(shape: tuple[int, int], upto: str) -> int:
    """Peak memory of one optimisation step: activations kept for backward, their gradients,
    the style image's features and workspace - about 4 float32 copies of every activation."""
    return 4 * 4 * activation_elements(shape, upto)


def run_bytes(config: StyleConfig, aspect: float) -> int:
    """Peak memory of a whole run: its full-size scale is the largest."""
    return estimate_bytes(shape_for(config.size, aspect), config.deepest)


def largest_size(aspect: float, upto: str, budget: int) -> int:
    """Largest longest-side size (multiple of 32) whose estimate fits in `budget`."""
    size = 32
    while size < 8192:
        nxt = size + 32
        if estimate_bytes(shape_for(nxt, aspect), upto) > budget:
            break
        size = nxt
    return size


def check_size(size: int, aspect: float, upto: str, budget: int) -> None:
    """Raise a LearnerError naming the largest size that fits when `size` does not."""
    need = estimate_bytes(shape_for(size, aspect), upto)
    if need > budget:
        raise LearnerError("{size} px needs about {need:.1f} GiB but this server allows {budget:.1f} GiB; the "
                           "largest size that fits is {fits} px.", size=size, need=need / GIB,
                           budget=budget / GIB, fits=largest_size(aspect, upto, budget))


def step_flops(shape: tuple[int, int], upto: str) -> float:
    """Multiply-add FLOPs of one step: convolutions forward plus gradient w.r.t. their input."""
    h, w = shape
    cin, flops = 3, 0.0
    for name in LAYER_NAMES[: layer_index(upto) + 1]:
        if name.startswith("pool"):
            h, w = h // 2, w // 2
        elif name.startswith("conv"):
            cout = CHANNELS[int(name[4])]
            flops += 2 * cin * 9 * cout * h * w
            cin = cout
    return 2 * flops  # backward to the input costs about as much as the forward


def measure_step_seconds(
    features: VGGFeatures, config: StyleConfig, device: torch.device | str, size: int = 128, repeats: int = 2,
) -> float:
    """Median seconds of one real optimisation step at `size` px (after one warm-up)."""
    from lib.common.device import synchronize

    device = torch.device(device)
    image = torch.rand(1, 3, size, size, generator=torch.Generator().manual_seed(0))
    cfg = replace(config, size=size, steps=repeats + 1, coarse_to_fine=False, preview_every=10**6)
    times, last = [], time.perf_counter()
    for _ in stylize(features, image, image.flip(-1), cfg, device):
        synchronize(device)
        now = time.perf_counter()
        times.append(now - last)
        last = now
    return float(np.median(times[1:]))


def estimate_seconds(step_seconds_at: float, at_size: int, config: StyleConfig, aspect: float = 1.0) -> float:
    """Time of a whole run, scaling a measured step time by pixel count (the cost is linear in pixels)."""
    ref = at_size * at_size
    total = 0.0
    for shape, steps in scales(config, shape_for(config.size, aspect)):
        total += steps * step_seconds_at * shape[0] * shape[1] / ref
    return total * (1.15 if config.optimizer == "lbfgs" else 1.0)  # L-BFGS: history two-loop and copies
