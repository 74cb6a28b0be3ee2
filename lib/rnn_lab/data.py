"""The surname data: 18 files `<Language>.txt` in assets/names (about 20,000 surnames), read as ASCII, split
with a seed, and cut into batches of names of similar length (less padding to compute for nothing)."""
from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import torch

from lib.common.messages import N_, LearnerError
from lib.rnn_lab.letters import unicode_to_ascii

# the languages of the embedded files, marked for translation: pages show `_(language)`
# (the file is called Portugese.txt in the classic data set, so that is the name the data uses)
LANGUAGE_NAMES = (N_("Arabic"), N_("Chinese"), N_("Czech"), N_("Dutch"), N_("English"), N_("French"), N_("German"),
                  N_("Greek"), N_("Irish"), N_("Italian"), N_("Japanese"), N_("Korean"), N_("Polish"),
                  N_("Portugese"), N_("Russian"), N_("Scottish"), N_("Spanish"), N_("Vietnamese"))


@dataclass(frozen=True)
class NameData:
    names: list[str]
    labels: list[int]
    languages: list[str]

    def counts(self) -> dict[str, int]:
        c = {lang: 0 for lang in self.languages}
        for y in self.labels:
            c[self.languages[y]] += 1
        return c

    def majority_share(self) -> float:
        """Accuracy of always answering the biggest language: the score a classifier must beat."""
        return max(self.counts().values()) / len(self.names)


def load_names(folder: Path) -> NameData:
    """All `<Language>.txt` files: ASCII-normalised, deduplicated within a language."""
    files = sorted(folder.glob("*.txt"))
    if not files:
        raise LearnerError("No name files found in {folder}.", folder=str(folder))
    names, labels, languages = [], [], []
    for label, path in enumerate(files):
        languages.append(path.stem)
        seen = set()
        for line in path.read_text(encoding="utf-8").splitlines():
            name = unicode_to_ascii(line.strip())
            if name and name not in seen:
                seen.add(name)
                names.append(name)
                labels.append(label)
    return NameData(names, labels, languages)


def split(data: NameData, val_fraction: float, seed: int) -> tuple[list[int], list[int]]:
    """Seeded shuffle of indices into (train, validation)."""
    order = list(range(len(data.names)))
    random.Random(seed).shuffle(order)
    n_val = int(len(order) * val_fraction)
    return order[n_val:], order[:n_val]


def class_weights(labels: list[int], n_classes: int) -> torch.Tensor:
    """Inverse-frequency weights, normalised to mean 1."""
    counts = torch.bincount(torch.tensor(labels), minlength=n_classes).float().clamp(min=1)
    w = counts.sum() / counts
    return w / w.mean()


def length_batches(order: list[int], lengths: list[int], batch_size: int, gen: torch.Generator) -> list[list[int]]:
    """Cut `order` into batches of similar-length names (less padding), in shuffled batch order.

    Sorting within windows of 20 batches keeps the epoch random while names in one batch
    differ by a letter or two, so few padded steps are computed for nothing.
    """
    window = batch_size * 20
    batches = []
    for start in range(0, len(order), window):
        chunk = sorted(order[start:start + window], key=lambda p: lengths[p])
        batches += [chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size)]
    return [batches[i] for i in torch.randperm(len(batches), generator=gen).tolist()]


def epoch_order(labels: list[int], n_classes: int, balancing: str, gen: torch.Generator) -> list[int]:
    """Positions for one epoch: a shuffle, or a class-balanced draw with replacement ("sampling")."""
    n = len(labels)
    if balancing == "sampling":
        per_item = class_weights(labels, n_classes)[torch.tensor(labels)]
        return torch.multinomial(per_item, n, replacement=True, generator=gen).tolist()
    return torch.randperm(n, generator=gen).tolist()


def padding_share(lengths: list[int], batches: list[list[int]]) -> float:
    """Fraction of the RNN steps in these batches that read a pad instead of a letter."""
    steps = sum(len(b) * max(lengths[p] for p in b) for b in batches)
    return 1 - sum(lengths[p] for b in batches for p in b) / steps


def padding_shares(data: NameData, batch_size: int, val_fraction: float, seed: int) -> tuple[float, float]:
    """Padding share of one training epoch: random batches vs `length_batches`."""
    train_idx, _ = split(data, val_fraction, seed)
    lengths = [len(data.names[i]) for i in train_idx]
    order = torch.randperm(len(train_idx), generator=torch.Generator().manual_seed(seed)).tolist()
    random_batches = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
    bucketed = length_batches(order, lengths, batch_size, torch.Generator().manual_seed(seed))
    return padding_share(lengths, random_batches), padding_share(lengths, bucketed)
