"""Training as a generator that yields after every step, keeping the best-validation weights (early stopping),
optionally checking an average of the weights (averaging.py) instead of the last step's."""
from __future__ import annotations

import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Callable, Iterator

import torch
import torch.nn.functional as F
from torch import nn

from lib.common.messages import LearnerError
from lib.lstm.averaging import WeightAverage
from lib.lstm.config import LstmConfig
from lib.lstm.data import Encoded, Prepared, batch_order, take
from lib.lstm.model import SentimentLSTM


@dataclass(frozen=True)
class Progress:
    """What the training generator yields after every optimiser step."""

    step: int
    total_steps: int
    epoch: float
    loss: float
    elapsed: float
    history: tuple[dict[str, float], ...]  # one row per check: step, epoch, train/valid loss and accuracy
    evaluated: bool                         # True when this step added a history row
    stopped_early: bool = False             # the last step: `patience` checks passed without a better one


@dataclass
class Keeper:
    """The best weights seen so far ("save the best"): highest validation accuracy, ties to the lower loss.

    The tutorials save a checkpoint whenever validation improves and load it at the end; this keeps a CPU
    copy of the state_dict instead of a file. `stale` counts checks since the last improvement.
    """

    row: dict[str, float] | None = None
    state: dict[str, torch.Tensor] | None = field(default=None, repr=False)
    stale: int = 0

    def offer(self, model: nn.Module, row: dict[str, float]) -> bool:
        """Keep the model's weights if `row` (a check) beats the best so far; True when it did."""
        better = self.row is None or (row["valid_acc"], -row["valid_loss"]) > \
            (self.row["valid_acc"], -self.row["valid_loss"])
        if better:
            self.row, self.stale = dict(row), 0
            self.state = {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}
        else:
            self.stale += 1
        return better

    def restore(self, model: nn.Module) -> bool:
        """Load the kept weights back into `model` (on its own device); False when nothing was kept."""
        if self.state is None:
            return False
        model.load_state_dict(self.state)
        return True


def loss_and_correct(logits: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """BCE on one logit for two classes, cross-entropy otherwise; also the correct predictions."""
    if logits.shape[1] == 1:
        loss = F.binary_cross_entropy_with_logits(logits[:, 0], labels.float())
        return loss, ((logits[:, 0] > 0).long() == labels).sum()
    return F.cross_entropy(logits, labels), (logits.argmax(1) == labels).sum()


@torch.no_grad()
def evaluate(model: SentimentLSTM, data: Encoded, device: torch.device, batch_size: int = 256
             ) -> tuple[float, float, torch.Tensor]:
    """Mean loss, accuracy and predicted class per row (batches sorted by length for speed)."""
    was_training = model.training
    model.eval()
    order = torch.argsort(data.lengths).tolist()
    preds = torch.empty(len(data), dtype=torch.long)
    total_loss = 0.0
    for start in range(0, len(order), batch_size):
        rows = order[start:start + batch_size]
        ids, lengths, labels = take(data, rows, device)
        logits = model(ids, lengths)
        total_loss += float(loss_and_correct(logits, labels)[0]) * len(rows)
        preds[rows] = (logits[:, 0] > 0).long().cpu() if logits.shape[1] == 1 else logits.argmax(1).cpu()
    model.train(was_training)
    return total_loss / max(1, len(data)), float((preds == data.labels).float().mean()), preds


def make_optimizer(model: nn.Module, cfg: LstmConfig) -> torch.optim.Optimizer:
    """Adam, or SGD with momentum 0.9 (plain SGD barely moves an LSTM in a few epochs)."""
    params = [p for p in model.parameters() if p.requires_grad]
    if not params:
        raise LearnerError("This model has nothing to train.")
    if cfg.optimizer == "sgd":
        return torch.optim.SGD(params, lr=cfg.lr, momentum=0.9)
    return torch.optim.Adam(params, lr=cfg.lr)


def total_steps(n_train: int, cfg: LstmConfig) -> int:
    """Optimiser steps of a whole run: batches per epoch times epochs."""
    return -(-n_train // cfg.batch_size) * cfg.epochs


def train(model: SentimentLSTM, data: Prepared, cfg: LstmConfig, device: torch.device,
          max_steps: int | None = None, seconds: float | None = None, keeper: Keeper | None = None,
          before: tuple[int, float] = (0, 0.0), clock: Callable[[], float] = time.perf_counter
          ) -> Iterator[Progress]:
    """Train in place, yielding after every step; stop at `max_steps`, after `seconds`, or when `cfg.patience`
    checks pass without a better validation accuracy. With `cfg.keep == "best"` the model ends with the
    best-validation weights (kept by `keeper`, which may carry the best of earlier rounds). `before` is the
    (steps, epochs) of earlier rounds: history rows count on from there. `clock` measures `seconds` (wall time;
    a benchmark on a shared machine may pass `time.process_time`)."""
    model.to(device).train()
    keeper = keeper if keeper is not None else Keeper()
    optimizer = make_optimizer(model, cfg)
    dropout_gen = torch.Generator(device=device).manual_seed(cfg.seed)
    epochs = [batch_order(data.train.lengths, cfg, cfg.seed * 1000 + e) for e in range(cfg.epochs)]
    total = min(sum(map(len, epochs)), max_steps or 1 << 62)
    checks = {round(len(epochs[0]) * k / cfg.evals_per_epoch) for k in range(1, cfg.evals_per_epoch + 1)}
    average = WeightAverage(model, cfg.ema) if cfg.ema else None
    history: list[dict[str, float]] = []
    step, start, run = 0, clock(), [0.0, 0, 0]  # running train loss sum, correct, seen
    for e, batches in enumerate(epochs):
        for b, rows in enumerate(batches, start=1):
            ids, lengths, labels = take(data.train, rows, device)
            loss, correct = loss_and_correct(model(ids, lengths, dropout_gen), labels)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            if average is not None:
                average.update(model)
            step += 1
            run = [run[0] + loss.item() * len(rows), run[1] + int(correct), run[2] + len(rows)]
            done = step >= total or (seconds is not None and clock() - start >= seconds)
            evaluated, early = b in checks or done, False
            if evaluated:
                row = check(model, data, device, average, keeper,
                            (before[0] + step, before[1] + e + b / len(batches)), run)
                history.append(row)
                run = [0.0, 0, 0]
                early = 0 < cfg.patience <= keeper.stale
            if done or early:
                finish(model, cfg, keeper, average)
            yield Progress(step, total, e + b / len(batches), loss.item(), clock() - start,
                           tuple(history), evaluated, early)
            if done or early:
                return


def check(model: SentimentLSTM, data: Prepared, device: torch.device, average: WeightAverage | None,
          keeper: Keeper, at: tuple[int, float], run: list) -> dict[str, float]:
    """A validation check (of the averaged weights when averaging) offered to the keeper; its history row."""
    with average.swapped_in(model) if average is not None else nullcontext():
        row = check_row(model, data, device, at[0], at[1], run)
        keeper.offer(model, row)  # copies the averaged weights while they are in the model
    return row


def finish(model: SentimentLSTM, cfg: LstmConfig, keeper: Keeper, average: WeightAverage | None) -> None:
    """End a round with the kept best weights, or else the averaged ones when averaging."""
    if cfg.keep == "best" and keeper.restore(model):
        return
    if average is not None:
        average.copy_to(model)


def check_row(model: SentimentLSTM, data: Prepared, device: torch.device, step: int, epoch: float,
              run: list) -> dict[str, float]:
    """Train metrics since the last check plus a full validation pass."""
    valid_loss, valid_acc, _ = evaluate(model, data.valid, device)
    model.train()
    loss, correct, seen = run
    return {"step": step, "epoch": round(epoch, 3), "train_loss": loss / max(1, seen),
            "train_acc": correct / max(1, seen), "valid_loss": valid_loss, "valid_acc": valid_acc}


def confusion_matrix(preds: torch.Tensor, labels: torch.Tensor, num_classes: int) -> torch.Tensor:
    """(K, K) counts: row = true class, column = predicted class."""
    flat = labels * num_classes + preds  # (N,) pair index
    return torch.bincount(flat, minlength=num_classes * num_classes).reshape(num_classes, num_classes)
