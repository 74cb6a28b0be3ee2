"""What a training run will cost before it starts: peak memory and seconds, for the heavy-job gate.

Both come from the settings and the sizes of the data: the recurrent layer's parameters (a plain RNN has one
gate's weights, a GRU three, an LSTM four), what autograd keeps per letter of a batch for the backward pass,
and the number of letter-steps an epoch reads. Time is arithmetic at a measured rate plus a fixed cost per
time step (the recurrence runs step after step, so small batches pay mostly bookkeeping). The constants were
measured on this project's 2-core CPU; bench/rnn_lab.py prints the estimate next to a measured epoch. A GPU
is assumed somewhat faster.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from lib.rnn_lab.config import HAND, NamesConfig, WaveConfig
from lib.rnn_lab.letters import N_LETTERS

FLOAT, INDEX = 4, 8        # bytes of a float32 and of an int64 letter index
GATES = {"RNN": 1, "GRU": 3, "LSTM": 4, HAND: 1}
EVAL_CHUNK = 1024          # names per forward pass when validating (training.predict_logits)
# Measured with one thread on the project's 2-core CPU while other jobs shared it (load ~13): the estimates
# lean pessimistic on an idle machine, which is the safe side for a queue's wait.
CPU_FLOPS_PER_THREAD = 2e10   # the recurrent matmuls of a 128-name batch
BATCH_OVERHEAD_S = 2e-3       # per batch: row lookup, loss, zero_grad, Adam's step
STEP_OVERHEAD_S = {HAND: 6e-4, "RNN": 4e-4, "GRU": 6e-4, "LSTM": 6.5e-4}  # per time step and layer, fwd + bwd
PAD_S_PER_LETTER = 3e-6       # padding every training name once at the start (Python work per letter)
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
    """Peak bytes of a surname run: weights, gradients and Adam's two moments; the padded training names;
    one batch's activations (kept for backward, and as much again for their gradients) or one validation
    chunk, whichever is larger."""
    params = recurrent_params(cfg.cell, N_LETTERS, cfg.hidden_size, cfg.num_layers, n_classes)
    names = size.n_train * (size.max_len + 2) * INDEX  # letters (N, T_max), lengths and labels
    step = per_step_values(cfg.cell, cfg.hidden_size, cfg.num_layers, N_LETTERS) * FLOAT
    batch = 2 * cfg.batch_size * size.max_len * step
    evaluation = EVAL_CHUNK * size.max_len * step
    return int(4 * params * FLOAT + names + max(batch, evaluation))


def names_seconds(cfg: NamesConfig, size: NameSizes, device: str = "cpu", threads: int | None = None) -> float:
    """Seconds for `cfg.epochs` epochs: each batch's bookkeeping, its time steps and its arithmetic (x3 with
    the backward pass), a validation pass per epoch, and padding the training names once."""
    rate = CPU_FLOPS_PER_THREAD * max(1, threads or torch.get_num_threads())
    flops = 2 * GATES[cfg.cell] * cfg.hidden_size * (N_LETTERS + cfg.hidden_size) * cfg.num_layers  # per letter
    batches = -(-size.n_train // cfg.batch_size)
    if cfg.max_batches:
        batches = min(batches, cfg.max_batches)
    steps = size.mean_len + 1  # a length-sorted batch runs about as many steps as its names have letters
    per_batch = (BATCH_OVERHEAD_S + STEP_OVERHEAD_S[cfg.cell] * steps * cfg.num_layers
                 + 3 * flops * cfg.batch_size * steps / rate)
    validate = EVAL_OVERHEAD_S + 2 * flops * size.n_val * size.max_len / rate
    seconds = PAD_S_PER_LETTER * size.n_train * size.mean_len + cfg.epochs * (batches * per_batch + validate)
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
