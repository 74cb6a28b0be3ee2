"""A training round in TensorBoard: its curves as they are made, then its mistakes and hyperparameters.

`log_steps` passes the training generator through unchanged, writing each report's losses, accuracies and
learning rate; `log_results` adds a grid of the test images the model gets most confidently wrong and the
run's hyperparameters with its final test accuracy. The writer is lib.common.runlog's `RunLog`.
"""
from __future__ import annotations

from typing import Iterator

import torch

from lib.common.runlog import RunLog
from lib.image_classifier.evaluation import Evaluation, most_confident_wrong
from lib.image_classifier.models import ModelSpec
from lib.image_classifier.training import Step, TrainConfig

SCALARS = {  # TensorBoard tag -> the Step field it plots
    "loss/train": "train_loss", "loss/validation": "val_loss",
    "accuracy/train": "train_acc", "accuracy/validation": "val_acc", "learning_rate": "lr",
}
MISTAKES = 32  # images in the grid of confident mistakes


def log_steps(steps: Iterator[Step], log: RunLog | None) -> Iterator[Step]:
    """Yield `steps` unchanged, logging each one's scalars at its batch number (nothing when `log` is None)."""
    for step in steps:
        if log is not None:
            for tag, name in SCALARS.items():
                log.scalar(tag, getattr(step, name), step.step)
        yield step


def mistakes_grid(ev: Evaluation, test_x: torch.Tensor, test_y: torch.Tensor, k: int = MISTAKES) -> torch.Tensor:
    """The k test images predicted wrong with the highest confidence, (k, C, H, W) floats in 0..1."""
    idx = most_confident_wrong(ev.probs, test_y, k)
    return test_x[idx.to(test_x.device)].float().cpu() / 255


def hyperparameters(data_key: str, preset: str, spec: ModelSpec, cfg: TrainConfig, n_train: int) -> dict:
    """The settings of a round as TensorBoard's HPARAMS tab shows them (plain values)."""
    return {"data": data_key, "preset": preset, "model": spec.kind, "activation": spec.activation,
            "dropout": spec.dropout, "batch_norm": spec.batch_norm, "optimizer": cfg.optimizer, "lr": cfg.lr,
            "momentum": cfg.momentum if cfg.optimizer == "sgd" else 0.0, "nesterov": cfg.nesterov,
            "weight_decay": cfg.weight_decay, "batch_size": cfg.batch_size, "epochs": cfg.epochs,
            "schedule": cfg.schedule, "train_images": n_train}


def log_results(log: RunLog, ev: Evaluation, test_x: torch.Tensor, test_y: torch.Tensor, hparams: dict,
                step: int) -> None:
    """The misclassified grid and the hyperparameters with the final test accuracy and loss."""
    log.images("test/most_confident_mistakes", mistakes_grid(ev, test_x, test_y), step)
    log.hparams(hparams, {"hparam/test_accuracy": ev.accuracy, "hparam/test_loss": ev.loss})
