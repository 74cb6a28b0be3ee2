"""The toy data sets of the playground: points in the plane, their classes and the input features.

Each generator is self-contained (only torch and math) so the code panel can show its source.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import torch

from lib.common.messages import N_

DOMAIN = 6.0  # the plane shown is [-6, 6]^2, like TensorFlow Playground

def gaussian(n: int, noise: float, k: int, g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """k Gaussian clouds (std 1); for k=2 the classic pair around (2, 2) and (-2, -2)."""
    y = torch.arange(n) % k
    angle = math.pi / 4 + 2 * math.pi * y / k  # k=2: 45 and 225 degrees
    centres = 2 * math.sqrt(2) * torch.stack([torch.cos(angle), torch.sin(angle)], 1)  # (n, 2)
    x = centres + torch.randn(n, 2, generator=g) * math.sqrt(1 + noise**2)
    return x, y


def circles(n: int, noise: float, k: int, g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """A disc (class 0) inside a ring (class 1)."""
    y = torch.arange(n) % 2
    u = torch.rand(n, generator=g)
    radius = torch.where(y == 0, 2.0 * u, 3.5 + 1.5 * u)
    angle = 2 * math.pi * torch.rand(n, generator=g)
    x = radius[:, None] * torch.stack([torch.cos(angle), torch.sin(angle)], 1)  # (n,) -> (n, 2)
    return x + noise * torch.randn(n, 2, generator=g), y


def xor(n: int, noise: float, k: int, g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Four quadrants: class 1 where x and y have the same sign (half the points each)."""
    y = torch.arange(n) % 2
    size = 0.3 + 4.7 * torch.rand(n, 2, generator=g)  # |x|, |y|: a small gap around the axes, as in TF Playground
    sx = torch.where(torch.rand(n, generator=g) < 0.5, -1.0, 1.0)
    sy = torch.where(y == 1, sx, -sx)
    x = size * torch.stack([sx, sy], 1)  # (n,) signs -> (n, 2)
    return x + noise * torch.randn(n, 2, generator=g), y


def moons(n: int, noise: float, k: int, g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Two interleaving half circles (scikit-learn's make_moons, scaled by 2.5)."""
    y = torch.arange(n) % 2
    t = math.pi * torch.rand(n, generator=g)
    upper = torch.stack([torch.cos(t), torch.sin(t)], 1)  # (n, 2)
    lower = torch.stack([1 - torch.cos(t), 0.5 - torch.sin(t)], 1)
    x = torch.where(y[:, None] == 0, upper, lower) - torch.tensor([0.5, 0.25])
    return 2.5 * x + noise * torch.randn(n, 2, generator=g), y


def spiral(n: int, noise: float, k: int, g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """k interleaved spiral arms (CS231n's spiral), radius up to 5."""
    y = torch.arange(n) % k
    r = torch.rand(n, generator=g)
    angle = 1.75 * 2 * math.pi * r + 2 * math.pi * y / k
    x = 5 * r[:, None] * torch.stack([torch.sin(angle), torch.cos(angle)], 1)  # (n,) -> (n, 2)
    return x + noise * torch.randn(n, 2, generator=g), y


DATASETS: dict[str, tuple[str, Callable, int]] = {  # key -> (label, generator, most classes)
    "gaussian": (N_("Two Gaussian clouds (the classic)"), gaussian, 4),
    "circles": (N_("Circle in a ring"), circles, 2),
    "xor": (N_("XOR (four quadrants)"), xor, 2),
    "moons": (N_("Two moons"), moons, 2),
    "spiral": (N_("Spiral"), spiral, 4),
}
LINEARLY_SEPARABLE = {"gaussian"}

FEATURES: dict[str, tuple[Callable[[torch.Tensor, torch.Tensor], torch.Tensor], str]] = {
    "x": (lambda x, y: x, "x"), "y": (lambda x, y: y, "y"),
    "x²": (lambda x, y: x * x, "x * x"), "y²": (lambda x, y: y * y, "y * y"),
    "xy": (lambda x, y: x * y, "x * y"),
    "sin x": (lambda x, y: torch.sin(x), "torch.sin(x)"), "sin y": (lambda x, y: torch.sin(y), "torch.sin(y)"),
}


@dataclass
class Data:
    """Points in the plane, their features and labels, split into train and test."""

    xy_train: torch.Tensor
    y_train: torch.Tensor
    xy_test: torch.Tensor
    y_test: torch.Tensor
    n_classes: int


def featurize(xy: torch.Tensor, features: tuple[str, ...]) -> torch.Tensor:
    """Map points to the chosen input features."""
    x, y = xy[:, 0], xy[:, 1]
    return torch.stack([FEATURES[f][0](x, y) for f in features], 1)  # (n, 2) -> (n, len(features))


