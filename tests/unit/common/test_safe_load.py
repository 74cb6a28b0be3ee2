"""lib/safe_load: uploaded torch files are read with weights_only, and every failure is a ValueError."""
import io

import pytest
import torch

from lib.common.safe_load import load_weights_only
from tests.badfiles import SideEffect, malicious_pickle


def _saved(obj) -> bytes:
    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


def test_tensors_and_plain_containers_load():
    got = load_weights_only(_saved({"w": torch.ones(2), "meta": ["a", 1, 2.5]}))
    assert torch.equal(got["w"], torch.ones(2)) and got["meta"] == ["a", 1, 2.5]


@pytest.mark.parametrize("make, message", [
    (lambda marker: b"", "empty"),
    (lambda marker: b"hello", "cannot be read"),
    (lambda marker: _saved({"w": torch.ones(1000)})[:300], "cannot be read"),  # truncated
    (lambda marker: malicious_pickle(marker), "cannot be read"),
    (lambda marker: _saved({"x": SideEffect(marker)}), "cannot be read"),
])
def test_bad_files_are_refused_and_never_run_code(tmp_path, make, message):
    marker = tmp_path / "ran"
    with pytest.raises(ValueError, match=message):
        load_weights_only(make(marker))
    assert not marker.exists()
