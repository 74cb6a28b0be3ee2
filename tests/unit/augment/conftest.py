"""Shared fixtures of the augment tests: a smooth uint8 photo stand-in and steps built from (name, params)."""
from collections.abc import Callable

import pytest
import torch
import torch.nn.functional as F

from lib.augment import pipeline, registry

# A pipeline mixing deterministic head and tail steps, grey, flips and colour: what `sample` batches and skips.
MIXED_STEPS = [("Resize", {"size": 80}), ("RandomResizedCrop", {"size": 64}), ("Grayscale", {}),
               ("RandomHorizontalFlip", {}), ("ColorJitter", {}), ("CenterCrop", {"size": 48}), ("Pad", {"padding": 2})]


def smooth_image(h: int = 96, w: int = 128, seed: int = 0) -> torch.Tensor:
    """A (3, h, w) uint8 image of smooth random colour blobs."""
    g = torch.Generator().manual_seed(seed)
    smooth = torch.rand(3, h // 8, w // 8, generator=g)
    x = F.interpolate(smooth[None], size=(h, w), mode="bilinear")[0]  # (3, h/8, w/8) -> (3, H, W)
    return (x * 255).to(torch.uint8)


def steps_of(*items: tuple[str, dict]) -> list[pipeline.Step]:
    """Steps with the registry's defaults, overridden by each item's parameters."""
    return [pipeline.Step(name, {**registry.REGISTRY[name].defaults(), **params}) for name, params in items]


@pytest.fixture
def make_image() -> Callable[..., torch.Tensor]:
    """`make_image(h, w, seed)`: a smooth (3, h, w) uint8 image (96x128 by default)."""
    return smooth_image


@pytest.fixture
def make_steps() -> Callable[..., list[pipeline.Step]]:
    """`make_steps(("Pad", {"padding": 3}), ...)`: steps with defaults filled in."""
    return steps_of


@pytest.fixture
def mixed() -> list[tuple[str, dict]]:
    """The (name, params) list of a mixed pipeline (see MIXED_STEPS)."""
    return list(MIXED_STEPS)
