"""A 16-image augmentation grid from a 1024 px photo: the page's pipeline code against classic v1 PIL.

Reference (same run): the same pipeline with `torchvision.transforms` (v1) on a PIL image, one image at
a time, as the classic tutorials do. Also shown: the plain v2 `Compose` per image - what the exported
code runs - which separates the page's own gains (deterministic head run once, bit-exact faster
ColorJitter/RandomRotation kernels) from the uint8-tensor gain. The three take turns, run by run, and
the speed-up is the median of the per-run ratios, so a slow spell on a shared CPU hits all of them.

Recipes: the page's default pipeline, a classic ImageNet crop behind a Resize, and that crop with colour
jitter (hue included) and a rotation. Last, the rotation kernel alone (`kernels.rotate_nearest`, whose
sampling grid emulates the BLAS's fused multiply-add exactly) against torchvision's `F.rotate` on the
same 224 px images and angles, checked equal pixel for pixel in the same run.

Run: .venv/bin/python -m bench.augment [--quick]
"""
from __future__ import annotations

import statistics

import torch
from PIL import Image
from torchvision import transforms as v1
from torchvision.transforms import v2
from torchvision.transforms.v2 import functional as F

from bench.common import Figure, cli, interleaved_times, median_ratio
from lib.augment import images, kernels, pipeline, registry, sampling
from lib.common.samples import load_sample

GRID = 16
JITTER = {"brightness": (0.6, 1.4), "contrast": (0.6, 1.4), "saturation": (0.6, 1.4), "hue": (-0.1, 0.1)}
RECIPES = {  # label: [(transform name, parameters)]
    "page default (RandomResizedCrop+Flip+ColorJitter)": [(s.name, s.params) for s in pipeline.default_pipeline()],
    "Resize+RandomResizedCrop+Flip": [
        ("Resize", {"size": 256}), ("RandomResizedCrop", {"size": 224, "scale": (0.5, 1.0)}),
        ("RandomHorizontalFlip", {})],
}
RECIPES["Resize+RandomResizedCrop+Flip+ColorJitter(hue)+RandomRotation"] = RECIPES["Resize+RandomResizedCrop+Flip"] + [
    ("ColorJitter", JITTER), ("RandomRotation", {"degrees": (-15.0, 15.0)})]


def photo(side: int) -> Image.Image:
    """A sample photo upscaled so its longer side is `side` px."""
    img = load_sample("Rocket")
    scale = side / max(img.size)
    return img.resize((round(img.width * scale), round(img.height * scale)), Image.Resampling.LANCZOS)


# The classic v1 PIL transform of each step, from the same parameters the page uses.
V1 = {
    "Resize": lambda p: v1.Resize(p["size"]),
    "RandomResizedCrop": lambda p: v1.RandomResizedCrop(p["size"], scale=p["scale"], ratio=p["ratio"]),
    "RandomHorizontalFlip": lambda p: v1.RandomHorizontalFlip(p["p"]),
    "ColorJitter": lambda p: v1.ColorJitter(p["brightness"], p["contrast"], p["saturation"], p["hue"]),
    "RandomRotation": lambda p: v1.RandomRotation(p["degrees"]),
}


def v1_pipeline(recipe: list) -> v1.Compose:
    """The recipe with the classic v1 PIL transforms."""
    return v1.Compose([V1[step.name](step.params) for step in _steps(recipe)])


def _steps(recipe: list) -> list[pipeline.Step]:
    return [pipeline.Step(n, {**registry.REGISTRY[n].defaults(), **p}) for n, p in recipe]


def _page(image: Image.Image, recipe: list, device: torch.device):
    """The page's code path: uint8 image on `device`, `sampling.sample` of the built pipeline."""
    built = pipeline.build_pipeline(_steps(recipe))
    x = images.to_uint8_image(image, device)

    def page() -> None:
        sampling.sample(x, built, GRID, seed=0)
        if device.type == "cuda":
            torch.cuda.synchronize(device)

    return page


def _seeded_grid(draw) -> list:
    """GRID draws, draw i after `torch.manual_seed(i)` as in the exported code (v1 draws from torch too)."""
    out = []
    for i in range(GRID):
        torch.manual_seed(i)
        out.append(draw(i))
    return out


def _recipe(label: str, recipe: list, image: Image.Image, repeats: int) -> list[Figure]:
    compose = v2.Compose([pipeline.build_transform(s, faster=False) for s in _steps(recipe)])
    x = images.to_uint8_image(image, torch.device("cpu"))
    reference = v1_pipeline(recipe)
    fns = {"v1": lambda: _seeded_grid(lambda i: reference(image)),  # the same crops and colours every run
           "v2": lambda: _seeded_grid(lambda i: compose(x)),  # the exported code's loop
           "page": _page(image, recipe, torch.device("cpu"))}
    if torch.cuda.is_available():
        fns["cuda"] = _page(image, recipe, torch.device("cuda"))
    t = interleaved_times(fns, repeats=repeats)
    ms = {name: statistics.median(times) * 1e3 for name, times in t.items()}
    speedup = median_ratio(t["v1"], t["page"])
    figures = [
        Figure(f"{label}: v1 PIL, one image at a time (reference), ms", f"{ms['v1']:.1f}"),
        Figure(f"{label}: plain v2 Compose per image on uint8 (the exported code), ms", f"{ms['v2']:.1f}"),
        Figure(f"{label}: page code (aug.sample, CPU), ms", f"{ms['page']:.1f}"),
        Figure(f"{label}: speed-up page vs v1 PIL (median of paired runs)", f"{speedup:.2f}x", ">= 2x", speedup >= 2),
    ]
    if "cuda" in t:
        cuda_speedup = median_ratio(t["v1"], t["cuda"])
        figures.append(Figure(f"{label}: page code on CUDA, ms", f"{statistics.median(t['cuda']) * 1e3:.1f}"))
        figures.append(Figure(f"{label}: speed-up page on CUDA vs v1 PIL", f"{cuda_speedup:.2f}x", ">= 2x",
                              cuda_speedup >= 2))
    return figures


def _rotation_kernel(repeats: int) -> list[Figure]:
    """`rotate_nearest` vs `F.rotate` on 16 random 224x224 images and angles: equal pixels, time ratio."""
    g = torch.Generator().manual_seed(0)
    batch = torch.randint(0, 256, (16, 3, 224, 224), dtype=torch.uint8, generator=g)
    angles = torch.empty(16).uniform_(-30, 30, generator=g).tolist()
    equal = all(torch.equal(kernels.rotate_nearest(x, a), F.rotate(x, a)) for x, a in zip(batch, angles))
    t = interleaved_times({"torchvision": lambda: [F.rotate(x, a) for x, a in zip(batch, angles)],
                           "page": lambda: [kernels.rotate_nearest(x, a) for x, a in zip(batch, angles)]},
                          repeats=repeats)
    speedup, ms = median_ratio(t["torchvision"], t["page"]), {k: statistics.median(v) * 1e3 for k, v in t.items()}
    return [
        Figure("RandomRotation kernel, 16 x 224 px: F.rotate (reference), ms", f"{ms['torchvision']:.1f}"),
        Figure("RandomRotation kernel, 16 x 224 px: page's rotate_nearest, ms", f"{ms['page']:.1f}"),
        Figure("RandomRotation kernel: same pixels as F.rotate", "yes" if equal else "no", "yes", equal),
        Figure("RandomRotation kernel: speed-up vs F.rotate (median of paired runs)", f"{speedup:.2f}x", "> 1x",
               speedup > 1),
    ]


def run(quick: bool) -> list[Figure]:
    """Time page code, plain v2 per image and v1 PIL per image on the same photo, for each recipe."""
    # PIL works on one core; one intra-op thread for torch keeps the comparison like for like (and on a
    # busy shared CPU, two threads per op make small tensor ops up to 20x slower).
    torch.set_num_threads(1)
    side, repeats = (256, 1) if quick else (1024, 15)
    image = photo(side)
    figures = [Figure(f"photo {image.width}x{image.height}, grid of {GRID}, torch threads", "1")]
    for label, recipe in RECIPES.items():
        figures += _recipe(label, recipe, image, repeats)
    return figures + _rotation_kernel(3 if quick else 30)


if __name__ == "__main__":
    cli("Augmentation grid: page (v2, uint8, shared head, exact faster kernels) vs classic v1 PIL", run)
