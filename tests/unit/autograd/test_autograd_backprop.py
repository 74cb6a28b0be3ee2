"""Manual 5-3-1 backprop agrees with autograd step by step; the pair is the page's run state."""
import numpy as np
import pytest
import torch

from lib.autograd import backprop as bp

CPU = torch.device("cpu")


def test_manual_and_autograd_agree_step_by_step():
    pair = bp.new_pair(bp.BackpropConfig(), CPU)
    records = list(bp.train_pair(pair, 50))
    for r in records:
        assert r.loss_manual == pytest.approx(r.loss_autograd, rel=1e-5, abs=1e-7)
        assert r.max_weight_diff < 1e-5
    assert records[-1].loss_autograd < records[0].loss_autograd / 2  # it really learns
    manual, auto = bp.output(pair)
    assert manual == pytest.approx(auto, abs=1e-6)


def test_manual_gradient_equals_autograd_gradient_in_float64():
    """One manual step with lr = 1 moves each weight by exactly -dL/dw; compare with .grad."""
    pair = bp.new_pair(bp.BackpropConfig(), CPU)
    params = {k: v.double() for k, v in pair.manual.items()}
    leaves = {k: v.clone().requires_grad_() for k, v in params.items()}
    x, y = pair.x.double(), pair.y.double()
    out = torch.sigmoid(torch.sigmoid(x @ leaves["W1"] + leaves["b1"]) @ leaves["W2"] + leaves["b2"])
    (0.5 * ((out - y) ** 2).sum()).backward()
    before = {k: v.clone() for k, v in params.items()}
    bp.manual_step(params, x, y, lr=1.0)
    for k in params:
        torch.testing.assert_close(before[k] - params[k], leaves[k].grad)


def test_pair_determinism_per_seed():
    a, b = bp.new_pair(bp.BackpropConfig(seed=3), CPU), bp.new_pair(bp.BackpropConfig(seed=3), CPU)
    c = bp.new_pair(bp.BackpropConfig(seed=4), CPU)
    assert torch.equal(a.manual["W1"], b.manual["W1"]) and torch.equal(a.x, b.x)
    assert not torch.equal(a.manual["W1"], c.manual["W1"])


def test_pair_matches_its_settings_and_device_only():
    cfg = bp.BackpropConfig(seed=3)
    pair = bp.new_pair(cfg, CPU)
    assert pair.matches(bp.BackpropConfig(seed=3), CPU) and pair.lr == cfg.lr
    assert not pair.matches(bp.BackpropConfig(seed=3, lr=1.0), CPU)
    assert not pair.matches(cfg, torch.device("meta"))


def test_steps_left_stops_at_max_steps():
    pair = bp.new_pair(bp.BackpropConfig(max_steps=12), CPU)
    assert pair.steps_left(10) == 10 and pair.steps_left(0) == 0
    list(bp.train_pair(pair, 10))
    assert pair.steps_left(10) == 2 and [r.step for r in pair.history] == list(range(1, 11))
    list(bp.train_pair(pair, 2))
    assert pair.steps_left(100) == 0


def test_weight_panels_show_w1_both_ways_and_their_difference_scaled():
    pair = bp.new_pair(bp.BackpropConfig(), CPU)
    list(bp.train_pair(pair, 5))
    panels = bp.weight_panels(pair)
    assert list(panels) == ["W1 by hand", "W1 with autograd", "difference × 10⁶"]
    assert all(v.shape == (5, 3) for v in panels.values())
    np.testing.assert_allclose(panels["W1 by hand"], pair.manual["W1"].numpy())
    np.testing.assert_allclose(panels["W1 with autograd"], pair.model[0].weight.detach().T.numpy())
    np.testing.assert_allclose(panels["difference × 10⁶"],
                               (panels["W1 by hand"] - panels["W1 with autograd"]) * 1e6, rtol=1e-5, atol=1e-6)


def test_weight_rows_one_per_weight_with_shape_and_difference():
    pair = bp.new_pair(bp.BackpropConfig(), CPU)
    list(bp.train_pair(pair, 5))
    rows = bp.weight_rows(pair)
    assert [(r["weight"], r["shape"]) for r in rows] == [("W1", "(5, 3)"), ("b1", "(3,)"), ("W2", "(3, 1)"),
                                                         ("b2", "(1,)")]
    assert all(float(r["max |diff|"]) < 1e-5 for r in rows)
    assert rows[3]["by hand"] == rows[3]["autograd"]  # b2 to 4 digits: the same number
