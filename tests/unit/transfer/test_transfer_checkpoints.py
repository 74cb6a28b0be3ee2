"""Best checkpoints: small files that load with weights_only=True and predict exactly as in the session;
foreign, broken and hostile files give one sentence, and a pickle is never run."""
import io

import numpy as np
import pytest
import torch
from PIL import Image

from lib.common.safe_load import load_weights_only
from lib.transfer import backbone as bb
from lib.transfer import checkpoints as C
from lib.transfer import training as T
from tests.badfiles import malicious_pickle
from tests.unit.transfer.conftest import CPU


@pytest.fixture(scope="module")
def runs(draw, feats, vgg):
    from lib.transfer.config import TransferConfig
    cfg = TransferConfig(scratch_epochs=3, head_epochs=15, finetune_epochs=2, seed=0)
    out = {}
    for strategy in ("scratch", "head", "two_stage"):
        run = T.StrategyRun(strategy, draw.classes)
        list(T.trainer(strategy, run, draw, feats, vgg, cfg, CPU))
        out[strategy] = run
    out["two_stage"].best_stage = 2  # make sure the tuned block travels: keep the last (stage 2) epoch
    out["two_stage"].best_state = T.trainable_state(out["two_stage"].model, tuned=True)
    return out


def picture() -> Image.Image:
    rng = np.random.default_rng(1)
    return Image.fromarray(rng.integers(0, 255, (40, 50, 3), dtype=np.uint8))


@pytest.mark.parametrize("strategy", ["scratch", "head", "two_stage"])
def test_a_checkpoint_round_trips_and_predicts_the_same(strategy, runs, draw, vgg):
    run = runs[strategy]
    raw = C.checkpoint_bytes(run, draw.kind, draw.shape, vgg, 32)
    obj = torch.load(io.BytesIO(raw), weights_only=True)  # plain types and tensors only
    assert obj["strategy"] == strategy and obj["classes"] == list(draw.classes)
    assert len(raw) < 12 * 2**20  # never the 40 MB frozen prefix
    loaded = C.load_checkpoint(raw, vgg, CPU)
    here = C.predictor(run, draw.kind, draw.shape, vgg, 32)
    seen_a, probs_a = here.predict(picture())
    seen_b, probs_b = loaded.predict(picture())
    assert torch.equal(seen_a, seen_b) and seen_a.shape == (1, 28, 28)
    torch.testing.assert_close(probs_a, probs_b)
    assert probs_a.sum().item() == pytest.approx(1.0)
    assert "best epoch" in loaded.origin


def test_top_k_is_sorted():
    assert C.top_k(torch.tensor([0.1, 0.6, 0.3]), 2) == [(1, pytest.approx(0.6)), (2, pytest.approx(0.3))]
    assert len(C.top_k(torch.tensor([0.5, 0.5]), 5)) == 2


def test_a_checkpoint_for_another_backbone_is_explained(runs, draw, vgg):
    raw = C.checkpoint_bytes(runs["head"], draw.kind, draw.shape, vgg, 32)
    other = bb.Backbone("resnet18", "torchvision", vgg.prefix, vgg.block, vgg.normalization, 256, 224, (), "")
    with pytest.raises(ValueError, match="trained on vgg19"):
        C.load_checkpoint(raw, other, CPU)
    with pytest.raises(ValueError, match="trained on vgg19"):
        C.load_checkpoint(raw, None, CPU)


def _save(obj) -> bytes:
    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


def test_bad_files_give_one_sentence_and_never_run_code(tmp_path, runs, draw, vgg):
    marker = tmp_path / "ran"
    good = load_weights_only(C.checkpoint_bytes(runs["scratch"], draw.kind, draw.shape, vgg, 32))
    cases = {
        "empty": (b"", "empty"),
        "text": (b"hello" * 10, "cannot be read"),
        "code-running pickle": (malicious_pickle(marker), "cannot be read"),
        "a bare state_dict": (_save({"weight": torch.zeros(2)}), "not a checkpoint of the transfer"),
        "another version": (_save(good | {"version": 9}), "version 9"),
        "no classes": (_save({k: v for k, v in good.items() if k != "classes"}), "damaged or incomplete"),
        "a huge picture size": (_save(good | {"shape": [3, 100000, 100000]}), "damaged or incomplete"),
        "an unknown kind": (_save(good | {"kind": "imagenet"}), "damaged or incomplete"),
        "weights of another shape": (_save(good | {"classes": ["a", "b"]}), "do not fit"),
        "no tensors": (_save(good | {"state_dict": {"w": 1}}), "no state_dict of tensors"),
    }
    for name, (raw, words) in cases.items():
        with pytest.raises(ValueError, match=words):
            C.load_checkpoint(raw, vgg, CPU)
    assert not marker.exists()


def test_no_checkpoint_before_training(draw, vgg):
    with pytest.raises(ValueError, match="has not trained yet"):
        C.checkpoint_bytes(T.StrategyRun("head", draw.classes), draw.kind, draw.shape, vgg, 32)
