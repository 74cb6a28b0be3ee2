"""Reading uploaded PyTorch files without ever running code from them."""
from __future__ import annotations

import io
from typing import Any

import torch
from torch import nn

from lib.common.messages import LearnerError


def load_weights_only(data: bytes) -> Any:
    """`torch.load(..., weights_only=True)` on uploaded bytes; any failure becomes a ValueError.

    weights_only=True unpickles only tensors and plain containers, so a file crafted to run
    code is refused instead of executed. Broken files fail in many ways (zip, pickle, EOF...),
    all of which mean the same to the user, hence the broad except.
    """
    if not data:
        raise LearnerError("The file is empty.")
    try:
        return torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except Exception as e:  # noqa: BLE001 - see above
        detail = (str(e).strip().splitlines() or [type(e).__name__])[0][:120]
        raise LearnerError("This file cannot be read as a safe PyTorch file (broken, not a .pt file, or holding "
                           "Python objects that weights_only=True refuses): {detail}", detail=detail) from None


def load_checkpoint(data: bytes, fmt: str, version: int, foreign: LearnerError) -> dict:
    """A checkpoint written by one of this app's pages: read with weights_only, then its format and version
    checked. `foreign` is the page's own sentence for a file it did not write (a bare state_dict...)."""
    obj = load_weights_only(data)
    if not isinstance(obj, dict) or obj.get("format") != fmt:
        raise foreign
    if obj.get("version") != version:
        raise LearnerError("Checkpoint version {found} is not supported (this page writes {version}).",
                           found=str(obj.get("version"))[:20], version=version)
    return obj


def tensor_dict(state: Any) -> dict[str, torch.Tensor]:
    """The checkpoint's state_dict, if it really is a dict of tensors."""
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise LearnerError("The checkpoint has no state_dict of tensors.")
    return state


def load_checked(model: nn.Module, state: Any) -> nn.Module:
    """`model.load_state_dict(state)` after saying, in words, which keys or shapes do not fit."""
    state = tensor_dict(state)
    own = model.state_dict()
    missing, extra = sorted(set(own) - set(state)), sorted(set(state) - set(own))
    wrong = [f"{k}: file {tuple(state[k].shape)} vs model {tuple(own[k].shape)}"
             for k in own if k in state and state[k].shape != own[k].shape]
    if missing or extra or wrong:
        details = "; ".join(filter(None, [f"missing {missing[:3]}" if missing else "",
                                          f"unexpected {extra[:3]}" if extra else "", "; ".join(wrong[:3])]))
        raise LearnerError("The weights do not fit this model: {details}.", details=details)
    model.load_state_dict(state)
    return model
