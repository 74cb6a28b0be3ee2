"""lib/train.py: loss goes down, determinism, evaluation helpers, checkpoints, generated script."""
import io
import runpy

import pytest
import torch
from torch import nn

from lib import datasets as D
from lib import models as M
from lib import train as T

CPU = torch.device("cpu")
MLP = M.PRESETS[M.DEFAULT_PRESET]


@pytest.fixture(scope="module")
def digits() -> D.ImageSet:
    return D.load("digits8")


@pytest.fixture(scope="module")
def prepared(digits) -> D.Prepared:
    return D.prepare(digits, CPU, 0.2, 0, limit=400)


def _run(prepared, spec=MLP, seed=0, **cfg):
    model = M.build(spec, (1, 8, 8), 10, seed=seed)
    config = T.TrainConfig(**{"epochs": 2, "batch_size": 32, "chunk_batches": 5, "seed": seed, **cfg})
    steps = list(T.train(model, T.make_optimizer(model, config), T.loss_function(spec), prepared, config))
    return model, steps


def test_loss_goes_down_and_steps_are_reported(prepared):
    model, steps = _run(prepared, max_steps=20)
    assert [s.step for s in steps] == [5, 10, 15, 20] and steps[-1].total_steps == 20
    assert steps[-1].train_loss < steps[0].train_loss and steps[-1].val_loss < steps[0].val_loss
    assert steps[-1].epoch == pytest.approx(20 / 13)  # 400 images / 32 = 13 batches per epoch


@pytest.mark.parametrize("optimizer, extra", [("sgd", {"lr": 0.05, "nesterov": True}), ("adam", {})])
def test_same_seed_same_result_other_seed_differs(prepared, optimizer, extra):
    a = _run(prepared, optimizer=optimizer, max_steps=8, **extra)[0]
    b = _run(prepared, optimizer=optimizer, max_steps=8, **extra)[0]
    c = _run(prepared, seed=1, optimizer=optimizer, max_steps=8, **extra)[0]
    assert torch.equal(a[1].weight, b[1].weight) and not torch.equal(a[1].weight, c[1].weight)


def test_ce_and_logsoftmax_nll_train_identically(prepared):
    """CrossEntropyLoss on scores == NLLLoss on log_softmax: same weights after the same steps."""
    ce = _run(prepared, M.with_changes(MLP, log_softmax=False), max_steps=6)[0]
    nll = _run(prepared, MLP, max_steps=6)[0]
    torch.testing.assert_close(ce[1].weight, nll[1].weight, rtol=1e-4, atol=1e-5)


def test_bad_optimizer_settings():
    model = M.build(MLP, (1, 8, 8), 10)
    with pytest.raises(ValueError, match="learning rate"):
        T.make_optimizer(model, T.TrainConfig(lr=0))
    with pytest.raises(ValueError, match="Nesterov"):
        T.make_optimizer(model, T.TrainConfig(optimizer="sgd", momentum=0, nesterov=True))


def test_confusion_matrix_per_class_and_confident_wrong():
    labels = torch.tensor([0, 0, 1, 1, 2])
    probs = torch.tensor([[.9, .1, 0], [.2, .7, .1], [.1, .8, .1], [.05, .05, .9], [0, 0, 1.]])
    cm = T.confusion_matrix(probs.argmax(1), labels, 3)
    assert cm.tolist() == [[1, 1, 0], [0, 1, 1], [0, 0, 1]]
    assert T.per_class_accuracy(cm).tolist() == [0.5, 0.5, 1.0]
    assert T.most_confident_wrong(probs, labels, 5).tolist() == [3, 1]  # 0.9 wrong before 0.7 wrong


def test_evaluate_matches_manual(prepared):
    model = M.build(MLP, (1, 8, 8), 10)
    ev = T.evaluate(model, T.loss_function(MLP), prepared.test_x, prepared.test_y)
    model.eval()
    with torch.no_grad():
        out = model(D.as_input(prepared.test_x))
    assert ev.loss == pytest.approx(nn.NLLLoss()(out, prepared.test_y).item(), rel=1e-5)
    assert ev.accuracy == pytest.approx((out.argmax(1) == prepared.test_y).float().mean().item())
    torch.testing.assert_close(ev.probs.sum(1), torch.ones(len(prepared.test_y)))


def test_dropout_demo_train_mode_varies_eval_mode_fixed(prepared):
    model = M.build(M.with_changes(MLP, dropout=0.5), (1, 8, 8), 10)
    train_p, eval_p = T.dropout_demo(model, prepared.test_x[:1], repeats=3)
    assert not torch.allclose(train_p[0], train_p[1])
    torch.testing.assert_close(eval_p, T.predict_proba(model, prepared.test_x[:1])[0])


def test_checkpoint_round_trip(prepared):
    model, _ = _run(prepared, max_steps=3)
    data = T.checkpoint_bytes(model, MLP, (1, 8, 8), D.DIGIT_CLASSES, {"epochs": 0.2})
    loaded = T.load_checkpoint(data, CPU)
    assert loaded.spec == MLP and loaded.classes == D.DIGIT_CLASSES and loaded.meta == {"epochs": 0.2}
    torch.testing.assert_close(T.predict_proba(loaded.model, prepared.test_x), T.predict_proba(model, prepared.test_x))


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
        T.load_checkpoint(data, CPU)


def test_checkpoint_for_another_architecture_is_refused():
    model = M.build(MLP, (1, 8, 8), 10)
    obj = torch.load(io.BytesIO(T.checkpoint_bytes(model, MLP, (1, 8, 8), D.DIGIT_CLASSES)), weights_only=True)
    obj["spec"]["hidden"] = [64, 128]  # config says one thing, weights another
    with pytest.raises(ValueError, match="do not fit this architecture.*1.weight"):
        T.load_checkpoint(_save(obj), CPU)


def test_training_script_runs(tmp_path, capsys):
    model = M.build(MLP, (1, 8, 8), 10)
    cfg = T.TrainConfig(epochs=2, batch_size=64)
    path = tmp_path / "train.py"
    path.write_text(T.training_code("digits8", M.model_code(model, (1, 8, 8), "sequential"), MLP, cfg, 0.2))
    monkey_cwd = tmp_path
    import os
    old = os.getcwd()
    os.chdir(monkey_cwd)
    try:
        runpy.run_path(str(path))
    finally:
        os.chdir(old)
    out = capsys.readouterr().out
    acc = float(out.split("test accuracy ")[1].split("%")[0])
    assert acc > 60  # two epochs on 8x8 digits learn a lot; an untrained net is at ~10%
    assert (tmp_path / "classifier_state_dict.pt").exists()
