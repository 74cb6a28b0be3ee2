"""Save a trained model as tensors plus JSON (loads with `weights_only=True`) and read one back, checking it."""
from __future__ import annotations

import io
import json
from dataclasses import asdict, dataclass, fields
from typing import Sequence

import torch

from lib.common.messages import LearnerError
from lib.common.safe_load import load_weights_only
from lib.common.settings import check
from lib.lstm import text as tx
from lib.lstm.config import LstmConfig
from lib.lstm.model import SentimentLSTM, num_outputs

FILE_FORMAT = "pytorch-explainer/lstm-sentiment"
FILE_VERSION = 1


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
        raise LearnerError("This is not a model file saved by this page.")
    if payload.get("version") != FILE_VERSION:
        raise LearnerError("This model file has version {found}; this page reads version {version}.",
                           found=repr(payload.get("version")), version=FILE_VERSION)
    try:
        cfg, vocab, classes, history = _parse_parts(payload)
    except (TypeError, ValueError, json.JSONDecodeError) as e:
        raise LearnerError("The model file is damaged: {reason}", reason=str(e)) from None
    model = SentimentLSTM(len(vocab), num_outputs(classes), cfg)
    state = payload.get("state_dict")
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise LearnerError("The model file is damaged: its weights are missing.")
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as e:
        raise LearnerError("The weights do not fit the saved settings: {reason}",
                           reason=(str(e).splitlines() or ["?"])[0][:160]) from None
    if not all(torch.isfinite(p).all() for p in model.parameters()):
        raise LearnerError("The model file holds NaN or infinite weights.")
    model.embedding.weight.requires_grad_(not cfg.freeze)
    return Loaded(model.to(device), vocab, classes, history)


def _parse_parts(payload: dict) -> tuple[LstmConfig, tx.Vocab, tuple[str, ...], list[dict[str, float]]]:
    """Decode and validate the JSON parts of a saved file."""
    raw = json.loads(payload["config"]) if isinstance(payload.get("config"), str) else None
    known = {f.name: f.type for f in fields(LstmConfig)}
    if not isinstance(raw, dict) or set(raw) - set(known):
        raise ValueError("its settings are unreadable or hold unknown fields")
    raw.setdefault("phrases", 0)  # files saved before the phrase shortcut existed have none
    defaults = asdict(LstmConfig())
    for key, value in raw.items():
        if type(value) is not type(defaults[key]) and not (isinstance(defaults[key], float) and isinstance(value, int)):
            raise ValueError(f"setting {key!r} has the wrong type")
    cfg = LstmConfig(**raw).validate()
    check(cfg)
    itos = json.loads(payload["vocab"]) if isinstance(payload.get("vocab"), str) else None
    classes = json.loads(payload["classes"]) if isinstance(payload.get("classes"), str) else None
    if not isinstance(itos, list) or not all(isinstance(t, str) for t in itos):
        raise ValueError("its vocabulary is unreadable")
    if not isinstance(classes, list) or len(classes) < 2 or not all(isinstance(c, str) for c in classes):
        raise ValueError("its class names are unreadable")
    history = json.loads(payload.get("history") or "[]")
    return cfg, tx.Vocab.from_tokens(itos), tuple(classes), history if isinstance(history, list) else []
