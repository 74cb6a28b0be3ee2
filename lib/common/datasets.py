"""Image data sets that several topics use: Fashion-MNIST from Debian's package (offline) and torchvision's
MNIST, Fashion-MNIST and CIFAR-10 for online users (downloads only when asked).

Every loader returns an `ImageSet` of uint8 tensors shaped (N, C, H, W): the raw pixels.
"""
from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from lib.common.messages import N_, LearnerError

FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")  # Debian package dataset-fashion-mnist
# class names are English msgids: pages show them translated
FASHION_CLASSES = (N_("T-shirt/top"), N_("Trouser"), N_("Pullover"), N_("Dress"), N_("Coat"),
                   N_("Sandal"), N_("Shirt"), N_("Sneaker"), N_("Bag"), N_("Ankle boot"))
CIFAR_CLASSES = (N_("airplane"), N_("automobile"), N_("bird"), N_("cat"), N_("deer"), N_("dog"), N_("frog"),
                 N_("horse"), N_("ship"), N_("truck"))



@dataclass(frozen=True)
class ImageSet:
    name: str
    classes: tuple[str, ...]
    train_x: torch.Tensor  # (N, C, H, W) uint8
    train_y: torch.Tensor  # (N,) int64
    test_x: torch.Tensor
    test_y: torch.Tensor
    source: str            # where the pixels came from, for the page

    @property
    def shape(self) -> tuple[int, int, int]:
        """(C, H, W) of one image."""
        c, h, w = self.train_x.shape[1:]
        return int(c), int(h), int(w)

    def test_label(self, i: int) -> str:
        """The class name of test image `i`."""
        return self.classes[int(self.test_y[i])]



def read_idx(path: Path) -> np.ndarray:
    """Read a gzipped idx file (the MNIST format: big-endian header, then uint8 data)."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_fashion_offline(root: Path = FASHION_DIR) -> ImageSet:
    """Fashion-MNIST, 60k train + 10k test, from Debian's idx files."""
    def part(kind: str) -> tuple[torch.Tensor, torch.Tensor]:
        x = read_idx(root / f"{kind}-images-idx3-ubyte.gz")
        y = read_idx(root / f"{kind}-labels-idx1-ubyte.gz")
        return torch.from_numpy(x.copy()).unsqueeze(1), torch.from_numpy(y.astype(np.int64))  # (N,28,28)->(N,1,28,28)
    if not (root / "train-images-idx3-ubyte.gz").exists():
        raise LearnerError("Fashion-MNIST is not installed in {root} (Debian package dataset-fashion-mnist).",
                           root=str(root))
    (tx, ty), (vx, vy) = part("train"), part("t10k")
    return ImageSet("Fashion-MNIST", FASHION_CLASSES, tx, ty, vx, vy, f"Debian dataset-fashion-mnist ({root})")


def load_torchvision(name: str, root: Path, allow_download: bool) -> ImageSet:
    """MNIST, FashionMNIST or CIFAR10 via torchvision; downloads only if `allow_download`."""
    from torchvision import datasets
    cls = {"MNIST": datasets.MNIST, "FashionMNIST": datasets.FashionMNIST, "CIFAR10": datasets.CIFAR10}[name]
    try:
        train = cls(str(root), train=True, download=allow_download)
        test = cls(str(root), train=False, download=allow_download)
    except Exception as e:  # URLError, RuntimeError("Dataset not found"), checksum errors...
        if not allow_download:
            raise LearnerError("torchvision's {name} is not available: it is not downloaded yet. Offline you can use "
                               "Fashion-MNIST (full), the MNIST 5k subset or the 8x8 digits.", name=name) from e
        raise LearnerError("torchvision's {name} is not available: the download failed ({error}). Offline you can "
                           "use Fashion-MNIST (full), the MNIST 5k subset or the 8x8 digits.",
                           name=name, error=type(e).__name__) from e
    classes = CIFAR_CLASSES if name == "CIFAR10" else tuple(train.classes)
    return ImageSet(f"{name} (torchvision)", classes, *_tv_tensors(train), *_tv_tensors(test),
                    source=f"torchvision.datasets.{name} in {root}")


def _tv_tensors(ds) -> tuple[torch.Tensor, torch.Tensor]:
    data = torch.as_tensor(np.asarray(ds.data), dtype=torch.uint8)
    x = data.unsqueeze(1) if data.ndim == 3 else data.permute(0, 3, 1, 2)  # (N,H,W[,C]) -> (N,C,H,W)
    return x.contiguous(), torch.as_tensor(np.asarray(ds.targets), dtype=torch.int64)
