"""Run the frozen prefix once per image and keep what it gives: the classic transfer-learning speed-up.

A `FeatureBank` belongs to one session, one backbone (on one device) and one image pool; it maps image ids
(lib.transfer.data) to rows of pooled feature vectors and, while they fit in `MAPS_BUDGET`, of the prefix's
output maps (float16), which the fine-tuning stage feeds to the unfrozen block. A new draw, another seed or
the efficiency sweep only computes the images the bank has not seen.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

import torch

from lib.transfer.backbone import Backbone, pool
from lib.transfer.data import FewShot

MAPS_BUDGET = 384 * 2**20   # bytes of cached prefix maps per bank; beyond it stage 2 reruns the prefix per batch
BATCH = 64                  # images per forward pass of the prefix (inference: no autograd memory)
MAX_BANKS = 2               # banks a session keeps (the current backbone and data, and one more)


@dataclass
class FeatureBank:
    """Pooled features (and prefix maps) of every image of one pool seen so far, by image id."""

    key: tuple                                    # (backbone key, weights source, device, pool)
    rows: dict[int, int] = field(default_factory=dict)
    chunks: list[tuple[torch.Tensor, torch.Tensor | None]] = field(default_factory=list)
    keep_maps: bool = True
    map_bytes: int = 0

    def missing(self, ids: torch.Tensor) -> torch.Tensor:
        """The ids (in order, without repeats) that have no row yet."""
        seen, out = set(self.rows), []
        for i in ids.tolist():
            if i not in seen:
                seen.add(i)
                out.append(i)
        return torch.tensor(out, dtype=torch.int64)

    def add(self, ids: torch.Tensor, pooled: torch.Tensor, maps: torch.Tensor) -> None:
        start = len(self.rows)
        for k, i in enumerate(ids.tolist()):
            self.rows[i] = start + k
        half = maps.half()
        self.map_bytes += half.numel() * half.element_size()
        if self.map_bytes > MAPS_BUDGET:  # too many to keep: stage 2 will run the prefix again instead
            self.keep_maps = False
        self.chunks.append((pooled, half if self.keep_maps else None))
        if not self.keep_maps:
            self.chunks = [(p, None) for p, _ in self.chunks]

    def consolidate(self) -> None:
        if len(self.chunks) > 1:
            pooled = torch.cat([p for p, _ in self.chunks])
            maps = torch.cat([m for _, m in self.chunks]) if self.keep_maps else None
            self.chunks = [(pooled, maps)]

    def take(self, ids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """(pooled (N, D), maps (N, C, h, w) float16 or None) of these ids, all of which must be in the bank."""
        self.consolidate()
        pooled, maps = self.chunks[0]
        idx = torch.tensor([self.rows[i] for i in ids.tolist()], dtype=torch.int64, device=pooled.device)
        return pooled[idx], (maps[idx] if maps is not None else None)


@dataclass(frozen=True)
class SplitFeatures:
    """One split's features, its labels and its pixels (to rerun the prefix when maps were not kept)."""

    pooled: torch.Tensor            # (N, D) float32
    maps: torch.Tensor | None       # (N, C, h, w) float16
    images: torch.Tensor            # (N, C, H, W) uint8
    labels: torch.Tensor            # (N,) int64, on the features' device

    def __len__(self) -> int:
        return len(self.labels)


@dataclass(frozen=True)
class DrawFeatures:
    train: SplitFeatures
    val: SplitFeatures
    test: SplitFeatures


@dataclass
class FeatureStore:
    """A session's banks, newest last; the oldest is dropped beyond MAX_BANKS."""

    banks: list[FeatureBank] = field(default_factory=list)

    def bank(self, backbone: Backbone, pool_key: str) -> FeatureBank:
        device = str(next(backbone.prefix.parameters()).device)
        key = (backbone.key, backbone.source, device, pool_key)
        for b in self.banks:
            if b.key == key:
                return b
        self.banks = [*self.banks[-(MAX_BANKS - 1):], FeatureBank(key)]
        return self.banks[-1]


@dataclass(frozen=True)
class Extracted:
    """Progress of an extraction: images done out of the images it had to compute."""

    done: int
    total: int


def draw_ids(fs: FewShot) -> tuple[torch.Tensor, torch.Tensor]:
    """Every image id of a draw and its pixels, train, validation and test together."""
    ids = torch.cat([fs.train_ids, fs.val_ids, fs.test_ids])
    images = torch.cat([fs.train_x, fs.val_x, fs.test_x])
    return ids, images


def to_extract(fs: FewShot, bank: FeatureBank) -> int:
    """How many images of this draw the bank still has to compute."""
    return len(bank.missing(draw_ids(fs)[0]))


def extract(backbone: Backbone, bank: FeatureBank, ids: torch.Tensor, images: torch.Tensor,
            batch: int = BATCH) -> Iterator[Extracted]:
    """Run the prefix and the frozen block over the images the bank lacks, in batches, yielding progress."""
    todo = bank.missing(ids)
    position = {i: k for k, i in enumerate(ids.tolist())}
    for start in range(0, len(todo), batch):
        chunk = todo[start:start + batch]
        x = images[torch.tensor([position[i] for i in chunk.tolist()])]
        with torch.no_grad():
            maps = backbone.maps(x)
            pooled = pool(backbone.block(maps), maps)
        bank.add(chunk, pooled, maps)
        yield Extracted(min(start + batch, len(todo)), len(todo))


def extract_draw(backbone: Backbone, bank: FeatureBank, fs: FewShot, batch: int = BATCH) -> Iterator[Extracted]:
    """`extract` for every image of a draw."""
    ids, images = draw_ids(fs)
    yield from extract(backbone, bank, ids, images, batch)


def draw_features(fs: FewShot, bank: FeatureBank) -> DrawFeatures:
    """The draw's features from the bank (every image must have been extracted)."""
    parts = []
    for split in ("train", "val", "test"):
        x, y, ids = fs.split(split)
        if len(ids):
            pooled, maps = bank.take(ids)
        else:
            bank.consolidate()
            pooled, maps = bank.chunks[0][0][:0], None
        parts.append(SplitFeatures(pooled, maps, x, y.to(pooled.device)))
    return DrawFeatures(*parts)


def block_input(backbone: Backbone, split: SplitFeatures, idx: torch.Tensor) -> torch.Tensor:
    """What the unfrozen block sees for these images: the cached maps, or (when they were too big to keep) the
    frozen prefix run again, as the tutorial's loop does every epoch."""
    if split.maps is not None:
        return split.maps[idx.to(split.maps.device)].float()
    return backbone.maps(split.images[idx.cpu()])
