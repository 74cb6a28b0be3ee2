"""Graph walk, DOT, presets' known gradients, chain rule by hand, gradcheck, generated code."""
import runpy

import pytest
import torch

from lib import autograd_graph as ag
from lib.chain_rule import check_gradients, manual_backward, unbroadcast

CPU = torch.device("cpu")


def _run(expression, *specs, backward=True):
    ev = ag.build(expression, tuple(specs), CPU)
    if backward:
        ag.run_backward(ev)
    return ev


def test_preset_gradient_16():
    ev = _run("2*x**2 + 3", ag.LeafSpec("x", "4"))
    assert ev.leaves["x"].grad.item() == 16.0
    assert ev.output.item() == 35.0


def test_preset_gradient_4_5_everywhere():
    ev = _run("mean(3*(x + 2)**2)", ag.LeafSpec("x", "ones(2, 2)"))
    torch.testing.assert_close(ev.leaves["x"].grad, torch.full((2, 2), 4.5))
    assert ev.output.item() == 27.0


@pytest.mark.parametrize("name", list(ag.PRESETS))
def test_every_preset_builds_and_matches_hand_chain_rule(name):
    preset = ag.PRESETS[name]
    ev = _run(preset.expression, *preset.leaves)
    _, checks = manual_backward(ev)
    assert checks and all(c.agree for c in checks)


def test_walk_names_the_nodes_in_backward_order():
    ev = _run("mean(3*(x + 2)**2)", ag.LeafSpec("x", "ones(2, 2)"))
    graph = ag.walk(ev)
    assert [n.name for n in graph.nodes] == ["output", "MeanBackward0", "MulBackward0", "PowBackward0",
                                             "AddBackward0", "AccumulateGrad", "x"]
    assert len(graph.edges) == 6  # a chain: out -> 5 functions -> leaf
    add = next(n for n in graph.nodes if n.name == "AddBackward0")
    assert add.value == "[[3, 3], [3, 3]]" and add.grad == "[[4.5, 4.5], [4.5, 4.5]]"


def test_walk_skips_constants_and_leaves_without_grad():
    ev = _run("x * w + b", ag.LeafSpec("x", "2"), ag.LeafSpec("w", "3", False), ag.LeafSpec("b", "1"))
    names = [n.name for n in ag.walk(ev).nodes]
    assert names.count("AccumulateGrad") == 2 and "w" not in names
    assert ev.leaves["w"].grad is None and ev.leaves["x"].grad.item() == 3.0


def test_reused_leaf_has_one_accumulate_node_and_two_edges():
    ev = _run("x * x", ag.LeafSpec("x", "3"))
    graph = ag.walk(ev)
    acc = next(n.id for n in graph.nodes if n.name == "AccumulateGrad")
    assert sum(1 for _, b in graph.edges if b == acc) == 2
    assert ev.leaves["x"].grad.item() == 6.0


def test_labels_before_backward_have_values_but_no_grads():
    ev = _run("2*x + 3", ag.LeafSpec("x", "1.5"), backward=False)
    graph = ag.walk(ev)
    assert all(n.grad == "" for n in graph.nodes)
    dot = ag.to_dot(graph)
    assert dot.startswith("digraph") and "AddBackward0\\nvalue 6" in dot


@pytest.mark.parametrize("expression, specs, fragment", [
    ("x @ w", (ag.LeafSpec("x", "1, 2, 3"), ag.LeafSpec("w", "1, 2")), "left shape (3,), right shape (2,)"),
    ("x + w", (ag.LeafSpec("x", "1, 2, 3"), ag.LeafSpec("w", "1, 2")), "fails"),  # broadcast mismatch
    ("2 @ x", (ag.LeafSpec("x", "1, 2"),), "needs a tensor on both sides"),
    ("x + 1", (ag.LeafSpec("x", "1", False),), "No leaf used in the expression requires grad"),
    ("2 + 3", (ag.LeafSpec("x", "1"),), "uses no leaf"),
    ("x", (ag.LeafSpec("x", "ones(9, 9)"),), "limited to 64"),
    ("x", (ag.LeafSpec("x", "1, two"),), "is not a number list"),
    ("x", (ag.LeafSpec("x", "1, 2; 3"),), "same number of values"),
])
def test_bad_input_gives_a_clear_message(expression, specs, fragment):
    with pytest.raises(ValueError) as info:
        ag.build(expression, specs, CPU)
    assert fragment in str(info.value)


@pytest.mark.parametrize("text, shape", [("4", ()), ("1, 2, 3", (3,)), ("1, 2; 3, 4", (2, 2)),
                                         ("zeros(3)", (3,)), ("arange(4)", (4,)), ("ones(2, 3)", (2, 3))])
def test_parse_leaf_shapes(text, shape):
    assert tuple(ag.parse_leaf(text).shape) == shape


def test_non_scalar_output_gets_a_note_and_ones_gradient():
    ev = _run("x**2", ag.LeafSpec("x", "1, 2, 3"))
    assert any("not a scalar" in n for n in ev.notes)
    torch.testing.assert_close(ev.leaves["x"].grad, torch.tensor([2.0, 4.0, 6.0]))


def test_chain_rule_paths_multiply_local_derivatives():
    ev = _run("2*x**2 + 3", ag.LeafSpec("x", "4"))
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
def test_hand_chain_rule_matches_autograd(expression):
    ev = _run(expression, ag.LeafSpec("x", "1, 2; 3, 4"), ag.LeafSpec("w", "0.5, 1.5"))
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


@pytest.mark.parametrize("name", list(ag.PRESETS))
def test_generated_code_reproduces_the_gradients(name, tmp_path, capsys):
    preset = ag.PRESETS[name]
    ev = _run(preset.expression, *preset.leaves)
    script = tmp_path / "graph.py"
    script.write_text(ag.graph_code(preset.expression, preset.leaves))
    namespace = runpy.run_path(str(script))
    for leaf, tensor in ev.leaves.items():
        if tensor.grad is None:
            assert namespace[leaf].grad is None
        else:
            torch.testing.assert_close(namespace[leaf].grad, tensor.grad)
    out = capsys.readouterr().out
    assert "gradcheck (float64): True" in out and "AccumulateGrad" in out
