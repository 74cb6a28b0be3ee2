"""lib/image_classifier/logs.py: a round's TensorBoard run, read back from its event files."""
import pytest
import torch

from lib.image_classifier import logs as L
from lib.image_classifier import models as M
from lib.image_classifier import training as T
from lib.image_classifier.run import ClassifierRun

pytest.importorskip("tensorboard")
from lib.common.runlog import LogFolder, read_scalars  # noqa: E402 - needs tensorboard

MLP = M.PRESETS[M.DEFAULT_PRESET]
CFG = T.TrainConfig(epochs=1, batch_size=32, schedule="onecycle")


@pytest.fixture
def folder():
    logs = LogFolder()
    yield logs
    logs.remove()


def test_steps_pass_through_and_every_report_is_logged(digits, prepared, folder):
    run = ClassifierRun.new("digits8", MLP, M.build(MLP, digits.shape, 10), digits, CFG, torch.device("cpu"))
    log = folder.new_run("mlp-digits8")
    steps = list(L.log_steps(run.train(prepared, CFG), log))
    ev = run.results(prepared)
    L.log_results(log, ev, prepared.test_x, prepared.test_y, L.hyperparameters("digits8", "mlp", MLP, CFG, 400),
                  steps[-1].step)
    log.close()
    assert steps == run.history  # unchanged
    curves = {c.tag: c for c in read_scalars(folder.path, "mlp-digits8")}
    assert set(L.SCALARS) <= set(curves)
    assert curves["accuracy/validation"].values == pytest.approx([s.val_acc for s in steps])
    assert curves["learning_rate"].steps == [s.step for s in steps]
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    acc = EventAccumulator(str(folder.path / "mlp-digits8"))
    acc.Reload()
    assert acc.Tags()["images"] == ["test/most_confident_mistakes"]
    assert folder.runs() == ["mlp-digits8"]


def test_without_a_log_the_steps_are_untouched(digits, prepared):
    run = ClassifierRun.new("digits8", MLP, M.build(MLP, digits.shape, 10), digits, CFG, torch.device("cpu"))
    assert list(L.log_steps(run.train(prepared, CFG), None)) == run.history


def test_mistakes_grid_holds_the_surest_wrong_images(digits, prepared):
    model = M.build(MLP, digits.shape, 10)
    from lib.image_classifier.evaluation import evaluate
    ev = evaluate(model, T.loss_function(MLP), prepared.test_x, prepared.test_y)
    grid = L.mistakes_grid(ev, prepared.test_x, prepared.test_y, k=5)
    assert grid.shape == (5, 1, 8, 8) and 0 <= grid.min() and grid.max() <= 1
    wrong = (ev.preds != prepared.test_y).nonzero().flatten()
    surest = wrong[ev.probs[wrong].max(1).values.argmax()]
    torch.testing.assert_close(grid[0], prepared.test_x[surest].float() / 255)


def test_hyperparameters_are_plain_values():
    h = L.hyperparameters("fashion", "fast_cnn", M.PRESETS["fast_cnn"], CFG, 48_000)
    assert all(isinstance(v, (int, float, str, bool)) for v in h.values())
    assert h["schedule"] == "onecycle" and h["batch_norm"] is True and h["momentum"] == 0.0  # Adam: no momentum
