"""Autograd page in AppTest: defaults render, each main control changes the output, bad input is explained."""
import pytest

from tests.helpers import assert_no_exception, bound_params, english_left, run_page, texts

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
    assert "The tutorial's answer" not in texts(page)  # its 16 holds at x = 4 only
    page.text_input(key="autograd.leaf.x").set_value("4").run()
    assert "The tutorial's answer for this preset: dy/dx = 4x = 16." in texts(page)


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


def test_an_inference_tensor_joins_a_graph_but_cannot_be_saved(page):
    """Issue 23.6: the page shows both behaviours, computed, next to its sentence."""
    text = texts(page)
    assert "can still join a graph later as an input" in text and "`w.grad = [1.0, 1.0, 1.0]`" in text
    assert any("cannot be saved for backward" in e.value for e in page.error)
    assert "never join" not in text


def test_the_stepper_is_light_and_never_waits_at_the_heavy_job_gate(monkeypatch):
    """100 steps of a 5-3-1 net take ~0.1 s: a click must not queue behind other visitors' training."""
    from lib.common.gate import Gate

    def refuse(*args, **kwargs):
        raise AssertionError("the backprop stepper went through the heavy-job gate")
    monkeypatch.setattr(Gate, "join", refuse)
    at = run_page("autograd.py")
    at.button(key="autograd.bp.step100").click().run()
    assert_no_exception(at)
    assert {m.label: m.value for m in at.metric}["steps"] == "100"


# ----------------------------------------------------------------------------- 中文

@pytest.mark.parametrize("action", ["defaults", "step", "bad expression", "unknown name", "own points"])
def test_the_page_in_chinese_leaves_no_english(action):
    at = run_page("autograd.py", {"lang": "zh"})
    if action == "step":  # the main action: train both networks
        at.button(key="autograd.bp.step10").click().run()
        assert {m.value for m in at.metric} >= {"10"}
    elif action == "bad expression":
        at.text_input(key="autograd.expr").set_value("2*x +").run()
        assert any("表达式已经结束" in e.value for e in at.error)
    elif action == "unknown name":
        at.text_input(key="autograd.expr").set_value("zz + 1").run()
        assert any("未知的名字 'zz'" in e.value for e in at.error)
    elif action == "own points":
        at.radio(key="autograd.lr.data").set_value("own").run()
        at.text_area(key="autograd.lr.points").set_value("1, 2\nthree, 4").run()
        assert any("第 2 行" in e.value for e in at.error)
    assert_no_exception(at)
    assert english_left(at) == []
    assert "自动求导" in at.title[0].value


# ----------------------------------------------------------------------------- the page's link

LINKED = {"tab", "preset", "expr", "x", "w", "b", "gx", "gw", "gb", "bw", "da", "db", "calls", "zero", "retain", "v",
          "freeze", "bp_lr", "bp_y", "bp_seed", "data", "lr", "steps"}


def _link(at) -> dict:
    return {k: at.query_params[k] for k in at.query_params}


def test_a_default_page_has_a_clean_link_and_binds_every_setting():
    fresh = run_page("autograd.py")
    assert _link(fresh) == {}
    assert bound_params(fresh) == LINKED  # "pts" joins when the own-points box is shown


def test_changing_settings_writes_only_non_defaults_to_the_link():
    at = run_page("autograd.py")
    at.selectbox(key="autograd.preset").set_value("neuron").run()
    assert _link(at) == {"preset": "neuron"}  # the preset's expression and leaves are its defaults
    at.text_input(key="autograd.leaf.w").set_value("1, -1").run()
    at.text_input(key="autograd.expr").set_value("tanh(w @ x + b)").run()
    at.checkbox(key="autograd.grad.x").check().run()
    at.slider(key="autograd.demo.calls").set_value(5).run()
    at.select_slider(key="autograd.bp.lr").set_value(0.1).run()
    at.radio(key="autograd.lr.data").set_value("own").run()
    at.text_area(key="autograd.lr.points").set_value("0, 1\n1, 3").run()
    assert _link(at) == {"preset": "neuron", "w": "1, -1", "expr": "tanh(w @ x + b)", "gx": "1", "calls": "5",
                         "bp_lr": "0.1", "data": "own", "pts": "0, 1\n1, 3"}
    at.radio(key="autograd.lr.data").set_value("classic").run()  # the hidden box's text leaves the link
    at.selectbox(key="autograd.preset").set_value("square").run()  # another preset: its own values, a clean part
    assert_no_exception(at)
    assert _link(at) == {"calls": "5", "bp_lr": "0.1"}
    assert at.session_state["autograd.expr"] == "2*x**2 + 3"


def test_a_link_restores_the_settings_and_the_same_results():
    link = {"tab": "backprop", "preset": "neuron", "w": "1, -1", "gx": "1", "bw": "1", "zero": "1", "v": "1, 0.5, 0",
            "bp_y": "0.25", "bp_seed": "7", "data": "own", "pts": "0, 1\n1, 3\n2, 5", "steps": "500", "lr": "0.05"}
    at = run_page("autograd.py", query=link)
    assert_no_exception(at)
    state = at.session_state
    assert (state["autograd.tab"], state["autograd.preset"], state["autograd.expr"], state["autograd.leaf.x"],
            state["autograd.leaf.w"], state["autograd.grad.x"]) == ("4 · Backprop by hand", "neuron",
                                                                    "sigmoid(w @ x + b)", "1, 2", "1, -1", True)
    assert "`x.grad = [0.2055, -0.2055]`" in texts(at)  # σ'(w·x + b) · w at w·x + b = -0.9: parsed, never eval'd
    assert "Cleared each time: always 4." in texts(at) and "[2.0, 2.0, 0.0]" in texts(at)
    assert "w = 2.0000, b = 1.0000, loss 0.0000 after 500 steps" in texts(at)  # the own points lie on y = 2x + 1
    assert _link(at) == {k: v for k, v in link.items() if k != "bw"}  # read once; a default value leaves the link
    sender = run_page("autograd.py", query=link)
    for side in (at, sender):
        side.button(key="autograd.bp.step10").click().run()
    assert [m.value for m in at.metric] == [m.value for m in sender.metric]  # same seed: the same training


@pytest.mark.parametrize("param, value, message", [
    ("expr", "x+" * 101 + "x", "longer than 200 characters"),   # too long for the page's expression budget
    ("expr", "__import__('os').system('id')", "is not allowed here"),  # parsed by our grammar, never eval'd
    ("expr", "eval(x)", "Unknown name 'eval'"),                 # only the page's own functions exist
    ("x", "1, 2; 3", "same number of values"),                  # a leaf the leaf parser refuses
    ("x", "inf", "finite"),                                     # inf/nan would break the graph and the code panel
    ("preset", "gone", "not one of the choices"),               # a preset id that does not exist
])
def test_bad_link_values_are_refused_politely(param, value, message):
    at = run_page("autograd.py", query={param: value})
    assert_no_exception(at)
    shown = " ".join(m.value for m in [*at.warning, *at.error])
    assert message in shown, shown


def test_a_bad_tab_in_the_link_is_named_once_and_the_first_tab_opens():
    at = run_page("autograd.py", query={"tab": "nope"})
    assert_no_exception(at)
    assert len([w for w in at.warning if "**tab**" in w.value]) == 1  # by ui.widgets.tabs, not twice
    assert at.session_state["autograd.tab"] == "1 · Expression → graph"
