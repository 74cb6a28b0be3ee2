"""What a job will cost before it starts: peak memory and seconds, for the heavy-job gate.

A backbone's `Profile` comes from one blank image through it: the arithmetic of the prefix and of the block
(torch's FlopCounterMode), the largest layer output and the size of the cached maps and features. Memory is
what a job allocates beyond the shared weights: a batch's activations (an inference pass holds a layer's input
and output at once), the cached maps and features it adds, and for training the parameters, gradients and Adam's
two moments plus what autograd keeps of one batch. Time is arithmetic at a per-thread rate measured on this
project's CPU, plus a fixed cost per layer and step (Python and autograd bookkeeping); a GPU is assumed faster.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from lib.transfer.backbone import Backbone, pool
from lib.transfer.config import TransferConfig
from lib.transfer.features import BATCH
from lib.transfer.strategies import scratch_cnn
from lib.transfer.training import EVAL_BATCH

FLOAT, HALF = 4, 2
ADAM_COPIES = 4                 # a trained parameter: the weights, the gradient, Adam's two moments
# measured on 2 threads of this project's CPU: VGG19 features at 64 px ran at about 110-135 GFLOP/s per thread;
# a little less is assumed, so waits are rather over- than under-estimated
CPU_FLOPS_PER_THREAD = 100e9
CPU_STEP_OVERHEAD_S = 60e-6     # per layer and optimisation step
GPU_SPEEDUP = 10.0


@dataclass(frozen=True)
class Profile:
    """One image through a backbone."""

    prefix_flops: float
    block_flops: float
    largest: int            # values of the largest layer output (or the input), per image
    block_activations: int  # values of every output inside the block, per image (kept for backward)
    map_values: int         # values of the prefix's output (what is cached, as float16)
    feature_dim: int
    block_params: int


def _leaf_sizes(module: nn.Module, x: torch.Tensor) -> tuple[torch.Tensor, list[int]]:
    sizes: list[int] = []
    hooks = [m.register_forward_hook(lambda m, i, o: sizes.append(o.numel()))
             for m in module.modules() if not list(m.children())]
    try:
        out = module(x)
    finally:
        for h in hooks:
            h.remove()
    return out, sizes


@torch.no_grad()
def profile(backbone: Backbone) -> Profile:
    """Measure one blank image at the backbone's input size."""
    device = next(backbone.prefix.parameters()).device
    x = torch.zeros(1, 3, backbone.crop, backbone.crop, device=device)
    with FlopCounterMode(display=False) as prefix_counter:
        maps, prefix_sizes = _leaf_sizes(backbone.prefix, x)
    with FlopCounterMode(display=False) as block_counter:
        out, block_sizes = _leaf_sizes(backbone.block, maps)
    return Profile(float(prefix_counter.get_total_flops()), float(block_counter.get_total_flops()),
                   max(prefix_sizes + block_sizes + [x.numel()]), sum(block_sizes), maps.numel(),
                   int(pool(out, maps).shape[1]), sum(p.numel() for p in backbone.block.parameters()))


def rate(device: str, threads: int | None = None) -> float:
    """FLOP/s assumed for `device`."""
    cpu = CPU_FLOPS_PER_THREAD * max(1, threads or torch.get_num_threads())
    return cpu if str(device).startswith("cpu") else cpu * GPU_SPEEDUP


# ---------------------------------------------------------------- feature extraction

def extract_bytes(p: Profile, n_images: int, keep_maps: bool = True) -> int:
    """One batch's activations (a layer's input and output at once) and what the images add to the bank."""
    batch = BATCH * FLOAT * 2 * p.largest
    stored = n_images * (FLOAT * p.feature_dim + (HALF * p.map_values if keep_maps else 0))
    return int(batch + stored)


def extract_seconds(p: Profile, n_images: int, device: str = "cpu", threads: int | None = None) -> float:
    return n_images * (p.prefix_flops + p.block_flops) / rate(device, threads)


# ---------------------------------------------------------------- training

def scratch_profile(n_classes: int, px: int) -> tuple[float, int, int, int]:
    """(forward FLOPs, activation values, parameters, layers) of the from-scratch CNN for one image."""
    cnn = scratch_cnn(n_classes, px, 0)
    with FlopCounterMode(display=False) as counter:
        _, sizes = _leaf_sizes(cnn, torch.zeros(1, 3, px, px))
    return float(counter.get_total_flops()), sum(sizes), sum(q.numel() for q in cnn.parameters()), len(cnn)


def train_bytes(p: Profile | None, cfg: TransferConfig, n_train: int, n_val: int, n_classes: int) -> int:
    """Peak bytes of training all three strategies one after the other (the largest of them)."""
    flops, acts, params, _ = scratch_profile(n_classes, cfg.scratch_px)
    pixels = 3 * cfg.scratch_px**2 * FLOAT * (n_train + n_val)   # the CNN's inputs, prepared once
    scratch = params * FLOAT * ADAM_COPIES + cfg.batch_size * FLOAT * 2 * acts + pixels
    if p is None:
        return int(scratch)
    head = p.feature_dim * n_classes * FLOAT * ADAM_COPIES + (n_train + n_val) * p.feature_dim * FLOAT * 2
    tuned = (p.block_params * FLOAT * ADAM_COPIES + cfg.batch_size * FLOAT * (2 * p.block_activations + p.map_values)
             + EVAL_BATCH * FLOAT * 2 * p.block_activations)
    return int(max(scratch, head, tuned))


def train_seconds(p: Profile | None, cfg: TransferConfig, n_train: int, n_val: int, n_classes: int,
                  device: str = "cpu", threads: int | None = None,
                  strategies: tuple[str, ...] = ("scratch", "head", "two_stage")) -> float:
    """Seconds to train `strategies` on `n_train` images, validating on `n_val` after every epoch."""
    r, seconds = rate(device, threads), 0.0
    steps = -(-n_train // cfg.batch_size)
    if "scratch" in strategies:
        flops, _, _, layers = scratch_profile(n_classes, cfg.scratch_px)
        per_epoch = steps * layers * CPU_STEP_OVERHEAD_S + (3 * n_train + n_val) * flops / r
        seconds += cfg.scratch_epochs * per_epoch
    if p is not None and ("head" in strategies or "two_stage" in strategies):
        # an L-BFGS iteration evaluates the loss and its gradient twice (measured: its start and one line-search
        # point), 6 FLOPs per weight and image each, then scores training and validation features (2 each)
        head = cfg.head_epochs * (8 * CPU_STEP_OVERHEAD_S
                                  + (14 * n_train + 2 * n_val) * p.feature_dim * n_classes / r)
        seconds += head * (("head" in strategies) + ("two_stage" in strategies))
    if p is not None and "two_stage" in strategies:
        per_epoch = steps * 8 * CPU_STEP_OVERHEAD_S + (3 * n_train + n_val) * p.block_flops / r
        seconds += cfg.finetune_epochs * per_epoch
    return seconds if str(device).startswith("cpu") else seconds / GPU_SPEEDUP
