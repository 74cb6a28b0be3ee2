"""A learner's run: the model being trained, its optimizer and everything it has learnt so far.

The page keeps one `ClassifierRun` in the session between reruns (never in a shared cache). Each
press of Train is a round: `train` sets it up at once (so impossible settings fail before anything
runs) and returns the generator the page drives, which records every step in `history`.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Iterator

import torch
from PIL import Image
from torch import nn

from lib.common.messages import LearnerError
from lib.image_classifier.checkpoints import Loaded, checkpoint_bytes
from lib.image_classifier.datasets import INVERT, ImageSet
from lib.image_classifier.evaluation import Evaluation, Guess, classify_picture, evaluate
from lib.image_classifier.models import ModelSpec
from lib.image_classifier.pipeline import Prepared
from lib.image_classifier.training import (
    Step, TrainConfig, loss_function, make_optimizer, round_config, set_step_size, train,
)


@dataclass
class ClassifierRun:
    """One model, the data it was built for, and its training history."""

    data_key: str                          # the data set it was built for (a key of datasets.SOURCES)
    spec: ModelSpec
    model: nn.Sequential
    classes: tuple[str, ...]
    shape: tuple[int, int, int]            # (C, H, W) of its input images
    optimizer: torch.optim.Optimizer
    loss: nn.Module
    device: str
    history: list[Step] = field(default_factory=list)  # every report, epochs counted over all rounds
    epochs: float = 0.0                    # epochs trained so far
    rounds: int = 0                        # presses of Train: each shuffles with its own seed
    optimizer_name: str | None = None      # the optimizer of the last round ("adam", "sgd")
    evaluated_at: float | None = None      # `epochs` when `evaluation` was computed
    evaluation: Evaluation | None = None   # the test set's, cached until the model trains again

    @classmethod
    def new(cls, data_key: str, spec: ModelSpec, model: nn.Sequential, data: ImageSet, cfg: TrainConfig,
            device: torch.device) -> ClassifierRun:
        """A run for a freshly built model, moved to `device`."""
        model = model.to(device)
        return cls(data_key, spec, model, data.classes, data.shape, make_optimizer(model, cfg), loss_function(spec),
                   str(device))

    @classmethod
    def from_checkpoint(cls, loaded: Loaded, data_key: str, device: torch.device,
                        cfg: TrainConfig = TrainConfig()) -> ClassifierRun:
        """A run continuing a loaded checkpoint (its history starts empty, its epochs count on)."""
        return cls(data_key, loaded.spec, loaded.model, loaded.classes, loaded.in_shape,
                   make_optimizer(loaded.model, cfg), loss_function(loaded.spec), str(device),
                   epochs=float(loaded.meta.get("epochs", 0)))

    @property
    def signature(self) -> tuple:
        """(data key, spec, image shape): a run continues only while these stay the same."""
        return self.data_key, self.spec, self.shape

    def fits(self, data_key: str, data: ImageSet) -> bool:
        """Whether this model belongs to `data` (so its test results can be shown)."""
        return self.data_key == data_key and self.shape == data.shape and len(self.classes) == len(data.classes)

    def train(self, prepared: Prepared, cfg: TrainConfig) -> Iterator[Step]:
        """Start a round of training: a new optimizer when it changed, the current step sizes, a fresh seed."""
        if cfg.optimizer != self.optimizer_name or not self.history:
            self.optimizer, self.optimizer_name = make_optimizer(self.model, cfg), cfg.optimizer
        set_step_size(self.optimizer, cfg)  # changed sliders apply to "Train more"
        cfg = round_config(cfg, prepared.n_train, self.rounds)
        self.rounds += 1
        return self._record(train(self.model, self.optimizer, self.loss, prepared, cfg), self.epochs)

    def train_then_test(self, prepared: Prepared, cfg: TrainConfig) -> Iterator[Step]:
        """`train`, then the test set's evaluation, as one job.

        On a shared server the gate (lib/common/gate.py) keeps the job's place until the results are ready:
        evaluating 10,000 test images after the job had left the gate would share the cores with the next
        learner's training, and slow both.
        """
        yield from self.train(prepared, cfg)
        self.results(prepared)

    def _record(self, steps: Iterator[Step], base: float) -> Iterator[Step]:
        for step in steps:
            step = replace(step, epoch=base + step.epoch)  # epochs counted over every round
            self.history.append(step)
            self.epochs = step.epoch
            yield step

    def results(self, prepared: Prepared) -> Evaluation:
        """The test set's evaluation, computed once per amount of training."""
        if self.evaluation is None or self.evaluated_at != self.epochs:
            self.evaluation = evaluate(self.model, self.loss, prepared.test_x, prepared.test_y)
            self.evaluated_at = self.epochs
        return self.evaluation

    def classify(self, image: Image.Image, invert: str = "auto") -> Guess:
        """The model's guess at a learner's picture; `invert` is a key of `datasets.INVERT`."""
        if invert not in INVERT:
            raise LearnerError("Invert must be one of {choices}.", choices=", ".join(INVERT))
        return classify_picture(self.model, image, self.shape, self.classes, INVERT[invert])

    def checkpoint(self) -> bytes:
        """The model as a safe checkpoint file (see checkpoints.py)."""
        return checkpoint_bytes(self.model, self.spec, self.shape, self.classes, {"epochs": self.epochs})

    def summary(self, prepared: Prepared, preset: str, cfg: TrainConfig) -> RoundSummary:
        """One finished round as a row of the page's table of runs: what trained, how long, how well."""
        last = self.history[-1] if self.history else None
        return RoundSummary(self.data_key, preset, cfg, prepared.n_train, self.epochs,
                            last.seconds if last else 0.0, last.val_acc if last else 0.0,
                            self.results(prepared).accuracy)


@dataclass(frozen=True)
class RoundSummary:
    """A finished round of training, kept by the page to compare recipes side by side."""

    data_key: str
    preset: str           # the preset id the round started from
    cfg: TrainConfig      # its training settings
    n_train: int          # training images
    epochs: float         # epochs of the model so far (over all its rounds)
    seconds: float        # wall time of this round
    val_acc: float        # at the round's last report
    test_acc: float       # on the held-out test split, after the round
