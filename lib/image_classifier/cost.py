"""What a training run will cost before it starts: peak memory and seconds, for the heavy-job gate.

Both estimates come from the built network: its layer output sizes (one image through `summary`), its
parameter count and its multiply-adds. Memory is parameters, gradients and optimizer state, plus what
autograd keeps of one batch for the backward pass, plus the evaluation of the validation split in chunks.
Time is the batches of the run times a per-batch cost (arithmetic at a measured rate plus a fixed
per-layer overhead), plus the validation passes of the reports. The constants were measured on this
project's 2-core CPU (see tests/unit/image_classifier/test_classifier_cost.py); a GPU is assumed far faster.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from lib.image_classifier.evaluation import EVAL_BATCH
from lib.image_classifier.models import summary
from lib.image_classifier.training import TrainConfig, round_config, total_steps

FLOAT = 4                  # bytes of a float32
# CPU: the FLOPs of training (backward = 2x forward) run at about this many FLOP/s per thread on the
# oneDNN kernels of these small layers, plus a fixed cost per layer and step (Python and autograd
# bookkeeping) and a small cost per activation value (memory-bound batch norm, pooling, activations).
# Measured on 2 threads: the per-image time of every preset at batch 64 and 256 within a factor 2.
CPU_FLOPS_PER_THREAD = 37.5e9
CPU_LAYER_OVERHEAD_S = 60e-6
CPU_S_PER_ACTIVATION = 0.2e-9
GPU_SPEEDUP = 10.0         # a GPU runs these small nets at least this much faster (kernel launches dominate)


@dataclass(frozen=True)
class Profile:
    """The numbers both estimates need, for one image through the network."""

    params: int            # weights and biases
    flops: float           # forward FLOPs (2 per multiply-add) of conv and linear layers
    activations: int       # values of every layer output, summed
    largest: int           # values of the largest single layer output (or the input)
    pooled: int            # values of max-pool outputs (autograd keeps an int64 index for each)
    layers: int


def profile(model: nn.Sequential, in_shape: tuple[int, int, int]) -> Profile:
    """Layer sizes and arithmetic of `model` for one image of `in_shape` (C, H, W)."""
    rows = summary(model, in_shape)
    flops, pooled = 0.0, 0
    for layer, row in zip(model, rows):
        out = int(torch.Size(row.output_shape).numel())
        if isinstance(layer, nn.Conv2d):
            k = layer.kernel_size[0] * layer.kernel_size[1] * layer.in_channels // layer.groups
            flops += 2.0 * out * k
        elif isinstance(layer, nn.Linear):
            flops += 2.0 * layer.in_features * layer.out_features
        elif isinstance(layer, nn.MaxPool2d):
            pooled += out
    sizes = [int(torch.Size(r.output_shape).numel()) for r in rows]
    return Profile(sum(r.params for r in rows), flops, sum(sizes), max(sizes + [int(torch.Size(in_shape).numel())]),
                   pooled, len(rows))


def optimizer_states(cfg: TrainConfig) -> int:
    """Tensors the optimizer keeps per parameter: Adam two moments, SGD a momentum buffer (if any)."""
    return 2 if cfg.optimizer == "adam" else int(cfg.momentum > 0)


def estimate_bytes(model: nn.Sequential, in_shape: tuple[int, int, int], cfg: TrainConfig) -> int:
    """Peak bytes a training run allocates beyond the data already on the device.

    Parameters + gradients + optimizer state; per image of a batch: the input made float, every layer
    output kept for backward (x2: the gradient flowing back has the same sizes while it is computed),
    max-pool indices (int64); evaluation: a chunk's largest output twice (one layer's input and output).
    """
    p = profile(model, in_shape)
    weights = p.params * FLOAT * (2 + optimizer_states(cfg))
    per_image = FLOAT * (2 * p.activations + int(torch.Size(in_shape).numel())) + 8 * p.pooled
    batch = cfg.batch_size * per_image
    evaluation = EVAL_BATCH * FLOAT * 2 * p.largest
    return int(weights + max(batch, evaluation))


def estimate_seconds(model: nn.Sequential, in_shape: tuple[int, int, int], n_train: int, n_val: int,
                     cfg: TrainConfig, device: str = "cpu", threads: int | None = None) -> float:
    """Seconds a run of `cfg` should take: its batches plus the validation pass of each progress report."""
    p = profile(model, in_shape)
    threads = threads or torch.get_num_threads()
    rate = CPU_FLOPS_PER_THREAD * max(1, threads)
    steps = total_steps(n_train, cfg)
    per_batch = (CPU_LAYER_OVERHEAD_S * p.layers
                 + cfg.batch_size * (3 * p.flops / rate + 2 * CPU_S_PER_ACTIVATION * p.activations))
    reports = -(-steps // round_config(cfg, n_train, 0).chunk_batches)
    per_report = n_val * (p.flops / rate + CPU_S_PER_ACTIVATION * p.activations)
    seconds = steps * per_batch + reports * per_report
    return seconds / GPU_SPEEDUP if not str(device).startswith("cpu") else seconds
