"""lib/image_classifier/training.py: loss goes down, determinism, optimizer settings, rounds."""
from dataclasses import replace

import pytest
import torch

from lib.common.settings import check, spec
from lib.image_classifier import models as M
from lib.image_classifier import training as T

MLP = M.PRESETS[M.DEFAULT_PRESET]


def _run(prepared, spec_=MLP, seed=0, **cfg):
    model = M.build(spec_, (1, 8, 8), 10, seed=seed)
    config = T.TrainConfig(**{"epochs": 2, "batch_size": 32, "chunk_batches": 5, "seed": seed, **cfg})
    steps = list(T.train(model, T.make_optimizer(model, config), T.loss_function(spec_), prepared, config))
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


def test_settings_ranges():
    cfg = T.TrainConfig()
    check(cfg)
    assert spec(cfg, "lr").options == (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3)
    assert spec(cfg, "batch_size").options == (16, 32, 64, 128, 256, 512) and cfg.batch_size == 64
    assert spec(cfg, "weight_decay").options == (0.0, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2)  # 1e-6: the first case study
    assert (spec(cfg, "epochs").lo, spec(cfg, "epochs").hi, cfg.epochs) == (1, 30, 5)
    assert (spec(cfg, "momentum").lo, spec(cfg, "momentum").hi, spec(cfg, "momentum").step) == (0.0, 0.99, 0.01)


@pytest.mark.parametrize("optimizer, lr", [("adam", 1e-3), ("sgd", 0.03)])
def test_optimizer_defaults_start_each_optimizer_at_its_own_rate(optimizer, lr):
    cfg = T.optimizer_defaults(T.TrainConfig(lr=0.3), optimizer)
    assert cfg.optimizer == optimizer and cfg.lr == lr
    check(cfg)
    with pytest.raises(ValueError, match="Unknown optimizer"):
        T.optimizer_defaults(cfg, "lbfgs")


def test_set_step_size_keeps_the_optimizer_state(prepared):
    model, _ = _run(prepared, max_steps=3)
    opt = T.make_optimizer(model, T.TrainConfig())
    opt.state["marker"] = 1
    T.set_step_size(opt, T.TrainConfig(lr=0.1, weight_decay=1e-4))
    assert all(g["lr"] == 0.1 and g["weight_decay"] == 1e-4 for g in opt.param_groups) and opt.state["marker"] == 1


@pytest.mark.parametrize("n_train, batch, chunk", [
    (300, 64, 1),          # 4 batches per epoch: one report per batch
    (4000, 32, 31),        # 125 batches: at least 4 reports per epoch
    (48_000, 64, 100),     # Fashion-MNIST: the configured 100
])
def test_round_config_reports_often_and_reseeds(n_train, batch, chunk):
    cfg = T.round_config(T.TrainConfig(batch_size=batch, seed=5), n_train, round_index=2)
    assert cfg.chunk_batches == chunk and cfg.seed == 7 and cfg.batch_size == batch


def test_total_steps():
    assert T.total_steps(400, T.TrainConfig(epochs=2, batch_size=32)) == 26
    assert T.total_steps(400, T.TrainConfig(epochs=2, batch_size=32, max_steps=5)) == 5


def test_has_dropout():
    assert T.has_dropout(M.build(MLP, (1, 8, 8), 10))
    assert not T.has_dropout(M.build(M.with_changes(MLP, dropout=0.0), (1, 8, 8), 10))


def test_one_cycle_warms_up_to_the_peak_then_anneals(prepared):
    """OneCycleLR over the round: lr/25 at the start, the peak after 30% of the batches, ~0 at the end."""
    model = M.build(MLP, (1, 8, 8), 10)
    cfg = T.TrainConfig(lr=3e-3, schedule="onecycle", epochs=3, batch_size=32, chunk_batches=1)  # 39 batches
    opt = T.make_optimizer(model, cfg)
    lrs = [s.lr for s in T.train(model, opt, T.loss_function(MLP), prepared, cfg)]
    assert len(lrs) == 39
    peak = max(range(len(lrs)), key=lrs.__getitem__)
    assert lrs[peak] == pytest.approx(3e-3, rel=0.02) and peak == pytest.approx(0.3 * 38, abs=1)
    assert lrs[0] == pytest.approx(3e-3 / 25) and lrs[-1] < 3e-3 / 1e4  # starts at lr/25, ends near 0
    assert all(a <= b for a, b in zip(lrs[:peak], lrs[1:peak + 1]))  # rises, then falls
    assert all(a >= b for a, b in zip(lrs[peak:], lrs[peak + 1:]))


def test_a_constant_rate_stays_put_and_momentum_is_not_cycled(prepared):
    model = M.build(MLP, (1, 8, 8), 10)
    cfg = T.TrainConfig(optimizer="sgd", lr=0.03, momentum=0.8, epochs=1, batch_size=32, chunk_batches=4)
    steps = list(T.train(model, T.make_optimizer(model, cfg), T.loss_function(MLP), prepared, cfg))
    assert {s.lr for s in steps} == {0.03}
    cycled = T.make_optimizer(model, cfg)
    list(T.train(model, cycled, T.loss_function(MLP), prepared, replace(cfg, schedule="onecycle")))
    assert cycled.param_groups[0]["momentum"] == 0.8  # only the learning rate follows the cycle


def test_unknown_schedule_gives_a_message():
    model = M.build(MLP, (1, 8, 8), 10)
    with pytest.raises(ValueError, match="schedule"):
        T.make_scheduler(T.make_optimizer(model, T.TrainConfig()), T.TrainConfig(schedule="zigzag"), 10)
    assert T.make_scheduler(T.make_optimizer(model, T.TrainConfig()), T.TrainConfig(), 10) is None


def test_schedule_and_weight_decay_settings():
    cfg = T.TrainConfig()
    assert spec(cfg, "schedule").options == ("constant", "onecycle") and cfg.schedule == "constant"
    assert 1e-6 in spec(cfg, "weight_decay").options  # the first case study's recipe can be set


def test_set_step_size_applies_sgd_momentum_and_nesterov():
    model = M.build(MLP, (1, 8, 8), 10)
    opt = T.make_optimizer(model, T.TrainConfig(optimizer="sgd", lr=0.03))
    T.set_step_size(opt, T.TrainConfig(optimizer="sgd", lr=0.01, momentum=0.5, nesterov=True, weight_decay=1e-6))
    assert {k: opt.param_groups[0][k] for k in ("lr", "momentum", "nesterov", "weight_decay")} == \
        {"lr": 0.01, "momentum": 0.5, "nesterov": True, "weight_decay": 1e-6}
    with pytest.raises(ValueError, match="Nesterov"):
        T.set_step_size(opt, T.TrainConfig(optimizer="sgd", momentum=0.0, nesterov=True))
