"""lib/image_classifier/run.py: a learner's run trains in rounds, records its history, caches results."""
import pytest
import torch
from PIL import Image

from lib.image_classifier import checkpoints as C
from lib.image_classifier import evaluation as E
from lib.image_classifier import models as M
from lib.image_classifier import training as T
from lib.image_classifier.run import ClassifierRun

CPU = torch.device("cpu")
MLP = M.PRESETS[M.DEFAULT_PRESET]
CFG = T.TrainConfig(epochs=1, batch_size=32)


def _new(digits, cfg=CFG) -> ClassifierRun:
    return ClassifierRun.new("digits8", MLP, M.build(MLP, digits.shape, 10), digits, cfg, CPU)


def test_a_new_run_describes_its_model(digits):
    run = _new(digits)
    assert run.signature == ("digits8", MLP, (1, 8, 8)) and run.classes == digits.classes
    assert run.device == "cpu" and run.history == [] and run.epochs == 0 and run.rounds == 0
    assert isinstance(run.loss, torch.nn.NLLLoss)  # the default MLP ends with LogSoftmax
    assert run.fits("digits8", digits) and not run.fits("mnist5k", digits)


def test_impossible_settings_fail_before_training(digits, prepared):
    with pytest.raises(ValueError, match="learning rate"):
        _new(digits, T.TrainConfig(lr=0))
    run = _new(digits)
    with pytest.raises(ValueError, match="Nesterov"):
        run.train(prepared, T.TrainConfig(optimizer="sgd", momentum=0, nesterov=True))  # raised at once, not lazily


def test_rounds_record_history_and_count_epochs(digits, prepared):
    run = _new(digits)
    first = list(run.train(prepared, CFG))  # 400 images / 32 = 13 batches, reports every 13 // 4 = 3
    assert [s.step for s in first] == [3, 6, 9, 12, 13] and run.history == first
    assert run.epochs == pytest.approx(1.0) and run.rounds == 1 and run.optimizer_name == "adam"
    list(run.train(prepared, CFG))  # "Train more": epochs count on over rounds
    assert run.epochs == pytest.approx(2.0) and len(run.history) == 10 and run.rounds == 2
    assert [s.epoch for s in run.history[5:]] == pytest.approx([1 + s.epoch for s in first])


def test_train_more_keeps_adam_state_and_applies_new_step_size(digits, prepared):
    run = _new(digits)
    list(run.train(prepared, CFG))
    adam = run.optimizer
    list(run.train(prepared, T.TrainConfig(epochs=1, batch_size=32, lr=3e-4, weight_decay=1e-4, max_steps=1)))
    assert run.optimizer is adam and all(g["lr"] == 3e-4 and g["weight_decay"] == 1e-4 for g in adam.param_groups)
    list(run.train(prepared, T.TrainConfig(optimizer="sgd", lr=0.03, epochs=1, max_steps=1)))
    assert isinstance(run.optimizer, torch.optim.SGD) and run.optimizer_name == "sgd"


def test_each_round_shuffles_with_its_own_seed(digits, prepared):
    a, b = _new(digits), _new(digits)
    list(a.train(prepared, CFG))
    list(b.train(prepared, CFG))
    assert torch.equal(a.model[1].weight, b.model[1].weight)  # same seed, same first round
    b.rounds = 5
    list(a.train(prepared, CFG))
    list(b.train(prepared, CFG))
    assert not torch.equal(a.model[1].weight, b.model[1].weight)


def test_results_are_cached_until_the_model_trains_again(digits, prepared):
    run = _new(digits)
    first = run.results(prepared)
    assert run.results(prepared) is first and run.evaluated_at == 0
    list(run.train(prepared, T.TrainConfig(epochs=1, batch_size=32, max_steps=2)))
    again = run.results(prepared)
    assert again is not first
    assert again.accuracy == pytest.approx(E.evaluate(run.model, run.loss, prepared.test_x, prepared.test_y).accuracy)


def test_classify_and_invert_choices(digits):
    run = _new(digits)
    img = Image.new("RGB", (40, 40), "white")
    img.paste((0, 0, 0), (15, 5, 25, 35))
    assert run.classify(img).seen[0, 0] < 30 and run.classify(img, "no").seen[0, 0] > 200
    assert len(run.classify(img, "yes").probs) == 10 and sum(run.classify(img).probs) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="Invert"):
        run.classify(img, "maybe")


def test_checkpoint_and_back(digits, prepared):
    run = _new(digits)
    list(run.train(prepared, T.TrainConfig(epochs=1, batch_size=32, max_steps=4)))
    loaded = C.load_checkpoint(run.checkpoint(), CPU)
    again = ClassifierRun.from_checkpoint(loaded, "digits8", CPU)
    assert again.signature == run.signature and again.epochs == pytest.approx(run.epochs) and again.history == []
    torch.testing.assert_close(E.predict_proba(again.model, prepared.test_x), E.predict_proba(run.model, prepared.test_x))


def test_summary_of_a_round_reports_test_accuracy(digits, prepared):
    run = _new(digits)
    list(run.train(prepared, CFG))
    row = run.summary(prepared, "mlp", CFG)
    assert (row.data_key, row.preset, row.cfg, row.n_train) == ("digits8", "mlp", CFG, 400)
    assert row.epochs == pytest.approx(1.0) and row.seconds == run.history[-1].seconds > 0
    assert row.val_acc == run.history[-1].val_acc and row.test_acc == run.results(prepared).accuracy


def test_train_then_test_ends_with_the_test_evaluation_ready(digits, prepared):
    """The job the gate queues includes the test evaluation: once the steps are exhausted, results are cached."""
    run = _new(digits)
    steps = list(run.train_then_test(prepared, T.TrainConfig(epochs=1, batch_size=32, max_steps=2)))
    assert steps and run.evaluation is not None and run.evaluated_at == run.epochs
    assert run.results(prepared) is run.evaluation  # nothing left to compute after the job
