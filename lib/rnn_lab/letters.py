"""Names as tensors: ASCII letters, one-hot vectors and padded batches of letter indices."""
from __future__ import annotations

import string
import unicodedata

import torch
from torch.nn.utils.rnn import pad_sequence

ALL_LETTERS = string.ascii_letters + " .,;'"
N_LETTERS = len(ALL_LETTERS)  # 57


def unicode_to_ascii(text: str) -> str:
    """'Ślusàrski' -> 'Slusarski': NFD splits accents off, then we keep known letters."""
    return "".join(c for c in unicodedata.normalize("NFD", text)
                   if unicodedata.category(c) != "Mn" and c in ALL_LETTERS)


def clean_name(text: str) -> tuple[str, str]:
    """(name the model can read, characters that were dropped) for user input."""
    decomposed = "".join(c for c in unicodedata.normalize("NFD", text.strip()) if unicodedata.category(c) != "Mn")
    kept = "".join(c for c in decomposed if c in ALL_LETTERS)
    dropped = "".join(dict.fromkeys(c for c in decomposed if c not in ALL_LETTERS))
    return kept.strip(), dropped


def clean_names(text: str) -> list[str]:
    """Comma-separated user input -> the readable names in it (empty parts left out)."""
    return [name for name in (clean_name(part)[0] for part in text.split(",")) if name]


def letter_to_index(letter: str) -> int:
    return ALL_LETTERS.index(letter)


def letter_to_tensor(letter: str) -> torch.Tensor:
    """One-hot (1, n_letters)."""
    t = torch.zeros(1, N_LETTERS)
    t[0, letter_to_index(letter)] = 1
    return t


def line_to_tensor(line: str) -> torch.Tensor:
    """One-hot (len(line), 1, n_letters): time first, batch of one, as the classic example."""
    t = torch.zeros(len(line), 1, N_LETTERS)
    for i, letter in enumerate(line):
        t[i, 0, letter_to_index(letter)] = 1
    return t


def onehot_rows(line: str) -> torch.Tensor:
    """The one-hot matrix a page draws: (len(line), n_letters), one row per letter."""
    return line_to_tensor(line)[:, 0, :]  # (len, 1, n_letters) -> (len, n_letters)


def names_to_indices(names: list[str]) -> list[torch.Tensor]:
    return [torch.tensor([letter_to_index(c) for c in n], dtype=torch.long) for n in names]


def batch_tensors(names: list[str], device: torch.device | str) -> tuple[torch.Tensor, torch.Tensor]:
    """Names -> (padded letter indices (B, T), lengths (B,))."""
    seqs = names_to_indices(names)
    lengths = torch.tensor([len(s) for s in seqs])
    return pad_sequence(seqs, batch_first=True).to(device), lengths.to(device)
