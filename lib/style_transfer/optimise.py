"""Changing the pixels: the optimisation as a generator that yields after every step.

The optimised variable lives in one of two spaces (config.space). "pixels": the network's own input
(for the embedded Caffe weights 0..255 minus the mean), so an Adam step is "grey levels per step" and a
few dozen steps suffice; the picture is clamped to [0, 1] after each Adam step. "normalised": ImageNet-
normalised pixels, the classic recipe's, where Adam's lr is in units of a channel's standard deviation.
Coarse-to-fine (half size first) paints the big structures cheaply. A caller (the page, the bench, a
script) draws each yielded step and may stop between two.
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import torch

from lib.common.messages import LearnerError
from lib.common.vgg import IMAGENET, VGGFeatures
from lib.style_transfer.config import StyleConfig
from lib.style_transfer.images import keep_colors, luminance_image, resize_cover
from lib.style_transfer.losses import Objective, Targets


@dataclass
class StepResult:
    """What the optimisation reports after each step."""

    step: int                    # 1-based, over all scales
    total_steps: int
    size: tuple[int, int]        # (H, W) of the current scale
    losses: dict[str, float]     # content, style, tv, total and style:<layer>
    seconds: float               # wall-clock since the start
    image: torch.Tensor | None   # (3, H, W) RGB in [0, 1] on CPU, every `preview_every` steps and at the end


@dataclass(frozen=True)
class Space:
    """Where the optimised tensor lives: maps between it and the image in [0, 1] units."""

    to_var: Callable[[torch.Tensor], torch.Tensor]
    to_image: Callable[[torch.Tensor], torch.Tensor]
    lr: float      # Adam's learning rate in the variable's own units
    clamp: bool    # project the picture back to [0, 1] after each Adam step


def make_space(config: StyleConfig, objective: Objective) -> Space:
    """The network's own input space with a grey-level step, or ImageNet-normalised pixels with a raw lr."""
    if config.space == "normalised":
        return Space(IMAGENET.apply, IMAGENET.invert, config.lr, clamp=False)
    norm = objective.norm  # grey levels (0..255) -> the network's input units
    return Space(objective.to_net, objective.to_image, config.lr / 255.0 * norm.scale / (sum(norm.std) / 3), True)


def scales(config: StyleConfig, shape: tuple[int, int]) -> list[tuple[tuple[int, int], int]]:
    """[(shape, steps), ...]: half size first when coarse-to-fine."""
    if not config.coarse_to_fine:
        return [(shape, config.steps)]
    half = (max(16, shape[0] // 2), max(16, shape[1] // 2))
    return [(half, config.coarse_steps), (shape, config.steps)]


def initial_image(content01: torch.Tensor, style01: torch.Tensor, init: str, seed: int) -> torch.Tensor:
    """The starting picture in [0, 1]: the photo, seeded noise, or the painting."""
    if init == "content":
        return content01.clone()
    if init == "style":
        return style01.clone()
    generator = torch.Generator().manual_seed(seed)
    noise = torch.rand(content01.shape, generator=generator)
    return noise.to(content01.device)


def make_optimizer(x: torch.Tensor, config: StyleConfig, space: Space) -> torch.optim.Optimizer:
    """Adam with the space's step, or L-BFGS (one iteration per step, so we can stop between)."""
    if config.optimizer == "lbfgs":
        return torch.optim.LBFGS([x], lr=1.0, max_iter=1, history_size=20)
    return torch.optim.Adam([x], lr=space.lr)


def optimize_step(x: torch.Tensor, optimizer: torch.optim.Optimizer, objective: Objective, targets: Targets,
                  space: Space) -> dict[str, torch.Tensor]:
    """One optimiser step; returns the losses of the evaluated image."""
    record: dict[str, dict[str, torch.Tensor]] = {}

    def closure() -> torch.Tensor:
        optimizer.zero_grad(set_to_none=True)
        losses = objective.losses(space.to_image(x), targets)
        losses["total"].backward()
        record["losses"] = losses
        return losses["total"]

    optimizer.step(closure)
    if space.clamp and isinstance(optimizer, torch.optim.Adam):
        with torch.no_grad():  # keep the picture a picture: clamp to [0, 1] in image space
            x.copy_(space.to_var(space.to_image(x).clamp(0, 1)))
    return record["losses"]


def _check_finite(losses: dict[str, float], config: StyleConfig) -> None:
    if not all(math.isfinite(v) for v in losses.values()):
        if config.optimizer == "adam":
            raise LearnerError("The loss became NaN or infinite, so the run stopped. Try a lower learning rate "
                               "or a smaller style/content ratio.")
        raise LearnerError("The loss became NaN or infinite, so the run stopped. Try Adam instead of L-BFGS "
                           "or a smaller style/content ratio.")


def _finish_image(image01: torch.Tensor, content01: torch.Tensor, keep: bool) -> torch.Tensor:
    """(1, 3, H, W) -> (3, H, W) RGB in [0, 1] on CPU, with the photo's colours if asked."""
    image = image01.detach().clamp(0, 1)
    if keep:
        image = keep_colors(image, content01)
    return image[0].cpu()


def stylize(
    features: VGGFeatures,
    content01: torch.Tensor,
    style01: torch.Tensor,
    config: StyleConfig,
    device: torch.device | str = "cpu",
    start01: torch.Tensor | None = None,
) -> Iterator[StepResult]:
    """Run the optimisation, yielding a `StepResult` after every step.

    content01/style01: (1, 3, H, W) in [0, 1] at the output size (see `prepare_images`).
    start01 replaces the initial image (to continue a stopped run). Raises a LearnerError
    when the loss stops being finite.
    """
    config.validate()
    device = torch.device(device)
    objective = Objective(features, config)
    content01, style01 = content01.to(device), style01.to(device)
    if config.keep_colors:  # optimise greys; the colour comes back from the photo at the end
        style01 = luminance_image(style01, like=content01)
    start = time.perf_counter()
    step, total = 0, config.total_steps
    x_image = start01.to(device) if start01 is not None else None
    for shape, steps in scales(config, tuple(content01.shape[-2:])):
        content_s, style_s = resize_cover(content01, shape), resize_cover(style01, shape)
        work_content = luminance_image(content_s) if config.keep_colors else content_s
        targets = objective.targets(work_content, style_s)
        if x_image is None:
            x_image = initial_image(work_content, style_s, config.init, config.seed)
        space = make_space(config, objective)
        x = space.to_var(resize_cover(x_image, shape)).detach().requires_grad_(True)
        optimizer = make_optimizer(x, config, space)
        for _ in range(steps):
            losses = {k: v.item() for k, v in optimize_step(x, optimizer, objective, targets, space).items()}
            _check_finite(losses, config)
            step += 1
            show = step % config.preview_every == 0 or step == total
            image = _finish_image(space.to_image(x), content_s, config.keep_colors) if show else None
            yield StepResult(step, total, shape, losses, time.perf_counter() - start, image)
        x_image = space.to_image(x.detach()).clamp(0, 1)


def run_to_end(
    features: VGGFeatures, content01: torch.Tensor, style01: torch.Tensor,
    config: StyleConfig, device: torch.device | str = "cpu",
) -> tuple[torch.Tensor, list[StepResult]]:
    """Exhaust `stylize`; returns the final (3, H, W) image and every step's result."""
    history = list(stylize(features, content01, style01, config, device))
    return history[-1].image, history
