"""The conv page in AppTest: defaults render, each main control changes the output, bad input gets a message."""
import io

import pytest
from PIL import Image

from lib.conv import layer_stack
from tests.helpers import assert_no_exception, bound_params, english_left, run_page, texts
from ui import links


@pytest.fixture
def at():
    app = run_page("conv.py")
    assert_no_exception(app)
    return app


def _errors(app) -> str:
    return "\n".join(e.value for e in app.error)


def test_defaults_render_every_section(at):
    text = texts(at)
    assert "**Output[0, 0]**" in text                                  # 1. sliding window, open
    assert "input (1, 3, 300, 451) -> output (1, 3, 298, 449)" in text  # 2. Sobel x, valid, stride 1: always drawn
    assert "max pooled" not in text and "Weights in use" not in text and "parameters in all" not in text  # closed
    assert not at.error                                                                 # tabs are not drawn
    at.query_params["tab"] = "pooling"
    text = texts(at.run())
    assert "max pooled (1, 3, 150, 225)" in text and "Uses the image chosen in tab 2." in text  # 3. 2x2 windows
    assert "-> output (1, 3, 298, 449)" in text and "**Output[0, 0]**" not in text  # tab 2 drawn, tab 1 not
    at.query_params["tab"] = "filters"
    text = texts(at.run())
    assert "**conv1_1** output shape: **(1, 64, 170, 256)**" in text   # 4. VGG at 256 px
    assert "Weights in use" in text and "max pooled" not in text
    at.query_params["tab"] = "shapes"
    assert "61,706 parameters" in texts(at.run())                      # 5. LeNet preset
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


def test_pooling_controls():
    at = run_page("conv.py", query={"tab": "pooling"})
    at.slider(key="conv.pool.kernel").set_value(3).run()
    assert "max pooled (1, 3, 149, 225)" in texts(at)
    at.checkbox(key="conv.pool.ceil").check().run()
    assert "max pooled (1, 3, 150, 225)" in texts(at)
    at.radio(key="conv.pool.kind").set_value("avg").run()
    assert "average pooled (1, 3, 150, 225)" in texts(at)
    at.slider(key="conv.pool.padding").set_value(3).run()
    assert "at most half the window" in _errors(at)
    assert_no_exception(at)


def test_vgg_layer_changes_the_maps():
    at = run_page("conv.py", query={"tab": "filters"})
    at.selectbox(key="conv.vgg.layer").set_value("conv3_1").run()
    assert "**conv3_1** output shape: **(1, 256, 42, 64)**" in texts(at)
    assert_no_exception(at)


def test_shape_calculator():
    at = run_page("conv.py", query={"tab": "shapes"})
    at.selectbox(key="conv.stack.preset").set_value("cifar").run()
    assert "553,514 parameters" in texts(at)
    at.number_input(key="conv.stack.H.cifar").set_value(28).run()
    assert "in_features is 1024" in _errors(at) and "set in to 768" in _errors(at)
    assert_no_exception(at)


# ----------------------------------------------------------------------------- the link (issue 21)

LINKED = {"tab", "op", "ws", "wp", "wd", "grid", "wk", "pos", "img", "col", "k", "s", "pad", "px", "mode", "dil",
          "g", "bias", "show"}  # the open tab (window) and the image tab
LINKED_LATER = {"pooling": {"pool", "pk", "ps", "pp", "ceil"}, "filters": {"layer", "maps"},
                "shapes": {"net", "c", "h", "w", "layers"}}  # when their tab opens


def _link(app) -> dict:
    return {k: app.query_params[k] for k in app.query_params}


def test_a_default_page_has_a_clean_link_and_binds_every_setting(at):
    assert _link(at) == {}
    assert bound_params(at) == LINKED  # `wpool` and `kt` join when pooling / a typed kernel is chosen
    for tab, params in LINKED_LATER.items():
        at.query_params["tab"] = tab
        assert params <= bound_params(at.run())
    at.query_params["tab"] = "window"
    assert _link(at.run()) == {}  # every tab visited, nothing changed: still a clean link


def test_changing_settings_writes_only_non_defaults_to_the_link(at):
    at.radio(key="conv.win.op").set_value("max").run()
    at.slider(key="conv.win.pool").set_value(3).run()
    at.selectbox(key="conv.preset").set_value("custom").run()
    at.text_area(key="conv.kernel_text").set_value("1 -1").run()
    at.number_input(key="conv.bias").set_value(0.5).run()
    at.radio(key="conv.display").set_value("abs").run()
    _visit(at, "pooling")
    at.radio(key="conv.pool.kind").set_value("avg").run()
    _visit(at, "shapes")  # what a click on the tab does: it is in the link
    at.selectbox(key="conv.stack.preset").set_value("cifar").run()
    assert_no_exception(at)
    assert _link(at) == {"op": "max", "wpool": "3", "k": "custom", "kt": "1 -1", "bias": "0.5", "show": "abs",
                         "pool": "avg", "net": "cifar", "tab": "shapes"}
    _visit(at, "window")  # back on tab 1: its settings were kept while it was not drawn
    assert at.session_state["conv.win.op"] == "max" and at.session_state["conv.win.pool"] == 3
    assert "= max(" in texts(at) and _link(at)["net"] == "cifar"
    assert "average pooled" in _visit(at, "pooling")  # and tab 3's, while tab 1 was open
    at.radio(key="conv.pool.kind").set_value("max").run()  # back to the default: gone from the link
    at.number_input(key="conv.bias").set_value(0.0).run()
    assert "pool" not in at.query_params and "bias" not in at.query_params


SENT = {"tab": "image", "op": "avg", "wp": "1", "pos": "4", "img": "Coffee", "col": "grey", "k": "laplace",
        "s": "2", "pad": "same", "dil": "2", "pk": "3", "ceil": "1", "layer": "conv2_1", "maps": "8", "net": "cifar",
        "h": "28", "layers": links.packed_codec().encode(layer_stack.rows_to_link(
            [layer_stack.layer_row("Conv2d", 3, 8, 3, 1, 1), layer_stack.layer_row("Flatten"),
             layer_stack.layer_row("Linear", None, 10)]))}


def _visit(at, tab: str) -> str:
    """Open a tab the way a click does (its id in the link) and return what the run shows."""
    at.query_params["tab"] = tab
    at.run()
    assert_no_exception(at)
    return texts(at)


def test_a_link_restores_every_widget_and_the_same_results():
    receiver = run_page("conv.py", query=SENT)
    assert_no_exception(receiver)
    state = receiver.session_state
    assert (state["conv.tab"], state["conv.image.sample"], state["conv.colour"], state["conv.preset"],
            state["conv.stride"], state["conv.padding_kind"], state["conv.dilation"]) == \
        ("2 · On an image", "Coffee", "grey", "laplace", 2, "same", 2)
    text = texts(receiver)
    assert "only works with stride 1" in _errors(receiver)  # 'same' with stride 2: the sender's mistake, kept
    pooled = _visit(receiver, "pooling")
    assert (state["conv.pool.kernel"], state["conv.pool.ceil"]) == (3, True)
    assert "max pooled (1, 1, 170, 256)" in pooled  # Coffee is 512x341, grey; 3x3 windows, stride 2, ceil_mode
    window = _visit(receiver, "window")  # the other tabs take their linked settings when they open
    assert (state["conv.win.op"], state["conv.win.padding"], state["conv.win.step"]) == ("avg", 1, 4)
    assert "**Output[0, 3]** = (0 + 0 + 3 + 0) / 4 = 0.75" in window  # 4th stop of a 2x2 mean on the 7x7 grid
    assert "**conv2_1** output shape: **(1, 128, 85, 128)**" in _visit(receiver, "filters")
    assert (state["conv.vgg.layer"], state["conv.vgg.count"]) == ("conv2_1", 8)
    shapes = _visit(receiver, "shapes")
    assert (state["conv.stack.preset"], state["conv.stack.H.cifar"]) == ("cifar", 28)
    assert "Input (3, 28, 32) -> output (10,); 71,914 parameters in all." in shapes  # 224 + 8*28*32*10 + 10
    assert _link(receiver) == SENT | {"tab": "shapes"}  # nothing added, nothing lost
    again = run_page("conv.py", query=SENT)
    assert texts(again) == text  # deterministic: the same link shows the same numbers


@pytest.mark.parametrize("param, value, tab", [
    ("ws", "9", "window"),                       # stride out of range
    ("k", "Sobel x", "window"),                  # the label, not the id
    ("img", "../../etc/passwd", "window"),       # not a sample: a path
    ("pos", "99", "window"),                     # there are 9 stops
    ("layers", "eJyLjgUAARUAuQ", "shapes"),      # packed, but not a table of layers
    ("tab", "admin", None),                      # no such tab
    ("c", "0", "shapes"),                        # channels start at 1
    ("maps", "65", "filters"),                   # above the 64 maps offered
    ("bias", "nan", "window"),
])
def test_bad_link_values_are_named_and_fall_back(param, value, tab):
    at = run_page("conv.py", query={param: value} | ({"tab": tab} if tab else {}))
    assert_no_exception(at)
    assert any(f"**{param}**" in w.value for w in at.warning)
    assert param not in at.query_params  # the default is used and the bad value leaves the link


def _png(side: int = 40) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (side, side), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


def test_an_upload_cannot_travel_the_link_falls_back_to_the_sample_and_says_so():
    at = run_page("conv.py", query={"img": "Coffee", "k": "box"})
    at.radio(key="conv.image.source").set_value("Upload").run()
    at.file_uploader(key="conv.image.upload").set_value(("mine.png", _png(), "image/png")).run()
    assert_no_exception(at)
    assert "input (1, 3, 40, 40) -> output (1, 3, 38, 38)" in texts(at)
    assert _link(at) == {"k": "box"}  # no `img`: the receiver sees the default sample
    assert any("Not in the link: your uploaded picture" in c.value for c in at.caption)
    receiver = run_page("conv.py", query=_link(at))
    assert receiver.session_state["conv.image.sample"] == "Cat (Chelsea)"
    assert not any("uploaded picture" in c.value for c in receiver.caption)


@pytest.mark.parametrize("tab", ["pooling", "filters"])
def test_tabs_that_use_the_picture_of_tab_2_say_when_there_is_none(tab):
    at = run_page("conv.py", query={"tab": tab})
    assert any(c.value == "Uses the image chosen in tab 2." for c in at.caption)
    at.radio(key="conv.image.source").set_value("Upload").run()  # nothing uploaded yet
    assert_no_exception(at)
    assert "Pick an image in tab 2 first." in [i.value for i in at.info]  # beside tab 2's own upload prompt
    assert not any(c.value == "Uses the image chosen in tab 2." for c in at.caption)


# ----------------------------------------------------------------------------- 中文 (issue 20)

def test_the_page_in_chinese_has_no_english_left():
    at = run_page("conv.py", {"lang": "zh"})
    assert_no_exception(at)
    assert at.title[0].value == "🔲 卷积与池化"
    assert english_left(at) == []


def test_the_page_in_chinese_after_changing_each_section_has_no_english_left():
    at = run_page("conv.py", {"lang": "zh"})
    at.radio(key="conv.win.op").set_value("max").run()
    at.slider(key="conv.win.step").set_value(3).run()
    at.selectbox(key="conv.preset").set_value("custom").run()
    at.text_area(key="conv.kernel_text").set_value("1 x").run()  # a typed mistake: the message in Chinese
    at.number_input(key="conv.groups").set_value(2).run()
    assert "**输出[0, 2]**" in texts(at) and "不是数字" in _errors(at)
    assert english_left(at) == []
    _visit(at, "pooling")
    at.checkbox(key="conv.pool.ceil").check().run()
    assert "最大池化" in texts(at) and english_left(at) == []
    _visit(at, "filters")
    at.selectbox(key="conv.vgg.layer").set_value("conv2_1").run()
    assert "特征图" in texts(at) and english_left(at) == []
    _visit(at, "shapes")
    at.number_input(key="conv.stack.H.lenet").set_value(20).run()  # LeNet no longer fits: a message
    assert_no_exception(at)
    assert "不匹配" in _errors(at)
    assert english_left(at) == []
