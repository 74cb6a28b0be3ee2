"""Reading uploaded PyTorch files without ever running code from them."""
from __future__ import annotations

import io
from typing import Any

import torch

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
