"""Averaged weights: an exponential moving average (EMA) of the weights over the training steps.

Adam at a high rate keeps jumping around a good point; validation then scores wherever the last step landed.
An EMA scores the centre of those jumps instead (Polyak averaging; SWA averages the same way with equal
weights). The page's default checks, keeps and ends with the averaged weights.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import torch
from torch import nn


class WeightAverage:
    """An exponential moving average of a model's floating-point state: step n's weights count with
    (1 - d) * d^(N - n) after N steps, divided by 1 - d^N so that the weights sum to 1 (the bias correction
    Adam uses for its moments): the random initial weights count for nothing, and a short run is not
    averaged with them."""

    def __init__(self, model: nn.Module, decay: float) -> None:
        if not 0.0 < decay < 1.0:
            raise ValueError("The averaging decay must lie between 0 and 1.")
        self.decay, self.updates = decay, 0
        self.names = [k for k, v in model.state_dict().items() if v.is_floating_point()]
        state = model.state_dict()
        self.shadow = [state[k].detach().clone() for k in self.names]

    def step_weight(self) -> float:
        """How much the next update moves the average: (1 - d) / (1 - d^n) for the n-th update (1 at the first)."""
        n = self.updates + 1
        return (1.0 - self.decay) / (1.0 - self.decay ** n)

    @torch.no_grad()
    def update(self, model: nn.Module) -> None:
        """Move the average towards the model's current weights."""
        state = model.state_dict()
        weight = self.step_weight()
        for name, avg in zip(self.names, self.shadow):
            avg.lerp_(state[name].detach(), weight)
        self.updates += 1

    @torch.no_grad()
    def copy_to(self, model: nn.Module) -> None:
        """Load the averaged weights into `model`."""
        state = model.state_dict()
        for name, avg in zip(self.names, self.shadow):
            state[name].copy_(avg)

    @contextmanager
    def swapped_in(self, model: nn.Module) -> Iterator[None]:
        """Inside the block `model` holds the averaged weights; afterwards its own weights come back."""
        state = model.state_dict()
        own = [state[k].detach().clone() for k in self.names]
        self.copy_to(model)
        try:
            yield
        finally:
            with torch.no_grad():
                for name, value in zip(self.names, own):
                    state[name].copy_(value)
