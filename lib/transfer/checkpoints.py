"""The best checkpoint of a strategy as a small, safe file, and predictions from it.

The file holds what the strategy trained (the whole small CNN; the head; the head and the tuned block) plus plain
values saying how to rebuild it: never the frozen backbone, which everyone has (it is named, and checked when the
file is loaded). It loads with `torch.load(..., weights_only=True)` (lib.common.safe_load), so a file crafted to
run code is refused, and every other problem is said in one sentence.
"""
from __future__ import annotations

import copy
import io
from dataclasses import dataclass

import torch
from PIL import Image
from torch import nn

from lib.common.messages import LearnerError, Message
from lib.common import safe_load
from lib.transfer.backbone import Backbone
from lib.transfer.config import STRATEGIES
from lib.transfer.data import as_data_picture
from lib.transfer.strategies import Classifier, Head, TunedTop, scratch_cnn, scratch_input
from lib.transfer.training import StrategyRun, best_model

FORMAT = "pytorch-explainer/transfer"
KINDS = ("fashion", "cifar10", "own")
VERSION = 1


def checkpoint_bytes(run: StrategyRun, kind: str, shape: tuple[int, int, int], backbone: Backbone | None,
                     scratch_px: int) -> bytes:
    """torch.save of the best epoch's trained weights and plain-typed metadata."""
    if run.best_state is None:
        raise LearnerError("This strategy has not trained yet: there is no checkpoint to save.")
    buf = io.BytesIO()
    torch.save({"format": FORMAT, "version": VERSION, "strategy": run.strategy, "stage": run.best_stage,
                "backbone": None if run.strategy == "scratch" else backbone.key,
                "weights": None if run.strategy == "scratch" else backbone.source,
                "classes": list(run.classes), "kind": kind, "shape": list(shape), "scratch_px": scratch_px,
                "best_epoch": run.best_epoch, "val_acc": run.best_val, "state_dict": run.best_state}, buf)
    return buf.getvalue()


@dataclass
class Predictor:
    """A model ready to classify new pictures prepared like its training images."""

    strategy: str
    classes: tuple[str, ...]
    kind: str
    shape: tuple[int, int, int]
    model: nn.Module
    scratch_px: int
    origin: Message | None = None      # the epoch and validation accuracy it came from

    @torch.no_grad()
    def predict(self, image: Image.Image) -> tuple[torch.Tensor, torch.Tensor]:
        """(the picture as the model sees it, (C, H, W) uint8; class probabilities)."""
        seen = as_data_picture(image, self.kind, self.shape)
        self.model.eval()
        if self.strategy == "scratch":
            device = next(self.model.parameters()).device
            logits = self.model(scratch_input(seen[None], self.scratch_px, device))
        else:
            logits = self.model(seen[None])
        return seen, logits.softmax(1)[0].cpu()


def top_k(probs: torch.Tensor, k: int) -> list[tuple[int, float]]:
    """The k most probable classes, most probable first: (class index, probability)."""
    values, indices = probs.topk(min(k, len(probs)))
    return list(zip(indices.tolist(), values.tolist()))


def predictor(run: StrategyRun, kind: str, shape: tuple[int, int, int], backbone: Backbone | None,
              scratch_px: int) -> Predictor:
    """The session's best checkpoint of `run` as a Predictor."""
    best = best_model(run, backbone)
    model = best if run.strategy == "scratch" else Classifier(backbone, best)
    return Predictor(run.strategy, run.classes, kind, shape, model, scratch_px)


def load_checkpoint(data: bytes, backbone: Backbone | None, device: torch.device) -> Predictor:
    """Read a checkpoint safely and rebuild its model on `device` (transfer ones on `backbone`)."""
    obj = safe_load.load_checkpoint(data, FORMAT, VERSION, LearnerError(
        "This file is not a checkpoint of the transfer-learning page (a bare state_dict needs the code of the "
        "model that made it)."))
    try:
        strategy, classes = str(obj["strategy"]), tuple(str(c) for c in obj["classes"])
        kind, shape, px = str(obj["kind"]), tuple(int(v) for v in obj["shape"]), int(obj["scratch_px"])
        state, stage = safe_load.tensor_dict(obj["state_dict"]), int(obj["stage"])
        if strategy not in STRATEGIES or kind not in KINDS or not 2 <= len(classes) <= 100:
            raise ValueError(f"strategy {strategy[:20]!r}, kind {kind[:20]!r}, {len(classes)} classes")
        if len(shape) != 3 or shape[0] not in (1, 3) or not 8 <= shape[1] == shape[2] <= 512 or not 8 <= px <= 256:
            raise ValueError(f"picture shape {shape[:4]}, {px} px")  # sizes a hostile file could make huge
    except (KeyError, TypeError, ValueError) as e:
        raise LearnerError("The checkpoint's description is damaged or incomplete ({error}).",
                           error=str(e)[:120]) from None
    model = rebuild(strategy, stage, obj, classes, px, state, backbone, device)
    return Predictor(strategy, classes, kind, shape, model, px, origin(obj))


def origin(obj: dict) -> Message | None:
    """Which epoch of training a checkpoint holds, when the file says so sensibly."""
    try:
        return Message("best epoch {epoch}, validation accuracy {acc:.1%}", epoch=int(obj["best_epoch"]),
                       acc=float(obj["val_acc"]))
    except (KeyError, TypeError, ValueError):
        return None


def rebuild(strategy: str, stage: int, obj: dict, classes: tuple[str, ...], px: int, state: dict,
            backbone: Backbone | None, device: torch.device) -> nn.Module:
    """The network of a checkpoint with its weights loaded on `device`; the backbone must be the one it was
    trained on (and is only used, never moved: it is shared)."""
    if strategy == "scratch":
        return safe_load.load_checked(scratch_cnn(len(classes), px, 0), state).to(device)
    if backbone is None or obj.get("backbone") != backbone.key or obj.get("weights") != backbone.source:
        raise LearnerError("This checkpoint was trained on {wanted} ({weights}); choose that backbone above to "
                           "load it.", wanted=str(obj.get("backbone"))[:40], weights=str(obj.get("weights"))[:120])
    weight = state.get("head.linear.weight")
    if weight is None or weight.ndim != 2:
        raise LearnerError("The checkpoint has no head weights (head.linear.weight).")
    top = TunedTop(backbone.block, Head(weight.shape[1], len(classes), 0))
    if stage == 2:
        top.block = copy.deepcopy(backbone.block)
        safe_load.load_checked(top, state)
    else:
        safe_load.load_checked(top.head, {k.removeprefix("head."): v for k, v in state.items()})
    top.head.to(device)
    if stage == 2:
        top.block.to(device)
    return Classifier(backbone, top)
