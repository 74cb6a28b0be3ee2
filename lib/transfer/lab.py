"""What the page keeps for a learner between reruns: one draw, its features and the three strategies' runs.

A `Lab` belongs to one draw of images and one backbone (its `signature`); changing either and pressing Train
starts a new one. Its jobs are generators for the page's progress bars: `extraction` fills the draw's features
from the session's feature bank, `train` runs one strategy and scores its best checkpoint when it ends.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Iterator

import torch

from lib.common.runlog import RunLog
from lib.transfer.backbone import Backbone
from lib.transfer.config import STRATEGIES, TransferConfig
from lib.transfer.data import FewShot
from lib.transfer.features import DrawFeatures, Extracted, FeatureBank, draw_features, extract_draw
from lib.transfer.logs import log_epochs
from lib.transfer.projection import Projection, project
from lib.transfer.training import Epoch, StrategyRun, finish, trainer


def signature(fs: FewShot, backbone: Backbone) -> tuple:
    """Which images and which backbone (weights and device): a Lab is only continued while these stay."""
    ids = torch.cat([fs.train_ids, fs.val_ids, fs.test_ids, fs.train_y, fs.val_y, fs.test_y])
    digest = hashlib.sha1(ids.numpy().tobytes()).hexdigest()[:16]
    device = str(next(backbone.prefix.parameters()).device)
    return fs.bank, digest, backbone.key, backbone.source, device


@dataclass
class Lab:
    signature: tuple
    fs: FewShot
    backbone_key: str
    cfg: TransferConfig
    feats: DrawFeatures | None = None
    runs: dict[str, StrategyRun] = field(default_factory=dict)

    @classmethod
    def new(cls, fs: FewShot, backbone: Backbone, cfg: TransferConfig) -> Lab:
        runs = {s: StrategyRun(s, fs.classes) for s in STRATEGIES}
        return cls(signature(fs, backbone), fs, backbone.key, cfg, runs=runs)

    def extraction(self, backbone: Backbone, bank: FeatureBank) -> Iterator[Extracted]:
        """Compute the features this draw lacks (a no-op when the bank has them all), then keep the draw's."""
        yield from extract_draw(backbone, bank, self.fs)
        self.feats = draw_features(self.fs, bank)

    def train(self, strategy: str, backbone: Backbone, device: torch.device, log: RunLog | None) -> Iterator[Epoch]:
        """Train `strategy` afresh (its old run is replaced), then score its best checkpoint on the test split."""
        run = self.runs[strategy] = StrategyRun(strategy, self.fs.classes)
        yield from log_epochs(trainer(strategy, run, self.fs, self.feats, backbone, self.cfg, device), log)
        finish(run, self.fs, self.feats, backbone, self.cfg, device)

    def projection(self) -> Projection:
        """PCA of the labelled pictures (training and validation) as pixels and as features."""
        fs, f = self.fs, self.feats
        return project(torch.cat([fs.train_x, fs.val_x]), torch.cat([f.train.pooled, f.val.pooled]),
                       torch.cat([fs.train_y, fs.val_y]))

    def finished(self) -> list[StrategyRun]:
        return [r for r in self.runs.values() if r.finished]

    def score(self, strategy: str) -> float | None:
        """The number the page compares: test accuracy of the best checkpoint, else its validation accuracy."""
        run = self.runs.get(strategy)
        if run is None or not run.finished:
            return None
        return run.test_acc if run.test_acc is not None else run.best_val

    def gap(self) -> float | None:
        """Points the better transfer strategy wins over training from scratch (None until all three ran)."""
        scores = {s: self.score(s) for s in STRATEGIES}
        if any(v is None for v in scores.values()):
            return None
        return 100 * (max(scores["head"], scores["two_stage"]) - scores["scratch"])


def epochs_of(strategy: str, cfg: TransferConfig) -> int:
    """Epochs a strategy runs (both stages for the two-stage one): its progress bar's total."""
    return {"scratch": cfg.scratch_epochs, "head": cfg.head_epochs,
            "two_stage": cfg.head_epochs + cfg.finetune_epochs}[strategy]
