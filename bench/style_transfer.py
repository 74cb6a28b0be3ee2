"""Style transfer: the page's default optimisation against the classic recipe, in one run.

Both runs start from the same content photo and painting at 256 px with the same
(embedded) VGG19 weights. Every step's image is kept with its wall-clock time; the
optimisation clock is paused while we copy it. Afterwards the bench evaluates ONE fixed
objective - the Gatys loss with the default layers and weights (`lib.style_transfer.Objective`
with `StyleConfig()`) - on each method's image at fixed wall-clock checkpoints.

- classic: the case-study recipe - start from the content, optimise in ImageNet-normalised
  pixel space with Adam lr 0.003, style weight 1e6 on unnormalised Gram matrices divided by
  C*H*W, per-layer weights 1.0/0.8/0.25/0.21/0.18 - for 60 s;
- page default: `stylize(..., StyleConfig())` (pixel space 0..255, Adam 5 grey levels per
  step, coarse-to-fine), timed until it reaches the classic recipe's 60-second loss.

Run: .venv/bin/python -m bench.style_transfer [--quick]
"""
from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import torch
import torch.nn.functional as F

from bench.common import Figure, ROOT, accelerators, cli, median_time
from lib import style_transfer as stl
from lib.common.device import configure_cpu_threads
from lib.common.samples import load_sample
from lib.common.vgg import load_vgg19_features

OUT = ROOT / "bench" / "out"
IMAGENET_MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
IMAGENET_STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)


def classic_run(features, content01, style01, budget_s: float) -> list[tuple[float, torch.Tensor]]:
    """The classic recipe for `budget_s` seconds: [(seconds, image01), ...] after each step."""
    cfg = stl.StyleConfig()
    objective = stl.Objective(features, cfg)
    with torch.no_grad():
        target = objective.features(objective.to_net(content01))[cfg.content_layer]
        style_feats = objective.features(objective.to_net(style01))
        grams = {n: _raw_gram(style_feats[n]) for n in cfg.style_layers}
    t = ((content01 - IMAGENET_MEAN) / IMAGENET_STD).requires_grad_(True)  # "normalised pixel space"
    optimizer = torch.optim.Adam([t], lr=0.003)
    history, clock = [], 0.0
    while clock < budget_s:
        start = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        feats = objective.features(objective.to_net(t * IMAGENET_STD + IMAGENET_MEAN))
        style = sum(w * F.mse_loss(_raw_gram(feats[n]), grams[n]) / feats[n][0].numel()
                    for n, w in zip(cfg.style_layers, cfg.layer_weights))
        (F.mse_loss(feats[cfg.content_layer], target) + 1e6 * style).backward()
        optimizer.step()
        clock += time.perf_counter() - start
        history.append((clock, (t.detach() * IMAGENET_STD + IMAGENET_MEAN).clamp(0, 1)))
    return history


def _raw_gram(f: torch.Tensor) -> torch.Tensor:
    """The case study's Gram: F F^T without normalisation, (1, C, H, W) -> (C, C)."""
    flat = f[0].reshape(f.shape[1], -1)  # (1, C, H, W) -> (C, H*W)
    return flat @ flat.T


def page_run(features, content01, style01, budget_s: float, size: int) -> list[tuple[float, torch.Tensor]]:
    """The page's default settings: [(seconds, image01), ...] after each step."""
    cfg = replace(stl.StyleConfig(size=size), preview_every=1)
    history = []
    for result in stl.stylize(features, content01, style01, cfg):
        # result.seconds runs from the generator's start, so it includes the cheap preview copy
        history.append((result.seconds, result.image[None]))
        if result.seconds > budget_s:
            break
    return history


def evaluate(features, content01, style01, history, checkpoints, stop_below=None) -> list[tuple[float, float]]:
    """[(checkpoint, fixed-objective loss of the latest image at that time)], optionally stopping early."""
    objective = stl.Objective(features, stl.StyleConfig())
    with torch.no_grad():
        targets = objective.targets(content01, style01)
        curve = []
        for point in checkpoints:
            done = [img for t, img in history if t <= point]
            if not done:
                continue
            image = stl.resize_cover(done[-1], tuple(content01.shape[-2:]))  # coarse images upsampled
            curve.append((point, objective.losses(objective.to_net(image), targets)["total"].item()))
            if stop_below is not None and curve[-1][1] <= stop_below:
                break
    return curve


def matmul_gflops(n: int) -> float:
    a, b = torch.randn(n, n), torch.randn(n, n)
    return 2 * n**3 / median_time(lambda: a @ b, repeats=5, warmup=2) / 1e9


def run(quick: bool) -> list[Figure]:
    size, budget, grid = (64, 6.0, 1.0) if quick else (256, 60.0, 2.0)
    configure_cpu_threads()
    features = load_vgg19_features("conv5_1", "cpu")
    content01, style01, _ = stl.prepare_images(load_sample("Astronaut"), load_sample("The Starry Night (van Gogh)"), size)
    checkpoints = [grid * k for k in range(1, int(budget / grid) + 1)]
    classic = classic_run(features, content01, style01, budget)
    classic_curve = evaluate(features, content01, style01, classic, checkpoints)
    target = classic_curve[-1][1]
    page = page_run(features, content01, style01, budget, size)
    page_curve = evaluate(features, content01, style01, page, checkpoints, stop_below=target)
    reached = next((t for t, loss in page_curve if loss <= target), None)
    _save(classic[-1][1], page[-1][1])
    step_s = stl.measure_step_seconds(features, stl.StyleConfig(), "cpu", size=size, repeats=3)
    rate = stl.step_flops((size, size), "conv5_1") / step_s / 1e9
    mm = matmul_gflops(512 if quick else 2048)
    return [
        Figure(f"classic recipe: steps in {budget:.0f} s", str(len(classic))),
        Figure(f"classic recipe: fixed-objective loss at {budget:.0f} s (start {_start_loss(features, content01, style01):.3g})",
               f"{target:.4g}"),
        Figure("classic loss curve (s: loss)", ", ".join(f"{t:.0f}: {l:.3g}" for t, l in classic_curve[:: max(1, len(classic_curve) // 6)])),
        Figure("page default: time to reach that loss", f"{reached:.0f} s" if reached else f"not within {budget:.0f} s"),
        Figure("page default: speed-up (time-to-reach ratio)", f"{budget / reached:.1f}x" if reached else "-",
               ">= 5x", bool(reached and budget / reached >= 5)),
        Figure(f"page default: final loss after {len(page)} steps ({page[-1][0]:.0f} s)",
               f"{evaluate(features, content01, style01, page, [page[-1][0]])[0][1]:.4g}"),
        Figure(f"one Adam step at {size} px", f"{step_s * 1000:.0f} ms ({stl.step_flops((size, size), 'conv5_1') / 1e9:.1f} GFLOP)"),
        Figure("per-step arithmetic rate vs matmul", f"{rate:.0f} / {mm:.0f} GFLOP/s = {rate / mm:.0%}", ">= 75%", rate / mm >= 0.75),
    ] + [f for device in accelerators() for f in accelerator_figures(device, size)]


def accelerator_figures(device: torch.device, size: int) -> list[Figure]:
    """One optimisation step of the page's default on a GPU, and its arithmetic rate."""
    features = load_vgg19_features("conv5_1", device)
    step_s = stl.measure_step_seconds(features, stl.StyleConfig(), device, size=size, repeats=3)
    flops = stl.step_flops((size, size), "conv5_1")
    return [Figure(f"on {device}: one Adam step at {size} px", f"{step_s * 1000:.1f} ms ({flops / step_s / 1e9:.0f} GFLOP/s)")]


def _start_loss(features, content01, style01) -> float:
    return evaluate(features, content01, style01, [(0.0, content01)], [0.0])[0][1]


def _save(classic: torch.Tensor, page: torch.Tensor) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    stl.tensor_to_pil(classic[0]).save(OUT / "style_transfer_classic_60s.png")
    stl.tensor_to_pil(page[0]).save(OUT / "style_transfer_page_default.png")


if __name__ == "__main__":
    cli("Style transfer: page default vs classic recipe (CPU, embedded VGG19)", run)
