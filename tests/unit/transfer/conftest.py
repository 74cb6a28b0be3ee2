"""Shared fixtures of the transfer-learning tests: the embedded VGG19 cut into prefix and block, and a tiny
generated data set (three shapes) that every strategy can learn in a second."""
import io

import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw

from lib.common.datasets import ImageSet
from lib.common.vgg import load_vgg19_features
from lib.transfer import backbone as bb
from lib.transfer import data, features
from lib.transfer.config import TransferConfig

CPU = torch.device("cpu")
SHAPES = ("bar", "column", "ring")


def shape_image(kind: str, rng: np.random.Generator, size: int = 28) -> np.ndarray:
    """A light shape on black with a random shift and noise, like a Fashion-MNIST picture."""
    img = Image.new("L", (size, size), 0)
    d = ImageDraw.Draw(img)
    dx, dy = rng.integers(-4, 5, 2)
    c = size // 2
    if kind == "bar":
        d.rectangle([4 + dx, c - 3 + dy, size - 5 + dx, c + 3 + dy], fill=220)
    elif kind == "column":
        d.rectangle([c - 3 + dx, 4 + dy, c + 3 + dx, size - 5 + dy], fill=220)
    else:
        d.ellipse([6 + dx, 6 + dy, size - 7 + dx, size - 7 + dy], outline=220, width=3)
    noise = rng.normal(0, 12, (size, size))
    return np.clip(np.asarray(img, dtype=np.float64) + noise, 0, 255).astype(np.uint8)


def shapes_set(train_per_class: int = 30, test_per_class: int = 10, seed: int = 0) -> ImageSet:
    rng = np.random.default_rng(seed)

    def part(n):
        x = np.stack([shape_image(k, rng) for k in SHAPES for _ in range(n)])[:, None]  # (N, 1, 28, 28)
        y = np.repeat(np.arange(len(SHAPES)), n)
        return torch.from_numpy(x), torch.from_numpy(y.astype(np.int64))
    return ImageSet("shapes", SHAPES, *part(train_per_class), *part(test_per_class), "generated")


def png(pixels: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture(scope="session")
def vgg() -> bb.Backbone:
    """The embedded VGG19 (offline) as prefix conv1_1..pool4 and block conv5_1 + ReLU."""
    return bb.from_vgg(load_vgg19_features("conv5_1", CPU))


@pytest.fixture(scope="session")
def shapes() -> ImageSet:
    return shapes_set()


@pytest.fixture(scope="session")
def draw(shapes) -> data.FewShot:
    """5 training and 2 validation pictures per shape, all 30 test pictures."""
    return data.few_shot(shapes, "fashion", 5, 30, seed=0)


@pytest.fixture(scope="session")
def feats(vgg, draw) -> features.DrawFeatures:
    bank = features.FeatureBank(("vgg19", "test", "cpu", "shapes"))
    list(features.extract_draw(vgg, bank, draw))
    return features.draw_features(draw, bank)


@pytest.fixture
def tiny() -> TransferConfig:
    """Few epochs: every strategy trains in well under a second."""
    return TransferConfig(scratch_epochs=4, head_epochs=20, finetune_epochs=2, seed=0)
