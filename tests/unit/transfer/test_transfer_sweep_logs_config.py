"""The sample-efficiency sweep, the TensorBoard logs read back, the session's Lab, and the settings' checks."""
import dataclasses

import pytest
import torch

from lib.common.runlog import LogFolder, read_scalars
from lib.transfer import config, efficiency, features, logs
from lib.transfer import lab as labs
from lib.transfer import training as T
from tests.unit.transfer.conftest import CPU


def test_the_sweep_extracts_once_and_scores_every_size_and_strategy(shapes, vgg, tiny):
    bank = features.FeatureBank(("k",))
    steps = list(efficiency.sweep(shapes, "fashion", vgg, bank, tiny, CPU, sizes=(3, 6)))
    points = [s.point for s in steps if s.point]
    assert [(p.per_class, p.strategy) for p in points] == [(n, s) for n in (3, 6) for s in config.STRATEGIES]
    assert all(0 <= p.test_acc <= 1 and 0 <= p.last_test_acc <= 1 for p in points)
    done = [s.done for s in steps]
    assert done == sorted(done) and done[-1] == steps[-1].total  # the bar ends full
    assert len(bank.rows) == 3 * (6 + 2) + 30  # the largest draw and the test pictures, each once


def test_logged_scalars_read_back_per_strategy_and_stage(draw, feats, vgg, tiny):
    folder = LogFolder()
    try:
        log = folder.new_run("t")
        lab = labs.Lab.new(draw, vgg, tiny)
        lab.feats = feats
        for strategy in config.STRATEGIES:
            list(lab.train(strategy, vgg, CPU, log))
        logs.log_results(log, lab.runs, draw, logs.hyperparameters(tiny, draw, "vgg19"))
        log.close()
        curves = {c.tag: c for c in read_scalars(folder.path, "t")}
        assert {"scratch/accuracy_validation", "head/loss_train", "two_stage/stage1/accuracy_validation",
                "two_stage/stage2/accuracy_validation"} <= set(curves)
        assert curves["two_stage/stage2/accuracy_validation"].steps == [21, 22]
        assert curves["scratch/loss_train"].values == pytest.approx([r.train_loss for r in lab.runs["scratch"].history])
        assert any(p.name.startswith("events") for p in (folder.path / "t").rglob("*"))
    finally:
        folder.remove()


def test_the_misclassified_grid_holds_wrong_test_pictures_most_confident_first(draw):
    run = T.StrategyRun("head", draw.classes)
    probs = torch.full((30, 3), 0.1)
    probs[torch.arange(30), draw.test_y] = 0.8      # all right...
    probs[4] = torch.tensor([0.05, 0.05, 0.9]) if draw.test_y[4] != 2 else torch.tensor([0.9, 0.05, 0.05])
    probs[7] = torch.tensor([0.3, 0.3, 0.4]) if draw.test_y[7] != 2 else torch.tensor([0.4, 0.3, 0.3])
    run.test_probs = probs
    grid = logs.mistakes(run, draw)
    assert grid.shape == (2, 1, 28, 28)
    torch.testing.assert_close(grid[0], draw.test_x[4].float() / 255)


def test_the_lab_scores_and_gap(draw, feats, vgg, tiny):
    lab = labs.Lab.new(draw, vgg, tiny)
    assert lab.gap() is None and lab.signature == labs.signature(draw, vgg)
    for strategy, acc in (("scratch", 0.5), ("head", 0.7), ("two_stage", 0.8)):
        lab.runs[strategy].finished, lab.runs[strategy].test_acc = True, acc
    assert lab.gap() == pytest.approx(30.0)
    assert labs.epochs_of("two_stage", tiny) == tiny.head_epochs + tiny.finetune_epochs


@pytest.mark.parametrize("names, words", [
    (["cat", ""], "needs a name"),
    (["Cat", " cat "], "Two classes are called 'cat'"),
    (["only"], "at least 2 classes"),
])
def test_class_names_are_checked(names, words):
    with pytest.raises(ValueError, match=words):
        config.class_names(names)


def test_settings_have_unique_link_names_and_sane_rules():
    from lib.common.settings import spec
    params = [spec(config.TransferConfig, f.name).param for f in dataclasses.fields(config.TransferConfig)]
    params += [spec(config.ClassNames, f.name).param for f in dataclasses.fields(config.ClassNames)]
    named = [p for p in params if p]
    assert len(named) == len(set(named))
    assert config.class_names([" a ", "b"]) == ("a", "b")
    assert [config.val_per_class(n) for n in (5, 8, 20, 100)] == [2, 2, 5, 25]
