"""A training run: data, model and optimizer kept between reruns, one mini-batch step, evaluation."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterator

import torch
from torch import nn

from lib.common.messages import LearnerError, Message
from lib.playground.config import PlaygroundConfig, classes, n_train, structure_key, validate
from lib.playground.data import DATASETS, Data, featurize
from lib.playground.model import build_model, l1_penalty, loss_fn, make_optimizer


def make_data(cfg: PlaygroundConfig) -> Data:
    """Generate the chosen data set with its own generator and split it (shuffled) into train/test."""
    g = torch.Generator().manual_seed(cfg.data_seed)
    k = classes(cfg)
    xy, y = DATASETS[cfg.dataset][1](cfg.n_points, cfg.noise, k, g)
    order = torch.randperm(cfg.n_points, generator=g)
    xy, y = xy[order], y[order]
    m = n_train(cfg)
    return Data(xy[:m], y[:m], xy[m:], y[m:], k)




@dataclass
class Run:
    """One training run: everything the page keeps in st.session_state."""

    cfg: PlaygroundConfig
    data: Data
    model: nn.Sequential
    optimizer: torch.optim.Optimizer
    x_train: torch.Tensor
    x_test: torch.Tensor
    batch_g: torch.Generator
    device: torch.device
    perm: torch.Tensor = field(default_factory=lambda: torch.empty(0, dtype=torch.long))
    cursor: int = 0
    step: int = 0
    history: list[dict] = field(default_factory=list)
    last: dict = field(default_factory=dict)  # the last step's grad/update sizes, for the code panel


def new_run(cfg: PlaygroundConfig, device: torch.device) -> Run:
    """Fresh data, model and optimizer; the same seeds always give the same starting point."""
    validate(cfg)
    data = make_data(cfg)
    x_train = featurize(data.xy_train, cfg.features).to(device)
    x_test = featurize(data.xy_test, cfg.features).to(device)
    model = build_model(cfg, len(cfg.features), data.n_classes, device)
    run = Run(cfg, data, model, make_optimizer(model, cfg), x_train, x_test,
              torch.Generator().manual_seed(cfg.weight_seed + 1), device)
    run.history.append(evaluate(run))
    return run


def apply_settings(run: Run, cfg: PlaygroundConfig) -> list[str]:
    """Change the training settings of a running model in place; the weights are kept."""
    validate(cfg)
    if structure_key(cfg) != structure_key(run.cfg):
        raise LearnerError("Data or architecture changed: start a new run instead.")
    notes = []
    if cfg.optimizer != run.cfg.optimizer or (cfg.momentum > 0) != (run.cfg.momentum > 0):
        run.optimizer = make_optimizer(run.model, cfg)
        notes.append(Message("Switched to a fresh {name} optimizer: weights kept, its running averages start again.",
                             name=cfg.optimizer))
    for group in run.optimizer.param_groups:  # what a learning-rate scheduler does, too
        group["lr"], group["weight_decay"] = cfg.lr, cfg.l2
        if "momentum" in group:
            group["momentum"] = cfg.momentum
        if "nesterov" in group:
            group["nesterov"] = cfg.nesterov and cfg.momentum > 0
    run.cfg = cfg
    return notes


def next_batch(run: Run) -> torch.Tensor:
    """Indices of the next mini-batch: walk a shuffled order, reshuffle when it runs out."""
    n = len(run.data.y_train)
    size = min(run.cfg.batch_size, n)
    if run.cursor + size > len(run.perm):
        run.perm, run.cursor = torch.randperm(n, generator=run.batch_g), 0
    idx = run.perm[run.cursor:run.cursor + size]
    run.cursor += size
    return idx


def train_step(run: Run) -> float:
    """One optimisation step on one mini-batch; returns its loss."""
    idx = next_batch(run)
    x, target = run.x_train[idx.to(run.device)], run.data.y_train[idx].to(run.device)
    run.model.train()
    run.optimizer.zero_grad()
    loss = loss_fn(run.model(x), target, run.cfg.loss)
    if run.cfg.l1 > 0:
        loss = loss + run.cfg.l1 * l1_penalty(run.model)
    loss.backward()
    before = [p.detach().clone() for p in run.model.parameters()]
    run.optimizer.step()
    run.last = {"loss": loss.item(), "grad_norm": _norm([p.grad for p in run.model.parameters()]),
                "update_norm": _norm([p.detach() - b for p, b in zip(run.model.parameters(), before)])}
    run.step += 1
    return run.last["loss"]


def _norm(tensors: list[torch.Tensor | None]) -> float:
    return math.sqrt(sum(float((t.float() ** 2).sum()) for t in tensors if t is not None))


def train(run: Run, steps: int, record_every: int = 1) -> Iterator[dict]:
    """Take `steps` steps, yielding the metrics every `record_every` steps (and after the last)."""
    for i in range(1, steps + 1):
        train_step(run)
        if i % record_every == 0 or i == steps:
            run.history.append(evaluate(run))
            yield run.history[-1]


@torch.no_grad()
def evaluate(run: Run) -> dict:
    """Train/test loss and accuracy of the current model (eval mode: no dropout, BN running stats)."""
    run.model.eval()
    out = {"step": run.step}
    for split, x, y in (("train", run.x_train, run.data.y_train), ("test", run.x_test, run.data.y_test)):
        y = y.to(run.device)
        logits = run.model(x)
        out[f"{split}_loss"] = loss_fn(logits, y, run.cfg.loss).item() if len(y) else float("nan")
        out[f"{split}_acc"] = (logits.argmax(1) == y).float().mean().item() if len(y) else float("nan")
    return out


def diverged(run: Run) -> bool:
    """True when the loss has become NaN or infinite (learning rate too high, usually)."""
    return not math.isfinite(run.history[-1]["train_loss"])


