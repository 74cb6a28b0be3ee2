"""A small text pipeline (what torchtext used to do): tokenise, vocabulary, numericalise, pad, batch."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import torch

from lib.common.messages import LearnerError
from lib.lstm.chinese import ZH_TOKENIZERS, tokenize_zh

PAD, UNK, SOS, EOS = "<pad>", "<unk>", "<sos>", "<eos>"
UNK_INDEX = 1  # every vocabulary starts with <pad>, <unk> (Vocab.from_tokens checks it)
TOKENIZERS = ("regex", "whitespace", "chars", "jieba")  # the last two are for Chinese (lib/lstm/chinese.py)

# Words, a leading apostrophe clitic ("'s", "'t", matching GloVe's "'s"), or one punctuation mark.
_TOKEN_RE = re.compile(r"\w+|'\w+|[^\w\s]")


# ---------------------------------------------------------------- tokenising
def tokenize(text: str, kind: str = "regex", lower: bool = True) -> list[str]:
    """Split text into tokens: `str.split()` (classic recipe), a regex that splits punctuation off, or for
    Chinese single characters or jieba's words (always lower-cased Latin)."""
    if kind not in TOKENIZERS:
        raise LearnerError("Unknown tokenizer {kind}: pick one of {choices}.", kind=repr(kind),
                           choices=", ".join(TOKENIZERS))
    if kind in ZH_TOKENIZERS:
        return tokenize_zh(text, kind)  # Chinese has no spaces: characters, or words found by jieba
    text = text.lower() if lower else text
    return text.split() if kind == "whitespace" else _TOKEN_RE.findall(text)


# ---------------------------------------------------------------- vocabulary
@dataclass(frozen=True)
class Vocab:
    """Index <-> token tables; specials come first so `<pad>` is 0 and `<unk>` is 1."""

    itos: tuple[str, ...]
    stoi: dict[str, int] = field(compare=False, repr=False)

    @classmethod
    def from_tokens(cls, itos: Sequence[str]) -> "Vocab":
        """Rebuild from the saved index->token list."""
        itos = tuple(itos)
        if len(set(itos)) != len(itos) or itos[:2] != (PAD, UNK):
            raise LearnerError("A vocabulary must start with <pad>, <unk> and hold no token twice.")
        return cls(itos, {t: i for i, t in enumerate(itos)})

    def __len__(self) -> int:
        return len(self.itos)

    @property
    def pad_index(self) -> int:
        return 0

    @property
    def unk_index(self) -> int:
        return UNK_INDEX

    @property
    def has_sos_eos(self) -> bool:
        return SOS in self.stoi

    def lookup(self, tokens: Iterable[str]) -> list[int]:
        """Token -> index, unknown tokens -> `<unk>`."""
        return [self.stoi.get(t, UNK_INDEX) for t in tokens]


def special_tokens(sos_eos: bool) -> list[str]:
    """What every vocabulary starts with: <pad> (0), <unk> (1), then <sos> and <eos> when asked for."""
    return [PAD, UNK] + ([SOS, EOS] if sos_eos else [])


def build_vocab(token_lists: Iterable[list[str]], min_freq: int = 1, max_size: int | None = None,
                sos_eos: bool = False) -> Vocab:
    """Most frequent tokens first (ties alphabetical, so the order is reproducible)."""
    if min_freq < 1:
        raise LearnerError("min_freq must be at least 1.")
    counts = Counter(t for tokens in token_lists for t in tokens)
    specials = special_tokens(sos_eos)
    words = sorted((w for w, c in counts.items() if c >= min_freq and w not in specials),
                   key=lambda w: (-counts[w], w))
    if max_size is not None:
        words = words[:max(0, max_size - len(specials))]  # max_size counts the specials too
    return Vocab.from_tokens(specials + words)


def numericalise(tokens: list[str], vocab: Vocab, max_len: int | None = None) -> list[int]:
    """Tokens -> indices, wrapped in `<sos>`/`<eos>` when the vocabulary has them, cut to `max_len`."""
    ids = vocab.lookup(tokens[:max_len] if max_len else tokens)
    if vocab.has_sos_eos:
        ids = [vocab.stoi[SOS]] + ids + [vocab.stoi[EOS]]
    return ids


def vocab_stats(vocab: Vocab, train_tokens: list[list[str]], valid_tokens: list[list[str]]) -> dict[str, float]:
    """Size, share of training tokens covered, out-of-vocabulary rate on validation."""
    def covered(lists: list[list[str]]) -> tuple[int, int]:
        total = sum(len(t) for t in lists)
        known = sum(1 for tokens in lists for t in tokens if t in vocab.stoi)
        return known, max(1, total)

    known_train, total_train = covered(train_tokens)
    known_valid, total_valid = covered(valid_tokens)
    distinct = len({t for tokens in train_tokens for t in tokens})
    return {"size": len(vocab), "distinct_train_tokens": distinct,
            "train_coverage": known_train / total_train, "valid_oov_rate": 1 - known_valid / total_valid}


# ---------------------------------------------------------------- padding and batching
def pad_batch(seqs: Sequence[Sequence[int]], pad_index: int = 0, fix_length: int | None = None,
              batch_first: bool = True) -> tuple[torch.Tensor, torch.Tensor]:
    """Pad to the longest sequence (dynamic) or to `fix_length` (cut longer ones); returns (ids, lengths)."""
    if not seqs:
        raise LearnerError("Cannot pad an empty batch.")
    seqs = [list(s)[:fix_length] if fix_length else list(s) for s in seqs]
    width = fix_length or max(1, max(len(s) for s in seqs))
    ids = torch.full((len(seqs), width), pad_index, dtype=torch.long)  # (B, T)
    for row, s in enumerate(seqs):
        ids[row, :len(s)] = torch.tensor(s, dtype=torch.long)
    lengths = torch.tensor([max(1, len(s)) for s in seqs], dtype=torch.long)
    return (ids if batch_first else ids.T.contiguous()), lengths  # (B, T) or (T, B)


def shuffled_batches(n: int, batch_size: int, seed: int) -> list[list[int]]:
    """Naive batching: one random permutation cut into batches."""
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed)).tolist()
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


def bucket_batches(lengths: Sequence[int], batch_size: int, seed: int, bucket_batches_: int = 50) -> list[list[int]]:
    """Length bucketing: shuffle, cut into buckets of many batches, sort each by length, shuffle the batches.

    Batches then hold similar lengths (little padding) yet still differ from epoch to epoch.
    """
    gen = torch.Generator().manual_seed(seed)
    order = torch.randperm(len(lengths), generator=gen).tolist()
    bucket = batch_size * bucket_batches_
    batches: list[list[int]] = []
    for start in range(0, len(order), bucket):
        chunk = sorted(order[start:start + bucket], key=lambda i: lengths[i])
        batches += [chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size)]
    perm = torch.randperm(len(batches), generator=gen).tolist()
    return [batches[i] for i in perm]


def padding_waste(lengths: Sequence[int], batches: list[list[int]], fix_length: int | None = None) -> dict[str, float]:
    """Real tokens vs padded cells the LSTM would step through for these batches."""
    real = sum(min(lengths[i], fix_length or lengths[i]) for b in batches for i in b)
    cells = sum(len(b) * (fix_length or max(lengths[i] for i in b)) for b in batches)
    return {"real_tokens": real, "padded_cells": cells, "waste": 1 - real / max(1, cells),
            "timesteps": sum(fix_length or max(lengths[i] for i in b) for b in batches)}
