"""Seeded draws of a pipeline: draw i is what `torch.manual_seed(seed + i)` and the plain `v2.Compose` give.

The deterministic head of a pipeline runs once for all draws and its deterministic tail once on the
stacked batch; `step_by_step` replays one draw keeping the output after every step.
"""
from __future__ import annotations

import threading
import warnings
from dataclasses import dataclass
from typing import Any

import torch
from torchvision.transforms import v2

from lib.augment.pipeline import Built
from lib.common.device import seed_device

# v2 transforms draw from the global torch generator, which all Streamlit sessions (threads)
# share. fork_rng restores it afterwards; the lock stops two sessions' draws interleaving.
_RNG_LOCK = threading.Lock()


def _fork_devices() -> list[int]:
    return list(range(torch.cuda.device_count())) if torch.cuda.is_initialized() else []


def _seed_draw(seed: int, device: torch.device) -> None:
    """What the exported code's `torch.manual_seed` does for these draws, at a fraction of its cost.

    Transforms draw their parameters from the CPU generator, and pixel noise from the image's device.
    """
    torch.default_generator.manual_seed(seed)
    if device.type != "cpu":
        seed_device(device, seed)


def _device_of(x: Any) -> torch.device:
    """The device of an image, or of a sample dict's first tensor."""
    tensors = [v for v in (x.values() if isinstance(x, dict) else [x]) if isinstance(v, torch.Tensor)]
    return tensors[0].device if tensors else torch.device("cpu")


def _apply(transform: v2.Transform, x: Any, index: int, errors: dict[int, str]) -> Any:
    """Run one step; on failure note torchvision's reason and pass the input through."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "passing through BoundingBoxes" is expected
            return transform(x)
    except Exception as e:  # noqa: BLE001 - any torchvision rejection is shown, not raised
        errors.setdefault(index, f"{type(e).__name__}: {e}")
        return x


def _split(transforms: list) -> tuple[list, list, list]:
    """(deterministic prefix, middle, deterministic suffix) of the pipeline."""
    random_at = [k for k, (_, _, rnd) in enumerate(transforms) if rnd]
    if not random_at:
        return transforms, [], []
    return transforms[:random_at[0]], transforms[random_at[0]:random_at[-1] + 1], transforms[random_at[-1] + 1:]


def _suffix(outs: list, suffix: list, errors: dict[int, str]) -> list:
    """Deterministic tail: one batched call when all draws have the same shape."""
    batchable = all(isinstance(o, torch.Tensor) and o.shape == outs[0].shape for o in outs)
    if not batchable:
        return [_run(o, suffix, errors) for o in outs]
    batch = torch.stack([o.as_subclass(torch.Tensor) for o in outs])  # N x (C, H, W) -> (N, C, H, W)
    batch = _run(batch, suffix, errors)
    return list(batch.unbind(0))


def _run(x: Any, transforms: list, errors: dict[int, str]) -> Any:
    for index, transform, _ in transforms:
        x = _apply(transform, x, index, errors)
    return x


@dataclass
class Draws:
    """N random draws of a pipeline and the reasons of steps that failed while running."""

    outputs: list[Any]
    errors: dict[int, str]


def sample(x: Any, built: Built, n: int, seed: int) -> Draws:
    """Draw `n` outputs; draw i uses `torch.manual_seed(seed + i)`, exactly like the exported code.

    The deterministic head of the pipeline runs once for all draws and the deterministic tail
    once on the stacked batch, so the per-draw work is only the random middle.
    """
    errors: dict[int, str] = {}
    head, middle, tail = _split(built.transforms)
    with _RNG_LOCK, torch.random.fork_rng(devices=_fork_devices()):
        x = _run(x, head, errors)
        device, outs = _device_of(x), []
        for i in range(n):
            _seed_draw(seed + i, device)
            outs.append(_run(x, middle, errors))
    if tail:
        outs = _suffix(outs, tail, errors)
    return Draws(outs, errors)


def step_by_step(x: Any, built: Built, seed: int, index: int = 0) -> list[tuple[int, Any]]:
    """Draw `index` of `sample` again, keeping the output after every step: [(step index, output)]."""
    errors: dict[int, str] = {}
    frames = []
    with _RNG_LOCK, torch.random.fork_rng(devices=_fork_devices()):
        _seed_draw(seed + index, _device_of(x))  # the head is deterministic, so seeding first is the same
        for i, transform, _ in built.transforms:
            x = _apply(transform, x, i, errors)
            frames.append((i, x))
    return frames
