"""Every setting of the image-classifier page in one place: the page's `DEFAULTS`.

Each section has its own settings dataclass next to the code it drives (data, model, training);
this groups them, so the page reads `DEFAULTS.train.lr` and its widgets take ranges from there.
"""
from __future__ import annotations

from dataclasses import dataclass

from lib.image_classifier.datasets import DataConfig
from lib.image_classifier.models import ModelConfig
from lib.image_classifier.training import TrainConfig


@dataclass(frozen=True)
class ClassifierConfig:
    """The defaults of the page: Fashion-MNIST, the ReLU MLP with dropout, Adam for 5 epochs."""

    data: DataConfig = DataConfig()
    model: ModelConfig = ModelConfig()
    train: TrainConfig = TrainConfig()
