"""The code panels run as standalone scripts and compute what the page shows (graph, backprop, regression)."""
import pytest
import torch

from lib.autograd import backprop as bp
from lib.autograd import code
from lib.autograd import graph as ag
from lib.autograd import linreg as lr
from lib.autograd.parser import parse
from tests.helpers import run_script

CPU = torch.device("cpu")


@pytest.mark.parametrize("name", list(ag.PRESETS))
def test_generated_code_reproduces_the_gradients(name, tmp_path, run_expr):
    preset = ag.PRESETS[name]
    ev = run_expr(preset.expression, *preset.leaves)
    run = run_script(code.graph_code(preset.expression, preset.leaves), tmp_path, "graph.py")
    for leaf, tensor in ev.leaves.items():
        if tensor.grad is None:
            assert run.namespace[leaf].grad is None
        else:
            torch.testing.assert_close(run.namespace[leaf].grad, tensor.grad)
    assert "gradcheck (float64): True" in run.stdout and "AccumulateGrad" in run.stdout


@pytest.mark.parametrize("text, source", [
    ("2*x**2 + 3", "((2.0 * (x ** 2.0)) + 3.0)"),          # every operation bracketed, floats in full
    ("-(x - 1)", "-((x - 1.0))"),
    ("mean(sigmoid(w @ x) + exp(b))", "torch.mean((torch.sigmoid((w @ x)) + torch.exp(b)))"),
    ("0.1234567*x", "(0.1234567 * x)"),                     # no rounding: the script computes the same
])
def test_to_torch_code_spells_the_expression_as_pytorch(text, source):
    assert code.to_torch_code(parse(text, ("x", "w", "b"))) == source


@pytest.mark.parametrize("spec, line", [
    (ag.LeafSpec("x", "0.1"), "x = torch.tensor(0.1, requires_grad=True)"),      # float64 text, not 0.100000001
    (ag.LeafSpec("w", "1, 2; 3, 4", False), "w = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=False)"),
    (ag.LeafSpec("b", "ones(2)"), "b = torch.tensor([1.0, 1.0], requires_grad=True)"),
])
def test_leaf_code_writes_the_values_the_learner_typed(spec, line):
    assert code.leaf_code(spec) == line


def test_backprop_code_reproduces_the_page(tmp_path):
    cfg = bp.BackpropConfig(lr=1.0, seed=2)
    pair = bp.new_pair(cfg, CPU)
    last = list(bp.train_pair(pair, 20))[-1]
    ns = run_script(code.backprop_code(cfg, 20), tmp_path, "bp.py").namespace
    assert ns["loss"].item() == pytest.approx(last.loss_autograd, rel=1e-6)
    assert ns["diff"].item() < 1e-5


def test_linreg_code_reproduces_the_fit(tmp_path):
    xs, ys = lr.DATASETS["tutorial"]
    last = list(lr.fit(xs, ys, 0.01, 100, CPU))[-1]
    ns = run_script(code.linreg_code(xs, ys, 0.01, 100), tmp_path, "lr.py").namespace
    assert ns["w"].item() == pytest.approx(last.w, rel=1e-6) and ns["b"].item() == pytest.approx(last.b, rel=1e-6)
