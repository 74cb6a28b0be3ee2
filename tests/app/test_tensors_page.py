"""AppTest for pages/tensors.py: every tab renders, main widgets change the output, bad input explains itself."""
import pytest

from tests.helpers import assert_no_exception, run_page, texts

PAGE = "tensors.py"
TABS = ["1 · Create", "2 · Ranks", "3 · Index", "4 · Views", "5 · Operations", "6 · NumPy", "7 · CPU vs GPU"]


def tab(name: str, **state):
    return run_page(PAGE, {"tensors.tab": name, **state})


def code(at) -> str:
    return "\n".join(c.value for c in at.code)


def facts(at, index: int = 0) -> dict:
    df = at.dataframe[index].value
    return dict(zip(df["property"], df["value"]))


@pytest.mark.parametrize("name", TABS)
def test_every_tab_renders_with_defaults(name):
    at = tab(name)
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]
    assert at.code, "every tab has a code panel"


def test_create_defaults_and_widgets_change_output():
    at = tab(TABS[0])
    assert facts(at)["shape / size()"] == "(3, 4)" and facts(at)["dtype"] == "torch.float32"
    assert "torch.rand((3, 4), generator=g" in code(at)
    before = code(at)
    at.text_input(key="tensors.create.shape").set_value("2, 3, 4").run()
    assert facts(at)["shape / size()"] == "(2, 3, 4)" and facts(at)["dim()"] == "3"
    at.selectbox(key="tensors.create.dtype").set_value("float64").run()
    assert facts(at)["dtype"] == "torch.float64" and facts(at)["bytes"].startswith("192 ")
    at.selectbox(key="tensors.create.factory").set_value("arange").run()
    assert "torch.arange(24" in code(at) and code(at) != before
    assert_no_exception(at)


def test_create_seed_changes_values():
    at = tab(TABS[0])
    first = [c.value for c in at.code if "tensor(" in c.value]
    at.number_input(key="tensors.create.seed").set_value(5).run()
    assert [c.value for c in at.code if "tensor(" in c.value] != first  # the repr changed


@pytest.mark.parametrize("state, words", [
    ({"tensors.create.shape": "100000, 100000"}, "budget"),                    # memory budget
    ({"tensors.create.shape": "3, a"}, "whole numbers"),                       # not a shape
    ({"tensors.create.shape": "1,1,1,1,1,1"}, "rank 5"),
    ({"tensors.create.factory": "randn", "tensors.create.dtype": "int64"}, "not implemented"),  # PyTorch's message
])
def test_create_bad_input_gives_message(state, words):
    at = tab(TABS[0], **state)
    assert_no_exception(at)
    assert any(words in e.value for e in at.error), [e.value for e in at.error]


def test_ranks_change_with_rank_slider():
    at = tab(TABS[1])
    assert "x.shape = (64, 96, 3)" in texts(at) or "x.shape = (96, 96, 3)" in texts(at)
    at.select_slider(key="tensors.rank").set_value(5).run()
    assert_no_exception(at)
    assert "N, F, C, H, W" in texts(at) and "pan_right" in code(at)
    at.select_slider(key="tensors.rank").set_value(0).run()
    assert "x.shape = ()" in texts(at)


def test_ranks_crop_slider_changes_code():
    at = tab(TABS[1])
    before = code(at)
    at.slider(key="tensors.crop.top").set_value(0).run()
    assert code(at) != before and "patch = hwc[0:" in code(at)


def test_index_changes_and_refuses_bad_index():
    at = tab(TABS[2])
    assert "**6 of 24** cells selected" in texts(at)
    at.text_input(key="tensors.index.text").set_value("[x > 20]").run()
    assert "**3 of 24** cells selected" in texts(at) and "y = x[(x > 20)]" in code(at)
    at.text_input(key="tensors.index.shape").set_value("2, 3, 4").run()
    assert "**3 of 24**" in texts(at)
    at.text_input(key="tensors.index.text").set_value("[0, 0, 0, 0]").run()
    assert_no_exception(at)
    assert any("too many indices" in e.value for e in at.error)
    at.text_input(key="tensors.index.text").set_value("[__import__('os')]").run()
    assert any("understand" in e.value for e in at.error)


def test_views_view_fails_on_transposed_and_reshape_copies():
    at = tab(TABS[3])
    assert "yes - a view" in texts(at)
    at.checkbox(key="tensors.view.transposed").check().run()
    assert_no_exception(at)
    assert any("view size is not compatible" in e.value for e in at.error)
    assert any("copies" in w.value for w in at.warning)
    assert "no - a copy" in texts(at) and "x.reshape(4, -1)" in code(at)


def test_views_op_changes_layout():
    at = tab(TABS[3])
    at.selectbox(key="tensors.view.op").set_value("permute").run()
    assert_no_exception(at)
    assert facts(at, 1)["shape"] == "(4, 2, 3)" and facts(at, 1)["is_contiguous()"] == "False"
    at.selectbox(key="tensors.view.op").set_value("resize_").run()
    assert any("uninitialised" in w.value for w in at.warning)


@pytest.mark.parametrize("topic, marker", [
    ("Matrix product", "a @ b"), ("Reductions", "x.sum()"), ("In-place", "x.add_("),
    ("Type promotion", "torch.result_type"), ("Overflow & rounding", "dtype=torch.int8"),
])
def test_operation_topics(topic, marker):
    at = tab(TABS[4], **{"tensors.ops.topic": topic})
    assert_no_exception(at)
    assert marker in code(at)


def test_broadcasting_shapes_and_incompatible_message():
    at = tab(TABS[4])
    assert "y = a + b" in code(at)
    at.text_input(key="tensors.ops.bshape.b").set_value("3, 1, 1").run()
    assert_no_exception(at)
    assert "(3, 1, 1)" in code(at)
    at.text_input(key="tensors.ops.bshape.b").set_value("4").run()
    assert any("cannot broadcast" in e.value for e in at.error)


def test_numpy_tensor_edit_shows_in_array():
    at = tab(TABS[5])
    assert "shared[" not in code(at)
    at.checkbox(key="tensors.numpy.write").check().run()
    at.number_input(key="tensors.numpy.value").set_value(42.0).run()
    assert_no_exception(at)
    assert "shared[0, 0] = 42.0" in code(at)


def test_timing_runs_on_click_with_small_sizes():
    at = tab(TABS[6], **{"tensors.time.sizes": [16, 32]})
    assert not at.dataframe  # nothing is timed until asked
    at.button(key="tensors.time.run").click().run()
    assert_no_exception(at)
    df = at.dataframe[0].value
    assert list(df["n"]) == [16, 32] and (df["milliseconds"] > 0).all()
