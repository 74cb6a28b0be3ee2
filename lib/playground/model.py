"""The playground's MLP, built from the settings: layers, activations, seeded dropout and init, optimizer, loss."""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Callable

import torch
import torch.nn.functional as F
from torch import nn

from lib.common.messages import LearnerError

if TYPE_CHECKING:
    from lib.playground.config import PlaygroundConfig

ACTIVATIONS: dict[str, Callable[[], nn.Module]] = {
    "ReLU": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "ELU": nn.ELU,
    "LeakyReLU": nn.LeakyReLU, "GELU": nn.GELU, "linear": nn.Identity,
}
OPTIMIZERS = ("SGD", "Adam", "RMSprop")
LOSSES = ("cross-entropy", "MSE on one-hot")


class SeededDropout(nn.Dropout):
    """nn.Dropout drawing its masks from its own generator, so a run repeats exactly for a seed."""

    def __init__(self, p: float, generator: torch.Generator) -> None:
        super().__init__(p)
        self.generator = generator

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0:
            return x
        keep = torch.rand(x.shape, generator=self.generator, device=x.device) >= self.p
        return x * keep / (1 - self.p)  # scale so the expected activation is unchanged


def build_model(cfg: PlaygroundConfig, n_in: int, n_out: int, device: torch.device) -> nn.Sequential:
    """The MLP for these settings, initialised from `weight_seed` (PyTorch's default init)."""
    layers: list[nn.Module] = []
    dropout_g = torch.Generator(device=device).manual_seed(cfg.weight_seed + 2)
    for i in range(cfg.hidden_layers):
        layers.append(nn.Linear(n_in if i == 0 else cfg.width, cfg.width))
        if cfg.batch_norm:
            layers.append(nn.BatchNorm1d(cfg.width))
        layers.append(ACTIVATIONS[cfg.activation]())
        if cfg.dropout > 0:
            layers.append(SeededDropout(cfg.dropout, dropout_g))
    layers.append(nn.Linear(cfg.width if cfg.hidden_layers else n_in, n_out))
    model = nn.Sequential(*layers)
    init_weights(model, cfg.weight_seed)
    return model.to(device)


def init_weights(model: nn.Module, seed: int) -> None:
    """nn.Linear's default init (uniform in +-1/sqrt(fan_in)), drawn from a private generator."""
    g = torch.Generator().manual_seed(seed)
    for layer in model.modules():
        if isinstance(layer, nn.Linear):
            bound = 1 / math.sqrt(layer.in_features)
            nn.init.uniform_(layer.weight, -bound, bound, generator=g)
            nn.init.uniform_(layer.bias, -bound, bound, generator=g)


def make_optimizer(model: nn.Module, cfg: PlaygroundConfig) -> torch.optim.Optimizer:
    """The chosen optimizer; L2 regularisation is its weight_decay."""
    params, lr, wd = model.parameters(), cfg.lr, cfg.l2
    if cfg.optimizer == "SGD":
        nesterov = cfg.nesterov and cfg.momentum > 0  # PyTorch refuses nesterov without momentum
        return torch.optim.SGD(params, lr=lr, momentum=cfg.momentum, nesterov=nesterov, weight_decay=wd)
    if cfg.optimizer == "Adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=wd)
    if cfg.optimizer == "RMSprop":
        return torch.optim.RMSprop(params, lr=lr, momentum=cfg.momentum, weight_decay=wd)
    raise LearnerError("Unknown optimizer {name}; pick one of {options}.", name=repr(cfg.optimizer),
                       options=", ".join(OPTIMIZERS))


def loss_fn(logits: torch.Tensor, target: torch.Tensor, kind: str) -> torch.Tensor:
    """Cross-entropy on logits, or MSE between the raw outputs and one-hot targets."""
    if kind == "cross-entropy":
        return F.cross_entropy(logits, target)
    if kind == "MSE on one-hot":
        return F.mse_loss(logits, F.one_hot(target, logits.shape[1]).float())
    raise LearnerError("Unknown loss {name}; pick one of {options}.", name=repr(kind), options=", ".join(LOSSES))


def l1_penalty(model: nn.Module) -> torch.Tensor:
    """Sum of |w| over the Linear weights (biases are not penalised)."""
    return sum(m.weight.abs().sum() for m in model.modules() if isinstance(m, nn.Linear))


