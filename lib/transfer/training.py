"""Training the three strategies: generators yielding one `Epoch` record each, keeping the best checkpoint.

Each strategy's `StrategyRun` lives in the learner's session: its history, its model and the state of its best
epoch by validation accuracy (a tie goes to the later epoch: with a few validation pictures ties are common and
the later model has learnt more). The head's stage 1 is the exception: a convex logistic regression whose L2
penalty, not early stopping, keeps it from overfitting, so its checkpoint is its latest, most converged fit
(picking its epoch by 2 validation pictures per class cost about 1 point at 5 per class, measured on held-out
training-split images). `finish` loads that best state and scores it once on the test images.
Stochastic parts take a seed: initial weights, batch order, dropout masks (`seeded_rng` per step).
"""
from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from typing import Iterator

import torch
import torch.nn.functional as F
from torch import nn

from lib.common.device import seeded_rng
from lib.transfer.backbone import Backbone, train_mode, trainable_block
from lib.transfer.config import STRATEGIES, TransferConfig
from lib.transfer.data import FewShot
from lib.transfer.features import DrawFeatures, SplitFeatures, block_input
from lib.transfer.strategies import (
    Head, TunedTop, finetune_optimizer, head_loss, head_optimizer, scratch_cnn, scratch_input, scratch_optimizer,
)

EVAL_BATCH = 256


@dataclass(frozen=True)
class Epoch:
    """One epoch of one strategy: its training loss and accuracy and its validation scores."""

    strategy: str
    stage: int          # 1, or 2 for the fine-tuning stage
    epoch: int          # counted over all of the strategy's stages, from 1
    total: int          # epochs of all stages
    train_loss: float
    train_acc: float
    val_loss: float
    val_acc: float
    seconds: float      # since the strategy started


@dataclass
class StrategyRun:
    """One strategy's model, history and best checkpoint."""

    strategy: str
    classes: tuple[str, ...]
    model: nn.Module | None = None       # the CNN, or a TunedTop (head on the shared or a tuned block)
    history: list[Epoch] = field(default_factory=list)
    best_state: dict[str, torch.Tensor] | None = None   # trainable weights (and buffers) of the best epoch
    best_val: float = -1.0
    best_epoch: int = 0
    best_stage: int = 1
    test_acc: float | None = None        # of the best checkpoint, on the test images (None: no test split)
    test_probs: torch.Tensor | None = None
    seconds: float = 0.0
    finished: bool = False

    @property
    def title(self) -> str:
        return STRATEGIES[self.strategy]

    def keep_if_best(self, record: Epoch, latest: bool = False) -> None:
        """Keep this epoch's weights if its validation accuracy is the best so far, or always when `latest`."""
        if latest or record.val_acc >= self.best_val:
            self.best_val, self.best_epoch, self.best_stage = record.val_acc, record.epoch, record.stage
            self.best_state = trainable_state(self.model, tuned=record.stage == 2 or self.strategy == "scratch")


def trainable_state(model: nn.Module, tuned: bool) -> dict[str, torch.Tensor]:
    """A CPU copy of what this strategy trained: the whole CNN, the tuned top, or only the head (the block is the
    shared frozen one)."""
    part = model if tuned or not isinstance(model, TunedTop) else model.head
    prefix = "" if part is model or not isinstance(model, TunedTop) else "head."
    return {prefix + k: v.detach().cpu().clone() for k, v in part.state_dict().items()}


def scores(logits: torch.Tensor, labels: torch.Tensor) -> tuple[float, float]:
    """(mean cross-entropy, accuracy)."""
    if not len(labels):
        return float("nan"), float("nan")
    return F.cross_entropy(logits, labels).item(), (logits.argmax(1) == labels).float().mean().item()


@torch.no_grad()
def batched(fn, n: int, batch: int = EVAL_BATCH) -> torch.Tensor:
    """fn(index tensor) over 0..n-1 in batches, concatenated."""
    return torch.cat([fn(torch.arange(i, min(i + batch, n))) for i in range(0, n, batch)])


# ---------------------------------------------------------------- from scratch

def train_scratch(run: StrategyRun, fs: FewShot, cfg: TransferConfig, device: torch.device) -> Iterator[Epoch]:
    """The small CNN on the raw pictures, every weight trainable, Adam, mini-batches."""
    x, y = scratch_input(fs.train_x, cfg.scratch_px, device), fs.train_y.to(device)
    xv, yv = scratch_input(fs.val_x, cfg.scratch_px, device), fs.val_y.to(device)
    run.model = cnn = scratch_cnn(len(fs.classes), cfg.scratch_px, cfg.seed).to(device)
    opt, g, start, step = scratch_optimizer(cnn, cfg), torch.Generator().manual_seed(cfg.seed), time.perf_counter(), 0
    for epoch in range(1, cfg.scratch_epochs + 1):
        cnn.train()
        sums = torch.zeros(3, device=device)  # loss * n, correct, n
        for idx in torch.randperm(len(y), generator=g).split(cfg.batch_size):
            idx = idx.to(device)
            with seeded_rng(cfg.seed * 1_000_003 + step, device):  # dropout masks: this run's own
                sums += sgd_step(cnn, opt, x[idx], y[idx])
            step += 1
        cnn.eval()
        val_loss, val_acc = scores(batched(lambda i: cnn(xv[i.to(device)]), len(yv)), yv)
        record = Epoch("scratch", 1, epoch, cfg.scratch_epochs, (sums[0] / sums[2]).item(),
                       (sums[1] / sums[2]).item(), val_loss, val_acc, time.perf_counter() - start)
        yield remember(run, record)


def sgd_step(model: nn.Module, opt: torch.optim.Optimizer, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """One optimisation step; returns (loss * n, correct, n) without syncing the device."""
    opt.zero_grad(set_to_none=True)
    out = model(x)
    loss = F.cross_entropy(out, y)
    loss.backward()
    opt.step()
    n = torch.tensor(float(len(y)), device=y.device)
    return torch.stack([loss.detach() * n, (out.argmax(1) == y).sum().float(), n])


def remember(run: StrategyRun, record: Epoch, latest: bool = False) -> Epoch:
    run.history.append(record)
    run.seconds = record.seconds
    run.keep_if_best(record, latest)
    return record


# ---------------------------------------------------------------- frozen backbone + head, and two stages

def new_head_run(run: StrategyRun, backbone: Backbone, feats: DrawFeatures, cfg: TransferConfig) -> TunedTop:
    """A TunedTop whose head is fresh and standardised on the training features; the block is the shared one."""
    head = Head(feats.train.pooled.shape[1], len(run.classes), cfg.seed).to(feats.train.pooled.device)
    head.fit_scale(feats.train.pooled)
    run.model = TunedTop(backbone.block, head)
    return run.model


def train_head(run: StrategyRun, backbone: Backbone, feats: DrawFeatures, cfg: TransferConfig,
               total: int | None = None) -> Iterator[Epoch]:
    """Stage 1: the head alone on the cached features, a logistic regression fitted by full-batch L-BFGS; each
    epoch is one L-BFGS iteration (the features of a few hundred images are one small matrix). The checkpoint
    is the latest fit (see the module's docstring)."""
    top = new_head_run(run, backbone, feats, cfg)
    head, x, y = top.head, feats.train.pooled, feats.train.labels
    opt, start = head_optimizer(head, cfg, len(y)), time.perf_counter()
    total = total or cfg.head_epochs

    def closure() -> torch.Tensor:
        opt.zero_grad(set_to_none=True)
        loss = head_loss(head, opt, x, y)
        loss.backward()
        return loss
    for epoch in range(1, cfg.head_epochs + 1):
        head.train()
        opt.step(closure)
        head.eval()
        with torch.no_grad():
            out = head(x)
            val_loss, val_acc = scores(head(feats.val.pooled), feats.val.labels)
        record = Epoch(run.strategy, 1, epoch, total, F.cross_entropy(out, y).item(),
                       (out.argmax(1) == y).float().mean().item(), val_loss, val_acc, time.perf_counter() - start)
        yield remember(run, record, latest=True)


def train_two_stage(run: StrategyRun, backbone: Backbone, feats: DrawFeatures, cfg: TransferConfig) -> Iterator[Epoch]:
    """Stage 1 as `train_head`; stage 2 starts from its best head, unfreezes a copy of the last block and trains
    both on the cached prefix maps, the block with a 10x lower rate (two parameter groups)."""
    total = cfg.head_epochs + cfg.finetune_epochs
    yield from train_head(run, backbone, feats, cfg, total)
    run.model.head.load_state_dict({k.removeprefix("head."): v for k, v in run.best_state.items()})
    top = run.model = TunedTop(trainable_block(backbone), run.model.head)
    opt, g, start = finetune_optimizer(top, cfg, len(feats.train)), torch.Generator().manual_seed(cfg.seed + 1), \
        time.perf_counter() - run.seconds
    y = feats.train.labels
    for epoch in range(cfg.head_epochs + 1, total + 1):
        train_mode(top.block)
        top.head.train()
        sums = torch.zeros(3, device=y.device)
        for idx in torch.randperm(len(y), generator=g).split(cfg.batch_size):
            sums += sgd_step(top, opt, block_input(backbone, feats.train, idx), y[idx.to(y.device)])
        top.eval()
        val_loss, val_acc = scores(top_logits(top, backbone, feats.val), feats.val.labels)
        record = Epoch(run.strategy, 2, epoch, total, (sums[0] / sums[2]).item(), (sums[1] / sums[2]).item(),
                       val_loss, val_acc, time.perf_counter() - start)
        yield remember(run, record)


def top_logits(top: TunedTop, backbone: Backbone, split: SplitFeatures) -> torch.Tensor:
    """Class scores of a split through the (tuned) block: cached maps when kept, else the prefix again."""
    if not len(split):
        return split.pooled.new_zeros((0, top.head.linear.out_features))
    return batched(lambda i: top(block_input(backbone, split, i)), len(split))


# ---------------------------------------------------------------- the best checkpoint on the test images

def best_model(run: StrategyRun, backbone: Backbone | None) -> nn.Module:
    """A copy of the run's model with its best epoch's weights; a stage-1 best sits on the shared frozen block."""
    if isinstance(run.model, TunedTop) and run.best_stage == 1:
        head = copy.deepcopy(run.model.head)
        head.load_state_dict({k.removeprefix("head."): v for k, v in run.best_state.items()})
        return TunedTop(backbone.block, head)
    best = copy.deepcopy(run.model)
    best.load_state_dict(run.best_state)
    return best


@torch.no_grad()
def test_logits(strategy: str, model: nn.Module, stage: int, fs: FewShot, feats: DrawFeatures | None,
                backbone: Backbone | None, cfg: TransferConfig, device: torch.device) -> torch.Tensor:
    """Class scores of the test images from a strategy's model (a stage-1 head reads the cached features)."""
    model.eval()
    if strategy == "scratch":
        xt = scratch_input(fs.test_x, cfg.scratch_px, device)
        return batched(lambda i: model(xt[i.to(device)]), len(fs.test_y))
    if stage == 1:
        return model.head(feats.test.pooled)
    return top_logits(model, backbone, feats.test)


def finish(run: StrategyRun, fs: FewShot, feats: DrawFeatures | None, backbone: Backbone | None,
           cfg: TransferConfig, device: torch.device) -> None:
    """Score the best checkpoint on the test images (when there are any) and mark the run finished."""
    run.finished = True
    if not fs.has_test or run.best_state is None:
        return
    logits = test_logits(run.strategy, best_model(run, backbone), run.best_stage, fs, feats, backbone, cfg, device)
    run.test_probs = logits.softmax(1).cpu()
    run.test_acc = scores(logits, fs.test_y.to(logits.device))[1]


def last_test_accuracy(run: StrategyRun, fs: FewShot, feats: DrawFeatures | None, backbone: Backbone | None,
                       cfg: TransferConfig, device: torch.device) -> float:
    """Test accuracy of the last epoch's model (for comparison with the best checkpoint's)."""
    if not fs.has_test or not run.history:
        return float("nan")
    logits = test_logits(run.strategy, run.model, run.history[-1].stage, fs, feats, backbone, cfg, device)
    return scores(logits, fs.test_y.to(logits.device))[1]


def trainer(strategy: str, run: StrategyRun, fs: FewShot, feats: DrawFeatures | None, backbone: Backbone | None,
            cfg: TransferConfig, device: torch.device) -> Iterator[Epoch]:
    """The generator that trains `strategy` (the transfer ones need the draw's features)."""
    if strategy == "scratch":
        return train_scratch(run, fs, cfg, device)
    if strategy == "head":
        return train_head(run, backbone, feats, cfg)
    return train_two_stage(run, backbone, feats, cfg)
