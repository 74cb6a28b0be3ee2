"""A training round in TensorBoard: its checks as they are made, then its hyperparameters and test result.

`log_steps` passes the training generator through unchanged, writing each check's losses and accuracies at its
step; `log_results` adds the run's settings with the kept weights' test accuracy (TensorBoard's HPARAMS tab).
The writer is lib.common.runlog's `RunLog`.
"""
from __future__ import annotations

from dataclasses import asdict
from typing import Iterator

from lib.common.runlog import RunLog
from lib.lstm.config import LstmConfig
from lib.lstm.training import Progress

SCALARS = {  # TensorBoard tag -> the history row's field it plots
    "loss/train": "train_loss", "loss/validation": "valid_loss",
    "accuracy/train": "train_acc", "accuracy/validation": "valid_acc",
}


def log_steps(steps: Iterator[Progress], log: RunLog | None) -> Iterator[Progress]:
    """Yield `steps` unchanged, logging each new check's scalars at its step (nothing when `log` is None)."""
    for p in steps:
        if log is not None and p.evaluated and p.history:
            row = p.history[-1]
            for tag, name in SCALARS.items():
                log.scalar(tag, row[name], int(row["step"]))
        yield p


def hyperparameters(cfg: LstmConfig, data_key: str, n_train: int) -> dict:
    """The settings of a round as plain values, as TensorBoard's HPARAMS tab shows them."""
    return asdict(cfg) | {"data": data_key.split(":")[0], "train_texts": n_train}


def log_results(log: RunLog, hparams: dict, test_acc: float, test_loss: float, best_epoch: float | None) -> None:
    """The hyperparameters with the kept weights' test accuracy and loss, and the epoch they come from."""
    log.hparams(hparams, {"hparam/test_accuracy": test_acc, "hparam/test_loss": test_loss,
                          "hparam/kept_epoch": best_epoch if best_epoch is not None else -1.0})
