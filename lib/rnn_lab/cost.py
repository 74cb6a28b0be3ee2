"""What a training run will cost before it starts: peak memory and seconds, for the heavy-job gate.

Both come from the settings and the sizes of the data: the recurrent layer's parameters (a plain RNN has one
gate's weights, a GRU three, an LSTM four), what autograd keeps per letter of a batch for the backward pass,
and the number of letter-steps an epoch reads. Time has two routes. `probe` times a few real training steps
of the configured model on a batch of names of typical length (and one validation chunk) on the device that
will run it, so the estimate follows the machine, its load and its thread count; `names_seconds` multiplies
those by the batches of the run. Without a probe it falls back on arithmetic at a rate measured once plus a
fixed cost per time step (the recurrence runs step after step, so small batches pay mostly bookkeeping).
bench/rnn_lab.py prints the probed estimate next to a measured epoch.
"""
from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import Callable

import torch
from torch import nn

from lib.rnn_lab.config import HAND, NamesConfig, WaveConfig
from lib.rnn_lab.letters import N_LETTERS, batch_tensors
from lib.rnn_lab.models import make_classifier, make_optimizer

FLOAT, INDEX = 4, 8        # bytes of a float32 and of an int64 letter index
GATES = {"RNN": 1, "GRU": 3, "LSTM": 4, HAND: 1}
EVAL_CHUNK = 1024          # names per forward pass when validating (training.predict_logits)
# The fallback's constants, fitted to per-batch times of 36 settings (4 cells x hidden 32/128/256 x batch
# 1/16/128) with one thread on the project's 2-core CPU under other helpers' load (4-7): each fit within 2x.
CPU_FLOPS_PER_THREAD = 4e10   # the recurrent matmuls of a 128-name batch
BATCH_OVERHEAD_S = 5e-4       # per batch: row lookup, loss, zero_grad, the optimizer's step
STEP_OVERHEAD_S = {HAND: 4e-4, "RNN": 3e-4, "GRU": 3e-4, "LSTM": 3.5e-4}  # per time step and layer, fwd + bwd
PAD_S_PER_LETTER = 2e-6       # padding every training name once at the start (Python work per letter)
PROBE_MIN_STEPS, PROBE_MAX_STEPS = 3, 25  # timed training steps (after one untimed warm-up step)...
PROBE_BUDGET_S = 0.05         # ...until this much time is measured: their median resists a busy neighbour
PROBE_EVAL = 256              # names in the timed validation chunk
EVAL_OVERHEAD_S = 0.1         # a validation pass's chunking and padding
WINDOW_OVERHEAD_S = 2e-3      # per sine window: zero_grad, backward set-up, Adam's step over a few tensors
WAVE_STEP_S = 1e-4            # per time step and layer of a one-sequence window
GPU_SPEEDUP = 3.0          # tiny sequential kernels: a GPU helps little, but helps


@dataclass(frozen=True)
class NameSizes:
    """The data sizes both estimates need (from the loaded surnames and the split)."""

    n_train: int
    n_val: int
    mean_len: float
    max_len: int


def sizes(names: list[str], n_train: int, n_val: int) -> NameSizes:
    lengths = [len(n) for n in names]
    return NameSizes(n_train, n_val, sum(lengths) / len(lengths), max(lengths))


def split_sizes(names: list[str], val_fraction: float) -> NameSizes:
    """`sizes` for the split `data.split` makes of `names` (the same counts, without shuffling)."""
    n_val = int(len(names) * val_fraction)
    return sizes(names, len(names) - n_val, n_val)


def recurrent_params(cell: str, input_size: int, hidden: int, layers: int, n_out: int) -> int:
    """Weights and biases of the recurrent layer(s) and the head."""
    if cell == HAND:  # i2h and i2o both read cat(input, hidden)
        return (input_size + hidden + 1) * (hidden + n_out)
    g, total = GATES[cell], 0
    for layer in range(layers):
        total += g * hidden * ((input_size if layer == 0 else hidden) + hidden + 2)
    return total + (hidden + 1) * n_out


def per_step_values(cell: str, hidden: int, layers: int, input_size: int) -> int:
    """Values autograd keeps per sequence and time step: the input, each layer's gates and states."""
    if cell == HAND:
        return 2 * (input_size + hidden) + hidden + 2 * 18  # cat, i2h/i2o outputs, log-softmax, where()
    return input_size + layers * (GATES[cell] + 2) * hidden


def names_bytes(cfg: NamesConfig, size: NameSizes, n_classes: int = 18) -> int:
    """Peak bytes of a surname run: weights, gradients and Adam's two moments (plain SGD keeps none); the
    padded training names; one batch's activations (kept for backward, and as much again for their
    gradients) or one validation chunk, whichever is larger."""
    params = recurrent_params(cfg.cell, N_LETTERS, cfg.hidden_size, cfg.num_layers, n_classes)
    copies = 4 if cfg.optimizer == "adam" else 2
    names = size.n_train * (size.max_len + 2) * INDEX  # letters (N, T_max), lengths and labels
    step = per_step_values(cfg.cell, cfg.hidden_size, cfg.num_layers, N_LETTERS) * FLOAT
    batch = 2 * cfg.batch_size * size.max_len * step
    evaluation = EVAL_CHUNK * size.max_len * step
    return int(copies * params * FLOAT + names + max(batch, evaluation))


@dataclass(frozen=True)
class Probe:
    """Times measured on the device that will train: one training step, one validated name."""

    batch_s: float      # a training step on `cfg.batch_size` names of typical length
    eval_name_s: float  # a validation name, in a padded chunk as `training.predict_logits` makes them


def typical_names(names: list[str], n: int, length: int) -> list[str]:
    """`n` names of `length` letters (the nearest length present), repeated if there are fewer."""
    nearest = min({len(x) for x in names}, key=lambda k: abs(k - length))
    pool = [x for x in names if len(x) == nearest]
    return [pool[i % len(pool)] for i in range(n)]


def probe(cfg: NamesConfig, names: list[str], n_classes: int, device: torch.device | str = "cpu",
          clock: Callable[[], float] = time.perf_counter) -> Probe:
    """Time training steps of `cfg`'s model, optimizer and batch size on names of the typical
    padded length (a length-sorted batch pads to about the mean length + 1), and a validation chunk.

    A few dozen milliseconds at the defaults; it runs on a throw-away model (the user's run is not touched).
    """
    size = split_sizes(names, cfg.val_fraction)
    model = make_classifier(cfg, n_classes, device)
    optimizer, loss_fn = make_optimizer(cfg, model), nn.CrossEntropyLoss()
    letters, lengths = batch_tensors(typical_names(names, cfg.batch_size, round(size.mean_len + 1)), device)
    targets = torch.zeros(cfg.batch_size, dtype=torch.long, device=device)
    times: list[float] = []
    for i in range(PROBE_MAX_STEPS + 1):  # the first step pays one-off allocations: untimed
        start = clock()
        loss = loss_fn(model(letters, lengths), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        loss.item()  # waits for an accelerator's queue
        if i:
            times.append(clock() - start)
        if len(times) >= PROBE_MIN_STEPS and sum(times) >= PROBE_BUDGET_S:
            break
    chunk = names[:: max(1, len(names) // PROBE_EVAL)][:PROBE_EVAL]  # every language, not the first file's
    start = clock()
    with torch.no_grad():
        model.eval()(*batch_tensors(chunk, device)).sum().item()
    eval_name_s = (clock() - start) / len(chunk)
    return Probe(statistics.median(times), eval_name_s)


def names_seconds(cfg: NamesConfig, size: NameSizes, device: str = "cpu", threads: int | None = None,
                  measured: Probe | None = None) -> float:
    """Seconds for `cfg.epochs` epochs: the batches, a validation pass per epoch and padding the training names
    once. The batches and validation come from `measured` (see `probe`) when given; otherwise from each
    batch's bookkeeping, its time steps and its arithmetic (x3 with the backward pass)."""
    batches = -(-size.n_train // cfg.batch_size)
    if cfg.max_batches:
        batches = min(batches, cfg.max_batches)
    pad = PAD_S_PER_LETTER * size.n_train * size.mean_len
    if measured is not None:
        return pad + cfg.epochs * (batches * measured.batch_s + size.n_val * measured.eval_name_s)
    rate = CPU_FLOPS_PER_THREAD * max(1, threads or torch.get_num_threads())
    flops = 2 * GATES[cfg.cell] * cfg.hidden_size * (N_LETTERS + cfg.hidden_size) * cfg.num_layers  # per letter
    steps = size.mean_len + 1  # a length-sorted batch runs about as many steps as its names have letters
    per_batch = (BATCH_OVERHEAD_S + STEP_OVERHEAD_S[cfg.cell] * steps * cfg.num_layers
                 + 3 * flops * cfg.batch_size * steps / rate)
    validate = EVAL_OVERHEAD_S + 2 * flops * size.n_val * size.max_len / rate
    seconds = pad + cfg.epochs * (batches * per_batch + validate)
    return seconds / GPU_SPEEDUP if not str(device).startswith("cpu") else seconds


def wave_bytes(cfg: WaveConfig) -> int:
    """Peak bytes of a sine run: weights (x4 with gradients and Adam) and one window's activations."""
    params = recurrent_params(cfg.cell, 1, cfg.hidden_size, cfg.num_layers, 1)
    window = 2 * cfg.seq_len * per_step_values(cfg.cell, cfg.hidden_size, cfg.num_layers, 1) * FLOAT
    return int(4 * params * FLOAT + window)


def wave_seconds(cfg: WaveConfig, device: str = "cpu") -> float:
    """Seconds for `cfg.steps` windows: a fixed cost per window plus the recurrence's steps."""
    per_window = WINDOW_OVERHEAD_S + WAVE_STEP_S * cfg.seq_len * cfg.num_layers
    seconds = cfg.steps * per_window
    return seconds / GPU_SPEEDUP if not str(device).startswith("cpu") else seconds
