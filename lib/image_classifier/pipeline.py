"""The two ways to feed a model: the tutorials' DataLoader with per-sample transforms, and the page's
uint8 tensors on the device, batched by indexing and normalised as each batch is drawn.

Both split the training images 80/20 with the same seeded permutation and give the same numbers.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np
import torch
from PIL import Image

from lib.common.messages import LearnerError
from lib.image_classifier.datasets import ImageSet

MEAN, STD = 0.5, 0.5  # Normalize((0.5,), (0.5,)) of the tutorials: pixels 0..1 -> -1..1


def split_indices(n: int, val_fraction: float, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Shuffled train/validation index split (what the tutorials feed SubsetRandomSampler)."""
    if not 0 < val_fraction < 1:
        raise LearnerError("The validation share must be between 0 and 1.")
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    n_val = max(1, int(n * val_fraction))
    return perm[n_val:], perm[:n_val]


# ---------------------------------------------------------------- classic: Dataset + transforms

class PILDataset(torch.utils.data.Dataset):
    """Classic style: each item is decoded to a PIL image and run through `transform`."""

    def __init__(self, x: torch.Tensor, y: torch.Tensor, transform: Callable | None = None) -> None:
        self.x, self.y, self.transform = x.numpy(), y.tolist(), transform

    def __len__(self) -> int:
        return len(self.y)

    def __getitem__(self, i: int):
        img = self.x[i]
        pil = Image.fromarray(img[0] if img.shape[0] == 1 else img.transpose(1, 2, 0))  # (C,H,W) -> (H,W[,C])
        return (self.transform(pil) if self.transform else pil), self.y[i]


def classic_transform(channels: int):
    """transforms.Compose([ToTensor(), Normalize(0.5, 0.5)]) for 1 or 3 channels."""
    from torchvision import transforms
    return transforms.Compose([transforms.ToTensor(), transforms.Normalize((MEAN,) * channels, (STD,) * channels)])


def classic_loaders(data: ImageSet, batch_size: int, val_fraction: float, seed: int):
    """The tutorials' pipeline: Dataset + per-sample transforms + SubsetRandomSampler 80/20."""
    from torch.utils.data import DataLoader, SubsetRandomSampler
    ds = PILDataset(data.train_x, data.train_y, classic_transform(data.shape[0]))
    train_idx, val_idx = split_indices(len(ds), val_fraction, seed)
    g = torch.Generator().manual_seed(seed)
    train = DataLoader(ds, batch_size=batch_size, sampler=SubsetRandomSampler(train_idx.tolist(), generator=g))
    valid = DataLoader(ds, batch_size=batch_size, sampler=SubsetRandomSampler(val_idx.tolist(), generator=g))
    return train, valid


# ---------------------------------------------------------------- fast: tensors on the device

def to_input(x: torch.Tensor, device: torch.device) -> torch.Tensor:
    """uint8 pixels -> normalised float on `device`, exactly what ToTensor + Normalize give."""
    return x.to(device).float().div_(255).sub_(MEAN).div_(STD)


def as_input(x: torch.Tensor) -> torch.Tensor:
    """Model input where it is: uint8 pixels are normalised, floats are taken as they are."""
    return to_input(x, x.device) if x.dtype == torch.uint8 else x


@dataclass(frozen=True)
class Prepared:
    """The fast pipeline: every split on the device once, as uint8 pixels.

    Pixels stay uint8 (a quarter of float32's memory: 55 MB instead of 220 MB for Fashion-MNIST,
    shared by all sessions) and each batch is normalised as it is drawn, which costs microseconds.
    """
    train_x: torch.Tensor
    train_y: torch.Tensor
    val_x: torch.Tensor
    val_y: torch.Tensor
    test_x: torch.Tensor
    test_y: torch.Tensor

    @property
    def n_train(self) -> int:
        """Number of training images (after the validation split and any limit)."""
        return len(self.train_y)

    @property
    def n_test(self) -> int:
        """Number of test images."""
        return len(self.test_y)


def prepare(data: ImageSet, device: torch.device | str, val_fraction: float, seed: int,
            limit: int | None = None) -> Prepared:
    """Split 80/20 like the classic loaders and move everything to `device` once."""
    device = torch.device(device)
    train_idx, val_idx = split_indices(len(data.train_y), val_fraction, seed)
    if limit:  # tiny runs for tests and quick looks
        train_idx, val_idx = train_idx[:limit], val_idx[: max(1, limit // 4)]
    x, y = data.train_x, data.train_y
    return Prepared(x[train_idx].to(device), y[train_idx].to(device), x[val_idx].to(device), y[val_idx].to(device),
                    data.test_x.to(device), data.test_y.to(device))


def batches(x: torch.Tensor, y: torch.Tensor, batch_size: int, generator: torch.Generator | None) -> Iterator:
    """Shuffled mini-batches by indexing tensors that already sit on the device."""
    order = torch.randperm(len(y), generator=generator) if generator is not None else torch.arange(len(y))
    for idx in order.to(x.device).split(batch_size):
        yield as_input(x[idx]), y[idx]


# ---------------------------------------------------------------- a learner's own picture

def image_to_pixels(image: Image.Image, shape: tuple[int, int, int], invert: bool | None = None) -> torch.Tensor:
    """An uploaded picture as the data set's uint8 (1, C, H, W): grey or RGB, resized, inverted if needed.

    MNIST-like sets are light objects on black; `invert=None` inverts when the picture is mostly light.
    """
    c, h, w = shape
    img = image.convert("L" if c == 1 else "RGB").resize((w, h), Image.Resampling.LANCZOS)
    arr = np.asarray(img, dtype=np.uint8)
    if int(arr.max()) - int(arr.min()) < 8:
        raise LearnerError("The picture is blank (one flat colour): there is nothing to classify.")
    if invert is None:
        invert = c == 1 and arr.mean() > 127
    if invert:
        arr = 255 - arr
    x = torch.from_numpy(arr.copy())
    return (x.unsqueeze(0) if c == 1 else x.permute(2, 0, 1)).unsqueeze(0)  # (H, W[, C]) -> (1, C, H, W)
