"""To tensor and normalise: uint8 -> float in [0, 1] -> (x - mean) / std, with the statistics before and after."""
from __future__ import annotations

import torch
from torchvision.transforms import v2

from lib.common.messages import N_, LearnerError

# preset id (the value in the page's link) -> (mean, std), None: the image's own statistics
NORMALISE_PRESETS: dict[str, tuple[tuple[float, ...], tuple[float, ...]] | None] = {
    "half": ((0.5, 0.5, 0.5), (0.5, 0.5, 0.5)),
    "imagenet": ((0.485, 0.456, 0.406), (0.229, 0.224, 0.225)),
    "own": None,
}
PRESET_LABELS = {  # what the page shows for each preset (translated there)
    "half": N_("0.5 / 0.5 (classic examples: maps [0, 1] to [-1, 1])"),
    "imagenet": N_("ImageNet statistics (pretrained models)"),
    "own": N_("This image's own statistics (gives mean 0, std 1)"),
}


def is_rgb(image: torch.Tensor) -> bool:
    """True for a (3, H, W) image: the normalise presets have one mean and std per RGB channel."""
    return image.shape[0] == 3


def to_float(image: torch.Tensor) -> torch.Tensor:
    """uint8 (3, H, W) -> float32 in [0, 1], as `ToImage()` + `ToDtype(float32, scale=True)` do."""
    return v2.ToDtype(torch.float32, scale=True)(v2.ToImage()(image)).as_subclass(torch.Tensor)


def channel_stats(x: torch.Tensor) -> tuple[list[float], list[float]]:
    """Per-channel mean and (population) std of a (C, H, W) tensor."""
    flat = x.detach().cpu().flatten(1).double()  # (C, H, W) -> (C, H*W); float64 on CPU for exact stats
    return flat.mean(1).tolist(), flat.std(1, correction=0).tolist()


def preset_stats(preset: str, x01: torch.Tensor) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """The (mean, std) of a `NORMALISE_PRESETS` entry; the image's own statistics for the last one."""
    stats = NORMALISE_PRESETS[preset]
    if stats is None:
        mean, std = channel_stats(x01)
        return tuple(mean), tuple(std)
    return stats


def normalise(x01: torch.Tensor, mean: tuple[float, ...], std: tuple[float, ...]) -> torch.Tensor:
    """x' = (x - mean) / std per channel, with `v2.Normalize`."""
    if min(std) <= 0:
        raise LearnerError("Every std must be positive: normalising divides by it.")
    return v2.Normalize(list(mean), list(std))(x01)


def channel_histograms(x: torch.Tensor, bins: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(bin centres (bins,), counts (C, bins)) over the common value range of all channels."""
    lo, hi = float(x.min()), float(x.max())
    hi = hi if hi > lo else lo + 1.0
    counts = torch.stack([torch.histc(c.float().cpu(), bins, lo, hi) for c in x])
    edges = torch.linspace(lo, hi, bins + 1)
    return (edges[:-1] + edges[1:]) / 2, counts
