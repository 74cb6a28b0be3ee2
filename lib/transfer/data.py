"""The images the three strategies learn from: a seeded few-shot draw of a built-in set, or your own pictures.

Every split keeps raw uint8 pixels (N, C, H, W) plus an id per image, so features computed for an image once
(lib.transfer.features) are found again by its id in the next draw, the next seed or the efficiency sweep.
Built-in draws are nested: the first 5 training images of a class are the same at 5, 20 or 500 per class.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image, ImageOps

from lib.common.datasets import ImageSet
from lib.common.images import ImageError, open_image
from lib.common.messages import LearnerError, Message
from lib.transfer.config import val_per_class

TEST_SEED = 1234      # the fixed test subset: the same images for every draw, seed and strategy
OWN_PX = 160          # your pictures are kept as centred squares of this size (ResNet crops 224 from 256)
MAX_OWN_IMAGES = 400  # pictures of all classes together: a session's memory stays small
MAX_SIDE = 1024       # uploads are shrunk to this before cropping


@dataclass(frozen=True)
class FewShot:
    """Train / validation / test images with labels and feature-cache ids, for one draw."""

    name: str                      # shown on the page
    kind: str                      # "fashion", "cifar10" or "own": how a new picture is prepared
    classes: tuple[str, ...]       # msgids for built-in sets (shown translated), your names otherwise
    bank: str                      # which feature bank the ids belong to ("fashion", "own:<hash>"...)
    train_x: torch.Tensor          # (N, C, H, W) uint8
    train_y: torch.Tensor          # (N,) int64
    train_ids: torch.Tensor        # (N,) int64
    val_x: torch.Tensor
    val_y: torch.Tensor
    val_ids: torch.Tensor
    test_x: torch.Tensor
    test_y: torch.Tensor
    test_ids: torch.Tensor

    @property
    def shape(self) -> tuple[int, int, int]:
        c, h, w = self.train_x.shape[1:]
        return int(c), int(h), int(w)

    @property
    def has_test(self) -> bool:
        return len(self.test_y) > 0

    def split(self, name: str) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(images, labels, ids) of "train", "val" or "test"."""
        return getattr(self, f"{name}_x"), getattr(self, f"{name}_y"), getattr(self, f"{name}_ids")


def per_class_order(labels: torch.Tensor, n_classes: int, seed: int) -> list[torch.Tensor]:
    """For each class, its indices in a seeded random order (the same order whatever is drawn from it)."""
    g = torch.Generator().manual_seed(seed)
    order = []
    for c in range(n_classes):
        idx = (labels == c).nonzero().squeeze(1)
        order.append(idx[torch.randperm(len(idx), generator=g)])
    return order


def draw(labels: torch.Tensor, n_classes: int, per_class: int, n_val: int,
         seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Indices of `per_class` training and `n_val` validation images per class: the first and the last of
    each class's seeded order, so larger draws contain smaller ones."""
    train, val = [], []
    for c, idx in enumerate(per_class_order(labels, n_classes, seed)):
        if per_class + n_val > len(idx):
            raise LearnerError("Class {c} has only {n} images: draw at most {most} per class.", c=c, n=len(idx),
                               most=len(idx) - n_val)
        train.append(idx[:per_class])
        val.append(idx[len(idx) - n_val:])
    return torch.cat(train), torch.cat(val)


def test_subset(labels: torch.Tensor, n_classes: int, size: int) -> torch.Tensor:
    """A fixed, class-balanced subset of the test split (TEST_SEED): the same for every draw."""
    per = -(-size // n_classes)
    picked = torch.cat([idx[:per] for idx in per_class_order(labels, n_classes, TEST_SEED)])
    return picked[:size] if len(picked) >= size else picked


def few_shot(images: ImageSet, kind: str, per_class: int, test_images: int, seed: int) -> FewShot:
    """A seeded few-shot draw of a built-in set: `per_class` training images per class, a quarter as many
    (at least 2) for validation, and the fixed test subset. Ids: training pool index, test index + pool size."""
    k = len(images.classes)
    train, val = draw(images.train_y, k, per_class, val_per_class(per_class), seed)
    test = test_subset(images.test_y, k, test_images)
    offset = len(images.train_y)
    return FewShot(images.name, kind, images.classes, kind,
                   images.train_x[train], images.train_y[train], train,
                   images.train_x[val], images.train_y[val], val,
                   images.test_x[test], images.test_y[test], test + offset)


# ---------------------------------------------------------------- your own pictures

def square(image: Image.Image, size: int = OWN_PX) -> torch.Tensor:
    """An RGB picture as a centred square of `size` px, (3, size, size) uint8."""
    fitted = ImageOps.fit(image.convert("RGB"), (size, size), Image.Resampling.BILINEAR)
    return torch.from_numpy(np.asarray(fitted).copy()).permute(2, 0, 1)  # (H, W, 3) -> (3, H, W)


@dataclass(frozen=True)
class OwnPictures:
    """Your classes and their pictures, decoded and checked."""

    classes: tuple[str, ...]
    images: tuple[torch.Tensor, ...]      # per class: (n, 3, OWN_PX, OWN_PX) uint8
    fingerprint: str                      # identifies these exact pictures (the feature bank's key)
    problems: tuple[Message, ...] = ()    # files that were skipped, each named

    @property
    def counts(self) -> tuple[int, ...]:
        return tuple(len(x) for x in self.images)


def decode_pictures(classes: tuple[str, ...], files: list[list[tuple[str, bytes]]]) -> OwnPictures:
    """Decode every (file name, bytes) of every class through the shared safe loader; skip and name bad files;
    refuse classes left with fewer than 2 pictures and more than MAX_OWN_IMAGES pictures in all."""
    total = sum(len(f) for f in files)
    if total > MAX_OWN_IMAGES:
        raise LearnerError("{n} pictures is more than this page keeps ({most}): use fewer per class.", n=total,
                           most=MAX_OWN_IMAGES)
    digest, problems, tensors = hashlib.sha1(), [], []
    for name, class_files in zip(classes, files):
        kept = []
        for file_name, data in class_files:
            try:
                kept.append(square(open_image(data, max_side=MAX_SIDE).image))
            except ImageError as e:
                problems.append(Message("{file} ({group}) was skipped: {reason}", file=file_name, group=name,
                                        reason=e.message))
                continue
            digest.update(data)
        if len(kept) < 2:
            raise LearnerError("Class {group} has {n} usable pictures: every class needs at least 2 (one to learn "
                               "from, one to check on).", group=repr(name), n=len(kept))
        tensors.append(torch.stack(kept))
        digest.update(name.encode())
    return OwnPictures(classes, tuple(tensors), digest.hexdigest()[:16], tuple(problems))


def own_split(own: OwnPictures, seed: int) -> FewShot:
    """Per class: a fifth (at least 1) for validation, a fifth for testing when the class has 5 or more, the rest
    to learn from; seeded."""
    g = torch.Generator().manual_seed(seed)
    parts: dict[str, list] = {s: [] for s in ("train", "val", "test")}
    start = 0
    for c, x in enumerate(own.images):
        n = len(x)
        order = torch.randperm(n, generator=g)
        n_val, n_test = max(1, n // 5), n // 5 if n >= 5 else 0
        cuts = {"val": order[:n_val], "test": order[n_val:n_val + n_test], "train": order[n_val + n_test:]}
        for split, idx in cuts.items():
            parts[split].append((x[idx], torch.full((len(idx),), c, dtype=torch.int64), idx + start))
        start += n
    joined = []
    for split in ("train", "val", "test"):
        xs, ys, ids = zip(*parts[split])
        joined += [torch.cat(xs), torch.cat(ys), torch.cat(ids)]
    return FewShot(Message("your {k} classes", k=len(own.classes)), "own", own.classes, f"own:{own.fingerprint}",
                   *joined)


# ---------------------------------------------------------------- a new picture, as the data set's images look

def as_data_picture(image: Image.Image, kind: str, shape: tuple[int, int, int]) -> torch.Tensor:
    """A picture prepared like the training images: (C, H, W) uint8.

    Fashion-MNIST: grey, inverted when mostly light (its clothes are light on black), shrunk to 28 px;
    CIFAR-10: RGB at 32 px; your own classes: the same centred square as your pictures.
    """
    c, h, _ = shape
    if kind == "own":
        return square(image, h)
    if c == 1:
        grey = ImageOps.fit(image.convert("L"), (h, h), Image.Resampling.LANCZOS)
        if np.asarray(grey).mean() > 127:
            grey = ImageOps.invert(grey)
        return torch.from_numpy(np.asarray(grey).copy()).unsqueeze(0)  # (H, W) -> (1, H, W)
    return square(image, h)


def to_picture(image: torch.Tensor) -> Image.Image:
    """One (C, H, W) uint8 image as a PIL picture (grey or RGB)."""
    pixels = image.permute(1, 2, 0).numpy()  # (C, H, W) -> (H, W, C)
    return Image.fromarray(pixels[:, :, 0] if pixels.shape[2] == 1 else pixels)


def rgb(image: torch.Tensor) -> np.ndarray:
    """One (C, H, W) uint8 image as an (H, W, 3) array for showing."""
    c, h, w = image.shape
    return image.expand(3, h, w).permute(1, 2, 0).numpy()  # (C, H, W) -> (H, W, 3)


def sample_grid(fs: FewShot, per_class: int = 8) -> np.ndarray:
    """The first training images of each class side by side, one row per class: (rows*H, cols*W, 3) uint8."""
    c, h, w = fs.shape
    grid = np.full((len(fs.classes) * h, per_class * w, 3), 255, dtype=np.uint8)
    for k in range(len(fs.classes)):
        for j, img in enumerate(fs.train_x[fs.train_y == k][:per_class]):
            grid[k * h:(k + 1) * h, j * w:(j + 1) * w] = rgb(img)
    return grid
