"""lib/image_classifier/checkpoints.py: round trip, broken or foreign files, another architecture."""
import io

import pytest
import torch

from lib.image_classifier import checkpoints as C
from lib.image_classifier import datasets as D
from lib.image_classifier import evaluation as E
from lib.image_classifier import models as M
from lib.image_classifier import training as T

CPU = torch.device("cpu")
MLP = M.PRESETS[M.DEFAULT_PRESET]


def test_checkpoint_round_trip(prepared):
    model = M.build(MLP, (1, 8, 8), 10)
    cfg = T.TrainConfig(epochs=2, batch_size=32, chunk_batches=5, max_steps=3)
    list(T.train(model, T.make_optimizer(model, cfg), T.loss_function(MLP), prepared, cfg))
    data = C.checkpoint_bytes(model, MLP, (1, 8, 8), D.DIGIT_CLASSES, {"epochs": 0.2})
    loaded = C.load_checkpoint(data, CPU)
    assert loaded.spec == MLP and loaded.classes == D.DIGIT_CLASSES and loaded.meta == {"epochs": 0.2}
    torch.testing.assert_close(E.predict_proba(loaded.model, prepared.test_x), E.predict_proba(model, prepared.test_x))


def _save(obj) -> bytes:
    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


class Evil:  # a pickled custom object: weights_only must refuse it
    pass


@pytest.mark.parametrize("data, message", [
    (b"", "empty"),
    (b"not a zip at all", "cannot be read"),
    (_save({"x": Evil()}), "cannot be read"),                      # refused by weights_only=True
    (_save({"fc.weight": torch.zeros(2, 2)}), "not a checkpoint saved by this page"),  # a bare state_dict
])
def test_broken_or_foreign_files(data, message):
    with pytest.raises(ValueError, match=message):
        C.load_checkpoint(data, CPU)


def test_checkpoint_for_another_architecture_is_refused():
    model = M.build(MLP, (1, 8, 8), 10)
    obj = torch.load(io.BytesIO(C.checkpoint_bytes(model, MLP, (1, 8, 8), D.DIGIT_CLASSES)), weights_only=True)
    obj["spec"]["hidden"] = [64, 128]  # config says one thing, weights another
    with pytest.raises(ValueError, match="do not fit this model.*1.weight"):
        C.load_checkpoint(_save(obj), CPU)
