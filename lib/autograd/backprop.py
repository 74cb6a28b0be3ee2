"""The classic 5-3-1 sigmoid network trained on one example: backprop by hand beside autograd.

Both halves start from the same weights and apply the same rule, w <- w - lr * dL/dw with
L = 0.5 * (out - y)², so after any number of steps their weights agree to float tolerance.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from lib.autograd.graph import fmt
from lib.common.device import seeded_rng
from lib.common.messages import N_
from lib.common.settings import setting

LEARNING_RATES = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0)


@dataclass(frozen=True)
class BackpropConfig:
    """Defaults of the manual-vs-autograd section, with their widget ranges."""

    lr: float = setting(0.5, options=LEARNING_RATES, param="bp_lr")  # sigmoid slopes <= 0.25: big steps still move
    target: float = setting(1.0, lo=0.0, hi=1.0, step=0.05, param="bp_y")  # one example, a target σ can reach
    seed: int = setting(0, lo=0, hi=10_000, step=1, param="bp_seed")
    max_steps: int = 500  # cap on the stepper so the history stays small in the session
    step_buttons: tuple[int, ...] = (1, 10, 100)  # the stepper's buttons: one step, a few, many


@dataclass
class NetPair:
    """Two copies of one network: `manual` (plain tensors) and `model` (nn.Module + SGD); the page's run state."""

    x: torch.Tensor                  # (1, 5)
    y: torch.Tensor                  # (1, 1)
    manual: dict[str, torch.Tensor]  # W1 (5, 3), b1 (3,), W2 (3, 1), b2 (1,)
    model: nn.Sequential
    optimizer: torch.optim.Optimizer
    config: BackpropConfig           # the settings it was built with
    device: str                      # and the device, as text: a change of either needs a new pair
    history: list["StepRecord"] = field(default_factory=list)

    @property
    def lr(self) -> float:
        return self.config.lr

    def matches(self, cfg: BackpropConfig, device: torch.device) -> bool:
        """True when this pair was built from `cfg` on `device` (else the page builds a new one)."""
        return self.config == cfg and self.device == str(device)

    def steps_left(self, wanted: int) -> int:
        """How many of `wanted` steps fit under `config.max_steps`."""
        return max(0, min(wanted, self.config.max_steps - len(self.history)))


@dataclass(frozen=True)
class StepRecord:
    step: int
    loss_manual: float
    loss_autograd: float
    max_weight_diff: float  # largest |manual - autograd| over all weights after the step


def new_pair(cfg: BackpropConfig, device: torch.device) -> NetPair:
    """A 5-3-1 sigmoid net from `cfg.seed`, copied into plain tensors for the manual half."""
    with seeded_rng(cfg.seed):  # own seed; the global RNG is shared by sessions
        model = nn.Sequential(nn.Linear(5, 3), nn.Sigmoid(), nn.Linear(3, 1), nn.Sigmoid()).to(device)
        x = torch.randn(1, 5).to(device)
    manual = {"W1": model[0].weight.detach().T.clone(), "b1": model[0].bias.detach().clone(),  # (3, 5) -> (5, 3)
              "W2": model[2].weight.detach().T.clone(), "b2": model[2].bias.detach().clone()}  # (1, 3) -> (3, 1)
    y = torch.full((1, 1), cfg.target, device=device)
    optimizer = torch.optim.SGD(model.parameters(), lr=cfg.lr)
    return NetPair(x, y, manual, model, optimizer, cfg, str(device))


def sigmoid(z: torch.Tensor) -> torch.Tensor:
    """1 / (1 + e^-z), written out as in the from-scratch tutorials."""
    return 1 / (1 + torch.exp(-z))


def sigmoid_derivative(s: torch.Tensor) -> torch.Tensor:
    """σ'(z) expressed with the output s = σ(z): s (1 - s)."""
    return s * (1 - s)


def manual_step(p: dict[str, torch.Tensor], x: torch.Tensor, y: torch.Tensor, lr: float) -> float:
    """Forward, error, deltas and updates by hand; returns the loss before the update."""
    hidden = sigmoid(x @ p["W1"] + p["b1"])         # (1, 3)
    out = sigmoid(hidden @ p["W2"] + p["b2"])       # (1, 1)
    error = out - y                                 # dL/d(out) for L = 0.5 (out - y)^2
    delta_out = error * sigmoid_derivative(out)     # dL/d(pre-activation of out), (1, 1)
    delta_hidden = (delta_out @ p["W2"].T) * sigmoid_derivative(hidden)  # (1, 3)
    p["W2"] -= lr * hidden.T @ delta_out            # (3, 1)
    p["b2"] -= lr * delta_out.sum(0)
    p["W1"] -= lr * x.T @ delta_hidden              # (5, 3)
    p["b1"] -= lr * delta_hidden.sum(0)
    return float(0.5 * (error**2).sum())


def autograd_step(model: nn.Module, optimizer: torch.optim.Optimizer, x: torch.Tensor, y: torch.Tensor) -> float:
    """The same step with loss.backward() and optimizer.step()."""
    optimizer.zero_grad()
    loss = 0.5 * ((model(x) - y) ** 2).sum()
    loss.backward()
    optimizer.step()
    return loss.item()


def max_weight_diff(pair: NetPair) -> float:
    """Largest absolute difference between the manual and the autograd weights."""
    return max(float((a - b).abs().max()) for a, b in zip(pair.manual.values(), autograd_weights(pair).values()))


def autograd_weights(pair: NetPair) -> dict[str, torch.Tensor]:
    """The model's weights in the manual layout (W as in -> out)."""
    m = pair.model
    return {"W1": m[0].weight.detach().T, "b1": m[0].bias.detach(),  # (3, 5) -> (5, 3)
            "W2": m[2].weight.detach().T, "b2": m[2].bias.detach()}  # (1, 3) -> (3, 1)


def train_pair(pair: NetPair, steps: int) -> Iterator[StepRecord]:
    """Advance both halves `steps` times, yielding a record after each step (kept in history)."""
    for _ in range(steps):
        loss_m = manual_step(pair.manual, pair.x, pair.y, pair.lr)
        loss_a = autograd_step(pair.model, pair.optimizer, pair.x, pair.y)
        record = StepRecord(len(pair.history) + 1, loss_m, loss_a, max_weight_diff(pair))
        pair.history.append(record)
        yield record


def output(pair: NetPair) -> tuple[float, float]:
    """Current outputs of the manual and the autograd network for the training example."""
    hidden = sigmoid(pair.x @ pair.manual["W1"] + pair.manual["b1"])
    manual = sigmoid(hidden @ pair.manual["W2"] + pair.manual["b2"])
    with torch.no_grad():
        return float(manual), float(pair.model(pair.x))


def weight_panels(pair: NetPair) -> dict[str, np.ndarray]:
    """W1 by hand, W1 from autograd and their difference x 1e6 (float32 rounding made visible), (5, 3) each."""
    manual, auto = pair.manual["W1"].cpu(), autograd_weights(pair)["W1"].cpu()
    return {N_("W1 by hand"): manual.numpy(), N_("W1 with autograd"): auto.numpy(),
            N_("difference × 10⁶"): ((manual - auto) * 1e6).numpy()}


def weight_rows(pair: NetPair) -> list[dict[str, str]]:
    """One table row per weight: shape, both values as text and the largest difference."""
    auto = autograd_weights(pair)
    return [{"weight": name, "shape": str(tuple(value.shape)), "by hand": fmt(value),
             "autograd": fmt(auto[name]), "max |diff|": f"{float((value - auto[name]).abs().max()):.1e}"}
            for name, value in pair.manual.items()]


def advance(pair: NetPair, steps: int) -> list[StepRecord]:
    """Run `steps` steps at once (at most 100 per click: about 0.1 s on a CPU, too light for the job gate)."""
    return list(train_pair(pair, steps))
