"""What a training run will cost before it starts: peak memory and seconds, for the heavy-job gate.

Memory: parameters, gradients, Adam's two moments, the kept best weights (and the averaged ones), plus what autograd keeps of one
batch for the backward pass (each LSTM step saves its input, four gates, cell and hidden state per layer and
direction), or the larger evaluation batch. Time: the steps of the run, each costing its arithmetic at a
measured rate plus a fixed cost per time step (an LSTM is a loop over time in C++), plus the validation checks.
The constants were measured on this project's 2-core CPU (see tests/unit/lstm/test_lstm_cost.py).
"""
from __future__ import annotations

import torch

from lib.lstm.config import LstmConfig
from lib.lstm.data import Prepared
from lib.lstm.training import total_steps

FLOAT = 4
EVAL_BATCH = 256
# CPU, measured on one thread (process time, so other jobs on the machine do not count): the page's default
# trains 4.5 epochs with 9 validation checks in 11.4 s, about 0.03 s per step of 128 texts x 25 positions.
# That is the LSTM's matrix products at about 40 GFLOP/s per thread plus a fixed cost per time step of every
# layer and direction (the kernel calls for the gates), forward and backward.
CPU_FLOPS_PER_THREAD = 40e9
CPU_STEP_OVERHEAD_S = 10e-6
GPU_SPEEDUP = 5.0   # small recurrent nets gain less from a GPU than convolutions: the loop over time stays


def step_width(data: Prepared, cfg: LstmConfig) -> float:
    """Typical time steps per batch: the fixed length, or the batch's longest text (buckets keep that close to
    the mean; random batches reach far into the tail)."""
    if cfg.fix_length:
        return float(cfg.fix_length)
    lengths = data.train.lengths.float()
    return float(lengths.mean() * 1.15) if cfg.bucketing else float(torch.quantile(lengths, 0.97))


def flops_per_token(cfg: LstmConfig) -> float:
    """Forward FLOPs of one token through every LSTM layer and direction (four gates: 2 * 4H * (in + H))."""
    total, width_in = 0.0, cfg.embed_dim
    for _ in range(cfg.num_layers):
        total += cfg.directions * 2 * 4 * cfg.hidden * (width_in + cfg.hidden)
        width_in = cfg.width
    return total


def estimate_bytes(cfg: LstmConfig, vocab_size: int, steps: float) -> int:
    """Peak bytes a run allocates beyond the prepared data, for batches `steps` tokens wide."""
    params = vocab_size * cfg.embed_dim + cfg.num_layers * cfg.directions * 4 * cfg.hidden * (cfg.width + cfg.hidden + 2)
    # weights, gradients, two Adam moments, the kept best copy; the average and the swapped-out weights when averaging
    weights = params * FLOAT * (7 if cfg.ema else 5)
    per_token = FLOAT * (cfg.embed_dim + cfg.num_layers * cfg.directions * 7 * cfg.hidden)
    batch = cfg.batch_size * steps * per_token * 2  # saved for backward, and gradients of the same sizes
    evaluation = EVAL_BATCH * steps * per_token
    return int(weights + max(batch, evaluation))


def estimate_seconds(data: Prepared, cfg: LstmConfig, device: str = "cpu", threads: int | None = None) -> float:
    """Seconds the whole run (every epoch, no early stop) should take: its steps plus the validation checks."""
    width = step_width(data, cfg)
    rate = CPU_FLOPS_PER_THREAD * max(1, threads or torch.get_num_threads())
    loops = width * cfg.num_layers * cfg.directions * CPU_STEP_OVERHEAD_S
    per_step = 3 * (cfg.batch_size * width * flops_per_token(cfg) / rate + loops)
    checks = cfg.evals_per_epoch * cfg.epochs
    per_check = len(data.valid) * width * flops_per_token(cfg) / rate + loops * -(-len(data.valid) // EVAL_BATCH)
    seconds = total_steps(len(data.train), cfg) * per_step + checks * per_check
    return seconds / GPU_SPEEDUP if not str(device).startswith("cpu") else seconds
