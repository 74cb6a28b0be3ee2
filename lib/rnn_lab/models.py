"""The surname models: the classic hand-built cell (and the check that it is exactly nn.RNN), and a classifier
that reads one-hot letters with a hand-built, RNN, LSTM or GRU layer and answers from the last letter's state."""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence

from lib.common.device import seeded_rng
from lib.rnn_lab.config import HAND, NamesConfig, validate_names
from lib.rnn_lab.letters import N_LETTERS, batch_tensors, line_to_tensor


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
    with seeded_rng(0):  # its own init is overwritten below; keep the global RNG untouched anyway
        rnn = nn.RNN(N_LETTERS, hand.hidden_size)
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(hand.i2h.weight[:, :N_LETTERS])
        rnn.weight_hh_l0.copy_(hand.i2h.weight[:, N_LETTERS:])
        rnn.bias_ih_l0.copy_(hand.i2h.bias)
        rnn.bias_hh_l0.zero_()
    return rnn


@dataclass(frozen=True)
class CellCheck:
    """The hand-built cell stepped letter by letter next to nn.RNN with the copied weights."""

    name: str
    hand_states: torch.Tensor   # (len, 1, hidden): the hand cell's hidden state after each letter
    rnn_output: torch.Tensor    # (len, 1, hidden): nn.RNN's output, the same states in one call
    rnn_last: torch.Tensor      # (1, 1, hidden): nn.RNN's h_n
    max_difference: float       # largest |hand - nn.RNN| over all states: float rounding only


@torch.no_grad()
def hand_cell_check(name: str = "Satoshi", hidden_size: int = 16, seed: int = 0) -> CellCheck:
    """Run `name` through a seeded hand-built cell and through nn.RNN holding its weights."""
    with seeded_rng(seed):
        hand = HandRNN(N_LETTERS, hidden_size, 18)
    rnn = copy_hand_to_rnn(hand)
    line = line_to_tensor(name)  # (len, 1, n_letters)
    hidden, states = hand.init_hidden(), []
    for letter in line:
        _, hidden = hand(letter, hidden)
        states.append(hidden)
    hand_states = torch.stack(states)  # len x (1, hidden) -> (len, 1, hidden)
    out, h_n = rnn(line)
    return CellCheck(name, hand_states, out, h_n, (hand_states - out).abs().max().item())


def pack(letters: torch.Tensor, lengths: torch.Tensor) -> PackedSequence:
    """Padded letter indices (B, T) -> one-hot letters packed so that an RNN never reads a pad."""
    onehot = nn.functional.one_hot(letters, N_LETTERS).float()  # (B, T) -> (B, T, n_letters)
    return pack_padded_sequence(onehot, lengths.cpu(), batch_first=True, enforce_sorted=False)


class NameClassifier(nn.Module):
    """One-hot letters -> recurrent layer -> last hidden state -> language logits."""

    def __init__(self, cell: str, hidden_size: int, n_classes: int, num_layers: int = 1) -> None:
        super().__init__()
        self.cell = cell
        if cell == HAND:
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
        if self.cell == HAND:
            return self.hand_forward(onehot, lengths)
        output, _ = self.rnn(onehot)  # (B, T, hidden): the top layer's state after every letter
        last = output[torch.arange(len(lengths), device=output.device), lengths - 1]
        return self.head(last)

    def forward_packed(self, letters: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """The same logits via pack_padded_sequence: the RNN never reads a pad at all."""
        if self.cell == HAND:
            return self.forward(letters, lengths)
        _, state = self.rnn(pack(letters, lengths))
        h_n = state[0] if isinstance(state, tuple) else state  # LSTM returns (h_n, c_n)
        return self.head(h_n[-1])  # top layer's last hidden state: (B, hidden)

    def hand_forward(self, onehot: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
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


def make_classifier(cfg: NamesConfig, n_classes: int, device: torch.device | str = "cpu") -> NameClassifier:
    validate_names(cfg)
    with seeded_rng(cfg.seed):
        model = NameClassifier(cfg.cell, cfg.hidden_size, n_classes, cfg.num_layers)
    return model.to(device)


def make_optimizer(cfg: NamesConfig, model: nn.Module) -> torch.optim.Optimizer:
    """Adam, or plain SGD: without momentum or weight decay its step is exactly the classic's hand-written
    `p.data.add_(p.grad, alpha=-lr)`."""
    if cfg.optimizer == "sgd":
        return torch.optim.SGD(model.parameters(), lr=cfg.lr)
    return torch.optim.Adam(model.parameters(), lr=cfg.lr)


@dataclass(frozen=True)
class PackingDemo:
    names: list[str]
    letters: torch.Tensor       # (B, T) padded letter indices
    lengths: torch.Tensor       # (B,)
    batch_sizes: list[int]      # packed: how many names are still being read at each step
    max_difference: float       # padded-and-read-at-the-last-letter vs packed logits

    def real(self) -> list[list[int]]:
        """(B, T) 1 where a letter is, 0 where a pad is."""
        return (torch.arange(self.letters.shape[1]) < self.lengths.view(-1, 1)).int().tolist()


@torch.no_grad()
def packing_demo(cell: str, names: list[str]) -> PackingDemo:
    """Pad a few names, pack them, and check both ways give the same logits (small CPU model)."""
    with seeded_rng(0):
        model = NameClassifier("RNN" if cell == HAND else cell, 16, 18).eval()
    letters, lengths = batch_tensors(names, "cpu")
    diff = (model(letters, lengths) - model.forward_packed(letters, lengths)).abs().max().item()
    return PackingDemo(names, letters, lengths, pack(letters, lengths).batch_sizes.tolist(), diff)
