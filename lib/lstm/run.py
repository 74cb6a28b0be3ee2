"""A learner's run: the model being trained, its vocabulary, its history and the best weights kept so far.

The page keeps one `LstmRun` in the session between reruns (never in a shared cache). Each press of
Start or Continue is a round: `train` returns the generator the page drives; a Stop (a rerun that ends the
loop) is settled on the next run by `settle`, which loads the best-validation weights back when kept.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Callable, Iterator

import torch

from lib.common.messages import LearnerError
from lib.lstm.checkpoints import Loaded, save_bytes
from lib.lstm.config import TRAINING_FIELDS, LstmConfig
from lib.lstm.corpus import TextDataset
from lib.lstm.data import Prepared, prepare
from lib.lstm.model import SentimentLSTM, build_model
from lib.lstm.text import Vocab
from lib.lstm.training import Keeper, Progress, confusion_matrix, evaluate, train

@dataclass(frozen=True)
class TestResult:
    """The held-out test split scored with the weights the run ended with."""

    accuracy: float
    loss: float
    matrix: tuple[tuple[int, ...], ...]  # (K, K): row = true class, column = predicted class
    epoch: float | None                  # the check whose weights were scored (None: the last step's)


@dataclass
class LstmRun:
    """One model, the data it was built for, its training history and the best weights seen."""

    model: SentimentLSTM
    vocab: Vocab
    classes: tuple[str, ...]
    data_key: str                         # which data (and row limit) it was trained on
    history: list[dict[str, float]] = field(default_factory=list)  # every check, counted over all rounds
    keeper: Keeper = field(default_factory=Keeper)
    status: str = "new"                   # new, training, stopped (by Stop), done, or loaded (from a file)
    steps: int = 0                        # optimiser steps over all rounds
    stopped_early: bool = False           # the last round ended by early stopping
    test: TestResult | None = None

    @classmethod
    def new(cls, cfg: LstmConfig, data: Prepared, data_key: str, pretrained: torch.Tensor | None = None) -> LstmRun:
        """A freshly initialised model for `data` (GloVe rows copied in when given)."""
        return cls(build_model(cfg, data.vocab, data.classes, cfg.seed, pretrained), data.vocab, data.classes, data_key)

    @classmethod
    def from_loaded(cls, loaded: Loaded) -> LstmRun:
        """A run around a model read from a file: it predicts at once and can train on."""
        return cls(loaded.model, loaded.vocab, loaded.classes, "upload", list(loaded.history), status="loaded")

    @property
    def cfg(self) -> LstmConfig:
        return self.model.cfg

    @property
    def best(self) -> dict[str, float] | None:
        """The check whose weights are kept (None before the first check)."""
        return self.keeper.row

    @property
    def epochs(self) -> float:
        return self.history[-1]["epoch"] if self.history else 0.0

    def continue_data(self, dataset: TextDataset, cfg: LstmConfig, max_rows: int | None) -> tuple[LstmConfig, Prepared]:
        """The current data encoded with this model's own vocabulary and pipeline, and the model's settings with
        the current training settings (optimizer, rate, epochs, seed, batching, patience, kept weights)."""
        if tuple(self.classes) != tuple(dataset.classes):
            raise LearnerError("This model knows the classes {mine}; the current data has {theirs}. Pick matching "
                               "data or start a new model.", mine=", ".join(self.classes),
                               theirs=", ".join(dataset.classes))
        model_cfg = replace(self.cfg, **{name: getattr(cfg, name) for name in TRAINING_FIELDS})
        return model_cfg, prepare(dataset, model_cfg, max_rows=max_rows, vocab=self.vocab)

    def train(self, data: Prepared, cfg: LstmConfig, device: torch.device, data_key: str | None = None,
              max_steps: int | None = None, seconds: float | None = None, clock: Callable[[], float] = time.perf_counter
              ) -> Iterator[Progress]:
        """One round of training with `cfg`'s training settings; the generator records every check."""
        if data_key is not None and data_key != self.data_key:  # other validation data: earlier bests do not compare
            self.keeper, self.data_key = Keeper(), data_key
        self.model.cfg, self.status, self.test, self.stopped_early = cfg, "training", None, False
        self.keeper.stale = 0
        base, before = list(self.history), (self.steps, self.epochs)
        return self._record(train(self.model, data, cfg, device, max_steps, seconds, self.keeper, before, clock), base)

    def _record(self, steps: Iterator[Progress], base: list[dict[str, float]]) -> Iterator[Progress]:
        start = self.steps
        for p in steps:
            self.history, self.steps, self.stopped_early = base + list(p.history), start + p.step, p.stopped_early
            yield p
        self.status = "done"

    def settle(self) -> bool:
        """After a Stop: mark the run stopped and load the kept weights back; True when it was stopped."""
        if self.status != "training":
            return False
        self.status = "stopped"
        if self.cfg.keep == "best":
            self.keeper.restore(self.model)
        return True

    def score(self, data: Prepared, device: torch.device) -> TestResult:
        """Test accuracy, loss and confusion matrix of the current (kept) weights."""
        self.model.to(device)
        loss, acc, preds = evaluate(self.model, data.test, device)
        matrix = confusion_matrix(preds, data.test.labels, len(self.classes)).tolist()
        kept = self.best["epoch"] if self.best and self.cfg.keep == "best" else None
        self.test = TestResult(acc, loss, tuple(map(tuple, matrix)), kept)
        return self.test

    def fits(self, data_key: str, data: Prepared) -> bool:
        """Whether `data` is what this model was trained on (so its test split may be scored)."""
        return self.data_key == data_key and self.vocab == data.vocab

    def checkpoint(self) -> bytes:
        """The model as a safe file (see checkpoints.py)."""
        return save_bytes(self.model, self.vocab, self.classes, self.history)

