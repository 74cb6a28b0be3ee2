"""The chain rule by hand (local derivatives along every path) agrees with autograd; gradcheck in float64."""
import pytest
import torch

from lib.autograd import graph as ag
from lib.autograd.chain_rule import check_gradients, manual_backward, unbroadcast
from lib.common.messages import Message

CPU = torch.device("cpu")


@pytest.mark.parametrize("name", list(ag.PRESETS))
def test_every_preset_builds_and_matches_hand_chain_rule(name, run_expr):
    preset = ag.PRESETS[name]
    ev = run_expr(preset.expression, *preset.leaves)
    _, checks = manual_backward(ev)
    assert checks and all(c.agree for c in checks)


def test_chain_rule_paths_multiply_local_derivatives(run_expr):
    ev = run_expr("2*x**2 + 3", ag.LeafSpec("x", "4"))
    rows, checks = manual_backward(ev)
    assert [r.local for r in rows] == ["1", "2", "8"]
    assert checks[0].paths == ("1 × 2 × 8",) and checks[0].manual == "16"


@pytest.mark.parametrize("expression", [
    "x/w - x**w",                           # quotient and power rules, both inputs
    "sum(x*w) + mean(exp(x))",              # broadcasting w over rows, reductions
    "tanh(x)*sin(x) + cos(w)*log(w)",       # the elementwise function rules
    "sum(sigmoid(x @ w) + relu(-x @ w))",   # matrix-vector product
    "x*x*x",                                # a leaf on several paths: contributions add
])
def test_hand_chain_rule_matches_autograd(expression, run_expr):
    ev = run_expr(expression, ag.LeafSpec("x", "1, 2; 3, 4"), ag.LeafSpec("w", "0.5, 1.5"))
    rows, checks = manual_backward(ev)
    assert rows and all(c.agree for c in checks)


def test_unbroadcast_sums_over_broadcast_dims():
    torch.testing.assert_close(unbroadcast(torch.ones(2, 3), torch.Size([3])), torch.full((3,), 2.0))
    torch.testing.assert_close(unbroadcast(torch.ones(2, 3), torch.Size([2, 1])), torch.full((2, 1), 3.0))


def test_gradcheck_passes_on_smooth_and_fails_on_relu_kink():
    smooth = check_gradients("sum(sigmoid(x) * w)", (ag.LeafSpec("x", "1, 2"), ag.LeafSpec("w", "3, 4"),
                                                     ag.LeafSpec("b", "1")), CPU)
    assert smooth.passed and "for x, w (" in smooth.message  # b is unused: not checked
    result = check_gradients("relu(x)", (ag.LeafSpec("x", "0"),), CPU)
    assert not result.passed and "numerical" in result.message


def test_rules_with_words_are_translatable_messages(run_expr):
    """The page translates these at its edge; pure formulas stay plain text."""
    ev = run_expr("sum(w @ x)", ag.LeafSpec("x", "1, 2"), ag.LeafSpec("w", "3, 4; 5, 6"))
    rows, _ = manual_backward(ev)
    by_rule = {r.rule: r for r in rows}
    sum_rule = next(r for r in by_rule if "sum" in r)
    assert isinstance(sum_rule, Message) and sum_rule.params["rule"].template == "1 for every element"
    assert any(isinstance(r.local, Message) and r.local.template == "Jacobian" for r in rows)  # the @ edges
    passed = check_gradients("sum(w @ x)", (ag.LeafSpec("x", "1, 2"), ag.LeafSpec("w", "3, 4; 5, 6")), CPU)
    assert passed.passed and passed.message.params == {"names": "x, w"}
