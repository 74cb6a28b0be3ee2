"""Training as a generator (the page draws between chunks of batches): settings, optimizer, schedule, the loop."""
from __future__ import annotations

import time
from contextlib import nullcontext
from dataclasses import dataclass, replace
from typing import Iterator

import torch
from torch import nn

from lib.common.device import seeded_rng
from lib.common.messages import N_, LearnerError
from lib.common.settings import setting
from lib.image_classifier.evaluation import evaluate
from lib.image_classifier.models import ModelSpec
from lib.image_classifier.pipeline import Prepared, batches

OPTIMIZERS = ("adam", "sgd")
DEFAULT_LR = {"adam": 1e-3, "sgd": 0.03}  # Adam's own default; plain SGD needs larger steps
LEARNING_RATES = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3)
WEIGHT_DECAYS = (0.0, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2)  # 1e-6: the first case study's recipe
BATCH_SIZES = (16, 32, 64, 128, 256, 512)
# learning-rate schedules: option id -> label (the page translates the label)
SCHEDULES = {"constant": N_("constant"), "onecycle": N_("one-cycle (warm up, then anneal)")}
ONE_CYCLE_WARMUP = 0.3  # share of the steps spent rising from lr/25 to lr (OneCycleLR's pct_start)


@dataclass(frozen=True)
class TrainConfig:
    """The training section's settings; the widgets read their defaults and ranges from here."""

    # Adam's defaults (lr 1e-3, betas 0.9/0.999) train these nets fast
    optimizer: str = setting("adam", options=OPTIMIZERS, param="opt")
    lr: float = setting(DEFAULT_LR["adam"], options=LEARNING_RATES, param="lr")  # the peak rate under one-cycle
    momentum: float = setting(0.9, lo=0.0, hi=0.99, step=0.01, param="mom")  # SGD only
    nesterov: bool = setting(False, param="nesterov")  # SGD only
    weight_decay: float = setting(0.0, options=WEIGHT_DECAYS, param="wd")
    batch_size: int = setting(64, options=BATCH_SIZES, param="batch")  # the tutorials' batch size
    epochs: int = setting(5, lo=1, hi=30, step=1, param="epochs")  # MLP ~87%, MNIST CNN ~89-90% on Fashion-MNIST
    schedule: str = setting("constant", options=tuple(SCHEDULES), param="sched")  # the tutorials keep lr fixed
    chunk_batches: int = 100    # report progress every this many batches
    seed: int = 0
    max_steps: int | None = None  # stop early (tests, quick looks)


def optimizer_defaults(cfg: TrainConfig, optimizer: str) -> TrainConfig:
    """The settings the page starts from for `optimizer`: its own default learning rate."""
    if optimizer not in DEFAULT_LR:
        raise LearnerError("Unknown optimizer {name}; use adam or sgd.", name=repr(optimizer))
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
    lr: float = 0.0       # the learning rate of the chunk's last batch (changes along a schedule)


def loss_function(spec: ModelSpec) -> nn.Module:
    """NLLLoss after a LogSoftmax layer, else CrossEntropyLoss on raw scores: the same number."""
    return nn.NLLLoss() if spec.log_softmax else nn.CrossEntropyLoss()


def make_optimizer(model: nn.Module, cfg: TrainConfig) -> torch.optim.Optimizer:
    """SGD (momentum, nesterov, weight decay) or Adam, from the config."""
    if cfg.lr <= 0:
        raise LearnerError("The learning rate must be above 0.")
    # fused: one kernel updates every parameter (on CPU 3x faster than the per-tensor loop,
    # a third of the step time of these small nets); other devices take the default path
    fused = all(p.device.type in ("cpu", "cuda") for p in model.parameters()) or None
    if cfg.optimizer == "sgd":
        if cfg.nesterov and cfg.momentum <= 0:
            raise LearnerError("Nesterov momentum needs a momentum above 0.")
        return torch.optim.SGD(model.parameters(), lr=cfg.lr, momentum=cfg.momentum,
                               nesterov=cfg.nesterov, weight_decay=cfg.weight_decay, fused=fused)
    if cfg.optimizer == "adam":
        return torch.optim.Adam(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay, fused=fused)
    raise LearnerError("Unknown optimizer {name}; use adam or sgd.", name=repr(cfg.optimizer))


def set_step_size(optimizer: torch.optim.Optimizer, cfg: TrainConfig) -> None:
    """Apply the config's learning rate, weight decay (and SGD momentum) to an existing optimizer (its state
    is kept)."""
    for group in optimizer.param_groups:
        group.update(lr=cfg.lr, weight_decay=cfg.weight_decay)
        if "nesterov" in group:  # SGD
            if cfg.nesterov and cfg.momentum <= 0:
                raise LearnerError("Nesterov momentum needs a momentum above 0.")
            group.update(momentum=cfg.momentum, nesterov=cfg.nesterov)


def make_scheduler(optimizer: torch.optim.Optimizer, cfg: TrainConfig, total: int):
    """None for a constant rate; for one-cycle, OneCycleLR over the round's `total` batches.

    One-cycle starts at lr/25, rises to `lr` over the first 30% of the steps, then anneals (cosine) to
    almost 0: the warm-up lets a high peak rate be used without diverging, the long fall settles the
    weights into a good minimum. Only the learning rate cycles (momentum stays as set), so the curves show
    everything the schedule does.
    """
    if cfg.schedule == "constant":
        return None
    if cfg.schedule != "onecycle":
        raise LearnerError("Unknown learning-rate schedule {name}; use constant or onecycle.", name=repr(cfg.schedule))
    return torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=cfg.lr, total_steps=max(1, total),
                                               pct_start=ONE_CYCLE_WARMUP, cycle_momentum=False)


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
    scheduler = make_scheduler(optimizer, cfg, total)
    per_epoch = -(-len(data.train_y) // cfg.batch_size)
    sums = torch.zeros(3, device=data.train_x.device)  # loss*n, correct, n of the current chunk
    random = has_dropout(model)
    for _ in range(cfg.epochs):
        for x, y in batches(data.train_x, data.train_y, cfg.batch_size, g):
            # Dropout draws from the global RNG: seed it per step, so a run depends on its seed only
            # and never disturbs (or is disturbed by) another session between steps.
            with seeded_rng(cfg.seed * 1_000_003 + step, x.device) if random else nullcontext():
                sums += train_step(model, optimizer, loss_fn, x, y)
            lr = optimizer.param_groups[0]["lr"]  # the rate this batch used
            if scheduler is not None:
                scheduler.step()
            step += 1
            if step % cfg.chunk_batches == 0 or step == total:
                yield _report(model, lr, loss_fn, data, sums, step, total, per_epoch, start)
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


def _report(model, lr: float, loss_fn, data: Prepared, sums: torch.Tensor, step: int, total: int,
            per_epoch: int, start: float) -> Step:
    loss_n, correct, n = sums.tolist()
    val = evaluate(model, loss_fn, data.val_x, data.val_y)
    return Step(step / per_epoch, step, total, loss_n / max(n, 1), correct / max(n, 1),
                val.loss, val.accuracy, time.perf_counter() - start, float(lr))
