"""A corpus made ready for training, once per pipeline setting: tokens, vocabulary, padded id tensors, batches."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import torch

from lib.lstm import text as tx
from lib.lstm.chinese import TokenStats, token_stats
from lib.lstm.config import LstmConfig
from lib.lstm.corpus import TextDataset, split_indices

SPLITS = ("train", "valid", "test")


@dataclass(frozen=True)
class Encoded:
    """One split as tensors: padded ids (N, T_max), lengths (N,), labels (N,)."""

    ids: torch.Tensor
    lengths: torch.Tensor
    labels: torch.Tensor
    fixed: bool = False  # padded to fix_length: batches keep the full width (the tutorial recipe)

    def __len__(self) -> int:
        return len(self.labels)


@dataclass(frozen=True)
class Prepared:
    """Everything training needs, computed once per (data, pipeline settings)."""

    vocab: tx.Vocab
    classes: tuple[str, ...]
    train: Encoded
    valid: Encoded
    test: Encoded
    train_tokens: list[list[str]]
    valid_tokens: list[list[str]]


def encode(token_lists: Sequence[list[str]], labels: Sequence[int], vocab: tx.Vocab, cfg: LstmConfig) -> Encoded:
    """Numericalise every text once, so batches are just row slices of one tensor."""
    seqs = [tx.numericalise(t, vocab, cfg.max_len) for t in token_lists]
    ids, lengths = tx.pad_batch(seqs, vocab.pad_index, cfg.fix_length or None)
    return Encoded(ids, lengths, torch.tensor(labels, dtype=torch.long), fixed=bool(cfg.fix_length))


def prepare(dataset: TextDataset, cfg: LstmConfig, split_seed: int = 0, max_rows: int | None = None,
            vocab: tx.Vocab | None = None) -> Prepared:
    """Tokenise, split (fixed seed), build the vocabulary on the training part only (unless given), encode."""
    n = min(len(dataset), max_rows or len(dataset))
    split = split_indices(n, split_seed)
    tokens = [tx.tokenize(t, cfg.tokenizer, cfg.lower) for t in dataset.texts[:n]]
    part = {name: [tokens[i] for i in getattr(split, name)] for name in SPLITS}
    labels = {name: [dataset.labels[i] for i in getattr(split, name)] for name in SPLITS}
    vocab = vocab if vocab is not None else tx.build_vocab(part["train"], cfg.min_freq, cfg.max_size, cfg.sos_eos)
    enc = {name: encode(part[name], labels[name], vocab, cfg) for name in part}
    return Prepared(vocab, dataset.classes, enc["train"], enc["valid"], enc["test"], part["train"], part["valid"])


def batch_order(lengths: torch.Tensor, cfg: LstmConfig, seed: int) -> list[list[int]]:
    """Bucketed or plainly shuffled batches of row indices for one epoch."""
    if cfg.bucketing:
        return tx.bucket_batches(lengths.tolist(), cfg.batch_size, seed)
    return tx.shuffled_batches(len(lengths), cfg.batch_size, seed)


def take(data: Encoded, rows: list[int], device: torch.device) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """A batch: ids cut to its longest text (dynamic padding), lengths, labels."""
    index = torch.tensor(rows)
    lengths = data.lengths[index]
    ids = data.ids[index] if data.fixed else data.ids[index, :int(lengths.max())]  # (B, T_max) -> (B, T_batch)
    return ids.to(device), lengths, data.labels[index].to(device)


def padded_example(data: Prepared, cfg: LstmConfig, batch_first: bool, rows: int = 4
                   ) -> tuple[torch.Tensor, torch.Tensor]:
    """The first training texts as one padded tensor, (B, T) or (T, B), with their lengths."""
    seqs = [tx.numericalise(t, data.vocab, cfg.max_len) for t in data.train_tokens[:rows]]
    return tx.pad_batch(seqs, data.vocab.pad_index, cfg.fix_length or None, batch_first)


def padding_plans(lengths: Sequence[int], batch_size: int, seed: int) -> dict[str, dict[str, float]]:
    """Padding waste of three batching plans over one epoch (keys are plan ids; see PLAN_LABELS in the page)."""
    return {
        "pad70": tx.padding_waste(lengths, tx.shuffled_batches(len(lengths), batch_size, seed), 70),
        "dynamic": tx.padding_waste(lengths, tx.shuffled_batches(len(lengths), batch_size, seed)),
        "bucketed": tx.padding_waste(lengths, tx.bucket_batches(lengths, batch_size, seed)),
    }


def compare_tokenizers(dataset: TextDataset, kinds: Sequence[str], max_rows: int | None = None,
                       min_freq: int = 1) -> list[TokenStats]:
    """How each tokenizer cuts the same training texts: vocabulary, unknown rate on validation, lengths."""
    n = min(len(dataset), max_rows or len(dataset))
    split = split_indices(n, 0)
    rows = []
    for kind in kinds:
        train = [tx.tokenize(dataset.texts[i], kind) for i in split.train]
        valid = [tx.tokenize(dataset.texts[i], kind) for i in split.valid]
        rows.append(token_stats(kind, train, valid, min_freq))
    return rows
