"""AppTest for pages/style_transfer.py: defaults render, a tiny run works, controls matter, bad input."""
import pytest

from tests.helpers import assert_no_exception, run_page, texts

TINY = {"style.size": 32, "style.steps": 2, "style.coarse_steps": 1, "style.preview_every": 1}


@pytest.fixture(scope="module")
def done():
    """A finished tiny run (shared: each run costs a few seconds on a busy CPU)."""
    at = run_page("style_transfer.py", TINY)
    at.button(key="style.start").click().run()
    return at


def test_defaults_render_with_estimate_and_code():
    at = run_page("style_transfer.py")
    assert_no_exception(at)
    text = texts(at)
    assert "Estimated time" in text and "GFLOP" in text and "Weights:" in text
    assert "Press **Start**" in text
    assert "CONTENT_LAYER" in at.code[0].value and "'conv4_2'" in at.code[0].value


def test_run_shows_result_charts_and_numbers(done):
    assert_no_exception(done)
    state = done.session_state["style.run"]
    assert state["done"] and len(state["history"]) == 3
    assert state["image"].shape[-1] == 32
    text = texts(done)
    assert f"{state['history'][-1]['content']:.3g}" in text  # the explanation quotes this run's numbers
    assert "Gram of the painting" in str([c.proto for c in done.get("plotly_chart")])


def test_continue_goes_on_from_the_kept_image(done):
    before = done.session_state["style.run"]["image"].clone()
    done.button(key="style.continue").click().run()
    assert_no_exception(done)
    state = done.session_state["style.run"]
    assert state["done"] and len(state["history"]) == 2  # full-size steps only: no second coarse pass
    assert (state["image"] - before).abs().max() > 1e-3


def test_changing_ratio_changes_the_result(done):
    before = done.session_state["style.run"]["image"].clone()
    done.select_slider(key="style.ratio").set_value(1e5).run()
    done.button(key="style.start").click().run()
    assert_no_exception(done)
    assert not (done.session_state["style.run"]["image"] - before).abs().max() < 1e-3


def test_changing_content_layer_changes_code_and_estimate():
    at = run_page("style_transfer.py", TINY)
    code = at.code[0].value
    at.selectbox(key="style.content_layer").set_value("conv3_2").run()
    assert_no_exception(at)
    assert at.code[0].value != code and "'conv3_2'" in at.code[0].value


def test_keep_colors_and_optimizer_reach_the_config():
    at = run_page("style_transfer.py", TINY)
    at.checkbox(key="style.keep_colors").check().run()
    at.radio(key="style.optimizer").set_value("lbfgs").run()
    at.button(key="style.start").click().run()
    assert_no_exception(at)
    config = at.session_state["style.run"]["config"]
    assert config.keep_colors and config.optimizer == "lbfgs"


def test_size_beyond_memory_budget_is_refused():
    at = run_page("style_transfer.py", {**TINY, "style.size": 2048})
    assert_no_exception(at)
    assert any("largest size that fits" in e.value for e in at.error)
    assert not at.button  # nothing to start


def test_no_style_layer_is_explained():
    at = run_page("style_transfer.py", TINY)
    at.multiselect(key="style.layers").set_value([]).run()
    assert_no_exception(at)
    assert any("at least one style layer" in e.value for e in at.error)
