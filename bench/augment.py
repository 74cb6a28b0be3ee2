"""A 16-image augmentation grid from a 1024 px photo: the page's v2 pipeline code against classic v1 PIL.

Reference (same run): the same pipeline with `torchvision.transforms` (v1) on a PIL image, one image at a
time, as the classic tutorials do. Also shown: a plain v2 `Compose` per image (no shared head), which
separates the uint8-tensor gain from the "deterministic head runs once" gain.

Run: .venv/bin/python -m bench.augment [--quick]
"""
from __future__ import annotations

import torch
from PIL import Image
from torchvision import transforms as v1
from torchvision.transforms import v2

from bench.common import Figure, cli, median_time
from lib import augment as aug
from lib.samples import load_sample

GRID = 16
GEOMETRIC = [  # the classic ImageNet-style training crop
    ("Resize", {"size": 256}),
    ("RandomResizedCrop", {"size": 224, "scale": (0.5, 1.0)}),
    ("RandomHorizontalFlip", {}),
]
FULL = GEOMETRIC + [  # plus colour jitter (hue included) and a rotation
    ("ColorJitter", {"brightness": (0.6, 1.4), "contrast": (0.6, 1.4), "saturation": (0.6, 1.4), "hue": (-0.1, 0.1)}),
    ("RandomRotation", {"degrees": (-15.0, 15.0)}),
]


def photo(side: int) -> Image.Image:
    """A sample photo upscaled so its longer side is `side` px."""
    img = load_sample("Rocket")
    scale = side / max(img.size)
    return img.resize((round(img.width * scale), round(img.height * scale)), Image.Resampling.LANCZOS)


def v1_pipeline(full: bool) -> v1.Compose:
    """The same pipeline with the classic v1 PIL transforms."""
    geometric = [v1.Resize(256), v1.RandomResizedCrop(224, scale=(0.5, 1.0)), v1.RandomHorizontalFlip()]
    extra = [v1.ColorJitter(brightness=(0.6, 1.4), contrast=(0.6, 1.4), saturation=(0.6, 1.4), hue=(-0.1, 0.1)),
             v1.RandomRotation((-15, 15))]
    return v1.Compose(geometric + (extra if full else []))


def _steps(recipe: list) -> list[aug.Step]:
    return [aug.Step(n, {**aug.REGISTRY[n].defaults(), **p}) for n, p in recipe]


def _time_device(image: Image.Image, recipe: list, device: torch.device, repeats: int) -> float:
    built = aug.build_pipeline(_steps(recipe))
    x = aug.to_uint8_image(image, device)

    def page() -> None:
        aug.sample(x, built, GRID, seed=0)
        if device.type == "cuda":
            torch.cuda.synchronize(device)

    return median_time(page, repeats=repeats, warmup=1)


def _recipe(label: str, recipe: list, image: Image.Image, repeats: int) -> list[Figure]:
    t_page = _time_device(image, recipe, torch.device("cpu"), repeats)
    compose = v2.Compose([aug.build_transform(s, faster=False) for s in _steps(recipe)])
    x = aug.to_uint8_image(image, torch.device("cpu"))
    t_v2 = median_time(lambda: [compose(x) for _ in range(GRID)], repeats=repeats, warmup=1)
    reference = v1_pipeline(full=recipe is FULL)
    t_v1 = median_time(lambda: [reference(image) for _ in range(GRID)], repeats=repeats, warmup=1)
    speedup = t_v1 / t_page
    figures = [
        Figure(f"{label}: v1 PIL, one image at a time (reference), ms", f"{t_v1 * 1e3:.1f}"),
        Figure(f"{label}: plain v2 Compose per image on uint8 (the exported code), ms", f"{t_v2 * 1e3:.1f}"),
        Figure(f"{label}: page code (aug.sample, CPU), ms", f"{t_page * 1e3:.1f}"),
        Figure(f"{label}: speed-up page vs v1 PIL", f"{speedup:.2f}x", ">= 2x", speedup >= 2),
    ]
    if torch.cuda.is_available():
        t_gpu = _time_device(image, recipe, torch.device("cuda"), repeats)
        figures.append(Figure(f"{label}: page code on CUDA, ms", f"{t_gpu * 1e3:.1f}"))
        figures.append(Figure(f"{label}: speed-up page on CUDA vs v1 PIL", f"{t_v1 / t_gpu:.2f}x", ">= 2x",
                              t_v1 / t_gpu >= 2))
    return figures


def run(quick: bool) -> list[Figure]:
    """Time page code, plain v2 per image and v1 PIL per image on the same photo, for two recipes."""
    # PIL works on one core; one intra-op thread for torch keeps the comparison like for like (and on a
    # busy shared CPU, two threads per op make small tensor ops up to 20x slower).
    torch.set_num_threads(1)
    side, repeats = (256, 1) if quick else (1024, 7)
    image = photo(side)
    figures = [Figure(f"photo {image.width}x{image.height}, grid of {GRID}, torch threads", "1")]
    figures += _recipe("Resize+RandomResizedCrop+Flip", GEOMETRIC, image, repeats)
    figures += _recipe("+ColorJitter(hue)+RandomRotation", FULL, image, repeats)
    return figures


if __name__ == "__main__":
    cli("Augmentation grid: page (v2, uint8, shared head) vs classic v1 PIL", run)
