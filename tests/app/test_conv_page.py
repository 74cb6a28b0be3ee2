"""The conv page in AppTest: defaults render, each main control changes the output, bad input gets a message."""
import pytest

from tests.helpers import assert_no_exception, run_page, texts


@pytest.fixture
def at():
    app = run_page("conv.py")
    assert_no_exception(app)
    return app


def _errors(app) -> str:
    return "\n".join(e.value for e in app.error)


def test_defaults_render_every_section(at):
    text = texts(at)
    assert "**Output[0, 0]**" in text                                  # 1. sliding window
    assert "input (1, 3, 300, 451) -> output (1, 3, 298, 449)" in text  # 2. Sobel x, valid, stride 1
    assert "max pooled (1, 3, 150, 225)" in text
    assert "**conv1_1** output shape: **(1, 64, 170, 256)**" in text   # 3. VGG at 256 px
    assert "Weights in use" in text
    assert "61,706 parameters" in text                                 # 4. LeNet preset
    assert not at.error


def test_sliding_window_controls(at):
    before = texts(at)
    at.slider(key="conv.win.step").set_value(5).run()
    assert "**Output[1, 1]**" in texts(at) and "**Output[0, 0]**" not in texts(at)
    at.radio(key="conv.win.op").set_value("max").run()
    assert "= max(" in texts(at) and texts(at) != before
    at.number_input(key="conv.win.stride").set_value(0).run()
    assert "Stride must be at least 1" in _errors(at)
    assert_no_exception(at)


def test_sliding_window_pooling_padding_beyond_half_the_window_is_explained(at):
    at.radio(key="conv.win.op").set_value("avg").run()
    at.slider(key="conv.win.padding").set_value(2).run()  # a 2x2 window takes at most 1
    assert "at most half the window (1 for a 2x2 window)" in _errors(at)
    assert_no_exception(at)


@pytest.mark.parametrize("text,message", [
    ("1 2\n3", "same number of values"),
    ("1 0 0 0 0 0 0\n" * 7, "padded input has only 5"),  # 7x7 kernel on the 5x5 grid
])
def test_sliding_window_bad_kernel(at, text, message):
    at.text_area(key="conv.win.kernel").set_value(text).run()
    assert message in _errors(at)
    assert_no_exception(at)


def test_image_conv_controls_change_the_output(at):
    at.number_input(key="conv.stride").set_value(2).run()
    assert "-> output (1, 3, 149, 225)" in texts(at)
    at.selectbox(key="conv.padding_kind").set_value("same").run()
    assert "only works with stride 1" in _errors(at)
    at.number_input(key="conv.stride").set_value(1).run()
    assert "-> output (1, 3, 300, 451)" in texts(at) and not at.error
    before = texts(at)
    at.selectbox(key="conv.preset").set_value("box").run()
    assert texts(at) != before and "Weights: 0.111" in texts(at)
    at.radio(key="conv.colour").set_value("grey").run()
    assert "input (1, 1, 300, 451)" in texts(at)
    assert_no_exception(at)


def test_impossible_groups_and_custom_kernel(at):
    at.number_input(key="conv.groups").set_value(2).run()
    assert "groups=2 is impossible" in _errors(at)
    at.number_input(key="conv.groups").set_value(3).run()
    assert not at.error and "**(3, 1, 3, 3)**" in texts(at)
    at.selectbox(key="conv.preset").set_value("custom").run()
    at.text_area(key="conv.kernel_text").set_value("1 1 x").run()
    assert "'x' is not a number" in _errors(at)
    at.text_area(key="conv.kernel_text").set_value("1 -1").run()  # non-square 1x2
    assert "-> output (1, 3, 300, 450)" in texts(at)
    assert_no_exception(at)


def test_pooling_controls(at):
    at.slider(key="conv.pool.kernel").set_value(3).run()
    assert "max pooled (1, 3, 149, 225)" in texts(at)
    at.checkbox(key="conv.pool.ceil").check().run()
    assert "max pooled (1, 3, 150, 225)" in texts(at)
    at.radio(key="conv.pool.kind").set_value("avg").run()
    assert "average pooled (1, 3, 150, 225)" in texts(at)
    at.slider(key="conv.pool.padding").set_value(3).run()
    assert "at most half the window" in _errors(at)
    assert_no_exception(at)


def test_vgg_layer_changes_the_maps(at):
    at.selectbox(key="conv.vgg.layer").set_value("conv3_1").run()
    assert "**conv3_1** output shape: **(1, 256, 42, 64)**" in texts(at)
    assert_no_exception(at)


def test_shape_calculator(at):
    at.selectbox(key="conv.stack.preset").set_value("cifar").run()
    assert "553,514 parameters" in texts(at)
    at.number_input(key="conv.stack.H.cifar").set_value(28).run()
    assert "in_features is 1024" in _errors(at) and "set in to 768" in _errors(at)
    assert_no_exception(at)
