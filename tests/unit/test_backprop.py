"""Manual 5-3-1 backprop agrees with autograd; linear regression from scratch converges or diverges."""
import runpy

import pytest
import torch

from lib import backprop as bp
from lib import linreg as lr

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


def test_backprop_code_reproduces_the_page(tmp_path, capsys):
    cfg = bp.BackpropConfig(lr=1.0, seed=2)
    pair = bp.new_pair(cfg, CPU)
    last = list(bp.train_pair(pair, 20))[-1]
    script = tmp_path / "bp.py"
    script.write_text(bp.backprop_code(cfg, 20))
    ns = runpy.run_path(str(script))
    assert ns["loss"].item() == pytest.approx(last.loss_autograd, rel=1e-6)
    assert ns["diff"].item() < 1e-5


def test_classic_data_converges_to_least_squares():
    xs, ys = lr.DATASETS["classic 17 points"]
    assert len(xs) == len(ys) == 17
    w, b = lr.least_squares(xs, ys)
    assert (w, b) == pytest.approx((0.2516, 0.7988), abs=1e-3)  # the tutorial's fitted line
    history = list(lr.fit(xs, ys, 0.02, 2000, CPU))
    assert (history[-1].w, history[-1].b) == pytest.approx((w, b), abs=2e-3)
    assert history[-1].loss < history[0].loss and not lr.diverged(history)


def test_learning_rate_above_stability_limit_diverges():
    xs, ys = lr.DATASETS["classic 17 points"]
    limit = lr.stability_limit(xs)
    assert 0.02 < limit < 0.025
    assert lr.diverged(list(lr.fit(xs, ys, limit * 1.1, 500, CPU)))
    assert not lr.diverged(list(lr.fit(xs, ys, limit * 0.9, 500, CPU)))


def test_fit_loss_goes_down_in_a_few_steps():
    history = list(lr.fit((1.0, 2.0, 3.0), (2.0, 4.0, 6.0), 0.05, 5, CPU))
    assert all(b.loss < a.loss for a, b in zip(history, history[1:]))


@pytest.mark.parametrize("text, fragment", [
    ("1, 2\n3", "Line 2"),             # a lone number
    ("1, 2\nfoo, 3", "Line 2"),        # not a number
    ("1, 2", "at least two points"),
    ("1, 2\n1, 3", "different x"),
])
def test_bad_points(text, fragment):
    with pytest.raises(ValueError, match=fragment):
        lr.parse_points(text)


def test_linreg_code_reproduces_the_fit(tmp_path):
    xs, ys = lr.DATASETS["pytorch-tutorial 15 points"]
    last = list(lr.fit(xs, ys, 0.01, 100, CPU))[-1]
    script = tmp_path / "lr.py"
    script.write_text(lr.linreg_code(xs, ys, 0.01, 100))
    ns = runpy.run_path(str(script))
    assert ns["w"].item() == pytest.approx(last.w, rel=1e-6) and ns["b"].item() == pytest.approx(last.b, rel=1e-6)
