"""The three strategies: what trains, with which rates, the best checkpoint rule, determinism, test scores."""
from dataclasses import replace

import pytest
import torch

from lib.transfer import strategies as S
from lib.transfer import training as T
from lib.transfer.config import head_weight_decay
from tests.unit.transfer.conftest import CPU


def run_all(strategy, draw, feats, vgg, cfg):
    run = T.StrategyRun(strategy, draw.classes)
    records = list(T.trainer(strategy, run, draw, feats, vgg, cfg, CPU))
    T.finish(run, draw, feats, vgg, cfg, CPU)
    return run, records


@pytest.mark.parametrize("strategy, epochs", [("scratch", 4), ("head", 20), ("two_stage", 22)])
def test_each_strategy_yields_one_record_per_epoch_and_is_scored(strategy, epochs, draw, feats, vgg, tiny):
    run, records = run_all(strategy, draw, feats, vgg, tiny)
    assert [r.epoch for r in records] == list(range(1, epochs + 1))
    assert all(r.total == epochs for r in records)
    assert run.finished and 0 <= run.test_acc <= 1 and run.test_probs.shape == (30, 3)
    # the candidates: every CNN epoch; only the head's latest fit (stage 1 is a convex fit run to convergence)
    candidates = records if strategy == "scratch" else [records[tiny.head_epochs - 1], *records[tiny.head_epochs:]]
    best = max(r.val_acc for r in candidates)
    assert run.best_val == best
    assert run.best_epoch == max(r.epoch for r in candidates if r.val_acc == best)  # a tie goes to the later epoch


def test_stage_1_keeps_its_latest_fit_even_when_an_earlier_epoch_validated_better():
    run = T.StrategyRun("head", ("a", "b"), model=S.Head(2, 2, 0))
    T.remember(run, T.Epoch("head", 1, 1, 2, 1.0, 0.5, 1.0, 0.9, 0.1), latest=True)
    T.remember(run, T.Epoch("head", 1, 2, 2, 0.5, 0.9, 1.2, 0.6, 0.2), latest=True)
    assert (run.best_epoch, run.best_val) == (2, 0.6)
    T.remember(run, T.Epoch("head", 2, 3, 3, 0.5, 0.9, 1.2, 0.5, 0.3))  # stage 2 must match or beat it
    assert run.best_epoch == 2


def test_the_head_reaches_the_logistic_regression_optimum(feats, tiny):
    """L-BFGS converges: the penalised loss's gradient all but vanishes."""
    cfg = replace(tiny, head_epochs=100)
    head = S.Head(feats.train.pooled.shape[1], 3, 0)
    head.fit_scale(feats.train.pooled)
    opt = S.head_optimizer(head, cfg, len(feats.train))

    def closure():
        opt.zero_grad()
        loss = S.head_loss(head, opt, feats.train.pooled, feats.train.labels)
        loss.backward()
        return loss
    closure()
    start = head.linear.weight.grad.norm().item()  # at zero weights
    for _ in range(cfg.head_epochs):
        opt.step(closure)
    closure()
    assert head.linear.weight.grad.norm() < 0.01 * start and head.linear.bias.grad.norm() < 0.01 * start
    assert opt.param_groups[0]["weight_decay"] == pytest.approx(head_weight_decay(cfg, len(feats.train)))


def test_the_head_learns_the_shapes_and_its_loss_goes_down(draw, feats, vgg, tiny):
    run, records = run_all("head", draw, feats, vgg, replace(tiny, head_epochs=60))
    assert records[-1].train_loss < records[0].train_loss / 3
    assert run.test_acc >= 0.9  # three shapes are easy for pretrained features


def test_two_stage_changes_only_its_copy_of_the_block_and_the_head(draw, feats, vgg, tiny):
    shared = vgg.block[0].weight.detach().clone()
    run, records = run_all("two_stage", draw, feats, vgg, tiny)
    assert [r.stage for r in records] == [1] * 20 + [2] * 2
    assert torch.equal(vgg.block[0].weight, shared)
    assert run.model.block is not vgg.block and not torch.equal(run.model.block[0].weight, shared)
    if run.best_stage == 2:
        assert {k.split(".")[0] for k in run.best_state} == {"block", "head"}
    else:
        assert {k.split(".")[0] for k in run.best_state} == {"head"}


def test_the_stage_2_optimizer_has_two_groups_the_block_ten_times_slower(vgg, tiny):
    top = S.new_top(vgg, 3, 2048, 0, fine_tune=True)
    groups = S.group_rows(S.finetune_optimizer(top, tiny, 50))
    assert [g.name for g in groups] == ["backbone's last block", "new head"]
    assert groups[1].lr == pytest.approx(10 * groups[0].lr) and groups[0].lr == tiny.finetune_lr
    assert groups[0].params == 512 * 512 * 9 + 512 and groups[1].params == 2048 * 3 + 3
    assert groups[0].weight_decay == 0 and groups[1].weight_decay == pytest.approx(head_weight_decay(tiny, 50))
    assert head_weight_decay(tiny, 50) == pytest.approx(1 / (0.1 * 50))


@pytest.mark.parametrize("view, trainable", [
    ("scratch", 32 * 3 * 9 + 32 + 64 * 32 * 9 + 64 + 64 * 8 * 8 * 128 + 128 + 128 * 3 + 3),
    ("head", 2048 * 3 + 3),
    ("stage1", 2048 * 3 + 3),
    ("stage2", 2048 * 3 + 3 + 512 * 512 * 9 + 512),
])
def test_the_layer_table_counts_match_the_modules(view, trainable, vgg):
    rows = S.layer_rows(view, vgg, 3, 2048, 32)
    assert sum(r.params for r in rows if r.trainable) == trainable
    if view != "scratch":
        frozen = sum(r.params for r in rows if not r.trainable)
        assert frozen == S.count(vgg.prefix) + (0 if view == "stage2" else S.count(vgg.block))
        assert not any(p.requires_grad for p in vgg.prefix.parameters())  # what the table says is frozen is


def test_training_is_deterministic_for_a_seed(draw, feats, vgg, tiny):
    # batches of 8: with the 30 training images in one batch, the seed's batch order would only reorder one
    # sum (stage 1 is a deterministic L-BFGS fit from zero weights), and the losses could match to the bit
    tiny = replace(tiny, batch_size=8)
    for strategy in ("scratch", "two_stage"):
        a, _ = run_all(strategy, draw, feats, vgg, tiny)
        b, _ = run_all(strategy, draw, feats, vgg, tiny)
        c, _ = run_all(strategy, draw, feats, vgg, replace(tiny, seed=1))
        assert [r.val_loss for r in a.history] == [r.val_loss for r in b.history]
        assert [r.train_loss for r in a.history] != [r.train_loss for r in c.history]


def test_finish_scores_the_best_checkpoint_not_the_last_epoch(draw, feats, vgg, tiny):
    run, _ = run_all("scratch", draw, feats, vgg, tiny)
    model = T.best_model(run, vgg).eval()
    with torch.no_grad():
        logits = model(S.scratch_input(draw.test_x, tiny.scratch_px, CPU))
    assert run.test_acc == pytest.approx((logits.argmax(1) == draw.test_y).float().mean().item())
    assert T.last_test_accuracy(run, draw, feats, vgg, tiny, CPU) == pytest.approx(
        (run.model(S.scratch_input(draw.test_x, 32, CPU)).argmax(1) == draw.test_y).float().mean().item())


def test_head_standardises_with_training_statistics():
    head = S.Head(4, 2, seed=0)
    x = torch.tensor([[1.0, 2, 3, 4], [3, 2, 1, 0]])
    head.fit_scale(x)
    torch.testing.assert_close(head.mean, torch.tensor([2.0, 2, 2, 2]))
    torch.testing.assert_close((x - head.mean) / head.std, torch.tensor([[-1.0, 0, 1, 1], [1, 0, -1, -1]]),
                               atol=1e-5, rtol=0)


def test_a_feature_silent_on_the_training_pictures_is_not_blown_up():
    head = S.Head(3, 2, seed=0)
    x = torch.tensor([[0.0, 2, 1], [0, 4, 5]])   # stds 0, 1, 2: the first channel never fired
    head.fit_scale(x)
    torch.testing.assert_close(head.std, torch.tensor([0.1, 1, 2]))  # floored at 0.1 x the mean std (1)
    assert ((torch.tensor([[1.0, 3, 3]]) - head.mean) / head.std)[0, 0] == pytest.approx(10.0)  # not 1e6
