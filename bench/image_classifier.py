"""Image classifier: classic DataLoader loop vs the page's tensor pipeline, and accuracy of the defaults.

Run: .venv/bin/python -m bench.image_classifier [--quick]   (the targets assume 2 CPU cores:
prefix with `taskset -c 0,1` on a bigger machine). Both loops train the same model from the same
initial weights for one epoch of Fashion-MNIST (48,000 training images after the 80/20 split).
"""
from __future__ import annotations

import time

import torch

from bench.common import Figure, accelerators, cli
from lib.image_classifier import datasets as D
from lib.image_classifier import evaluation as E
from lib.image_classifier import models as M
from lib.image_classifier import pipeline as P
from lib.image_classifier import training as T

CPU = torch.device("cpu")
CNN = "MNIST CNN (16@5x5 s2 + pool, 32@5x5)"


def classic_epoch(data: D.ImageSet, spec: M.ModelSpec, limit: int | None) -> float:
    """The tutorials' loop: DataLoader + per-sample PIL transforms, batch 64; seconds for one epoch."""
    model = M.build(spec, data.shape, 10)
    opt, loss_fn = T.make_optimizer(model, T.TrainConfig()), T.loss_function(spec)
    train_loader, _ = P.classic_loaders(data, batch_size=64, val_fraction=0.2, seed=0)
    start = time.perf_counter()
    model.train()
    for i, (x, y) in enumerate(train_loader):
        if limit and i * 64 >= limit:
            break
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
    return time.perf_counter() - start


def pipeline_only(data: D.ImageSet, limit: int | None) -> tuple[float, float]:
    """Seconds to draw one epoch of batches and no model: (classic DataLoader, page's tensor batches)."""
    train_loader, _ = P.classic_loaders(data, batch_size=64, val_fraction=0.2, seed=0)
    start = time.perf_counter()
    for i, _ in enumerate(train_loader):
        if limit and i * 64 >= limit:
            break
    classic = time.perf_counter() - start
    start = time.perf_counter()
    prepared = P.prepare(data, CPU, D.DataConfig().val_fraction, 0, limit)
    for _ in P.batches(prepared.train_x, prepared.train_y, 64, torch.Generator().manual_seed(0)):
        pass
    return classic, time.perf_counter() - start


def page_run(data: D.ImageSet, spec: M.ModelSpec, epochs: int, limit: int | None,
             device: torch.device = CPU) -> tuple[float, float, float]:
    """The page's code path with its defaults: (seconds of the first epoch, total seconds, test accuracy)."""
    start = time.perf_counter()
    prepared = P.prepare(data, device, D.DataConfig().val_fraction, 0, limit)
    model = M.build(spec, data.shape, 10).to(device)
    per_epoch = -(-len(prepared.train_y) // T.TrainConfig().batch_size)
    cfg = T.TrainConfig(epochs=epochs, chunk_batches=per_epoch)  # validate once per epoch, as the page's curves do
    first = None
    for _ in T.train(model, T.make_optimizer(model, cfg), T.loss_function(spec), prepared, cfg):
        first = first if first is not None else time.perf_counter() - start
    acc = E.evaluate(model, T.loss_function(spec), prepared.test_x, prepared.test_y).accuracy
    return float(first or 0.0), time.perf_counter() - start, acc


def run(quick: bool) -> list[Figure]:
    data = D.load("fashion")
    limit = 2000 if quick else None
    threads = torch.get_num_threads()
    figures = [Figure("torch threads", str(threads))]
    classic_data, page_data = pipeline_only(data, limit)
    figures += [
        Figure("data alone, one epoch of batches of 64, no model: classic DataLoader (s)", f"{classic_data:.2f}"),
        Figure("data alone: page's uint8 tensors, indexed and normalised per batch (s)", f"{page_data:.2f}"),
        Figure("data alone: speed-up", f"{classic_data / page_data:.0f}x", ">= 5x", classic_data / page_data >= 5),
    ]
    for label, preset in (("MLP", M.DEFAULT_PRESET), ("CNN", CNN)):
        spec = M.PRESETS[preset]
        classic = classic_epoch(data, spec, limit)
        epochs = 1 if quick else T.TrainConfig().epochs
        first, total, acc = page_run(data, spec, epochs, limit)
        figures += [
            Figure(f"{label}: classic DataLoader epoch (s)", f"{classic:.2f}"),
            Figure(f"{label}: page pipeline epoch, incl. preparing tensors + validation (s)", f"{first:.2f}"),
            Figure(f"{label}: speed-up", f"{classic / first:.1f}x", ">= 5x", classic / first >= 5),
            # what no data pipeline can beat: the same training steps with the data already in batches
            Figure(f"{label}: ceiling, classic epoch / its model compute alone",
                   f"{classic / max(classic - classic_data, 1e-9):.1f}x"),
        ]
        goal_acc, goal_s = (0.85, 30) if label == "MLP" else (0.89, 120)
        figures.append(Figure(f"{label}: page defaults ({epochs} epochs) test accuracy / seconds",
                              f"{acc:.2%} in {total:.0f} s", f">= {goal_acc:.0%} within {goal_s} s",
                              None if quick else bool(acc >= goal_acc and total <= goal_s)))
    figures += [f for device in accelerators() for f in accelerator_figures(data, device, limit, quick)]
    return figures


def accelerator_figures(data: D.ImageSet, device: torch.device, limit: int | None, quick: bool) -> list[Figure]:
    """The page's runs again on a GPU (the step reports sync the device, so wall time is honest)."""
    figures = []
    for label, preset in (("MLP", M.DEFAULT_PRESET), ("CNN", CNN)):
        epochs = 1 if quick else T.TrainConfig().epochs
        first, total, acc = page_run(data, M.PRESETS[preset], epochs, limit, device)
        figures += [Figure(f"{label} on {device}: page pipeline epoch (s)", f"{first:.2f}"),
                    Figure(f"{label} on {device}: page defaults ({epochs} epochs) test accuracy / seconds",
                           f"{acc:.2%} in {total:.0f} s")]
    return figures


if __name__ == "__main__":
    cli("Image classifier: classic vs page pipeline (Fashion-MNIST, CPU)", run)
