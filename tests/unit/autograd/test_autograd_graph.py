"""Leaves from text, the graph walk and its DOT, the presets' known gradients, errors in plain words."""
import pytest
import torch

from lib.autograd import graph as ag

CPU = torch.device("cpu")


def test_preset_gradient_16(run_expr):
    ev = run_expr("2*x**2 + 3", ag.LeafSpec("x", "4"))
    assert ev.leaves["x"].grad.item() == 16.0
    assert ev.output.item() == 35.0


def test_preset_gradient_4_5_everywhere(run_expr):
    ev = run_expr("mean(3*(x + 2)**2)", ag.LeafSpec("x", "ones(2, 2)"))
    torch.testing.assert_close(ev.leaves["x"].grad, torch.full((2, 2), 4.5))
    assert ev.output.item() == 27.0


def test_walk_names_the_nodes_in_backward_order(run_expr):
    ev = run_expr("mean(3*(x + 2)**2)", ag.LeafSpec("x", "ones(2, 2)"))
    graph = ag.walk(ev)
    assert [n.name for n in graph.nodes] == ["output", "MeanBackward0", "MulBackward0", "PowBackward0",
                                             "AddBackward0", "AccumulateGrad", "x"]
    assert len(graph.edges) == 6  # a chain: out -> 5 functions -> leaf
    add = next(n for n in graph.nodes if n.name == "AddBackward0")
    assert add.value == "[[3, 3], [3, 3]]" and add.grad == "[[4.5, 4.5], [4.5, 4.5]]"


def test_walk_skips_constants_and_leaves_without_grad(run_expr):
    ev = run_expr("x * w + b", ag.LeafSpec("x", "2"), ag.LeafSpec("w", "3", False), ag.LeafSpec("b", "1"))
    names = [n.name for n in ag.walk(ev).nodes]
    assert names.count("AccumulateGrad") == 2 and "w" not in names
    assert ev.leaves["w"].grad is None and ev.leaves["x"].grad.item() == 3.0


def test_reused_leaf_has_one_accumulate_node_and_two_edges(run_expr):
    ev = run_expr("x * x", ag.LeafSpec("x", "3"))
    graph = ag.walk(ev)
    acc = next(n.id for n in graph.nodes if n.name == "AccumulateGrad")
    assert sum(1 for _, b in graph.edges if b == acc) == 2
    assert ev.leaves["x"].grad.item() == 6.0


def test_labels_before_backward_have_values_but_no_grads(run_expr):
    ev = run_expr("2*x + 3", ag.LeafSpec("x", "1.5"), backward=False)
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


def test_non_scalar_output_gets_a_note_and_ones_gradient(run_expr):
    ev = run_expr("x**2", ag.LeafSpec("x", "1, 2, 3"))
    assert any("not a scalar" in n for n in ev.notes)
    torch.testing.assert_close(ev.leaves["x"].grad, torch.tensor([2.0, 4.0, 6.0]))


def test_leaf_grads_as_text_only_after_backward(run_expr):
    before = run_expr("x * w", ag.LeafSpec("x", "3"), ag.LeafSpec("w", "2", False), backward=False)
    assert ag.leaf_grads(before) == {}
    after = run_expr("x * w", ag.LeafSpec("x", "3"), ag.LeafSpec("w", "2", False))
    assert ag.leaf_grads(after) == {"x": "2"}  # w needs no grad: no entry


def test_default_leaves_match_the_leaf_names_and_parse():
    cfg = ag.GraphConfig()
    assert len(cfg.leaf_texts) == len(cfg.leaf_names) and cfg.preset in ag.PRESETS
    assert [tuple(ag.parse_leaf(t).shape) for t in cfg.leaf_texts] == [(), (2,), ()]


@pytest.mark.parametrize("preset", list(ag.PRESETS))
def test_each_preset_sets_every_leaf_and_the_default_preset_gives_the_link_defaults(preset):
    """A link names only what differs from its preset, so a preset must fix the expression and all three leaves."""
    settings = ag.preset_settings(preset)
    assert settings.expression == ag.PRESETS[preset].expression
    assert [s.name for s in settings.leaves()] == list(ag.GraphConfig().leaf_names)
    own = {s.name: s for s in ag.PRESETS[preset].leaves}
    assert all(s == own[s.name] for s in settings.leaves() if s.name in own)
    ev = ag.build(settings.expression, settings.leaves(), torch.device("cpu"))  # every preset builds
    assert ev.output.requires_grad
    assert ag.preset_settings(ag.GraphConfig().preset) == ag.ExpressionSettings()


@pytest.mark.parametrize("text", ["inf", "1, nan", "1e999"])
def test_leaves_must_be_finite(text):
    with pytest.raises(ValueError, match="finite"):
        ag.parse_leaf(text)


def test_the_drawing_speaks_the_words_it_is_given():
    ev = ag.build("2*x", (ag.LeafSpec("x", "3"),), torch.device("cpu"))
    ag.run_backward(ev)
    words = ag.DotWords(leaf="叶子 {name}", output="输出", value="值 {value}", grad="梯度 {grad}")
    dot = ag.to_dot(ag.walk(ev), words)
    assert "叶子 x\\n值 3\\n梯度 2" in dot and "输出" in dot and 'label="leaf' not in dot


def test_large_tensors_are_summarised_like_code():
    assert ag.fmt(torch.ones(2, 4)) == "shape=(2, 4), mean=1"
    assert ag.fmt(torch.tensor([[1.0, 2.0], [3.0, 4.0]])) == "[[1, 2], [3, 4]]"
