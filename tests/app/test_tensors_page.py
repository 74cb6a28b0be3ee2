"""AppTest for pages/tensors.py: every tab renders, main widgets change the output, bad input explains itself,
the settings round-trip through the link, and the page reads in Chinese."""
import pytest

from lib.tensors import config, promotion
from tests.helpers import assert_no_exception, bound_params, english_left, run_page, texts

PAGE = "tensors.py"
TABS = list(config.SECTIONS)  # create, ranks, index, views, ops, numpy, timing


def tab(name: str, state: dict | None = None, query: dict | None = None):
    return run_page(PAGE, state, query={"tab": name} | (query or {}) if name != "create" else query)


def code(at) -> str:
    return "\n".join(c.value for c in at.code)


def facts(at, index: int = 0) -> dict:
    df = at.dataframe[index].value
    return dict(zip(df["property"], df["value"]))


def link(at) -> dict:
    return {k: at.query_params[k][0] if isinstance(at.query_params[k], list) else at.query_params[k]
            for k in at.query_params}


@pytest.mark.parametrize("name", TABS)
def test_every_tab_renders_with_defaults(name):
    at = tab(name)
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]
    assert at.code, "every tab has a code panel"
    assert link(at) == ({} if name == "create" else {"tab": name})  # a default tab has a clean link


def test_create_defaults_and_widgets_change_output():
    at = tab("create")
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
    assert link(at) == {"shape": "2, 3, 4", "dtype": "float64", "f": "arange"}  # only what differs


def test_create_seed_changes_values():
    at = tab("create")
    first = [c.value for c in at.code if "tensor(" in c.value]
    at.number_input(key="tensors.create.seed").set_value(5).run()
    assert [c.value for c in at.code if "tensor(" in c.value] != first  # the repr changed
    assert link(at) == {"seed": "5"}


@pytest.mark.parametrize("state, words", [
    ({"tensors.create.shape": "100000, 100000"}, "budget"),                    # memory budget
    ({"tensors.create.shape": "3, a"}, "whole numbers"),                       # not a shape
    ({"tensors.create.shape": "1,1,1,1,1,1"}, "rank 5"),
    ({"tensors.create.factory": "randn", "tensors.create.dtype": "int64"}, "not implemented"),  # PyTorch's message
])
def test_create_bad_input_gives_message(state, words):
    at = tab("create", state)
    assert_no_exception(at)
    assert any(words in e.value for e in at.error), [e.value for e in at.error]


def test_ranks_change_with_rank_slider():
    at = tab("ranks")
    assert "x.shape = (64, 96, 3)" in texts(at) or "x.shape = (96, 96, 3)" in texts(at)
    at.select_slider(key="tensors.rank").set_value(5).run()
    assert_no_exception(at)
    assert "N, F, C, H, W" in texts(at) and "pan_right" in code(at)
    at.select_slider(key="tensors.rank").set_value(0).run()
    assert "x.shape = ()" in texts(at)
    assert link(at) == {"tab": "ranks", "rank": "0"}


def test_ranks_crop_slider_changes_code_and_link():
    at = tab("ranks")
    before = code(at)
    at.slider(key="tensors.crop.top").set_value(0).run()
    assert code(at) != before and "patch = hwc[0:" in code(at)
    assert link(at) == {"tab": "ranks", "top": "0"}


def test_a_link_restores_the_photo_and_the_crop():
    at = tab("ranks", query={"photo": "Coffee", "top": "3", "w": "10"})
    assert_no_exception(at)
    assert at.selectbox(key="tensors.image.sample").value == "Coffee" and "coffee.jpg" in code(at)
    assert at.slider(key="tensors.crop.top").value == 3 and at.slider(key="tensors.crop.width").value == 10
    assert "patch = hwc[3:" in code(at)


def test_a_crop_outside_the_photo_is_named_and_replaced():
    at = tab("ranks", query={"top": "500"})
    assert_no_exception(at)
    assert any("**top**" in w.value for w in at.warning)
    assert at.slider(key="tensors.crop.top").value == 24  # the default: a quarter of the square 96-pixel astronaut


def test_index_changes_and_refuses_bad_index():
    at = tab("index")
    assert "**6 of 24** cells selected" in texts(at)
    at.text_input(key="tensors.index.text").set_value("[x > 20]").run()
    assert "**3 of 24** cells selected" in texts(at) and "y = x[(x > 20)]" in code(at)
    at.text_input(key="tensors.index.shape").set_value("2, 3, 4").run()
    assert "**3 of 24**" in texts(at)
    assert link(at) == {"tab": "index", "idx": "[x > 20]", "ishape": "2, 3, 4"}
    at.text_input(key="tensors.index.text").set_value("[0, 0, 0, 0]").run()
    assert_no_exception(at)
    assert any("too many indices" in e.value for e in at.error)
    at.text_input(key="tensors.index.text").set_value("[__import__('os')]").run()
    assert any("understand" in e.value for e in at.error)


def test_views_view_fails_on_transposed_and_reshape_copies():
    at = tab("views")
    assert "yes - a view" in texts(at)
    at.checkbox(key="tensors.view.transposed").check().run()
    assert_no_exception(at)
    assert any("view size is not compatible" in e.value for e in at.error)
    assert any("copies" in w.value for w in at.warning)
    assert "no - a copy" in texts(at) and "x.reshape(4, -1)" in code(at)
    assert link(at) == {"tab": "views", "vt": "1"}


def test_views_op_changes_layout_and_its_arguments_travel():
    at = tab("views")
    at.selectbox(key="tensors.view.op").set_value("permute").run()
    assert_no_exception(at)
    assert facts(at, 1)["shape"] == "(4, 2, 3)" and facts(at, 1)["is_contiguous()"] == "False"
    at.text_input(key="tensors.view.args.permute").set_value("1, 0, 2").run()
    assert facts(at, 1)["shape"] == "(3, 2, 4)"
    assert link(at) == {"tab": "views", "vop": "permute", "vargs": "1, 0, 2"}
    at.selectbox(key="tensors.view.op").set_value("resize_").run()
    assert any("uninitialised" in w.value for w in at.warning)
    assert "vargs" not in link(at)  # resize_'s own example arguments are its default


def test_a_link_restores_an_op_and_its_arguments():
    at = tab("views", query={"vop": "permute", "vargs": "1, 0, 2", "vshape": "2, 3, 4"})
    assert_no_exception(at)
    assert at.text_input(key="tensors.view.args.permute").value == "1, 0, 2"
    assert facts(at, 1)["shape"] == "(3, 2, 4)"


@pytest.mark.parametrize("topic, marker", [
    ("matmul", "a @ b"), ("reduce", "x.sum()"), ("inplace", "x.add_("),
    ("promotion", "torch.result_type"), ("overflow", "dtype=torch.int8"),
])
def test_operation_topics(topic, marker):
    at = tab("ops", query={"topic": topic})
    assert_no_exception(at)
    assert marker in code(at) and not at.error


def test_broadcasting_shapes_and_incompatible_message():
    at = tab("ops")
    assert "y = a + b" in code(at)
    at.text_input(key="tensors.ops.bshape.b").set_value("3, 1, 1").run()
    assert_no_exception(at)
    assert "(3, 1, 1)" in code(at)
    at.text_input(key="tensors.ops.bshape.b").set_value("4").run()
    assert any("cannot broadcast" in e.value for e in at.error)
    assert link(at) == {"tab": "ops", "b": "4"}


def test_reduction_dim_travels_in_the_link():
    at = tab("ops", query={"topic": "reduce", "dim": "0", "red": "mean", "keep": "1"})
    assert_no_exception(at)
    assert "y = x.mean(dim=0, keepdim=True)" in code(at)
    at.selectbox(key="tensors.ops.dim").set_value("all").run()
    assert "dim" not in link(at) and "y = x.mean()" in code(at)


def test_promotion_sentence_quotes_the_computed_rule():
    """Issue 23.6: the sentence's example (uint8 + int8) is computed, and it is neither operand's type."""
    at = tab("ops", query={"topic": "promotion"})
    values = promotion.rule_sentence()
    assert values["result"] == "int16"
    assert f"`{values['a']} + {values['b']}` gives **{values['result']}**" in texts(at)
    assert "wider type wins" not in texts(at)
    assert facts(at)["torch.result_type(a, b)"] == "int16"  # the default pair is the rule's example
    at.radio(key="tensors.ops.pkind").set_value("scalar").run()
    assert facts(at)["torch.result_type(a, b)"] == "uint8" and link(at)["pk"] == "scalar"


def test_numpy_tensor_edit_shows_in_array():
    at = tab("numpy")
    assert "shared[" not in code(at)
    at.checkbox(key="tensors.numpy.write").check().run()
    at.number_input(key="tensors.numpy.value").set_value(42.0).run()
    assert_no_exception(at)
    assert "shared[0, 0] = 42.0" in code(at)
    assert link(at) == {"tab": "numpy", "write": "1", "val": "42.0"}


def test_numpy_edits_arrive_from_a_link_and_go_back_into_it():
    sender = tab("numpy")
    sent = {"tab": "numpy", "edits": "eNqLjjbQMdQxNDDQM4iNBQAVlwMZ"}  # [[0, 1, 100.0]], packed
    receiver = run_page(PAGE, query=sent)
    assert_no_exception(receiver)
    assert "array[0, 1] = 100.0" in code(receiver) and "array[0, 1]" not in code(sender)
    assert link(receiver) == sent  # the same edits, packed the same way


def test_numpy_bad_edits_in_a_link_are_named():
    at = tab("numpy", query={"edits": "eNqLjjbWMdQxNDDQM4iNBQAVuAMc"})  # [[3, 1, 100.0]]: no row 3
    assert_no_exception(at)
    assert any("**edits**" in w.value for w in at.warning)
    assert "array[" not in code(at)


def test_timing_runs_on_click_with_small_sizes():
    at = tab("timing", query={"sizes": "16,32"})
    assert not at.dataframe  # nothing is timed until asked
    at.button(key="tensors.time.run").click().run()
    assert_no_exception(at)
    df = at.dataframe[0].value
    assert list(df["n"]) == [16, 32] and (df["milliseconds"] > 0).all()


def test_every_setting_of_a_tab_is_bound_to_the_link():
    expected = {"create": {"tab", "f", "shape", "dtype", "seed"}, "index": {"tab", "ishape", "idx"},
                "views": {"tab", "vshape", "vop", "vargs", "vt"}, "numpy": {"tab", "edits", "write", "row", "col", "val"},
                "timing": {"tab", "sizes"}, "ranks": {"tab", "photo", "rank", "top", "left", "h", "w"}}
    for name, params in expected.items():
        assert bound_params(tab(name)) == params, name


def test_the_share_panel_names_what_cannot_travel():
    at = tab("create", query={"seed": "3"})
    assert "seed=3" in code(at)
    assert any("uploaded photo" in c.value for c in at.caption)


@pytest.mark.parametrize("name, action", [
    ("create", lambda at: at.selectbox(key="tensors.create.factory").set_value("arange")),
    ("ranks", lambda at: at.select_slider(key="tensors.rank").set_value(5)),
    ("index", lambda at: at.text_input(key="tensors.index.text").set_value("[x > 5]")),
    ("views", lambda at: at.checkbox(key="tensors.view.transposed").check()),
    ("ops", lambda at: at.text_input(key="tensors.ops.bshape.b").set_value("2, 1")),
    ("numpy", lambda at: at.checkbox(key="tensors.numpy.write").check()),
    ("timing", lambda at: at.button(key="tensors.time.run")),
])
def test_the_page_in_chinese_has_no_english_left(name, action):
    at = tab(name, {"lang": "zh"}, query={"sizes": "16"} if name == "timing" else None)
    assert_no_exception(at)
    assert english_left(at) == []
    (action(at).click() if name == "timing" else action(at)).run()
    assert_no_exception(at)
    assert english_left(at) == []


@pytest.mark.parametrize("topic", list(config.TOPICS))
def test_every_operation_topic_in_chinese(topic):
    at = tab("ops", {"lang": "zh"}, query={"topic": topic})
    assert_no_exception(at)
    assert english_left(at) == []


@pytest.mark.parametrize("name", TABS[1:])  # the first tab is in tests/app/test_hostile_links.py
def test_hostile_links_on_every_tab_are_named_or_kept(name):
    from tests.app.test_hostile_links import HOSTILE
    params = bound_params(tab(name)) | {"topic", "dim", "red", "keep", "v", "pa", "pb", "pk", "ovf", "ma", "mb"}
    for value in HOSTILE:
        at = tab(name, query={p: value for p in params if p != "tab"})
        assert_no_exception(at)
        warnings = " ".join(w.value for w in at.warning)
        bound = bound_params(at) - {"tab"}
        named = {p for p in bound if f"**{p}**" in warnings}
        kept = {p for p in bound if at.query_params.get(p) not in (None, [])}
        assert named | kept == bound, (value, sorted(bound - named - kept))
        assert "<script>" not in warnings


def test_an_upload_leaves_the_link_with_the_default_sample():
    at = tab("ranks", query={"photo": "Coffee"})
    at.radio(key="tensors.image.source").set_value("Upload").run()
    assert_no_exception(at)
    assert "photo" not in link(at)
