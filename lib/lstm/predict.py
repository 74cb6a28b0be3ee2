"""What a trained model does with one text: tokens as it sees them, class probabilities, and its gates per
time step (an `nn.LSTMCell` unroll checked against `nn.LSTM`), with the prediction after each prefix."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import torch
from torch import nn

from lib.common.messages import LearnerError, Message
from lib.lstm import text as tx
from lib.lstm.config import LstmConfig
from lib.lstm.model import SentimentLSTM
from lib.lstm.phrases import Phrase, phrases_in


@dataclass(frozen=True)
class Prediction:
    """Class probabilities for one text and how the model saw it."""

    tokens: tuple[str, ...]
    unknown: tuple[bool, ...]
    ids: tuple[int, ...]
    probs: tuple[float, ...]
    notes: tuple[Message, ...]


def probabilities(logits: torch.Tensor) -> torch.Tensor:
    """(B, 1) -> (B, 2) via sigmoid, or softmax over K classes."""
    if logits.shape[1] == 1:
        p = torch.sigmoid(logits[:, 0])
        return torch.stack([1 - p, p], dim=1)  # (B,) -> (B, 2)
    return torch.softmax(logits, dim=1)


def tokens_for(text: str, vocab: tx.Vocab, cfg: LstmConfig) -> tuple[list[str], list[int], list[Message]]:
    """Tokens as the model sees them (with <sos>/<eos> when used), their ids, and notes for the user."""
    if not text or not text.strip():
        raise LearnerError("Type some text first: the box is empty.")
    tokens = tx.tokenize(text, cfg.tokenizer, cfg.lower)
    if not tokens:
        raise LearnerError("No tokens found in this text (only spaces or symbols the tokenizer drops).")
    notes = []
    if len(tokens) > cfg.max_len:
        notes.append(Message("The text has {n} tokens; only the first {max_len} are read (max_len).",
                             n=len(tokens), max_len=cfg.max_len))
        tokens = tokens[:cfg.max_len]
    ids = tx.numericalise(tokens, vocab)
    if vocab.has_sos_eos:
        tokens = [tx.SOS] + tokens + [tx.EOS]
    if all(i == vocab.unk_index for i in vocab.lookup(t for t in tokens if t not in (tx.SOS, tx.EOS))):
        notes.append(Message("None of these words is in the vocabulary: the model only sees <unk>, so the "
                             "prediction says nothing about your text."))
    return tokens, ids, notes


@torch.no_grad()
def predict(model: SentimentLSTM, vocab: tx.Vocab, text: str) -> Prediction:
    """Probability per class for one text."""
    tokens, ids, notes = tokens_for(text, vocab, model.cfg)
    model.eval()
    device = next(model.parameters()).device
    logits = model(torch.tensor([ids], device=device), torch.tensor([len(ids)]))  # (1, T) -> (1, K)
    unknown = tuple(i == vocab.unk_index for i in ids)
    return Prediction(tuple(tokens), unknown, tuple(ids), tuple(probabilities(logits)[0].tolist()), tuple(notes))


@dataclass(frozen=True)
class ScoreParts:
    """One text's logits split into the LSTM's part and the phrase shortcut's, with the phrases that weigh most."""

    lstm: tuple[float, ...]
    phrases: tuple[float, ...]
    strongest: tuple[Phrase, ...]  # by size of their score in the chosen column, largest first


@torch.no_grad()
def score_parts(model: SentimentLSTM, ids: Sequence[int], itos: Sequence[str], column: int, count: int = 4
                ) -> ScoreParts | None:
    """How much of a text's logit in `column` comes from the LSTM and how much from the phrase shortcut
    (None without a shortcut)."""
    if model.phrases is None:
        return None
    model.eval()
    device = next(model.parameters()).device
    batch, lengths = torch.tensor([list(ids)], device=device), torch.tensor([len(ids)])
    total, shortcut = model(batch, lengths)[0], model.phrases(batch, lengths)[0]
    found = sorted(phrases_in(model.phrases, ids, itos), key=lambda p: -abs(p.score[column]))
    return ScoreParts(tuple((total - shortcut).tolist()), tuple(shortcut.tolist()), tuple(found[:count]))


@dataclass(frozen=True)
class GateTrace:
    """Per time step of the first layer's forward direction: gates (T, H), norms, prefix predictions."""

    input: torch.Tensor
    forget: torch.Tensor
    cell: torch.Tensor       # candidate g = tanh(...)
    output: torch.Tensor
    h_norm: torch.Tensor     # (T,)
    c_norm: torch.Tensor     # (T,)
    prefix_probs: torch.Tensor  # (T, K): prediction after reading tokens 1..t
    max_diff: float          # |h from LSTMCell unroll - nn.LSTM output|, should be ~1e-7


@torch.no_grad()
def unroll_gates(model: SentimentLSTM, ids: Sequence[int]) -> GateTrace:
    """Step an nn.LSTMCell holding layer 0's forward weights and record every gate."""
    model.eval()
    layer = model.layers[0]
    device = next(model.parameters()).device
    x = model.embedding(torch.tensor([list(ids)], device=device))[0]  # (1, T) -> (T, E)
    cell = nn.LSTMCell(x.shape[1], model.cfg.hidden).to(device)
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        getattr(cell, name).copy_(getattr(layer, f"{name}_l0"))
    h = c = torch.zeros(1, model.cfg.hidden, device=device)
    rows: list[list[torch.Tensor]] = []
    for t in range(x.shape[0]):
        gates = cell.weight_ih @ x[t] + cell.bias_ih + cell.weight_hh @ h[0] + cell.bias_hh  # (4H,)
        i, f, g, o = gates.chunk(4)  # PyTorch's order: input, forget, cell candidate, output
        h, c = cell(x[t:t + 1], (h, c))
        rows.append([torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o), h[0], c[0]])
    i, f, g, o, hs, cs = (torch.stack(col).cpu() for col in zip(*rows))  # T x (H,) -> (T, H)
    reference, _ = layer(x[None])  # (1, T, D*H); forward direction is the first H columns
    max_diff = float((reference[0, :, :model.cfg.hidden].cpu() - hs).abs().max())
    return GateTrace(i, f, g, o, hs.norm(dim=1), cs.norm(dim=1), prefix_probabilities(model, ids), max_diff)


@torch.no_grad()
def prefix_probabilities(model: SentimentLSTM, ids: Sequence[int]) -> torch.Tensor:
    """The prediction after reading the first 1, 2, ..., T tokens, as one packed batch."""
    model.eval()
    device = next(model.parameters()).device
    steps = len(ids)
    if not model.cfg.pack:  # unpacked, pads would be read: run each prefix on its own instead
        return torch.cat([probabilities(model(torch.tensor([list(ids[:t])], device=device), torch.tensor([t])))
                          for t in range(1, steps + 1)]).cpu()
    batch = torch.tensor([list(ids)] * steps, device=device)  # (T, T): row t reads tokens 0..t
    return probabilities(model(batch, torch.arange(1, steps + 1))).cpu()


def gate_grid(trace: GateTrace, gate: str) -> np.ndarray:
    """One gate's activations as a heat-map grid: units down, time across."""
    if gate not in ("input", "forget", "cell", "output"):
        raise LearnerError("Unknown gate {gate}.", gate=repr(gate))
    return getattr(trace, gate).T.numpy()  # (T, H) -> (H, T)


def per_step(trace: GateTrace) -> dict[str, np.ndarray]:
    """Per time step: |h_t|, |c_t| and P(last class) after reading up to that token."""
    return {"h": trace.h_norm.numpy(), "c": trace.c_norm.numpy(), "p": trace.prefix_probs[:, -1].numpy()}
