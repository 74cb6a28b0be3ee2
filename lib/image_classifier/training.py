"""Training as a generator (the page draws between chunks of batches): settings, optimizer, the loop."""
from __future__ import annotations

import importlib.util
import time
from contextlib import nullcontext
from dataclasses import dataclass, replace
from typing import Iterator

import torch
from torch import nn

from lib.common.device import seeded_rng
from lib.common.settings import setting
from lib.image_classifier.evaluation import evaluate
from lib.image_classifier.models import ModelSpec
from lib.image_classifier.pipeline import Prepared, batches

OPTIMIZERS = ("adam", "sgd")
DEFAULT_LR = {"adam": 1e-3, "sgd": 0.03}  # Adam's own default; plain SGD needs larger steps
LEARNING_RATES = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3)
WEIGHT_DECAYS = (0.0, 1e-5, 1e-4, 1e-3, 1e-2)
BATCH_SIZES = (16, 32, 64, 128, 256, 512)


@dataclass(frozen=True)
class TrainConfig:
    """The training section's settings; the widgets read their defaults and ranges from here."""

    # Adam's defaults (lr 1e-3, betas 0.9/0.999) train these nets fast
    optimizer: str = setting("adam", options=OPTIMIZERS)
    lr: float = setting(DEFAULT_LR["adam"], options=LEARNING_RATES)
    momentum: float = setting(0.9, lo=0.0, hi=0.99, step=0.01)  # SGD only
    nesterov: bool = False      # SGD only
    weight_decay: float = setting(0.0, options=WEIGHT_DECAYS)
    batch_size: int = setting(64, options=BATCH_SIZES)  # the tutorials' batch size
    epochs: int = setting(5, lo=1, hi=30, step=1)  # MLP ~87%, MNIST CNN ~89-90% on Fashion-MNIST
    chunk_batches: int = 100    # report progress every this many batches
    seed: int = 0
    max_steps: int | None = None  # stop early (tests, quick looks)


def optimizer_defaults(cfg: TrainConfig, optimizer: str) -> TrainConfig:
    """The settings the page starts from for `optimizer`: its own default learning rate."""
    if optimizer not in DEFAULT_LR:
        raise ValueError(f"Unknown optimizer {optimizer!r}; use adam or sgd.")
    return replace(cfg, optimizer=optimizer, lr=DEFAULT_LR[optimizer])


@dataclass(frozen=True)
class Step:
    """What the generator yields after each chunk of batches."""
    epoch: float          # fractional epochs done
    step: int             # batches done in this run
    total_steps: int
    train_loss: float     # mean over the chunk (model in train mode: dropout active)
    train_acc: float
    val_loss: float       # whole validation split, model in eval mode
    val_acc: float
    seconds: float        # wall time since the run started


def loss_function(spec: ModelSpec) -> nn.Module:
    """NLLLoss after a LogSoftmax layer, else CrossEntropyLoss on raw scores: the same number."""
    return nn.NLLLoss() if spec.log_softmax else nn.CrossEntropyLoss()


def make_optimizer(model: nn.Module, cfg: TrainConfig) -> torch.optim.Optimizer:
    """SGD (momentum, nesterov, weight decay) or Adam, from the config."""
    if cfg.lr <= 0:
        raise ValueError("The learning rate must be above 0.")
    # fused: one kernel updates every parameter (on CPU 3x faster than the per-tensor loop,
    # a third of the step time of these small nets); other devices take the default path
    fused = all(p.device.type in ("cpu", "cuda") for p in model.parameters()) or None
    if cfg.optimizer == "sgd":
        if cfg.nesterov and cfg.momentum <= 0:
            raise ValueError("Nesterov momentum needs a momentum above 0.")
        return torch.optim.SGD(model.parameters(), lr=cfg.lr, momentum=cfg.momentum,
                               nesterov=cfg.nesterov, weight_decay=cfg.weight_decay, fused=fused)
    if cfg.optimizer == "adam":
        return torch.optim.Adam(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay, fused=fused)
    raise ValueError(f"Unknown optimizer {cfg.optimizer!r}; use adam or sgd.")


def set_step_size(optimizer: torch.optim.Optimizer, cfg: TrainConfig) -> None:
    """Apply the config's learning rate and weight decay to an existing optimizer (its state is kept)."""
    for group in optimizer.param_groups:
        group.update(lr=cfg.lr, weight_decay=cfg.weight_decay)


def total_steps(n_train: int, cfg: TrainConfig) -> int:
    """Batches in the whole run (capped by max_steps)."""
    steps = cfg.epochs * -(-n_train // cfg.batch_size)
    return min(steps, cfg.max_steps) if cfg.max_steps else steps


def round_config(cfg: TrainConfig, n_train: int, round_index: int) -> TrainConfig:
    """The config of one press of Train: a fresh shuffle seed per round, at least 4 reports per epoch."""
    chunk = max(1, min(cfg.chunk_batches, n_train // cfg.batch_size // 4))
    return replace(cfg, seed=cfg.seed + round_index, chunk_batches=chunk)


def train(model: nn.Module, optimizer: torch.optim.Optimizer, loss_fn: nn.Module,
          data: Prepared, cfg: TrainConfig) -> Iterator[Step]:
    """Train in place, yielding a `Step` every `chunk_batches` batches and at the end."""
    g = torch.Generator().manual_seed(cfg.seed)
    total, step, start = total_steps(len(data.train_y), cfg), 0, time.perf_counter()
    per_epoch = -(-len(data.train_y) // cfg.batch_size)
    sums = torch.zeros(3, device=data.train_x.device)  # loss*n, correct, n of the current chunk
    random = has_dropout(model)
    for _ in range(cfg.epochs):
        for x, y in batches(data.train_x, data.train_y, cfg.batch_size, g):
            # Dropout draws from the global RNG: seed it per step, so a run depends on its seed only
            # and never disturbs (or is disturbed by) another session between steps.
            with seeded_rng(cfg.seed * 1_000_003 + step, x.device) if random else nullcontext():
                sums += train_step(model, optimizer, loss_fn, x, y)
            step += 1
            if step % cfg.chunk_batches == 0 or step == total:
                yield _report(model, loss_fn, data, sums, step, total, per_epoch, start)
                sums.zero_()
            if step == total:
                return


def has_dropout(model: nn.Module) -> bool:
    """Whether a forward pass in train mode draws random numbers."""
    return any(isinstance(m, nn.modules.dropout._DropoutNd) for m in model.modules())


def train_step(model: nn.Module, optimizer: torch.optim.Optimizer, loss_fn: nn.Module,
               x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """One optimisation step; returns (loss*n, correct, n) as a tensor so nothing syncs the device."""
    model.train()  # dropout on, batch-norm uses batch statistics
    optimizer.zero_grad(set_to_none=True)
    out = model(x)
    loss = loss_fn(out, y)
    loss.backward()
    optimizer.step()
    n = torch.tensor(float(len(y)), device=y.device)
    return torch.stack([loss.detach() * n, (out.argmax(1) == y).sum().float(), n])


def _report(model, loss_fn, data: Prepared, sums: torch.Tensor, step: int, total: int,
            per_epoch: int, start: float) -> Step:
    loss_n, correct, n = sums.tolist()
    val = evaluate(model, loss_fn, data.val_x, data.val_y)
    return Step(step / per_epoch, step, total, loss_n / max(n, 1), correct / max(n, 1),
                val.loss, val.accuracy, time.perf_counter() - start)


def tensorboard_available() -> bool:
    """True when the `tensorboard` package (needed by torch.utils.tensorboard) is installed."""
    return importlib.util.find_spec("tensorboard") is not None
