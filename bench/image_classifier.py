"""Image classifier: classic DataLoader loop vs the page's tensor pipeline, and what the presets learn.

Run: .venv/bin/python -m bench.image_classifier [--quick]   (the targets assume 2 CPU cores:
prefix with `taskset -c 0,1` on a bigger machine). The pipeline rows train the same model from the same
initial weights for one epoch of Fashion-MNIST (48,000 training images after the 80/20 split). The
accuracy rows train through the page's own code path (`ClassifierRun.train` with a preset's recipe,
validation reports included in the time) and score the final model on the held-out TEST split, never on
the best validation point.
"""
from __future__ import annotations

import statistics
import time
from dataclasses import replace

import torch

from bench.common import Figure, accelerators, cli
from lib.image_classifier import cost
from lib.image_classifier import datasets as D
from lib.image_classifier import evaluation as E
from lib.image_classifier import models as M
from lib.image_classifier import pipeline as P
from lib.image_classifier import training as T
from lib.image_classifier.recipes import recipe
from lib.image_classifier.run import ClassifierRun

CPU = torch.device("cpu")
CNN = "mnist_cnn"       # the CNN case study's plain recipe
FAST = "fast_cnn"       # batch norm + one-cycle: the preset that must reach the target
SEEDS = (0, 1, 2)
TARGET_ACC, TARGET_S = 0.91, 60.0


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
        epochs = 1 if quick or label == "CNN" else T.TrainConfig().epochs  # the CNN's accuracy: recipe rows
        first, total, acc = page_run(data, spec, epochs, limit)
        speedup = classic / first
        figures += [
            Figure(f"{label}: classic DataLoader epoch (s)", f"{classic:.2f}"),
            Figure(f"{label}: page pipeline epoch, incl. preparing tensors + validation (s)", f"{first:.2f}"),
            # the CNN's own forward and backward take most of the classic epoch: its ceiling (below) is
            # under 5x, so the CNN is judged by what it learns in a minute instead (issue 23)
            Figure(f"{label}: speed-up", f"{speedup:.1f}x", ">= 5x" if label == "MLP" else "",
                   speedup >= 5 if label == "MLP" else None),
            # what no data pipeline can beat: the same training steps with the data already in batches
            Figure(f"{label}: ceiling, classic epoch / its model compute alone",
                   f"{classic / max(classic - classic_data, 1e-9):.1f}x"),
        ]
        if label == "MLP":
            figures.append(Figure(f"MLP: page defaults ({epochs} epochs) test accuracy / seconds",
                                  f"{acc:.2%} in {total:.0f} s", ">= 85% within 30 s",
                                  None if quick else bool(acc >= 0.85 and total <= 30)))
    figures += recipe_figures(data, limit, quick)
    figures += [f for device in accelerators() for f in accelerator_figures(data, device, limit, quick)]
    return figures


def recipe_run(data: D.ImageSet, prepared: P.Prepared, preset: str, seed: int, quick: bool,
               network: dict | None = None, training: dict | None = None) -> tuple[float, float, float]:
    """One press of Train on the page with a preset's recipe (with `network` and `training` changes):
    (training seconds incl. validation reports, test accuracy of the final model, the gate's time estimate)."""
    r = recipe(preset)
    spec = M.with_changes(r.spec, **(network or {}))
    cfg = replace(r.train, seed=seed, **(training or {}))
    cfg = replace(cfg, epochs=1) if quick else cfg
    model = M.build(spec, data.shape, len(data.classes), seed=seed)
    run = ClassifierRun.new("fashion", spec, model, data, cfg, CPU)
    estimate = cost.estimate_seconds(model, data.shape, prepared.n_train, len(prepared.val_y), cfg)
    start = time.perf_counter()
    for _ in run.train(prepared, cfg):
        pass
    seconds = time.perf_counter() - start
    return seconds, run.results(prepared).accuracy, estimate


def recipe_figures(data: D.ImageSet, limit: int | None, quick: bool) -> list[Figure]:
    """Issue 23: the fast CNN preset against the 91%-in-60-s target (3 seeds), next to the tutorial's
    plain CNN recipe and the fast preset without each of its two ingredients."""
    prepared = P.prepare(data, CPU, D.DataConfig().val_fraction, D.DataConfig().seed, limit)
    plain_s, plain_acc, _ = recipe_run(data, prepared, CNN, 0, quick)
    figures = [Figure("CNN plain recipe (MNIST CNN, Adam 1e-3 constant, batch 64, 5 epochs): test accuracy / s",
                      f"{plain_acc:.2%} in {plain_s:.0f} s")]
    runs = [recipe_run(data, prepared, FAST, seed, quick) for seed in (SEEDS[:1] if quick else SEEDS)]
    accs, secs = [a for _, a, _ in runs], [s for s, _, _ in runs]
    mean, slowest = statistics.mean(accs), max(secs)
    figures += [
        Figure("fast CNN preset (16-32-64 + batch norm, one-cycle to 3e-3, batch 128, 5 epochs): test accuracy "
               f"per seed {', '.join(map(str, SEEDS[:len(runs)]))}",
               " / ".join(f"{a:.2%} in {s:.0f} s" for s, a, _ in runs)),
        Figure(f"fast CNN preset: mean test accuracy of {len(runs)} seeds / slowest training",
               f"{mean:.2%} / {slowest:.0f} s", f">= {TARGET_ACC:.0%} within {TARGET_S:.0f} s",
               None if quick else bool(mean >= TARGET_ACC and slowest <= TARGET_S)),
        Figure("fast CNN preset: the gate's time estimate / measured (seed 0)",
               f"{runs[0][2]:.0f} s / {runs[0][0]:.0f} s"),
    ]
    # what each ingredient adds: the same preset without batch norm, and with a constant rate
    no_bn_s, no_bn, _ = recipe_run(data, prepared, FAST, 0, quick, network={"batch_norm": False})
    flat_s, flat, _ = recipe_run(data, prepared, FAST, 0, quick, training={"schedule": "constant"})
    figures += [
        Figure("fast CNN without batch norm (seed 0): test accuracy / s", f"{no_bn:.2%} in {no_bn_s:.0f} s"),
        Figure("fast CNN with a constant rate 3e-3 instead of one-cycle (seed 0): test accuracy / s",
               f"{flat:.2%} in {flat_s:.0f} s"),
    ]
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
