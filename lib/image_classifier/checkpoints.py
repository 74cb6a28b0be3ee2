"""Saving and loading a trained classifier safely: the state_dict plus a plain-types config,
read back with `torch.load(..., weights_only=True)` and checked against the rebuilt architecture."""
from __future__ import annotations

import io
from dataclasses import dataclass

import torch
from torch import nn

from lib.common.messages import LearnerError
from lib.common import safe_load
from lib.image_classifier.models import ModelSpec, build

CHECKPOINT_FORMAT = "pytorch-explainer/image-classifier"
CHECKPOINT_VERSION = 1


def checkpoint_bytes(model: nn.Module, spec: ModelSpec, in_shape: tuple[int, int, int],
                     classes: tuple[str, ...], meta: dict | None = None) -> bytes:
    """torch.save of the state_dict plus a plain-types config: loadable with weights_only=True."""
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    buf = io.BytesIO()
    torch.save({"format": CHECKPOINT_FORMAT, "version": CHECKPOINT_VERSION, "spec": spec.to_dict(),
                "in_shape": list(in_shape), "classes": list(classes), "meta": dict(meta or {}),
                "state_dict": state}, buf)
    return buf.getvalue()


@dataclass(frozen=True)
class Loaded:
    model: nn.Sequential
    spec: ModelSpec
    in_shape: tuple[int, int, int]
    classes: tuple[str, ...]
    meta: dict


def load_checkpoint(data: bytes, device: torch.device) -> Loaded:
    """Read a checkpoint safely (weights_only) and rebuild its model; ValueError explains any problem."""
    obj = safe_load.load_checkpoint(data, CHECKPOINT_FORMAT, CHECKPOINT_VERSION, LearnerError(
        "This file is not a checkpoint saved by this page (it has no image-classifier config); a bare "
        "state_dict needs the model class that made it."))
    try:
        spec = ModelSpec.from_dict(obj["spec"])
        in_shape = tuple(int(v) for v in obj["in_shape"])
        classes = tuple(str(c) for c in obj["classes"])
    except (KeyError, TypeError, ValueError) as e:
        raise LearnerError("The checkpoint's config is damaged or incomplete ({error}).", error=str(e)[:200]) from e
    model = build(spec, in_shape, len(classes))  # type: ignore[arg-type]
    safe_load.load_checked(model, obj.get("state_dict"))
    return Loaded(model.to(device), spec, in_shape, classes, obj.get("meta", {}))  # type: ignore[arg-type]
