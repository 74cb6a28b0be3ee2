"""The classifier: embedding -> LSTM layers -> max-pool or final state -> dropout -> (hidden linear) -> logits."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from lib.common.device import seeded_rng
from lib.common.messages import Message
from lib.lstm.config import LstmConfig
from lib.lstm.phrases import PhraseShortcut, phrase_rows
from lib.lstm.text import UNK_INDEX, Vocab, special_tokens


def seeded_dropout(x: torch.Tensor, p: float, generator: torch.Generator | None, training: bool) -> torch.Tensor:
    """Inverted dropout drawing its mask from our own generator (the global RNG is shared by sessions)."""
    if not training or p == 0:
        return x
    keep = torch.empty_like(x).bernoulli_(1 - p, generator=generator)
    return x * keep / (1 - p)


def drop_words(ids: torch.Tensor, p: float, first_word: int, generator: torch.Generator | None, training: bool
               ) -> torch.Tensor:
    """Word dropout: in training, each word (not padding or a boundary token: ids below `first_word`) becomes
    <unk> with probability `p`. Test texts hold words the vocabulary lacks; training on such gaps teaches the
    model to read around them, and no single word can decide a review alone."""
    if not training or p == 0:
        return ids
    hit = torch.empty(ids.shape, device=ids.device).bernoulli_(p, generator=generator).bool()  # (B, T)
    return ids.masked_fill(hit & (ids >= first_word), UNK_INDEX)


class SentimentLSTM(nn.Module):
    """embedding -> LSTM layers -> max-pool or final state -> dropout -> [linear -> ReLU] -> linear."""

    def __init__(self, vocab_size: int, num_outputs: int, cfg: LstmConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.first_word = len(special_tokens(cfg.sos_eos))  # word dropout spares the specials before it
        self.embedding = nn.Embedding(vocab_size, cfg.embed_dim, padding_idx=0)
        # One-layer LSTMs stacked by hand = nn.LSTM(num_layers=L, dropout=p), but the dropout between
        # layers can use our seeded generator (nn.LSTM's own dropout would draw from the global RNG).
        self.layers = nn.ModuleList(
            nn.LSTM(cfg.embed_dim if i == 0 else cfg.width, cfg.hidden, batch_first=True,
                    bidirectional=cfg.bidirectional)
            for i in range(cfg.num_layers))
        # the tutorial recipe's 40-16-1 head has a hidden layer; the default goes straight to the output
        self.head = nn.Linear(cfg.width, cfg.head_hidden) if cfg.head_hidden else None
        self.fc = nn.Linear(cfg.head_hidden or cfg.width, num_outputs)
        # beside the LSTM, a learned score per phrase of up to `cfg.phrases` words (see phrases.py)
        self.phrases = PhraseShortcut(num_outputs, cfg.phrases) if cfg.phrases else None

    def encode(self, ids: torch.Tensor, lengths: torch.Tensor, generator: torch.Generator | None = None
               ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Run the LSTM layers; returns output (B, T, D*H), h_n and c_n (L*D, B, H) like nn.LSTM."""
        ids = drop_words(ids, self.cfg.word_dropout, self.first_word, generator, self.training)
        x = seeded_dropout(self.embedding(ids), self.cfg.embed_dropout, generator, self.training)  # (B, T) -> (B, T, E)
        seq = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False) if self.cfg.pack else x
        hs, cs = [], []
        for i, layer in enumerate(self.layers):
            if i > 0 and self.cfg.pack:
                seq = seq._replace(data=seeded_dropout(seq.data, self.cfg.dropout, generator, self.training))
            elif i > 0:
                seq = seeded_dropout(seq, self.cfg.dropout, generator, self.training)
            seq, (h, c) = layer(seq)
            hs.append(h)
            cs.append(c)
        if self.cfg.pack:
            seq, _ = pad_packed_sequence(seq, batch_first=True, total_length=ids.shape[1])
        return seq, torch.cat(hs), torch.cat(cs)  # h_n: L x (D, B, H) -> (L*D, B, H)

    def pool(self, output: torch.Tensor, h_n: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """(B, D*H) summary: max over real time steps, or the last layer's final state(s)."""
        if self.cfg.pooling == "max":
            real = torch.arange(output.shape[1], device=output.device)[None, :] < lengths.to(output.device)[:, None]
            return output.masked_fill(~real[:, :, None], float("-inf")).max(dim=1).values  # (B, T, DH) -> (B, DH)
        if self.cfg.bidirectional:
            return torch.cat([h_n[-2], h_n[-1]], dim=1)  # forward and backward final states -> (B, 2H)
        return h_n[-1]

    def classify(self, summary: torch.Tensor) -> torch.Tensor:
        """(B, D*H) pooled features -> (B, K) logits, through the hidden layer when there is one."""
        return self.fc(torch.relu(self.head(summary)) if self.head is not None else summary)

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """Logits (B, K), or (B, 1) for two classes: the LSTM's, plus the phrase shortcut's when there is one."""
        output, h_n, _ = self.encode(ids, lengths, generator)
        summary = seeded_dropout(self.pool(output, h_n, lengths), self.cfg.head_dropout, generator, self.training)
        logits = self.classify(summary)
        # the shortcut reads every word: word dropout is for the LSTM, which must learn to read around gaps
        return logits if self.phrases is None else logits + self.phrases(ids, lengths)


def num_outputs(classes: Sequence[str]) -> int:
    """One logit for two classes (BCEWithLogitsLoss), one per class otherwise (CrossEntropyLoss)."""
    return 1 if len(classes) == 2 else len(classes)


def build_model(cfg: LstmConfig, vocab: Vocab, classes: Sequence[str], seed: int,
                pretrained: torch.Tensor | None = None) -> SentimentLSTM:
    """A freshly initialised model; the init is seeded without touching the global RNG's state."""
    with seeded_rng(seed):
        model = SentimentLSTM(len(vocab), num_outputs(classes), cfg)
    if pretrained is not None:
        model.embedding.weight.data.copy_(pretrained)
    model.embedding.weight.requires_grad_(not (cfg.freeze and pretrained is not None))
    return model


def count_parameters(model: nn.Module) -> tuple[int, int]:
    """(all, trainable) parameter counts."""
    params = list(model.parameters())
    return sum(p.numel() for p in params), sum(p.numel() for p in params if p.requires_grad)


@dataclass(frozen=True)
class ShapeRow:
    """One tensor of a forward pass: its name, shape and what its axes mean (translatable)."""

    tensor: str
    shape: tuple[int, ...]
    meaning: Message


def shape_table(model: SentimentLSTM, batch: int = 4, steps: int = 12) -> list[ShapeRow]:
    """Every tensor of a forward pass with its shape and what each axis means."""
    cfg, was_training = model.cfg, model.training
    model.eval()
    device = next(model.parameters()).device
    ids = torch.ones(batch, steps, dtype=torch.long, device=device)  # (B, T)
    lengths = torch.full((batch,), steps, dtype=torch.long)
    with torch.no_grad():
        emb = model.embedding(ids)
        output, h_n, c_n = model.encode(ids, lengths)
        pooled = model.pool(output, h_n, lengths)
        hidden = torch.relu(model.head(pooled)) if model.head is not None else None
        logits = model.classify(pooled)
    model.train(was_training)
    d, layers = cfg.directions, cfg.num_layers
    rows = [
        ShapeRow("ids", tuple(ids.shape), Message("B texts x T token indices (batch_first=True)")),
        ShapeRow("embedded", tuple(emb.shape), Message("each index -> {dim} numbers", dim=cfg.embed_dim)),
        ShapeRow("output", tuple(output.shape), Message(
            "last layer's hidden state at every step; {d} direction(s) x {h} side by side", d=d, h=cfg.hidden)),
        ShapeRow("h_n", tuple(h_n.shape), Message(
            "final hidden state per layer and direction: {layers} x {d} = {rows} rows", layers=layers, d=d,
            rows=layers * d)),
        ShapeRow("c_n", tuple(c_n.shape), Message("final cell state (the LSTM's memory), same layout as h_n")),
        ShapeRow("summary", tuple(pooled.shape), Message("max over time of output") if cfg.pooling == "max" else
                 Message("cat(h_n[-2], h_n[-1])") if d == 2 else Message("h_n[-1]")),
    ]
    if hidden is not None:
        rows.append(ShapeRow("hidden", tuple(hidden.shape), Message("ReLU(Linear(summary)): the head's hidden layer")))
    if model.phrases is not None:
        with torch.no_grad():
            phrase_ids = phrase_rows(ids, lengths, cfg.phrases)
        rows += [ShapeRow("phrase_rows", tuple(phrase_ids.shape), Message(
                     "table rows of every phrase of 1 to {n} words (the phrase shortcut)", n=cfg.phrases)),
                 ShapeRow("phrase_score", tuple(logits.shape), Message(
                     "sum of the phrases' learned scores, added to the logits"))]
    rows.append(ShapeRow("logits", tuple(logits.shape), Message("one logit (sigmoid -> P(class 1))")
                         if logits.shape[1] == 1 else Message("one score per class")))
    return rows
