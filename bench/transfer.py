"""Transfer learning: transfer vs from scratch on few images, cached features vs the tutorial loop, and how fast
the backbone runs compared with this machine's matrix product, all measured in one run.

- accuracy gap: the page's three strategies with their default settings (lib.transfer.efficiency.sweep, the page's
  own code path) on seeded few-shot draws of Fashion-MNIST (Debian, offline), embedded VGG19 backbone; each
  strategy's best checkpoint by validation accuracy is scored on 2,000 fixed test images. Mean of 3 draws.
  "Best transfer" is the transfer strategy (head or two stages) with the higher mean; both are printed.
- head epoch: one epoch of the frozen-backbone head on cached features (the page: one full-batch L-BFGS iteration
  plus validation) against the tutorial's loop, which runs the frozen backbone over every batch in every epoch
  (batches of 32, the same head and optimizer step, validation through the backbone too).
- extraction rate: GFLOP/s of the frozen prefix + block over 256 images (FLOPs from torch's FlopCounterMode)
  against a float32 matrix product (2048 x 2048) timed in the same run with the same thread count.

Run: .venv/bin/python -m bench.transfer [--quick]
"""
from __future__ import annotations

import os
import statistics
import time
from dataclasses import replace

import torch

from bench.common import Figure, cli, interleaved_times, median_ratio
from lib.common.datasets import load_fashion_offline
from lib.common.device import configure_cpu_threads
from lib.common.vgg import load_vgg19_features
from lib.transfer import backbone as bb
from lib.transfer import cost, data, efficiency, features
from lib.transfer.config import TransferConfig
from lib.transfer.strategies import Head, head_loss, head_optimizer
from lib.transfer.training import StrategyRun, scores, train_head

CPU = torch.device("cpu")
SEEDS = (0, 1, 2)
SIZES = (5, 20)                     # labelled images per class; targets: >= 10 and >= 3 points
GAP_TARGETS = {5: 10.0, 20: 3.0}
TEST_IMAGES = 2000


def accuracies(images, backbone, cfg: TransferConfig, sizes, seeds) -> dict[tuple[int, str], list[float]]:
    """{(per class, strategy): [test accuracy of the best checkpoint per seed]} through the page's sweep."""
    found: dict[tuple[int, str], list[float]] = {}
    store = features.FeatureStore()
    for seed in seeds:
        bank = store.bank(backbone, "fashion")  # the fixed test images are extracted once for all seeds
        for step in efficiency.sweep(images, "fashion", backbone, bank, replace(cfg, seed=seed), CPU, sizes):
            if step.point is not None:
                found.setdefault((step.point.per_class, step.point.strategy), []).append(step.point.test_acc)
    return found


def gap_figures(found: dict, sizes, seeds) -> list[Figure]:
    figures = []
    for n in sizes:
        mean = {s: 100 * statistics.mean(found[(n, s)]) for s in ("scratch", "head", "two_stage")}
        best = max(("head", "two_stage"), key=mean.get)
        gap = mean[best] - mean["scratch"]
        per_seed = ", ".join(f"{100 * (b - a):+.1f}" for a, b in zip(found[(n, "scratch")], found[(n, best)]))
        figures += [
            Figure(f"{n}/class test accuracy, mean of {len(seeds)} draws: scratch / head / two stages",
                   f"{mean['scratch']:.1f}% / {mean['head']:.1f}% / {mean['two_stage']:.1f}%"),
            Figure(f"{n}/class gap, best transfer ({best}) - scratch, points (per draw: {per_seed})", f"{gap:+.1f}",
                   f">= {GAP_TARGETS.get(n, 0):g}", gap >= GAP_TARGETS.get(n, 0)),
        ]
    return figures


def backbone_features(backbone, x: torch.Tensor) -> torch.Tensor:
    with torch.no_grad():
        maps = backbone.maps(x)
        return bb.pool(backbone.block(maps), maps)


def backbone_logits(backbone, head, x: torch.Tensor) -> torch.Tensor:
    return head(backbone_features(backbone, x))


def tutorial_epoch(backbone, fs: data.FewShot, cfg: TransferConfig, batch: int = 32) -> None:
    """The tutorial's loop for one epoch: the frozen backbone runs on every batch, every epoch, then validation.
    The head's step is the page's full-batch L-BFGS iteration; its features are computed once per epoch (not once
    per line-search evaluation: in the tutorial's favour)."""
    head = Head(backbone.feature_dim(), len(fs.classes), cfg.seed)
    opt = head_optimizer(head, cfg, len(fs.train_y))
    g = torch.Generator().manual_seed(cfg.seed)
    head.train()
    x = torch.cat([backbone_features(backbone, fs.train_x[idx])
                   for idx in torch.randperm(len(fs.train_y), generator=g).split(batch)])

    def closure() -> torch.Tensor:
        opt.zero_grad(set_to_none=True)
        loss = head_loss(head, opt, x, fs.train_y)
        loss.backward()
        return loss
    opt.step(closure)
    head.eval()
    with torch.no_grad():
        scores(torch.cat([backbone_logits(backbone, head, fs.val_x[i:i + 256]) for i in range(0, len(fs.val_y), 256)]),
               fs.val_y)


def cached_epoch(backbone, feats: features.DrawFeatures, cfg: TransferConfig) -> None:
    """The page's head epoch on cached features (train_head with one epoch: a full-batch step and validation)."""
    for _ in train_head(StrategyRun("head", tuple(map(str, range(10)))), backbone, feats, replace(cfg, head_epochs=1)):
        pass


def epoch_figures(images, backbone, cfg: TransferConfig, per_class: int, repeats: int) -> list[Figure]:
    fs = data.few_shot(images, "fashion", per_class, 0, cfg.seed)
    bank = features.FeatureStore().bank(backbone, "fashion")
    start = time.perf_counter()
    for _ in features.extract_draw(backbone, bank, fs):
        pass
    extract_s = time.perf_counter() - start
    feats = features.draw_features(fs, bank)
    times = interleaved_times({"tutorial": lambda: tutorial_epoch(backbone, fs, cfg),
                               "cached": lambda: cached_epoch(backbone, feats, cfg)}, repeats=repeats)
    ratio = median_ratio(times["tutorial"], times["cached"])
    tut, cached = statistics.median(times["tutorial"]), statistics.median(times["cached"])
    epochs = cfg.head_epochs
    whole = (epochs * tut) / (extract_s + epochs * cached)
    n = len(fs.train_y) + len(fs.val_y)
    return [
        Figure(f"head epoch, {n} images: tutorial loop (backbone every epoch) / cached features",
               f"{tut * 1000:.0f} ms / {cached * 1000:.2f} ms"),
        Figure("head epoch speed-up on cached features (median of paired runs)", f"{ratio:.0f}x", ">= 10x",
               ratio >= 10),
        Figure(f"{epochs} head epochs incl. the one-off extraction ({extract_s:.1f} s): speed-up", f"{whole:.0f}x"),
    ]


def matmul_rate(n: int, repeats: int) -> float:
    a, b = torch.randn(n, n), torch.randn(n, n)
    times = interleaved_times({"mm": lambda: torch.mm(a, b)}, repeats=repeats)["mm"]
    return 2 * n**3 / statistics.median(times)


def extraction_rate(images, backbone, n_images: int, repeats: int) -> float:
    profile = cost.profile(backbone)
    x = images.train_x[:n_images]

    def run() -> None:
        bank = features.FeatureBank(("bench",))
        for _ in features.extract(backbone, bank, torch.arange(n_images), x):
            pass
    seconds = statistics.median(interleaved_times({"extract": run}, repeats=repeats)["extract"])
    return n_images * (profile.prefix_flops + profile.block_flops) / seconds


def rate_figures(images, backbone, quick: bool) -> list[Figure]:
    # taking turns: a busy spell on the shared machine hits both measurements alike
    mm, ex = [], []
    for _ in range(1 if quick else 3):
        mm.append(matmul_rate(512 if quick else 2048, 2 if quick else 5))
        ex.append(extraction_rate(images, backbone, 32 if quick else 256, 1 if quick else 3))
    mm_rate, ex_rate = statistics.median(mm), statistics.median(ex)
    share, n = ex_rate / mm_rate, 512 if quick else 2048
    return [Figure(f"matmul float32 {n}x{n} / feature extraction (VGG19 to conv5_1, 64 px), GFLOP/s",
                   f"{mm_rate / 1e9:.0f} / {ex_rate / 1e9:.0f}"),
            Figure("feature extraction rate / matmul rate", f"{share:.0%}", ">= 60%", share >= 0.6)]


def run(quick: bool) -> list[Figure]:
    threads = configure_cpu_threads()
    images = load_fashion_offline()
    backbone = bb.from_vgg(load_vgg19_features("conv5_1", CPU))
    cfg = replace(TransferConfig(), test_images=200 if quick else TEST_IMAGES)
    if quick:
        cfg = replace(cfg, scratch_epochs=2, head_epochs=10, finetune_epochs=1)
    seeds, sizes = (SEEDS[:1], (5,)) if quick else (SEEDS, SIZES)
    load_before = os.getloadavg()[0]
    figures = [Figure("backbone", backbone.source)]
    figures += rate_figures(images, backbone, quick)
    figures += epoch_figures(images, backbone, cfg, 5 if quick else 20, 2 if quick else 5)
    figures += gap_figures(accuracies(images, backbone, cfg, sizes, seeds), sizes, seeds)
    figures.append(Figure("CPU threads / load average (1 min) at start / at end",
                          f"{threads} / {load_before:.2f} / {os.getloadavg()[0]:.2f}"))
    return figures


if __name__ == "__main__":
    cli("Transfer learning: transfer vs scratch, cached features, extraction rate (CPU, embedded VGG19)", run)
