"""Behaviour demos: the values autograd really produces, and their code panels print the same."""
import pytest
import torch

from lib.autograd import code, demos
from tests.helpers import run_script

CPU = torch.device("cpu")


def _run_code(script: str, tmp_path) -> str:
    """What a demo's code panel prints when run as `python demo.py`."""
    return run_script(script, tmp_path, "demo.py").stdout


@pytest.mark.parametrize("a, b, expected_c", [(True, False, True), (False, True, True), (False, False, False)])
def test_requires_grad_spreads_when_any_input_requires_it(a, b, expected_c):
    rows = {r["tensor"]: r for r in demos.propagation(a, b, CPU)}
    assert rows["c = a * b"]["requires_grad"] is expected_c
    assert rows["d = b * 2"]["requires_grad"] is b
    assert rows["c = a * b"]["grad_fn"] == ("MulBackward0" if expected_c else "None")


def test_propagation_code_prints_the_same_flags(tmp_path):
    out = _run_code(code.propagation_code(True, False), tmp_path).splitlines()
    rows = demos.propagation(True, False, CPU)
    assert [line.split()[1] == "True" for line in out] == [r["requires_grad"] for r in rows]


def test_gradients_accumulate_unless_cleared(tmp_path):
    assert [r["x.grad"] for r in demos.accumulation(3, False, CPU)] == [4.0, 8.0, 12.0]
    assert [r["x.grad"] for r in demos.accumulation(3, True, CPU)] == [4.0, 4.0, 4.0]
    out = _run_code(code.accumulation_code(3, False), tmp_path).split()
    assert out[-1] == "12.0"


def test_second_backward_raises_without_retain_graph(tmp_path):
    failed = demos.retain_graph(False, CPU)
    assert failed.second_grad is None and "second time" in failed.error
    kept = demos.retain_graph(True, CPU)
    assert kept.error == "" and kept.second_grad == pytest.approx(2 * kept.first_grad)
    assert kept.first_grad == pytest.approx(3 * torch.exp(torch.tensor(2.0)).item())  # (1 + x) e^x at 2
    assert "second time" in _run_code(code.retain_graph_code(False), tmp_path)


def test_backward_gradient_is_a_vector_jacobian_product(tmp_path):
    result = demos.backward_gradient([1.0, 0.5, 0.0], CPU)
    assert "scalar outputs" in result.error
    assert result.grad == [2.0, 2.0, 0.0]  # v * 2x for x = [1, 2, 3]
    assert "[2.0, 2.0, 0.0]" in _run_code(code.backward_gradient_code([1.0, 0.5, 0.0]), tmp_path)


@pytest.mark.parametrize("text, fragment", [("1, 2", "shape of y"), ("a, b, c", "not a list of numbers")])
def test_bad_gradient_weights(text, fragment):
    with pytest.raises(ValueError, match=fragment):
        demos.parse_weights(text)


def test_grad_modes_table(tmp_path):
    rows = {r["way"]: r for r in demos.grad_modes(CPU)}
    assert rows["normal"]["y.requires_grad"] and rows["normal"]["y.grad_fn"] == "MulBackward0"
    assert all(not r["y.requires_grad"] for way, r in rows.items() if way != "normal")
    assert [way for way, r in rows.items() if r["y.is_inference()"]] == ["torch.inference_mode()"]
    out = _run_code(code.grad_modes_code(), tmp_path).splitlines()
    assert len(out) == len(rows) + 2 and out[2].endswith("True")
    assert out[-2] == "w + y_inf: w.grad = [1.0, 1.0, 1.0]" and "cannot be saved for backward" in out[-1]


def test_an_inference_tensor_joins_a_graph_unless_an_op_must_save_it():
    """Issue 23.6: the page's sentence and PyTorch's behaviour, checked together so they cannot drift."""
    result = demos.inference_tensor(CPU)
    assert result.add_grad == [1.0, 1.0, 1.0]  # w + y backpropagates: y joined the graph as an input
    assert "cannot be saved for backward" in result.mul_error  # w * y must save y for w's gradient
    note = next(r["note"] for r in demos.grad_modes(CPU) if r["way"] == "torch.inference_mode()")
    assert "never" not in note and "w + y backpropagates" in note and "w * y" in note


@pytest.mark.parametrize("freeze", [True, False])
def test_freezing_leaves_frozen_parameters_untouched(freeze, tmp_path):
    rows = demos.freezing(freeze, 0.1, 0, CPU)
    first = [r for r in rows if r["parameter"].startswith("0.")]
    assert all(r["changed by step"] is (not freeze) and r["has .grad"] is (not freeze) for r in first)
    assert all(r["changed by step"] for r in rows if r["parameter"].startswith("2."))
    out = _run_code(code.freezing_code(freeze, 0.1, 0), tmp_path).splitlines()
    assert [line.split()[-1] == "True" for line in out[:4]] == [r["changed by step"] for r in rows]
    assert out[-1].endswith("18" if freeze else "58")


def test_freezing_is_deterministic_per_seed():
    assert demos.freezing(False, 0.1, 1, CPU) == demos.freezing(False, 0.1, 1, CPU)


def test_demo_defaults_lie_in_their_ranges():
    cfg = demos.DemoConfig()
    assert demos.parse_weights(cfg.gradient_weights) == [1.0, 1.0, 1.0]
    assert [r["x.grad"] for r in demos.accumulation(cfg.backward_calls, cfg.zero_between, CPU)] == [4.0, 8.0, 12.0]
