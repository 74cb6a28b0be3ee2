"""RNN lab: the classic one-name-at-a-time loop vs the page's batched training.

    .venv/bin/python -m bench.rnn_lab [--quick]
"""
from __future__ import annotations

import random
import statistics
import time
from dataclasses import replace

import torch
from torch import nn

from bench.common import Figure, accelerators, cli
from lib.rnn_lab import cost
from lib.rnn_lab import data as D
from lib.rnn_lab import training as T
from lib.rnn_lab.config import NamesConfig
from lib.rnn_lab.letters import N_LETTERS, line_to_tensor
from lib.rnn_lab.models import HandRNN
from lib.common.samples import NAMES_DIR


def classic_seconds_per_name(data: D.NameData, train_idx: list[int], hidden: int, n: int) -> float:
    """The tutorial's loop: random name, hand cell stepped per letter, manual SGD (lr 0.005)."""
    torch.manual_seed(0)
    rnn = HandRNN(N_LETTERS, hidden, len(data.languages))
    criterion = nn.NLLLoss()
    rng = random.Random(0)
    start = time.perf_counter()
    for _ in range(n):
        i = rng.choice(train_idx)
        line, target = line_to_tensor(data.names[i]), torch.tensor([data.labels[i]])
        hidden_state = rnn.init_hidden()
        rnn.zero_grad()
        for t in range(line.size(0)):
            output, hidden_state = rnn(line[t], hidden_state)
        criterion(output, target).backward()
        for p in rnn.parameters():
            p.data.add_(p.grad.data, alpha=-0.005)
    return (time.perf_counter() - start) / n


def batched_epoch_seconds(data: D.NameData, cfg: NamesConfig, repeats: int, packed: bool = False,
                          device: torch.device | str = "cpu") -> float:
    """Median seconds of one training epoch; with `cfg.max_batches` (quick runs), extrapolated from those."""
    times = []
    for r in range(repeats):
        run = T.new_run(replace(cfg, epochs=1, seed=r), data, device)
        if packed:  # the reference: the same training, but the RNN reads a packed sequence
            run.model.forward = run.model.forward_packed
        start = time.perf_counter()
        for _ in T.train(run):
            pass
        times.append(time.perf_counter() - start)
    epoch = statistics.median(times)
    total = -(-len(run.train_idx) // cfg.batch_size)
    if cfg.max_batches and cfg.max_batches < total:  # the epoch stopped early: scale up to all its batches
        epoch *= total / cfg.max_batches
    return epoch


def accuracy_after(data: D.NameData, cfg: NamesConfig, budget_s: float) -> tuple[float, int]:
    """Validation accuracy of the page's defaults after `budget_s` seconds of training."""
    run = T.new_run(replace(cfg, epochs=1000), data)
    start = time.perf_counter()
    for _ in T.train(run):
        if time.perf_counter() - start > budget_s:
            break
    return T.accuracy(run.model, data, run.val_idx), len(run.losses)


def run(quick: bool) -> list[Figure]:
    data = D.load_names(NAMES_DIR)
    cfg = NamesConfig()
    train_idx, _ = D.split(data, cfg.val_fraction, cfg.seed)
    per_name = classic_seconds_per_name(data, train_idx, cfg.hidden_size, 200 if quick else 3000)
    classic_epoch = per_name * len(train_idx)
    bench_cfg, repeats = replace(cfg, max_batches=20 if quick else None), 1 if quick else 3
    batched = batched_epoch_seconds(data, bench_cfg, repeats)
    packed = batched_epoch_seconds(data, bench_cfg, repeats, packed=True)
    speedup = classic_epoch / batched
    train_n, val_n = len(train_idx), len(data.names) - len(train_idx)
    probed = cost.probe(cfg, data.names, len(data.languages))  # what the page does before a run: a short probe
    estimate = cost.names_seconds(replace(cfg, epochs=1), cost.sizes(data.names, train_n, val_n), measured=probed)
    acc, batches = accuracy_after(data, cfg, 3 if quick else 30)
    return [
        Figure(f"classic loop, one name at a time (s/epoch of {len(train_idx):,} names, extrapolated)",
               f"{classic_epoch:.1f}"),
        Figure(f"page: {cfg.cell} {cfg.hidden_size}, length-sorted batches of {cfg.batch_size}, padded "
               "(s/epoch, median)", f"{batched:.2f}"),
        Figure("the same, packed with pack_padded_sequence (s/epoch, median)", f"{packed:.2f}"),
        Figure("speed-up, same hidden size", f"{speedup:.1f}x", ">= 10x", speedup >= 10),
        Figure("the gate's time estimate for one epoch (from a probe of a few steps) / measured (s)",
               f"{estimate:.2f} / {batched:.2f}",
               "within 0.5x-2x", 0.5 <= estimate / batched <= 2),
        Figure(f"validation accuracy after {3 if quick else 30} s of training ({batches} batches)", f"{acc:.1%}"),
    ] + [f for device in accelerators() for f in accelerator_figures(data, bench_cfg, repeats, device, classic_epoch)]


def accelerator_figures(data, cfg, repeats, device, classic_epoch: float) -> list[Figure]:
    """The page's batched training on a GPU (each batch's loss.item() syncs the device)."""
    epoch = batched_epoch_seconds(data, cfg, repeats, device=device)
    return [Figure(f"on {device}: page's batched training (s/epoch, median)", f"{epoch:.2f}"),
            Figure(f"on {device}: speed-up over the classic CPU loop", f"{classic_epoch / epoch:.1f}x")]


if __name__ == "__main__":
    cli("RNN lab: surname classification (bench/rnn_lab.py)", run)
