"""The three strategies in TensorBoard: scalars per strategy and stage as they train, then each strategy's
misclassified test images and the run's hyperparameters with the final test accuracies. The writer is
lib.common.runlog's `RunLog`; with no log (logging off) everything passes through untouched."""
from __future__ import annotations

from typing import Iterator

import torch

from lib.common.runlog import RunLog
from lib.transfer.config import TransferConfig
from lib.transfer.data import FewShot
from lib.transfer.training import Epoch, StrategyRun

MISTAKES = 32


def tag(record: Epoch, name: str) -> str:
    """`scratch/accuracy_validation`, `two_stage/stage2/loss_train`..."""
    stage = f"/stage{record.stage}" if record.strategy == "two_stage" else ""
    return f"{record.strategy}{stage}/{name}"


def log_epochs(epochs: Iterator[Epoch], log: RunLog | None) -> Iterator[Epoch]:
    """Yield the records unchanged, writing each one's losses and accuracies at its epoch."""
    for record in epochs:
        if log is not None:
            for name, value in (("loss_train", record.train_loss), ("accuracy_train", record.train_acc),
                                ("loss_validation", record.val_loss), ("accuracy_validation", record.val_acc)):
                log.scalar(tag(record, name), value, record.epoch)
        yield record


def mistakes(run: StrategyRun, fs: FewShot, k: int = MISTAKES) -> torch.Tensor:
    """Up to k test images the best checkpoint gets wrong, most confident first: (k, C, H, W) floats in 0..1."""
    if run.test_probs is None:
        return torch.zeros(0, *fs.shape)
    confidence, predicted = run.test_probs.max(1)
    wrong = (predicted != fs.test_y).nonzero().squeeze(1)
    order = wrong[confidence[wrong].argsort(descending=True)][:k]
    return fs.test_x[order].float() / 255


def hyperparameters(cfg: TransferConfig, fs: FewShot, backbone: str) -> dict:
    """The settings as TensorBoard's HPARAMS tab shows them."""
    return {"data": fs.kind, "backbone": backbone, "classes": len(fs.classes), "train_images": len(fs.train_y),
            "val_images": len(fs.val_y), "per_class": cfg.per_class if fs.kind != "own" else 0, "seed": cfg.seed,
            "scratch_epochs": cfg.scratch_epochs, "scratch_lr": cfg.scratch_lr, "head_epochs": cfg.head_epochs,
            "head_lr": cfg.head_lr, "finetune_epochs": cfg.finetune_epochs, "finetune_lr": cfg.finetune_lr,
            "head_factor": cfg.head_factor}


def log_results(log: RunLog, runs: dict[str, StrategyRun], fs: FewShot, hparams: dict) -> None:
    """Each finished strategy's misclassified grid, and the hyperparameters with every test accuracy."""
    metrics = {}
    for name, run in runs.items():
        if not run.finished:
            continue
        grid = mistakes(run, fs)
        if len(grid):
            log.images(f"{name}/misclassified_test_images", grid, run.best_epoch)
        metrics[f"hparam/{name}/best_validation_accuracy"] = run.best_val
        if run.test_acc is not None:
            metrics[f"hparam/{name}/test_accuracy"] = run.test_acc
    if metrics:
        log.hparams(hparams, metrics)
