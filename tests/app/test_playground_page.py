"""pages/playground.py in AppTest: renders, every main control changes the output, bad input explained."""
from __future__ import annotations

import pytest

from tests.helpers import assert_no_exception, english_left, plotly_figures, run_page, texts

SMALL = {"pg.n_points": 100}  # tiny data keeps each run fast


def status(at) -> str:
    """The live status line: 'Step N · train loss ...'."""
    return next(m.value for m in at.markdown if m.value.startswith("**Step "))


def code_text(at) -> str:
    return "\n".join(c.value for c in at.code)


@pytest.fixture(scope="module")
def page():
    at = run_page("playground.py", SMALL)
    assert_no_exception(at)
    return at


def test_renders_with_defaults(page):
    assert status(page).startswith("**Step 0**")
    assert len(page.get("plotly_chart")) == 4  # boundary, curves, diagram, neuron maps
    code = code_text(page)
    assert "optimizer.zero_grad()" in code and "loss.backward()" in code and "optimizer.step()" in code
    assert "Linear(in_features=2, out_features=10" in code  # the nn.Sequential print
    assert "torch.softmax" in str(page.dataframe[0].value.columns.tolist())


def test_step_and_hundred_steps_train():
    at = run_page("playground.py", SMALL)
    at.button(key="pg.step").click().run()
    assert status(at).startswith("**Step 1**")
    at.button(key="pg.fast").click().run()
    assert_no_exception(at)
    assert status(at).startswith("**Step 101**")
    assert at.session_state["pg.run"].history[-1]["train_loss"] < at.session_state["pg.run"].history[0]["train_loss"]


def test_lr_change_mid_run_keeps_training_and_reset_restores_start():
    at = run_page("playground.py", SMALL)
    first = status(at)
    at.button(key="pg.fast").click().run()
    at.select_slider(key="pg.lr").set_value(0.3).run()
    assert_no_exception(at)
    assert status(at).startswith("**Step 100**")  # same run, same weights
    assert at.session_state["pg.run"].optimizer.param_groups[0]["lr"] == 0.3
    at.button(key="pg.reset").click().run()
    assert status(at) == first  # same seeds: the same starting weights and data


def test_play_and_pause_toggle():
    at = run_page("playground.py", SMALL)
    at.button(key="pg.play").click().run()
    assert_no_exception(at)
    assert at.session_state["pg.playing"] is True
    assert at.button(key="pg.play").label == "⏸ Pause"
    at.button(key="pg.play").click().run()
    assert at.session_state["pg.playing"] is False


@pytest.mark.parametrize("kind,key,value,expect", [
    ("selectbox", "pg.dataset", "spiral", "spiral("),
    ("slider", "pg.hidden_layers", 3, "(4): Linear(in_features=10, out_features=10"),
    ("slider", "pg.width", 4, "out_features=4"),
    ("selectbox", "pg.activation", "tanh", "Tanh()"),
    ("slider", "pg.dropout", 0.2, "SeededDropout(p=0.2"),
    ("toggle", "pg.batch_norm", True, "BatchNorm1d(10"),
    ("multiselect", "pg.features", ["x", "y", "x²"], "x * x"),
    ("selectbox", "pg.optimizer", "Adam", "torch.optim.Adam("),
    ("selectbox", "pg.loss", "MSE on one-hot", "F.mse_loss("),
    ("select_slider", "pg.batch_size", 8, "batch_size = min(8,"),
    ("select_slider", "pg.l2", 0.01, "weight_decay=0.01"),
    ("number_input", "pg.data_seed", 3, "manual_seed(3)"),
])
def test_each_main_control_changes_the_output(page, kind, key, value, expect):
    assert expect not in code_text(page)
    at = run_page("playground.py", SMALL)
    getattr(at, kind)(key=key).set_value(value).run()
    assert_no_exception(at)
    assert expect in code_text(at)


def test_data_change_changes_the_boundary_and_numbers(page):
    at = run_page("playground.py", SMALL)
    at.slider(key="pg.noise").set_value(1.5).run()
    assert status(at) != status(page)


def test_no_features_is_explained():
    at = run_page("playground.py", SMALL)
    at.multiselect(key="pg.features").set_value([]).run()
    assert_no_exception(at)
    assert "at least one input feature" in texts(at)


def test_batch_norm_with_batch_of_one_is_explained():
    at = run_page("playground.py", SMALL | {"pg.batch_norm": True})
    at.select_slider(key="pg.batch_size").set_value(1).run()
    assert_no_exception(at)
    assert "Batch norm needs at least 2" in texts(at)


def test_linear_model_on_xor_trains_with_a_note():
    at = run_page("playground.py", SMALL | {"pg.dataset": "xor", "pg.hidden_layers": 0})
    assert "cannot separate" in texts(at)
    at.button(key="pg.fast").click().run()
    assert_no_exception(at)
    assert status(at).startswith("**Step 100**")


def test_divergence_is_explained():
    at = run_page("playground.py", SMALL | {"pg.lr": 3.0, "pg.loss": "MSE on one-hot"})
    at.button(key="pg.fast").click().run()
    assert_no_exception(at)
    assert "Lower the learning rate" in texts(at)


def test_softmax_point_changes_the_table(page):
    at = run_page("playground.py", SMALL)
    at.number_input(key="pg.px").set_value(-3.0).run()
    assert not at.dataframe[0].value.equals(page.dataframe[0].value)


# ----------------------------------------------------------------------------- the page's link

def test_changing_settings_writes_only_non_defaults_to_the_link():
    assert dict(run_page("playground.py").query_params) == {}  # a default page has a clean link
    at = run_page("playground.py", SMALL)
    assert dict(at.query_params) == {"points": "100"}
    at.select_slider(key="pg.lr").set_value(0.3).run()
    at.slider(key="pg.hidden_layers").set_value(3).run()
    at.selectbox(key="pg.activation").set_value("tanh").run()
    assert {k: at.query_params[k] for k in ("lr", "layers", "act")} == {"lr": "0.3", "layers": "3", "act": "tanh"}
    at.slider(key="pg.hidden_layers").set_value(1).run()  # back to the default: gone from the link
    assert "layers" not in at.query_params


def test_a_link_restores_the_settings_and_the_same_training():
    sender = run_page("playground.py", query={"points": "100"})
    sender.select_slider(key="pg.lr").set_value(0.3).run()
    sender.selectbox(key="pg.activation").set_value("tanh").run()
    sender.multiselect(key="pg.features").set_value(["x", "y", "xy"]).run()
    sender.button(key="pg.fast").click().run()
    link = {k: sender.query_params[k] for k in sender.query_params}
    visitor = run_page("playground.py", query=link)
    assert visitor.select_slider(key="pg.lr").value == 0.3
    assert visitor.selectbox(key="pg.activation").value == "tanh"
    assert visitor.multiselect(key="pg.features").value == ["x", "y", "xy"]
    assert visitor.slider(key="pg.n_points").value == 100
    visitor.button(key="pg.fast").click().run()
    assert status(visitor) == status(sender)  # same seeds, same settings: the same loss after 100 steps


def test_a_bad_link_value_is_named_and_falls_back_to_the_default():
    at = run_page("playground.py", query={"layers": "99", "act": "sigmoid", "lr": "abc"})
    assert_no_exception(at)
    warnings = " ".join(w.value for w in at.warning)
    assert "**layers**" in warnings and "**lr**" in warnings
    assert at.slider(key="pg.hidden_layers").value == 1 and at.select_slider(key="pg.lr").value == 0.02
    assert at.selectbox(key="pg.activation").value == "sigmoid"  # the good value in the same link is kept
    assert "layers" not in at.query_params and at.query_params["act"] == "sigmoid"


def test_the_page_in_chinese_has_no_english_left():
    at = run_page("playground.py", SMALL | {"lang": "zh"})
    assert_no_exception(at)
    assert "看得见的 PyTorch" in texts(at)
    assert english_left(at) == []
    at.button(key="pg.fast").click().run()
    assert_no_exception(at)
    assert english_left(at) == []
    assert "第 100 步" in texts(at)


def test_lib_notes_and_errors_reach_the_page_in_chinese():
    at = run_page("playground.py", SMALL | {"lang": "zh", "pg.dataset": "xor", "pg.hidden_layers": 0})
    assert "无法分开这个数据集" in texts(at)  # config.notes(), a lib Message
    at.multiselect(key="pg.features").set_value([]).run()
    assert_no_exception(at)
    assert "请至少选择一个输入特征" in texts(at)  # config.validate(), a lib LearnerError


# ----------------------------------------------------------------------------- presets (issue 23)

def test_the_tutorial_preset_sets_the_widgets_trains_full_batch_and_travels_in_the_link():
    at = run_page("playground.py")
    at.selectbox(key="pg.preset").set_value("tutorial").run()
    assert_no_exception(at)
    assert at.slider(key="pg.n_points").value == 210 and at.slider(key="pg.noise").value == 0.0
    assert at.slider(key="pg.test_fraction").value == 0.05 and at.select_slider(key="pg.batch_size").value == 200
    assert at.session_state["pg.run"].x_train.shape[0] == 200  # the tutorial's 200 training points
    assert "302_classification.py" in texts(at)
    link = {k: at.query_params[k] for k in at.query_params}
    assert link == {"preset": "tutorial", "points": "210", "noise": "0.0", "test": "0.05", "batch": "200"}
    at.button(key="pg.fast").click().run()  # the tutorial's `for t in range(100)`
    assert_no_exception(at)
    assert status(at).startswith("**Step 100**")
    visitor = run_page("playground.py", query=link)
    visitor.button(key="pg.fast").click().run()
    assert status(visitor) == status(at)  # the same data, weights and full batches
    at.selectbox(key="pg.preset").set_value("default").run()  # back: every widget and a clean link
    assert at.slider(key="pg.n_points").value == 400 and dict(at.query_params) == {}


def test_the_tutorial_preset_in_chinese_has_no_english_left():
    at = run_page("playground.py", {"lang": "zh"})
    at.selectbox(key="pg.preset").set_value("tutorial").run()
    assert_no_exception(at)
    assert english_left(at) == []


def test_the_curves_start_at_step_zero():
    """Before the first step the one point sits at the left edge, not in the middle of -1..1."""
    at = run_page("playground.py", SMALL)
    titled = [(f["layout"], {a.get("text") for a in f["layout"].get("annotations", [])}) for f in plotly_figures(at)]
    curves = next(layout for layout, titles in titled if "loss" in titles)
    assert curves["xaxis"]["rangemode"] == curves["xaxis2"]["rangemode"] == "nonnegative"
