"""An LSTM text classifier: data preparation, model, live training, gate unrolling, save/load."""
from __future__ import annotations

import io
import json
import time
from dataclasses import asdict, dataclass, fields
from typing import Iterator, Sequence

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from lib import text as tx
from lib.common.device import seeded_rng
from lib.common.safe_load import load_weights_only

FILE_FORMAT = "pytorch-explainer/lstm-sentiment"
FILE_VERSION = 1
OPTIMIZERS = ("adam", "sgd")
POOLINGS = ("max", "last")
EMBEDDINGS = ("glove", "scratch")


@dataclass(frozen=True)
class LstmConfig:
    """Every setting of the page; widgets read their defaults from here."""

    tokenizer: str = "regex"      # splits "it's" into "it", "'s" like GloVe's own tokenisation
    lower: bool = True            # GloVe 6B is lower-case
    min_freq: int = 1             # GloVe already knows rare words, so keep them
    max_size: int = 25_000        # the training split has ~17k distinct tokens: nothing is cut
    sos_eos: bool = False         # a classifier gains nothing from boundary tokens here
    max_len: int = 100            # longest snippet has ~63 tokens; cuts only user text
    fix_length: int = 0           # 0 = pad each batch to its longest text; the reference pads to 70
    bucketing: bool = True        # similar lengths per batch -> little padding
    pack: bool = False            # bucketing leaves ~12% padding; packing would skip it exactly but costs
                                  # more than it saves on CPU (0.046 vs 0.030 s/step measured)
    embedding: str = "glove"      # GloVe start: ~10 points better than scratch after a few epochs
    freeze: bool = False          # fine-tuning the corpus rows lets sentiment words move apart
    embed_dim: int = 50           # fixed by GloVe 6B 50d (only changes for "scratch")
    hidden: int = 64              # equal to the reference, so per-epoch times compare
    num_layers: int = 1
    bidirectional: bool = True
    dropout: float = 0.3          # between LSTM layers (only when num_layers > 1)
    head_dropout: float = 0.5     # before the linear layer: the corpus is small, so regularise
    pooling: str = "max"          # max over time sees every position, better than the last state here
    optimizer: str = "adam"
    lr: float = 3e-3              # Adam with bigger steps than 1e-3: converges in a few epochs here
    batch_size: int = 128         # few, large steps: per-step overhead dominates small LSTMs on CPU
    epochs: int = 8               # roughly 20-30 s on 2 quiet CPU cores
    seed: int = 0
    evals_per_epoch: int = 2      # validation points per epoch on the live curves

    def validate(self) -> "LstmConfig":
        """Raise a plain-words ValueError for settings that cannot work."""
        checks = [
            (self.tokenizer in tx.TOKENIZERS, f"tokenizer must be one of {tx.TOKENIZERS}"),
            (self.embedding in EMBEDDINGS, f"embedding must be one of {EMBEDDINGS}"),
            (self.pooling in POOLINGS, f"pooling must be one of {POOLINGS}"),
            (self.optimizer in OPTIMIZERS, f"optimizer must be one of {OPTIMIZERS}"),
            (self.min_freq >= 1 and self.max_size >= 10, "min_freq must be >= 1 and max_size >= 10"),
            (1 <= self.hidden <= 1024 and 1 <= self.num_layers <= 4, "hidden must be 1-1024 and layers 1-4"),
            (1 <= self.embed_dim <= 512 and self.max_len >= 1, "embedding size must be 1-512"),
            (0 <= self.dropout < 1 and 0 <= self.head_dropout < 1, "dropout must be in [0, 1)"),
            (self.lr > 0 and self.batch_size >= 1 and self.epochs >= 1, "lr, batch size and epochs must be positive"),
            (self.embedding != "glove" or self.embed_dim == 50, "GloVe vectors have 50 dimensions"),
        ]
        for ok, message in checks:
            if not ok:
                raise ValueError(f"Invalid settings: {message}.")
        return self

    @property
    def directions(self) -> int:
        return 2 if self.bidirectional else 1


# ---------------------------------------------------------------- data
@dataclass(frozen=True)
class Encoded:
    """One split as tensors: padded ids (N, T_max), lengths (N,), labels (N,)."""

    ids: torch.Tensor
    lengths: torch.Tensor
    labels: torch.Tensor
    fixed: bool = False  # padded to fix_length: batches keep the full width (the reference recipe)

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


def prepare(dataset: tx.TextDataset, cfg: LstmConfig, split_seed: int = 0, max_rows: int | None = None,
            vocab: tx.Vocab | None = None) -> Prepared:
    """Tokenise, split (fixed seed), build the vocabulary on the training part only (unless given), encode."""
    n = min(len(dataset), max_rows or len(dataset))
    split = tx.split_indices(n, split_seed)
    tokens = [tx.tokenize(t, cfg.tokenizer, cfg.lower) for t in dataset.texts[:n]]
    part = {name: [tokens[i] for i in getattr(split, name)] for name in ("train", "valid", "test")}
    labels = {name: [dataset.labels[i] for i in getattr(split, name)] for name in ("train", "valid", "test")}
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


# ---------------------------------------------------------------- model
def seeded_dropout(x: torch.Tensor, p: float, generator: torch.Generator | None, training: bool) -> torch.Tensor:
    """Inverted dropout drawing its mask from our own generator (the global RNG is shared by sessions)."""
    if not training or p == 0:
        return x
    keep = torch.empty_like(x).bernoulli_(1 - p, generator=generator)
    return x * keep / (1 - p)


class SentimentLSTM(nn.Module):
    """embedding -> LSTM layers -> max-pool or final state -> dropout -> linear."""

    def __init__(self, vocab_size: int, num_outputs: int, cfg: LstmConfig) -> None:
        super().__init__()
        self.cfg = cfg
        width = cfg.hidden * cfg.directions
        self.embedding = nn.Embedding(vocab_size, cfg.embed_dim, padding_idx=0)
        # One-layer LSTMs stacked by hand = nn.LSTM(num_layers=L, dropout=p), but the dropout between
        # layers can use our seeded generator (nn.LSTM's own dropout would draw from the global RNG).
        self.layers = nn.ModuleList(
            nn.LSTM(cfg.embed_dim if i == 0 else width, cfg.hidden, batch_first=True, bidirectional=cfg.bidirectional)
            for i in range(cfg.num_layers))
        self.fc = nn.Linear(width, num_outputs)

    def encode(self, ids: torch.Tensor, lengths: torch.Tensor, generator: torch.Generator | None = None
               ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Run the LSTM layers; returns output (B, T, D*H), h_n and c_n (L*D, B, H) like nn.LSTM."""
        x = self.embedding(ids)  # (B, T) -> (B, T, E)
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

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """Logits (B, K), or (B, 1) for two classes."""
        output, h_n, _ = self.encode(ids, lengths, generator)
        summary = seeded_dropout(self.pool(output, h_n, lengths), self.cfg.head_dropout, generator, self.training)
        return self.fc(summary)


def num_outputs(classes: Sequence[str]) -> int:
    """One logit for two classes (BCEWithLogitsLoss), one per class otherwise (CrossEntropyLoss)."""
    return 1 if len(classes) == 2 else len(classes)


def build_model(cfg: LstmConfig, vocab: tx.Vocab, classes: Sequence[str], seed: int,
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


def shape_table(model: SentimentLSTM, batch: int = 4, steps: int = 12) -> list[dict[str, str]]:
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
        logits = model.fc(pooled)
    model.train(was_training)
    d, layers = cfg.directions, cfg.num_layers
    return [
        _row("ids", ids, "B texts x T token indices (batch_first=True)"),
        _row("embedded", emb, f"each index -> {cfg.embed_dim} numbers"),
        _row("output", output, f"last layer's hidden state at every step; {d} direction(s) x {cfg.hidden} side by side"),
        _row("h_n", h_n, f"final hidden state per layer and direction: {layers} x {d} = {layers * d} rows"),
        _row("c_n", c_n, "final cell state (the LSTM's memory), same layout as h_n"),
        _row("summary", pooled, "max over time of output" if cfg.pooling == "max" else
             ("cat(h_n[-2], h_n[-1])" if d == 2 else "h_n[-1]")),
        _row("logits", logits, "one logit (sigmoid -> P(class 1))" if logits.shape[1] == 1 else "one score per class"),
    ]


def _row(name: str, t: torch.Tensor, meaning: str) -> dict[str, str]:
    return {"tensor": name, "shape": str(tuple(t.shape)), "meaning": meaning}


# ---------------------------------------------------------------- training
@dataclass(frozen=True)
class Progress:
    """What the training generator yields after every optimiser step."""

    step: int
    total_steps: int
    epoch: float
    loss: float
    elapsed: float
    history: tuple[dict[str, float], ...]  # one row per evaluation: step, epoch, train/valid loss and accuracy
    evaluated: bool                         # True when this step added a history row


def loss_and_correct(logits: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """BCE on one logit for two classes, cross-entropy otherwise; also the correct predictions."""
    if logits.shape[1] == 1:
        loss = F.binary_cross_entropy_with_logits(logits[:, 0], labels.float())
        return loss, ((logits[:, 0] > 0).long() == labels).sum()
    return F.cross_entropy(logits, labels), (logits.argmax(1) == labels).sum()


@torch.no_grad()
def evaluate(model: SentimentLSTM, data: Encoded, device: torch.device, batch_size: int = 256
             ) -> tuple[float, float, torch.Tensor]:
    """Mean loss, accuracy and predicted class per row (batches sorted by length for speed)."""
    was_training = model.training
    model.eval()
    order = torch.argsort(data.lengths).tolist()
    preds = torch.empty(len(data), dtype=torch.long)
    total_loss = 0.0
    for start in range(0, len(order), batch_size):
        rows = order[start:start + batch_size]
        ids, lengths, labels = take(data, rows, device)
        logits = model(ids, lengths)
        total_loss += float(loss_and_correct(logits, labels)[0]) * len(rows)
        preds[rows] = (logits[:, 0] > 0).long().cpu() if logits.shape[1] == 1 else logits.argmax(1).cpu()
    model.train(was_training)
    return total_loss / max(1, len(data)), float((preds == data.labels).float().mean()), preds


def make_optimizer(model: nn.Module, cfg: LstmConfig) -> torch.optim.Optimizer:
    """Adam, or SGD with momentum 0.9 (plain SGD barely moves an LSTM in a few epochs)."""
    params = [p for p in model.parameters() if p.requires_grad]
    if cfg.optimizer == "sgd":
        return torch.optim.SGD(params, lr=cfg.lr, momentum=0.9)
    return torch.optim.Adam(params, lr=cfg.lr)


def train(model: SentimentLSTM, data: Prepared, cfg: LstmConfig, device: torch.device,
          max_steps: int | None = None, seconds: float | None = None) -> Iterator[Progress]:
    """Train in place, yielding after every step; stop early at `max_steps` or after `seconds`."""
    model.to(device).train()
    optimizer = make_optimizer(model, cfg)
    dropout_gen = torch.Generator(device=device).manual_seed(cfg.seed)
    epochs = [batch_order(data.train.lengths, cfg, cfg.seed * 1000 + e) for e in range(cfg.epochs)]
    total = min(sum(map(len, epochs)), max_steps or 1 << 62)
    evals = {round(len(epochs[0]) * k / cfg.evals_per_epoch) for k in range(1, cfg.evals_per_epoch + 1)}
    history: list[dict[str, float]] = []
    step, start, run_loss, run_correct, run_seen = 0, time.perf_counter(), 0.0, 0, 0
    for e, batches in enumerate(epochs):
        for b, rows in enumerate(batches, start=1):
            ids, lengths, labels = take(data.train, rows, device)
            loss, correct = loss_and_correct(model(ids, lengths, dropout_gen), labels)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            step += 1
            run_loss, run_correct, run_seen = run_loss + loss.item() * len(rows), run_correct + int(correct), run_seen + len(rows)
            done = step >= total or (seconds is not None and time.perf_counter() - start >= seconds)
            evaluated = b in evals or done
            if evaluated:
                history.append(_history_row(model, data, device, step, e + b / len(batches), run_loss, run_correct, run_seen))
                run_loss, run_correct, run_seen = 0.0, 0, 0
            yield Progress(step, total, e + b / len(batches), loss.item(), time.perf_counter() - start, tuple(history), evaluated)
            if done:
                return


def _history_row(model: SentimentLSTM, data: Prepared, device: torch.device, step: int, epoch: float,
                 loss: float, correct: int, seen: int) -> dict[str, float]:
    """Train metrics since the last row plus a full validation pass."""
    valid_loss, valid_acc, _ = evaluate(model, data.valid, device)
    model.train()
    return {"step": step, "epoch": round(epoch, 3), "train_loss": loss / max(1, seen),
            "train_acc": correct / max(1, seen), "valid_loss": valid_loss, "valid_acc": valid_acc}


def confusion_matrix(preds: torch.Tensor, labels: torch.Tensor, num_classes: int) -> torch.Tensor:
    """(K, K) counts: row = true class, column = predicted class."""
    flat = labels * num_classes + preds  # (N,) pair index
    return torch.bincount(flat, minlength=num_classes * num_classes).reshape(num_classes, num_classes)


# ---------------------------------------------------------------- prediction and gates
@dataclass(frozen=True)
class Prediction:
    """Class probabilities for one text and how the model saw it."""

    tokens: tuple[str, ...]
    unknown: tuple[bool, ...]
    ids: tuple[int, ...]
    probs: tuple[float, ...]
    notes: tuple[str, ...]


def probabilities(logits: torch.Tensor) -> torch.Tensor:
    """(B, 1) -> (B, 2) via sigmoid, or softmax over K classes."""
    if logits.shape[1] == 1:
        p = torch.sigmoid(logits[:, 0])
        return torch.stack([1 - p, p], dim=1)  # (B,) -> (B, 2)
    return torch.softmax(logits, dim=1)


def tokens_for(text: str, vocab: tx.Vocab, cfg: LstmConfig) -> tuple[list[str], list[int], list[str]]:
    """Tokens as the model sees them (with <sos>/<eos> when used), their ids, and notes for the user."""
    if not text or not text.strip():
        raise ValueError("Type some text first: the box is empty.")
    tokens = tx.tokenize(text, cfg.tokenizer, cfg.lower)
    if not tokens:
        raise ValueError("No tokens found in this text (only spaces or symbols the tokenizer drops).")
    notes = []
    if len(tokens) > cfg.max_len:
        notes.append(f"The text has {len(tokens)} tokens; only the first {cfg.max_len} are read (max_len).")
        tokens = tokens[:cfg.max_len]
    ids = tx.numericalise(tokens, vocab)
    if vocab.has_sos_eos:
        tokens = [tx.SOS] + tokens + [tx.EOS]
    if all(i == vocab.unk_index for i in vocab.lookup(t for t in tokens if t not in (tx.SOS, tx.EOS))):
        notes.append("None of these words is in the vocabulary: the model only sees <unk>, so the "
                     "prediction says nothing about your text.")
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


# ---------------------------------------------------------------- save and load
def save_bytes(model: SentimentLSTM, vocab: tx.Vocab, classes: Sequence[str],
               history: Sequence[dict[str, float]] = ()) -> bytes:
    """A file holding only tensors and JSON strings, so it loads with `weights_only=True`."""
    payload = {
        "format": FILE_FORMAT, "version": FILE_VERSION,
        "config": json.dumps(asdict(model.cfg)), "vocab": json.dumps(list(vocab.itos)),
        "classes": json.dumps(list(classes)), "history": json.dumps(list(history)),
        "state_dict": {k: v.detach().cpu() for k, v in model.state_dict().items()},
    }
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    return buffer.getvalue()


@dataclass
class Loaded:
    """A model read back from a file."""

    model: SentimentLSTM
    vocab: tx.Vocab
    classes: tuple[str, ...]
    history: list[dict[str, float]]


def load_bytes(data: bytes, device: torch.device = torch.device("cpu")) -> Loaded:
    """Read a saved model safely (no arbitrary unpickling) and check every part; ValueError if broken."""
    payload = load_weights_only(data)
    if not isinstance(payload, dict) or payload.get("format") != FILE_FORMAT:
        raise ValueError("This is not a model file saved by this page.")
    if payload.get("version") != FILE_VERSION:
        raise ValueError(f"This model file has version {payload.get('version')!r}; this page reads version {FILE_VERSION}.")
    try:
        cfg, vocab, classes, history = _parse_parts(payload)
    except (TypeError, ValueError, json.JSONDecodeError) as e:
        raise ValueError(f"The model file is damaged: {e}") from None
    model = SentimentLSTM(len(vocab), num_outputs(classes), cfg)
    state = payload.get("state_dict")
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise ValueError("The model file is damaged: its weights are missing.")
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as e:
        raise ValueError(f"The weights do not fit the saved settings: {str(e).splitlines()[0][:160]}") from None
    if not all(torch.isfinite(p).all() for p in model.parameters()):
        raise ValueError("The model file holds NaN or infinite weights.")
    model.embedding.weight.requires_grad_(not cfg.freeze)
    return Loaded(model.to(device), vocab, classes, history)


def _parse_parts(payload: dict) -> tuple[LstmConfig, tx.Vocab, tuple[str, ...], list[dict[str, float]]]:
    """Decode and validate the JSON parts of a saved file."""
    raw = json.loads(payload["config"]) if isinstance(payload.get("config"), str) else None
    known = {f.name: f.type for f in fields(LstmConfig)}
    if not isinstance(raw, dict) or set(raw) - set(known):
        raise ValueError("its settings are unreadable or hold unknown fields")
    defaults = asdict(LstmConfig())
    for key, value in raw.items():
        if type(value) is not type(defaults[key]) and not (isinstance(defaults[key], float) and isinstance(value, int)):
            raise ValueError(f"setting {key!r} has the wrong type")
    cfg = LstmConfig(**raw).validate()
    itos = json.loads(payload["vocab"]) if isinstance(payload.get("vocab"), str) else None
    classes = json.loads(payload["classes"]) if isinstance(payload.get("classes"), str) else None
    if not isinstance(itos, list) or not all(isinstance(t, str) for t in itos):
        raise ValueError("its vocabulary is unreadable")
    if not isinstance(classes, list) or len(classes) < 2 or not all(isinstance(c, str) for c in classes):
        raise ValueError("its class names are unreadable")
    history = json.loads(payload.get("history") or "[]")
    return cfg, tx.Vocab.from_tokens(itos), tuple(classes), history if isinstance(history, list) else []
