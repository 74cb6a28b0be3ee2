"""The phrase shortcut: a learned number per phrase of 1..n words, summed and added to the LSTM's output.

The LSTM reads a text in order and has to learn that "not funny" is bad; a bag of phrases (n-grams) scores
such short phrases directly, as fastText and NBSVM do. Together ("wide and deep") they do better than either:
on the movie reviews phrases of up to 3 words raised the kept weights' validation accuracy from 80.7% to 81.7%
(30 CPU-s, mean of seeds 0-2; see config.py). Phrases are hashed into a fixed table of `BUCKETS` rows (no
phrase vocabulary to build or store): a word's own row is its vocabulary index, a longer phrase's row is a
hash of its word indices. Row 0 is padding and always scores 0.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Sequence

import torch
from torch import nn

# rows of the table. The movie reviews' training texts hold 18k words, 108k word pairs and 172k triples: more
# phrases than rows, so some share a row (a hash collision); most occur once and their rows barely move.
BUCKETS = 1 << 18
_MOD = BUCKETS - 1  # phrase rows are 1 + hash % _MOD, so row 0 stays padding
_MIX = 1_000_003    # a prime multiplier: (h * _MIX + next word) mixes the word indices in order


def row_of(words: Sequence) -> int | torch.Tensor:
    """The table row of a phrase from its word indices, one per position: Python ints for one phrase, or
    equal-shaped tensors for many at once (`phrase_rows`: the same arithmetic, so the two always agree)."""
    if len(words) == 1:
        return words[0] % BUCKETS
    h = words[0] % _MOD
    for index in words[1:]:  # stays below 2^38 before each modulo: no int64 overflow
        h = (h * _MIX + index) % _MOD
    return 1 + h


def phrase_rows(ids: torch.Tensor, lengths: torch.Tensor, longest: int) -> torch.Tensor:
    """Table rows of every phrase of 1..`longest` words in each text: (B, T) ids -> (B, P) rows, 0 where a
    phrase would run into padding. Single words keep their own index (vocabularies stay below BUCKETS)."""
    steps = ids.shape[1]
    real = torch.arange(steps, device=ids.device)[None, :] < lengths.to(ids.device)[:, None]  # (B, T)
    parts = []
    for n in range(1, min(longest, steps) + 1):
        rows = row_of([ids[:, k:steps - n + 1 + k] for k in range(n)])  # (B, T-n+1): phrases starting at each step
        parts.append(rows.masked_fill(~real[:, n - 1:], 0))  # its last word must still be inside the text
    return torch.cat(parts, dim=1)


def _spans(ids: Sequence[int], longest: int) -> Iterator[tuple[int, ...]]:
    """Every phrase of 1..`longest` words of a text, single words first, each in reading order."""
    for n in range(1, longest + 1):
        for start in range(len(ids) - n + 1):
            yield tuple(ids[start:start + n])


class PhraseShortcut(nn.Module):
    """(B, T) ids -> (B, K) scores: the sum of each class's number over the text's phrases. It starts at zero,
    so an untrained shortcut changes nothing and training grows it only where phrases help."""

    def __init__(self, num_outputs: int, longest: int) -> None:
        super().__init__()
        self.longest = longest
        self.table = nn.EmbeddingBag(BUCKETS, num_outputs, mode="sum", padding_idx=0)
        nn.init.zeros_(self.table.weight)

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        return self.table(phrase_rows(ids, lengths, self.longest))


@dataclass(frozen=True)
class Phrase:
    """One phrase of a text with its learned score (per class; one number for two classes)."""

    words: tuple[str, ...]
    score: tuple[float, ...]

    @property
    def text(self) -> str:
        return " ".join(self.words)


def phrases_in(shortcut: PhraseShortcut, ids: Sequence[int], itos: Sequence[str]) -> list[Phrase]:
    """Every distinct phrase of a text with its score, in reading order (its sum is the shortcut's output)."""
    weight = shortcut.table.weight.detach().cpu()
    distinct = dict.fromkeys(_spans(ids, shortcut.longest))  # a repeated phrase once, in reading order
    return [Phrase(tuple(itos[i] for i in p), tuple(weight[row_of(p)].tolist())) for p in distinct]


def common_phrases(texts: Sequence[Sequence[int]], longest: int, min_texts: int = 3) -> list[tuple[int, ...]]:
    """Phrases of 1..`longest` words found in at least `min_texts` of `texts` (word index sequences), most
    frequent first: rarer ones are mostly one review's quirks or hash neighbours of frequent phrases."""
    found: dict[tuple[int, ...], int] = {}
    for ids in texts:
        for phrase in set(_spans(ids, longest)):  # a phrase counts once per text
            found[phrase] = found.get(phrase, 0) + 1
    return sorted((p for p, c in found.items() if c >= min_texts), key=lambda p: (-found[p], p))


def strongest(shortcut: PhraseShortcut, common: Sequence[tuple[int, ...]], itos: Sequence[str], column: int,
              count: int, highest: bool = True) -> list[Phrase]:
    """The `count` phrases of `common` (those the shortcut reads) with the highest (or lowest) score in `column`."""
    common = [p for p in common if len(p) <= shortcut.longest]
    if not common:
        return []
    weight = shortcut.table.weight.detach().cpu()
    scores = weight[torch.tensor([row_of(p) for p in common])]  # (N, K)
    top = torch.argsort(scores[:, column], descending=highest, stable=True)[:count].tolist()
    return [Phrase(tuple(itos[i] for i in common[j]), tuple(scores[j].tolist())) for j in top]
