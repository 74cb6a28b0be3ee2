"""The sample-efficiency chart: test accuracy against labelled images per class, for the three strategies.

The draws are nested (lib.transfer.data), so the features of the largest draw cover every smaller one: they are
extracted once, then each size trains the three strategies from scratch and scores its best checkpoint on the
same fixed test images. Progress is counted in estimated milliseconds, so the bar's ETA is meaningful.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import torch

from lib.common.datasets import ImageSet
from lib.common.messages import Message
from lib.transfer import cost
from lib.transfer.backbone import Backbone
from lib.transfer.config import STRATEGIES, SWEEP, TransferConfig, val_per_class
from lib.transfer.data import few_shot
from lib.transfer.features import FeatureBank, draw_features, draw_ids, extract
from lib.transfer.training import StrategyRun, finish, last_test_accuracy, trainer


@dataclass(frozen=True)
class SweepPoint:
    per_class: int
    strategy: str
    test_acc: float
    last_test_acc: float     # the last epoch's model (the page keeps the best by validation)
    seconds: float


@dataclass(frozen=True)
class SweepStep:
    done: int                # estimated milliseconds of work done
    total: int
    note: Message
    point: SweepPoint | None = None


def work(profile: cost.Profile, cfg: TransferConfig, sizes: tuple[int, ...], n_classes: int, n_extract: int,
         device: str) -> list[int]:
    """Estimated milliseconds of each part: the extraction, then each size's three trainings."""
    parts = [int(1000 * cost.extract_seconds(profile, n_extract, device))]
    for n in sizes:
        for strategy in STRATEGIES:
            seconds = cost.train_seconds(profile, cfg, n * n_classes, val_per_class(n) * n_classes, n_classes,
                                         device, strategies=(strategy,))
            parts.append(max(1, int(1000 * seconds)))
    return parts


def estimate(profile: cost.Profile, cfg: TransferConfig, sizes: tuple[int, ...], n_classes: int,
             device: str) -> tuple[int, float]:
    """(peak bytes, seconds) of a sweep with nothing extracted yet, for the heavy-job gate."""
    largest = max(sizes)
    n_extract = n_classes * (largest + val_per_class(largest)) + cfg.test_images
    need = max(cost.extract_bytes(profile, n_extract),
               cost.train_bytes(profile, cfg, largest * n_classes, val_per_class(largest) * n_classes, n_classes))
    return need, sum(work(profile, cfg, sizes, n_classes, n_extract, device)) / 1000


def sweep(images: ImageSet, kind: str, backbone: Backbone, bank: FeatureBank, cfg: TransferConfig,
          device: torch.device, sizes: tuple[int, ...] = SWEEP) -> Iterator[SweepStep]:
    """Extract the largest draw's features, then train and test the three strategies at every size."""
    largest = few_shot(images, kind, max(sizes), cfg.test_images, cfg.seed)
    ids, pixels = draw_ids(largest)
    n_classes = len(images.classes)
    parts = work(cost.profile(backbone), cfg, sizes, n_classes, len(bank.missing(ids)), str(device))
    total, done = sum(parts), 0
    for step in extract(backbone, bank, ids, pixels):
        yield SweepStep(int(parts[0] * step.done / max(step.total, 1)), total,
                        Message("features: {done}/{n} images", done=step.done, n=step.total))
    done, k = parts[0], 1
    for n in sizes:
        fs = few_shot(images, kind, n, cfg.test_images, cfg.seed)
        feats = draw_features(fs, bank)
        for strategy in STRATEGIES:
            run = StrategyRun(strategy, fs.classes)
            for _ in trainer(strategy, run, fs, feats, backbone, cfg, device):
                pass
            last = run.history[-1]
            finish(run, fs, feats, backbone, cfg, device)
            done += parts[k]
            k += 1
            point = SweepPoint(n, strategy, run.test_acc, last_test_accuracy(run, fs, feats, backbone, cfg, device),
                               last.seconds)
            yield SweepStep(done, total, Message("{n} per class: {strategy}", n=n, strategy=STRATEGIES[strategy]),
                            point)
