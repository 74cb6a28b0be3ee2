"""A learner's surname run: the classifier, its optimizer and history (kept in their session), the training
generator a page drives, and what the trained model says about names."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

import torch
from torch import nn

from lib.rnn_lab.config import NamesConfig
from lib.rnn_lab.data import NameData, class_weights, epoch_order, length_batches, split
from lib.rnn_lab.letters import batch_tensors
from lib.rnn_lab.models import NameClassifier, make_classifier, make_optimizer


@dataclass
class NamesProgress:
    epoch: int
    batch: int
    batches_per_epoch: int
    train_loss: float
    val_accuracy: float | None  # filled at the end of each epoch

    @property
    def done(self) -> int:
        """Batches trained so far in this run (for a progress bar)."""
        return (self.epoch - 1) * self.batches_per_epoch + self.batch


@dataclass
class NamesRun:
    """A user's training run (lives in their session)."""

    cfg: NamesConfig
    data: NameData
    train_idx: list[int]
    val_idx: list[int]
    model: NameClassifier
    optimizer: torch.optim.Optimizer
    losses: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    epochs_done: int = 0
    train_tensors: tuple[torch.Tensor, torch.Tensor, torch.Tensor] | None = None  # letters, lengths, labels

    @property
    def batches_per_epoch(self) -> int:
        full = -(-len(self.train_idx) // self.cfg.batch_size)
        return min(full, self.cfg.max_batches) if self.cfg.max_batches else full

    @property
    def total_batches(self) -> int:
        return self.cfg.epochs * self.batches_per_epoch


def new_run(cfg: NamesConfig, data: NameData, device: torch.device | str = "cpu") -> NamesRun:
    train_idx, val_idx = split(data, cfg.val_fraction, cfg.seed)
    model = make_classifier(cfg, len(data.languages), device)
    return NamesRun(cfg, data, train_idx, val_idx, model, make_optimizer(cfg, model))



def train(run: NamesRun) -> Iterator[NamesProgress]:
    """Train the configured epochs, yielding after every batch (validation after each epoch)."""
    cfg, data = run.cfg, run.data
    device = next(run.model.parameters()).device
    labels = [data.labels[i] for i in run.train_idx]
    weights = class_weights(labels, len(data.languages)).to(device) if cfg.balancing == "weights" else None
    loss_fn = nn.CrossEntropyLoss(weight=weights)
    lengths = [len(data.names[i]) for i in run.train_idx]
    gen = torch.Generator().manual_seed(cfg.seed)
    for epoch in range(run.epochs_done, cfg.epochs):
        order = epoch_order(labels, len(data.languages), cfg.balancing, gen)
        batches = length_batches(order, lengths, cfg.batch_size, gen)
        if cfg.max_batches:
            batches = batches[: cfg.max_batches]
        run.model.train()
        for b, positions in enumerate(batches, 1):
            loss = train_batch(run, positions, labels, loss_fn, device)
            run.losses.append(loss)
            last = b == len(batches)
            if last:
                run.val_accuracy.append(accuracy(run.model, data, run.val_idx))
                run.epochs_done = epoch + 1
            yield NamesProgress(epoch + 1, b, len(batches), loss, run.val_accuracy[-1] if last else None)


def training_tensors(run: NamesRun, labels: list[int], device) -> tuple[torch.Tensor, ...]:
    """All training names padded once, (N, T_max), so a batch is a row lookup, not Python work."""
    if run.train_tensors is None:
        letters, lengths = batch_tensors([run.data.names[i] for i in run.train_idx], device)
        run.train_tensors = (letters, lengths, torch.tensor(labels, device=device))
    return run.train_tensors


def train_batch(run: NamesRun, positions: list[int], labels: list[int], loss_fn: nn.Module, device) -> float:
    """One optimizer step on the names at `positions` of the training split; returns the batch's loss."""
    all_letters, all_lengths, all_labels = training_tensors(run, labels, device)
    rows = torch.tensor(positions, device=device)
    lengths = all_lengths[rows]
    letters = all_letters[rows, : int(lengths.max())]  # trim to this batch's longest name
    loss = loss_fn(run.model(letters, lengths), all_labels[rows])
    run.optimizer.zero_grad()
    loss.backward()
    run.optimizer.step()
    return loss.item()


@torch.no_grad()
def predict_logits(model: NameClassifier, names: list[str], batch_size: int = 1024) -> torch.Tensor:
    """Logits (N, n_classes) for already-clean names."""
    model.eval()
    device = next(model.parameters()).device
    chunks = []
    for i in range(0, len(names), batch_size):
        letters, lengths = batch_tensors(names[i:i + batch_size], device)
        chunks.append(model(letters, lengths).cpu())
    return torch.cat(chunks)


def accuracy(model: NameClassifier, data: NameData, indices: list[int]) -> float:
    logits = predict_logits(model, [data.names[i] for i in indices])
    targets = torch.tensor([data.labels[i] for i in indices])
    return (logits.argmax(1) == targets).float().mean().item()


def confusion(model: NameClassifier, data: NameData, indices: list[int]) -> torch.Tensor:
    """Row-normalised confusion matrix (true language x predicted language)."""
    n = len(data.languages)
    pred = predict_logits(model, [data.names[i] for i in indices]).argmax(1)
    true = torch.tensor([data.labels[i] for i in indices])
    counts = torch.bincount(true * n + pred, minlength=n * n).view(n, n).float()  # (n*n,) -> (n, n)
    return counts / counts.sum(1, keepdim=True).clamp(min=1)


def top_k(model: NameClassifier, name: str, languages: list[str], k: int = 3) -> list[tuple[str, float]]:
    """The k most likely languages with probabilities."""
    probs = predict_logits(model, [name]).softmax(1)[0]
    values, idx = probs.topk(min(k, len(languages)))
    return [(languages[i], v) for i, v in zip(idx.tolist(), values.tolist())]


def prefix_probabilities(model: NameClassifier, name: str) -> torch.Tensor:
    """(len(name), n_classes): the prediction after reading each prefix."""
    return predict_logits(model, [name[: i + 1] for i in range(len(name))]).softmax(1)


def binned(values: list[float], most: int) -> tuple[list[int], list[float]]:
    """(step numbers, values); past `most` values, each point is the mean of a bin of equal size, placed at
    the bin's last step."""
    if len(values) <= most:
        return list(range(1, len(values) + 1)), values
    size = -(-len(values) // most)
    means = [sum(values[i:i + size]) / len(values[i:i + size]) for i in range(0, len(values), size)]
    return [min(i + size, len(values)) for i in range(0, len(values), size)], means
