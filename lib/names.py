"""Surname -> language of origin, one character at a time (the classic char-RNN example).

Data: 18 files `<Language>.txt` in assets/names (about 20,000 surnames), normalised to
ASCII. Letters are one-hot vectors; a name is a (length, 1, n_letters) tensor for the
classic one-name-at-a-time loop, or a padded batch of similar-length names for the fast way.
"""
from __future__ import annotations

import random
import string
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import torch
from torch import nn
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_sequence

from lib.common.device import seeded_rng

ALL_LETTERS = string.ascii_letters + " .,;'"
N_LETTERS = len(ALL_LETTERS)  # 57
CELLS = ("Hand-built RNN", "RNN", "LSTM", "GRU")
BALANCING = ("none", "loss weights", "weighted sampling")


# ---------------------------------------------------------------- text -> tensors

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


def names_to_indices(names: list[str]) -> list[torch.Tensor]:
    return [torch.tensor([letter_to_index(c) for c in n], dtype=torch.long) for n in names]


# ---------------------------------------------------------------- data

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


def load_names(folder: Path) -> NameData:
    """All `<Language>.txt` files: ASCII-normalised, deduplicated within a language."""
    files = sorted(folder.glob("*.txt"))
    if not files:
        raise ValueError(f"No name files found in {folder}.")
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


# ---------------------------------------------------------------- models

class HandRNN(nn.Module):
    """The classic hand-built cell: i2h and i2o on the concatenation of input and hidden.

    The 2017 tutorial's i2h had no nonlinearity (a linear recurrence); we add tanh so the
    cell is exactly nn.RNN's update: h' = tanh(W_ih x + W_hh h + b).
    """

    def __init__(self, input_size: int, hidden_size: int, output_size: int) -> None:
        super().__init__()
        self.hidden_size = hidden_size
        self.i2h = nn.Linear(input_size + hidden_size, hidden_size)
        self.i2o = nn.Linear(input_size + hidden_size, output_size)
        self.softmax = nn.LogSoftmax(dim=1)

    def forward(self, x: torch.Tensor, hidden: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        combined = torch.cat((x, hidden), 1)  # (B, n_letters + hidden)
        return self.softmax(self.i2o(combined)), torch.tanh(self.i2h(combined))

    def init_hidden(self, batch: int = 1) -> torch.Tensor:
        return torch.zeros(batch, self.hidden_size)


def copy_hand_to_rnn(hand: HandRNN) -> nn.RNN:
    """An nn.RNN whose recurrence equals `hand`'s: i2h's weight split into W_ih | W_hh."""
    rnn = nn.RNN(N_LETTERS, hand.hidden_size)
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(hand.i2h.weight[:, :N_LETTERS])
        rnn.weight_hh_l0.copy_(hand.i2h.weight[:, N_LETTERS:])
        rnn.bias_ih_l0.copy_(hand.i2h.bias)
        rnn.bias_hh_l0.zero_()
    return rnn


def pack(letters: torch.Tensor, lengths: torch.Tensor) -> PackedSequence:
    """Padded letter indices (B, T) -> one-hot letters packed so that an RNN never reads a pad."""
    onehot = nn.functional.one_hot(letters, N_LETTERS).float()  # (B, T) -> (B, T, n_letters)
    return pack_padded_sequence(onehot, lengths.cpu(), batch_first=True, enforce_sorted=False)


class NameClassifier(nn.Module):
    """One-hot letters -> recurrent layer -> last hidden state -> language logits."""

    def __init__(self, cell: str, hidden_size: int, n_classes: int, num_layers: int = 1) -> None:
        super().__init__()
        self.cell = cell
        if cell == "Hand-built RNN":
            self.hand = HandRNN(N_LETTERS, hidden_size, n_classes)
        else:
            self.rnn = getattr(nn, cell)(N_LETTERS, hidden_size, num_layers=num_layers, batch_first=True)
            self.head = nn.Linear(hidden_size, n_classes)

    def forward(self, letters: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """letters: (B, T) right-padded indices, lengths: (B,) -> logits (B, n_classes).

        The padded batch goes through whole, and each name's output is read at its own last
        letter. That is exact: padding comes after a name and a one-way RNN never looks ahead.
        Batches hold names of similar length, so the wasted padded steps are few, and this is a
        little faster on CPU than packing (`forward_packed` gives the same logits; bench/rnn_lab.py
        times both).
        """
        onehot = nn.functional.one_hot(letters, N_LETTERS).float()  # (B, T) -> (B, T, n_letters)
        if self.cell == "Hand-built RNN":
            return self._hand_forward(onehot, lengths)
        output, _ = self.rnn(onehot)  # (B, T, hidden): the top layer's state after every letter
        last = output[torch.arange(len(lengths), device=output.device), lengths - 1]
        return self.head(last)

    def forward_packed(self, letters: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """The same logits via pack_padded_sequence: the RNN never reads a pad at all."""
        if self.cell == "Hand-built RNN":
            return self.forward(letters, lengths)
        _, state = self.rnn(pack(letters, lengths))
        h_n = state[0] if isinstance(state, tuple) else state  # LSTM returns (h_n, c_n)
        return self.head(h_n[-1])  # top layer's last hidden state: (B, hidden)

    def _hand_forward(self, onehot: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Step the hand cell over time; finished names keep their last output."""
        batch = onehot.shape[0]
        hidden = torch.zeros(batch, self.hand.hidden_size, device=onehot.device)
        output = None
        for t in range(onehot.shape[1]):
            active = (t < lengths).view(-1, 1)  # names still being read at step t
            out_t, hid_t = self.hand(onehot[:, t], hidden)
            output = out_t if output is None else torch.where(active, out_t, output)
            hidden = torch.where(active, hid_t, hidden)
        return output  # log-probabilities; cross-entropy's softmax leaves them unchanged


@dataclass(frozen=True)
class NamesConfig:
    cell: str = "GRU"          # gated cells learn this in one or two epochs; the plain RNN is slower
    hidden_size: int = 128     # the classic tutorial's size
    num_layers: int = 1
    lr: float = 0.01           # Adam; the classic used plain SGD at 0.005 one name at a time
    batch_size: int = 128      # measured: 128 at lr 0.01 reaches 80% in 3 epochs, ~2 s each on one core
    epochs: int = 3
    balancing: str = "none"    # Russian is 47% of the names: weights help the small languages
    val_fraction: float = 0.1
    seed: int = 0
    max_batches: int | None = None  # for tests: stop early


def validate(cfg: NamesConfig) -> None:
    if cfg.cell not in CELLS:
        raise ValueError(f"Cell must be one of {', '.join(CELLS)}.")
    if cfg.balancing not in BALANCING:
        raise ValueError(f"Balancing must be one of {', '.join(BALANCING)}.")
    if not 0 < cfg.val_fraction < 1:
        raise ValueError("The validation fraction must be between 0 and 1.")
    if cfg.hidden_size < 1 or cfg.batch_size < 1 or cfg.epochs < 1:
        raise ValueError("Hidden size, batch size and epochs must be at least 1.")


def make_classifier(cfg: NamesConfig, n_classes: int, device: torch.device | str = "cpu") -> NameClassifier:
    validate(cfg)
    with seeded_rng(cfg.seed):
        model = NameClassifier(cfg.cell, cfg.hidden_size, n_classes, cfg.num_layers)
    return model.to(device)


# ---------------------------------------------------------------- training

def batch_tensors(names: list[str], device) -> tuple[torch.Tensor, torch.Tensor]:
    """Names -> (padded letter indices (B, T), lengths (B,))."""
    seqs = names_to_indices(names)
    lengths = torch.tensor([len(s) for s in seqs])
    return pad_sequence(seqs, batch_first=True).to(device), lengths.to(device)


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
    """Positions for one epoch: a shuffle, or a class-balanced draw with replacement."""
    n = len(labels)
    if balancing == "weighted sampling":
        per_item = class_weights(labels, n_classes)[torch.tensor(labels)]
        return torch.multinomial(per_item, n, replacement=True, generator=gen).tolist()
    return torch.randperm(n, generator=gen).tolist()


def padding_share(lengths: list[int], batches: list[list[int]]) -> float:
    """Fraction of the RNN steps in these batches that read a pad instead of a letter."""
    steps = sum(len(b) * max(lengths[p] for p in b) for b in batches)
    return 1 - sum(lengths[p] for b in batches for p in b) / steps


def padding_shares(data: NameData, cfg: NamesConfig) -> tuple[float, float]:
    """Padding share of one training epoch: random batches vs `length_batches`."""
    train_idx, _ = split(data, cfg.val_fraction, cfg.seed)
    lengths = [len(data.names[i]) for i in train_idx]
    order = torch.randperm(len(train_idx), generator=torch.Generator().manual_seed(cfg.seed)).tolist()
    random_batches = [order[i:i + cfg.batch_size] for i in range(0, len(order), cfg.batch_size)]
    bucketed = length_batches(order, lengths, cfg.batch_size, torch.Generator().manual_seed(cfg.seed))
    return padding_share(lengths, random_batches), padding_share(lengths, bucketed)


@dataclass(frozen=True)
class PackingDemo:
    names: list[str]
    letters: torch.Tensor       # (B, T) padded letter indices
    lengths: torch.Tensor       # (B,)
    batch_sizes: list[int]      # packed: how many names are still being read at each step
    max_difference: float       # padded-and-read-at-the-last-letter vs packed logits


@torch.no_grad()
def packing_demo(cell: str, names: list[str]) -> PackingDemo:
    """Pad a few names, pack them, and check both ways give the same logits (small CPU model)."""
    with seeded_rng(0):
        model = NameClassifier("RNN" if cell == "Hand-built RNN" else cell, 16, 18).eval()
    letters, lengths = batch_tensors(names, "cpu")
    diff = (model(letters, lengths) - model.forward_packed(letters, lengths)).abs().max().item()
    return PackingDemo(names, letters, lengths, pack(letters, lengths).batch_sizes.tolist(), diff)


@dataclass
class NamesProgress:
    epoch: int
    batch: int
    batches_per_epoch: int
    train_loss: float
    val_accuracy: float | None  # filled at the end of each epoch


@dataclass
class NamesRun:
    """A user's training run (lives in their session)."""

    cfg: NamesConfig
    data: NameData
    train_idx: list[int]
    val_idx: list[int]
    model: NameClassifier
    optimizer: torch.optim.Optimizer
    losses: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    epochs_done: int = 0
    train_tensors: tuple[torch.Tensor, torch.Tensor, torch.Tensor] | None = None  # letters, lengths, labels


def new_run(cfg: NamesConfig, data: NameData, device: torch.device | str = "cpu") -> NamesRun:
    train_idx, val_idx = split(data, cfg.val_fraction, cfg.seed)
    model = make_classifier(cfg, len(data.languages), device)
    return NamesRun(cfg, data, train_idx, val_idx, model, torch.optim.Adam(model.parameters(), lr=cfg.lr))


def train(run: NamesRun) -> Iterator[NamesProgress]:
    """Train the configured epochs, yielding after every batch (validation after each epoch)."""
    cfg, data = run.cfg, run.data
    device = next(run.model.parameters()).device
    labels = [data.labels[i] for i in run.train_idx]
    weights = class_weights(labels, len(data.languages)).to(device) if cfg.balancing == "loss weights" else None
    loss_fn = nn.CrossEntropyLoss(weight=weights)
    lengths = [len(data.names[i]) for i in run.train_idx]
    gen = torch.Generator().manual_seed(cfg.seed)
    for epoch in range(run.epochs_done, cfg.epochs):
        order = epoch_order(labels, len(data.languages), cfg.balancing, gen)
        batches = length_batches(order, lengths, cfg.batch_size, gen)
        if cfg.max_batches:
            batches = batches[: cfg.max_batches]
        run.model.train()
        for b, positions in enumerate(batches, 1):
            loss = _train_batch(run, positions, labels, loss_fn, device)
            run.losses.append(loss)
            last = b == len(batches)
            if last:
                run.val_accuracy.append(accuracy(run.model, data, run.val_idx))
                run.epochs_done = epoch + 1
            yield NamesProgress(epoch + 1, b, len(batches), loss, run.val_accuracy[-1] if last else None)


def _train_tensors(run: NamesRun, labels: list[int], device) -> tuple[torch.Tensor, ...]:
    """All training names padded once, (N, T_max), so a batch is a row lookup, not Python work."""
    if run.train_tensors is None:
        letters, lengths = batch_tensors([run.data.names[i] for i in run.train_idx], device)
        run.train_tensors = (letters, lengths, torch.tensor(labels, device=device))
    return run.train_tensors


def _train_batch(run: NamesRun, positions: list[int], labels: list[int], loss_fn, device) -> float:
    all_letters, all_lengths, all_labels = _train_tensors(run, labels, device)
    rows = torch.tensor(positions, device=device)
    lengths = all_lengths[rows]
    letters = all_letters[rows, : int(lengths.max())]  # trim to this batch's longest name
    loss = loss_fn(run.model(letters, lengths), all_labels[rows])
    run.optimizer.zero_grad()
    loss.backward()
    run.optimizer.step()
    return loss.item()


@torch.no_grad()
def predict_logits(model: NameClassifier, names: list[str], batch_size: int = 1024) -> torch.Tensor:
    """Logits (N, n_classes) for already-clean names."""
    model.eval()
    device = next(model.parameters()).device
    chunks = []
    for i in range(0, len(names), batch_size):
        letters, lengths = batch_tensors(names[i:i + batch_size], device)
        chunks.append(model(letters, lengths).cpu())
    return torch.cat(chunks)


def accuracy(model: NameClassifier, data: NameData, indices: list[int]) -> float:
    logits = predict_logits(model, [data.names[i] for i in indices])
    targets = torch.tensor([data.labels[i] for i in indices])
    return (logits.argmax(1) == targets).float().mean().item()


def confusion(model: NameClassifier, data: NameData, indices: list[int]) -> torch.Tensor:
    """Row-normalised confusion matrix (true language x predicted language)."""
    n = len(data.languages)
    pred = predict_logits(model, [data.names[i] for i in indices]).argmax(1)
    true = torch.tensor([data.labels[i] for i in indices])
    counts = torch.bincount(true * n + pred, minlength=n * n).view(n, n).float()  # (n*n,) -> (n, n)
    return counts / counts.sum(1, keepdim=True).clamp(min=1)


def top_k(model: NameClassifier, name: str, languages: list[str], k: int = 3) -> list[tuple[str, float]]:
    """The k most likely languages with probabilities."""
    probs = predict_logits(model, [name]).softmax(1)[0]
    values, idx = probs.topk(min(k, len(languages)))
    return [(languages[i], v) for i, v in zip(idx.tolist(), values.tolist())]


def prefix_probabilities(model: NameClassifier, name: str) -> torch.Tensor:
    """(len(name), n_classes): the prediction after reading each prefix."""
    return predict_logits(model, [name[: i + 1] for i in range(len(name))]).softmax(1)


# ---------------------------------------------------------------- code panel

def code(cfg: NamesConfig, names_dir: str = "assets/names") -> str:
    """A standalone script that trains what the page trains (same seed -> same numbers)."""
    if cfg.cell == "Hand-built RNN":
        model_code = '''class HandRNN(nn.Module):
    def __init__(self, input_size, hidden_size, output_size):
        super().__init__()
        self.hidden_size = hidden_size
        self.i2h = nn.Linear(input_size + hidden_size, hidden_size)
        self.i2o = nn.Linear(input_size + hidden_size, output_size)
        self.softmax = nn.LogSoftmax(dim=1)

    def forward(self, x, hidden):
        combined = torch.cat((x, hidden), 1)
        return self.softmax(self.i2o(combined)), torch.tanh(self.i2h(combined))


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.hand = HandRNN(N_LETTERS, HIDDEN, len(languages))

    def forward(self, letters, lengths):
        onehot = F.one_hot(letters, N_LETTERS).float()  # (B, T) -> (B, T, n_letters)
        hidden = torch.zeros(len(letters), HIDDEN)
        output = None
        for t in range(onehot.shape[1]):  # one letter at a time; finished names keep their output
            active = (t < lengths).view(-1, 1)
            out_t, hid_t = self.hand(onehot[:, t], hidden)
            output = out_t if output is None else torch.where(active, out_t, output)
            hidden = torch.where(active, hid_t, hidden)
        return output'''
    else:
        model_code = f'''class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.{cfg.cell}(N_LETTERS, HIDDEN, num_layers={cfg.num_layers}, batch_first=True)
        self.head = nn.Linear(HIDDEN, len(languages))

    def forward(self, letters, lengths):
        onehot = F.one_hot(letters, N_LETTERS).float()  # (B, T) -> (B, T, n_letters)
        output, _ = self.rnn(onehot)  # (B, T, hidden): the state after every letter
        # read each name at its own last letter: the pads after it never changed that state
        # (packing gives the same numbers, a little slower on CPU:
        #  packed = pack_padded_sequence(onehot, lengths, batch_first=True, enforce_sorted=False)
        #  _, h_n = self.rnn(packed)  # for an LSTM: _, (h_n, c_n) = ...
        #  return self.head(h_n[-1]))
        last = output[torch.arange(len(lengths)), lengths - 1]
        return self.head(last)'''
    if cfg.balancing == "loss weights":
        loss_line = "loss_fn = nn.CrossEntropyLoss(weight=class_weights(train_labels))"
    else:
        loss_line = "loss_fn = nn.CrossEntropyLoss()"
    if cfg.balancing == "weighted sampling":
        order_line = ("order = torch.multinomial(class_weights(train_labels)[torch.tensor(train_labels)], "
                      "len(train_labels), replacement=True, generator=gen).tolist()  # balanced draw")
    else:
        order_line = "order = torch.randperm(len(train_labels), generator=gen).tolist()"
    limit = f"[:{cfg.max_batches}]" if cfg.max_batches else ""
    return f'''import random
import string
import unicodedata
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_sequence

ALL_LETTERS = string.ascii_letters + " .,;'"
N_LETTERS = len(ALL_LETTERS)
HIDDEN = {cfg.hidden_size}


def unicode_to_ascii(s):
    return "".join(c for c in unicodedata.normalize("NFD", s)
                   if unicodedata.category(c) != "Mn" and c in ALL_LETTERS)


# one file per language, one surname per line
names, labels, languages = [], [], []
for label, path in enumerate(sorted(Path({names_dir!r}).glob("*.txt"))):
    languages.append(path.stem)
    seen = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        name = unicode_to_ascii(line.strip())
        if name and name not in seen:
            seen.add(name)
            names.append(name)
            labels.append(label)

order = list(range(len(names)))
random.Random({cfg.seed}).shuffle(order)
n_val = int(len(order) * {cfg.val_fraction})
val_idx, train_idx = order[:n_val], order[n_val:]
train_labels = [labels[i] for i in train_idx]
train_lengths = [len(names[i]) for i in train_idx]


def length_batches(order, batch_size):
    """Batches of similar-length names (less padding), in shuffled order."""
    window, batches = batch_size * 20, []
    for start in range(0, len(order), window):
        chunk = sorted(order[start:start + window], key=lambda p: train_lengths[p])
        batches += [chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size)]
    return [batches[i] for i in torch.randperm(len(batches), generator=gen).tolist()]


def class_weights(labels):
    counts = torch.bincount(torch.tensor(labels), minlength=len(languages)).float().clamp(min=1)
    w = counts.sum() / counts
    return w / w.mean()


def batch(batch_names):
    seqs = [torch.tensor([ALL_LETTERS.index(c) for c in n]) for n in batch_names]
    return pad_sequence(seqs, batch_first=True), torch.tensor([len(s) for s in seqs])


{model_code}


torch.manual_seed({cfg.seed})
model = Model()
optimizer = torch.optim.Adam(model.parameters(), lr={cfg.lr})
{loss_line}
gen = torch.Generator().manual_seed({cfg.seed})

for epoch in range({cfg.epochs}):
    model.train()
    {order_line}
    batches = length_batches(order, {cfg.batch_size}){limit}
    for positions in batches:
        letters, lengths = batch([names[train_idx[p]] for p in positions])
        targets = torch.tensor([train_labels[p] for p in positions])
        loss = loss_fn(model(letters, lengths), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        letters, lengths = batch([names[i] for i in val_idx])
        predicted = model(letters, lengths).argmax(1)
        accuracy = (predicted == torch.tensor([labels[i] for i in val_idx])).float().mean().item()
    print(f"epoch {{epoch + 1}}: last loss {{loss.item():.3f}}, validation accuracy {{accuracy:.3f}}")
'''


def classic_code(hidden_size: int = 128, lr: float = 0.005) -> str:
    """The classic tutorial loop: one random name at a time, hand-written SGD update."""
    return f'''# The classic loop (for comparison; the page trains in padded batches instead)
rnn = HandRNN(N_LETTERS, {hidden_size}, len(languages))
criterion = nn.NLLLoss()  # the cell already ends in LogSoftmax

def train_one(category_tensor, line_tensor):  # line_tensor: (len, 1, n_letters)
    hidden = torch.zeros(1, {hidden_size})
    rnn.zero_grad()
    for i in range(line_tensor.size(0)):
        output, hidden = rnn(line_tensor[i], hidden)
    loss = criterion(output, category_tensor)
    loss.backward()
    for p in rnn.parameters():  # plain SGD by hand
        p.data.add_(p.grad.data, alpha=-{lr})
    return output, loss.item()
'''
