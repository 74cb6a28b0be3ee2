"""Autograd page in AppTest: defaults render, each main control changes the output, bad input is explained."""
import pytest

from tests.helpers import assert_no_exception, run_page, texts

PRESET_45 = "mean"  # out = (3*(x+2)**2).mean(), x = ones(2,2)


@pytest.fixture(scope="module")
def page():
    """One default run shared by the read-only checks (torch import + first run are the slow part)."""
    return run_page("autograd.py")


def _dot(at) -> str:
    return at.get("graphviz_chart")[0].proto.spec


def test_defaults_render_graph_gradient_and_checks(page):
    assert_no_exception(page)
    dot = _dot(page)
    assert "PowBackward0" in dot and "AccumulateGrad" in dot and "grad 16" in dot
    text = texts(page)
    assert "`x.grad = 16`" in text and "gradcheck passed" in text
    assert "second time" in text  # the retain_graph demo shows PyTorch's real error by default
    assert "Not cleared: 4 × 3 = 12" in text
    assert [m.value for m in page.metric][0] == "0"  # no backprop steps yet


def test_preset_changes_graph_and_gradient(page):
    page.selectbox(key="autograd.preset").set_value(PRESET_45).run()
    assert_no_exception(page)
    assert "MeanBackward0" in _dot(page)
    assert "[[4.5, 4.5], [4.5, 4.5]]" in texts(page)


def test_backward_toggle_removes_gradients(page):
    page.selectbox(key="autograd.preset").set_value("square").run()
    page.toggle(key="autograd.backward").set_value(False).run()
    assert_no_exception(page)
    assert "grad 16" not in _dot(page) and "value 35" in _dot(page)
    assert "Switch on 'Call backward()'" in texts(page)
    page.toggle(key="autograd.backward").set_value(True).run()
    page.text_input(key="autograd.leaf.x").set_value("5").run()
    assert "`x.grad = 20`" in texts(page) and "grad 20" in _dot(page)  # 4x at x = 5


@pytest.mark.parametrize("expression, fragment", [
    ("x + zz", "Unknown name 'zz'"),                # unknown name
    ("2*x +", "expression ended"),                  # syntax error
    ("x @ w", "left shape (), right shape (2,)"),    # shape mismatch: scalar x @ vector w
    ("x*" * 30 + "x", "the limit is 40"),           # size budget
])
def test_bad_expression_shows_a_message(page, expression, fragment):
    page.text_input(key="autograd.expr").set_value(expression).run()
    assert_no_exception(page)
    assert any(fragment in e.value for e in page.error), [e.value for e in page.error]
    assert not page.get("graphviz_chart")


def test_leaf_requires_grad_and_relu_kink():
    at = run_page("autograd.py", {"autograd.expr": "relu(x)", "autograd.leaf.x": "0"})
    assert_no_exception(at)
    assert "gradcheck failed" in texts(at) and "exactly 0" in texts(at)
    at.checkbox(key="autograd.grad.x").set_value(False).run()
    assert any("No leaf used in the expression requires grad" in e.value for e in at.error)


def test_behaviour_controls_change_their_demo(page):
    page.checkbox(key="autograd.demo.retain").set_value(True).run()
    assert "Second backward worked" in texts(page)
    page.checkbox(key="autograd.demo.zero").set_value(True).run()
    assert "Cleared each time: always 4." in texts(page)
    page.text_input(key="autograd.demo.v").set_value("1, 2").run()
    assert any("shape of y" in e.value for e in page.error)
    assert_no_exception(page)


def test_backprop_stepper_trains_both_and_they_agree(page):
    page.button(key="autograd.bp.step10").click().run()
    assert_no_exception(page)
    metrics = {m.label: m.value for m in page.metric}
    assert metrics["steps"] == "10"
    manual, auto = metrics["output (manual / autograd)"].split(" / ")
    assert manual == auto and float(manual) > 0.5574  # moved towards the target 1.0
    assert float(metrics["largest weight difference"]) < 1e-5
    assert [r.step for r in page.session_state["autograd.run"].history] == list(range(1, 11))  # the run state
    steppers = [b.label for b in page.button if (b.key or "").startswith("autograd.bp.step")]
    assert steppers == ["Step 1", "Step 10", "Step 100"]  # every step button stays drawn in the run that steps
    page.button(key="autograd.bp.reset").click().run()
    untrained = {m.label: m.value for m in page.metric}
    assert untrained["steps"] == "0"
    page.number_input(key="autograd.bp.seed").set_value(1).run()
    assert {m.label: m.value for m in page.metric}["output (manual / autograd)"] != untrained["output (manual / autograd)"]


def test_regression_learning_rate_and_data(page):
    page.select_slider(key="autograd.lr.rate").set_value(0.03).run()
    assert any("Diverged" in e.value for e in page.error)
    page.select_slider(key="autograd.lr.rate").set_value(0.01).run()
    fitted = next(s.value for s in page.success if "least squares" in s.value)
    page.slider(key="autograd.lr.steps").set_value(50).run()
    assert "after 50 steps" in texts(page) and fitted not in texts(page)
    page.radio(key="autograd.lr.data").set_value("own").run()
    assert any(s.value.startswith("w = ") and "least squares" in s.value for s in page.success)
    page.text_area(key="autograd.lr.points").set_value("1, 2\nthree, 4").run()
    assert any("Line 2" in e.value for e in page.error)
    assert_no_exception(page)
