"""pages/augment.py in AppTest: defaults render, each main control changes the output, bad input is explained."""
from __future__ import annotations

import base64
import json
import zlib

import pytest
import torch
from streamlit.testing.v1 import AppTest

from lib.augment import json_io, pipeline
from lib.augment.config import AugmentConfig
from tests.helpers import assert_no_exception, english_left, run_page, texts
from ui import links

CFG = AugmentConfig()


# Default pipeline steps get ids 1, 2, 3 (RandomResizedCrop, RandomHorizontalFlip, ColorJitter).


def _images(at: AppTest) -> list[tuple[str, str]]:
    """(caption, url) of every st.image; the media URL is a hash of the image bytes."""
    found: list[tuple[str, str]] = []

    def walk(node) -> None:
        if type(node).__name__ == "Image":
            found.extend((i.caption, i.url) for i in node.proto.imgs)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return found


def _grid(at: AppTest) -> list[str]:
    return [url for caption, url in _images(at) if caption.startswith("draw ") and "seed" in caption]


def _code(at: AppTest) -> str:
    return next(c.value for c in at.code if "draws.append(pipeline(image))" in c.value)


def test_defaults_render_grid_steps_normalise_and_code():
    at = run_page("augment.py")
    assert_no_exception(at)
    captions = [c for c, _ in _images(at)]
    assert captions[0] == "original"
    assert len(_grid(at)) == CFG.n_draws and len(set(_grid(at))) == CFG.n_draws  # all draws differ
    assert "after 3. ColorJitter (224, 224)" in captions
    code = _code(at)
    assert "v2.RandomResizedCrop(size=224" in code and "SEED, N = 0, 8" in code
    assert not at.error
    assert "mean after" in at.dataframe[0].value.columns
    assert "Every transforms.v2 class" in texts(at)


def test_seed_and_new_draw_change_the_grid_and_the_seed_reproduces_it():
    at = run_page("augment.py")
    first = _grid(at)
    at.button(key="augment.new_draw").click().run()
    assert at.number_input(key="augment.seed").value == 1
    assert _grid(at) != first and "SEED, N = 1, 8" in _code(at)
    at.number_input(key="augment.seed").set_value(0).run()
    assert _grid(at) == first


def test_number_of_draws_and_step_parameters_change_the_output():
    at = run_page("augment.py")
    first = _grid(at)
    at.slider(key="augment.n").set_value(3).run()
    assert len(_grid(at)) == 3
    at.number_input(key="augment.s1.size").set_value(64).run()
    assert_no_exception(at)
    assert "v2.RandomResizedCrop(size=64" in _code(at)
    assert "after 1. RandomResizedCrop (64, 64)" in [c for c, _ in _images(at)]
    at.toggle(key="augment.s3.on").set_value(False).run()
    assert "# v2.ColorJitter(" in _code(at) and "switched off" in _code(at)
    assert _grid(at)[:3] != first[:3]


def test_add_move_and_remove_steps():
    at = run_page("augment.py")
    at.selectbox(key="augment.add_name").set_value("Pad").run()
    at.button(key="augment.add").click().run()
    assert "v2.Pad(padding=32, fill=0, padding_mode='constant')" in _code(at)
    at.selectbox(key="augment.s4.padding_mode").set_value("reflect").run()
    assert "padding_mode='reflect'" in _code(at)
    at.button(key="augment.s4.up").click().run()
    code = _code(at)
    assert code.index("v2.Pad(") < code.index("v2.ColorJitter(")
    at.button(key="augment.s1.remove").click().run()
    assert "RandomResizedCrop" not in _code(at)
    assert_no_exception(at)


def test_rejected_parameters_are_explained_and_the_rest_keeps_working():
    at = run_page("augment.py")
    at.selectbox(key="augment.add_name").set_value("RandomCrop").run()
    at.button(key="augment.add").click().run()
    at.number_input(key="augment.s4.size").set_value(1000).run()  # crop larger than the 224 px image
    errors = [e.value for e in at.error]
    assert any("Step 4 is skipped" in e and "larger than input image size" in e for e in errors)
    assert len(_grid(at)) == CFG.n_draws
    at.number_input(key="augment.s3.brightness.min").set_value(1.8).run()  # min > max
    assert any("Step 3 is skipped" in e and "brightness values" in e for e in (e.value for e in at.error))
    assert "rejected: brightness values" in _code(at)
    assert_no_exception(at)


def test_json_paste_bad_and_good():
    at = run_page("augment.py")
    at.text_area(key="augment.json_text").input("{oops").run()
    at.button(key="augment.json_load").click().run()
    assert any("Not loaded" in e.value and "not valid JSON" in e.value for e in at.error)
    at.text_area(key="augment.json_text").input('[{"name": "Sharpen"}]').run()
    at.button(key="augment.json_load").click().run()
    assert any("unknown transform 'Sharpen'" in e.value for e in at.error)
    good = '{"pipeline": [{"name": "RandomRotation", "params": {"degrees": [-5, 5]}}, {"name": "RandomInvert"}]}'
    at.text_area(key="augment.json_text").input(good).run()
    at.button(key="augment.json_load").click().run()
    code = _code(at)
    assert "v2.RandomRotation(degrees=(-5.0, 5.0)" in code and "v2.RandomInvert(p=0.5)" in code
    assert "ColorJitter" not in code and any("Pipeline loaded" in s.value for s in at.success)
    assert at.number_input(key="augment.s4.degrees.min").value == -5.0  # widgets show loaded values


def test_normalise_preset_and_boxes():
    at = run_page("augment.py")
    before = at.dataframe[0].value["mean after"].tolist()
    at.selectbox(key="augment.norm").set_value("own").run()
    after = at.dataframe[0].value["mean after"].tolist()
    assert after != before and max(abs(v) for v in after) < 1e-4  # own statistics -> mean 0
    at.toggle(key="augment.boxes").set_value(True).run()
    assert_no_exception(at)
    box_draws = [c for c, _ in _images(at) if c.startswith("draw ") and "seed" not in c]
    assert len(box_draws) == CFG.n_draws
    assert any("tv_tensors.BoundingBoxes" in c.value for c in at.code)


# ---------------------------------------------------------------- 中文 (issue 20)


def test_the_page_in_chinese_has_no_english_left_before_and_after_drawing():
    at = run_page("augment.py", {"lang": "zh"})
    assert_no_exception(at)
    assert at.title[0].value == "🎛️ 数据增强预览器"
    assert english_left(at) == []
    assert any(c.startswith("第 0 次抽样（种子 0）") for c, _ in _images(at))
    at.button(key="augment.new_draw").click().run()
    at.selectbox(key="augment.add_name").set_value("RandomRotation").run()
    at.button(key="augment.add").click().run()
    at.toggle(key="augment.boxes").set_value(True).run()
    assert_no_exception(at)
    assert english_left(at) == []
    assert "在一次仿射变换中" not in texts(at) and "按从 `degrees` 中均匀抽取的角度旋转。" in texts(at)


def test_messages_from_lib_arrive_in_chinese():
    at = run_page("augment.py", {"lang": "zh"})
    at.text_area(key="augment.json_text").input('[{"name": "RandomRotation", "params": {"degrees": [10, -10]}}]').run()
    at.button(key="augment.json_load").click().run()  # min > max: lib's LearnerError when the step is built
    assert any("第 1 步被跳过：degrees：最小值（10）大于最大值（-10）。" in e.value for e in at.error)
    at.text_area(key="augment.json_text").input('[{"name": "Pad", "params": {"padding": 9999}}]').run()
    at.button(key="augment.json_load").click().run()
    assert any("未载入：第 1 步（Pad）：'padding' 必须在 0 和 512 之间，而不是 9999。" in e.value for e in at.error)


# ---------------------------------------------------------------- links (issue 21)

LINKED = {"n": "3", "seed": "17", "norm": "own", "boxes": "1", "bx": "0.2,0.9", "follow": "2", "img": "Rocket"}


def _a_pipeline() -> list[pipeline.Step]:
    steps = json_io.from_json('[{"name": "RandomRotation", "params": {"degrees": [-5, 5]}}, {"name": "RandomInvert"},'
                              ' {"name": "Pad", "params": {"padding": 8, "fill": 9}}]')
    steps[1].enabled = False
    return steps


def test_a_default_page_has_a_clean_link_and_changes_are_mirrored():
    at = run_page("augment.py")
    assert dict(at.query_params) == {}
    at.slider(key="augment.n").set_value(3).run()
    at.button(key="augment.new_draw").click().run()
    at.selectbox(key="augment.norm").set_value("imagenet").run()
    at.number_input(key="augment.s1.size").set_value(64).run()
    params = dict(at.query_params)
    assert {k: params[k] for k in ("n", "seed", "norm")} == {"n": "3", "seed": "1", "norm": "imagenet"}
    assert json_io.from_link_data(links.packed_codec().decode(params["pipe"]))[0].params["size"] == 64
    at.slider(key="augment.n").set_value(CFG.n_draws).run()
    assert "n" not in at.query_params


def test_a_link_restores_every_setting_and_the_very_same_grid():
    steps = _a_pipeline()
    sender = run_page("augment.py")
    sender.text_area(key="augment.json_text").input(json_io.to_json(steps)).run()
    sender.button(key="augment.json_load").click().run()
    for key, value in (("augment.n", 3), ("augment.seed", 17), ("augment.follow", 2)):
        (sender.slider if key == "augment.n" else sender.number_input if key == "augment.seed"
         else sender.selectbox)(key=key).set_value(value).run()
    query = {k: at_value for k, at_value in sender.query_params.items()} | {"boxes": "1", "bx": "0.2,0.9"}
    assert set(query) >= {"pipe", "n", "seed", "follow"}
    visitor = run_page("augment.py", query=query)  # a fresh session opening the link
    assert_no_exception(visitor)
    assert visitor.session_state["augment.pipeline"].steps() == steps
    assert visitor.slider(key="augment.n").value == 3 and visitor.number_input(key="augment.seed").value == 17
    assert visitor.selectbox(key="augment.follow").value == 2
    assert visitor.slider(key="augment.box_x").value == (0.2, 0.9)
    assert _grid(visitor) == _grid(sender) and _code(visitor) == _code(sender)  # same pixels, same script
    assert not visitor.warning


def test_every_linked_value_is_restored():
    at = run_page("augment.py", query=LINKED)
    assert_no_exception(at)
    assert at.selectbox(key="augment.norm").value == "own" and at.toggle(key="augment.boxes").value
    assert at.selectbox(key="augment.image.sample").value == "Rocket"
    assert len(_grid(at)) == 3 and "SEED, N = 17, 3" in _code(at)
    assert dict(at.query_params) == LINKED and not at.warning


def _packed(data) -> str:
    return links.packed_codec(10 ** 6).encode(data)


@pytest.mark.parametrize("value,reason", [
    ("!!not-base64!!", "not a packed setting made by this app"),              # not our encoding at all
    ("eJzLSM3JyQcABiwCFQ", "not a packed setting made by this app"),          # zlib, but "hello" is no JSON
    (_packed({"pipeline": []}), "Expected a list of transforms."),            # JSON, wrong shape
    (_packed([["MakeItPretty"]]), "Step 1: unknown transform 'MakeItPretty'."),
    (_packed([["Pad", {"padding": 1e9}]]), "must be between 0 and 512"),     # out of range
    (_packed([["Pad", {"padding": 3}, 5]]), "expected [name, parameters]"),  # a third element that is not 0
    (_packed([["RandomInvert"]] * 65), "at most 64 steps"),                   # too many steps for a preview
    (_packed("x" * 10 ** 6), "longer than 1000 characters"),                 # packs small, too long for a link
])
def test_malformed_packed_pipelines_give_a_message(value, reason):
    at = run_page("augment.py", query={"pipe": value})
    assert_no_exception(at)
    warnings = " ".join(w.value for w in at.warning)
    assert "**pipe**" in warnings and reason in warnings, warnings
    assert [s.name for s in at.session_state["augment.pipeline"].steps()] == list(CFG.default_pipeline)
    assert "pipe" not in at.query_params


def test_a_zip_bomb_is_refused():
    bomb = base64.urlsafe_b64encode(zlib.compress(b"[" + b" " * 500_000 + b"]", 9)).decode().rstrip("=")
    assert len(bomb) < CFG.max_link_chars  # short enough to be read: the inflater stops it
    at = run_page("augment.py", query={"pipe": bomb})
    assert_no_exception(at)
    assert any("**pipe**" in w.value and "unpacks to too much data" in w.value for w in at.warning)


def test_a_pipeline_too_long_for_a_link_is_refused_politely_with_the_json_instead():
    g = torch.Generator().manual_seed(0)  # 60 steps with random values: they do not compress away
    many = [{"name": "RandomAffine", "params": {"degrees": [round(a, 3), 90], "shear": [round(b / 2, 3), 60],
                                                "translate": [round(abs(c) / 90, 3), 0.5]}}
            for a, b, c in torch.empty(60, 3).uniform_(-90, 89, generator=g).tolist()]
    data = json_io.to_link_data(json_io.from_json(json.dumps(many)))
    assert len(links.packed_codec(10 ** 6).encode(data)) > CFG.max_link_chars
    at = run_page("augment.py")
    at.text_area(key="augment.json_text").input(json.dumps(many)).run()
    at.button(key="augment.json_load").click().run()
    assert_no_exception(at)
    assert any("**pipe** is not in the link: too long for a link" in w.value for w in at.warning)
    assert "pipe" not in at.query_params
    assert at.get("download_button") and any(b.proto.label.startswith("⬇️ Send the pipeline as a JSON file")
                                             for b in at.get("download_button"))
    at.button(key="augment.s61.remove").click().run()  # still too long: the message stays
    assert "pipe" not in at.query_params


def test_coming_back_without_the_link_keeps_the_pipeline(monkeypatch):
    """Switching pages drops the query string: the pipeline built in this session stays."""
    monkeypatch.setattr(links, "ECHO_S", 0.0)  # a visit seconds later, not a stale echo of our own last write
    at = run_page("augment.py")
    at.selectbox(key="augment.add_name").set_value("RandomInvert").run()
    at.button(key="augment.add").click().run()
    assert "pipe" in at.query_params
    at.query_params.clear()
    at.run()
    assert [s.name for s in at.session_state["augment.pipeline"].steps()][-1] == "RandomInvert"
    assert "pipe" in at.query_params  # written back


# ---------------------------------------------------------------- the tutorials' pipelines (issue 23)


def test_the_tutorial_pipelines_are_one_click_away_and_travel_in_the_link():
    at = run_page("augment.py")
    at.button(key="augment.recipe.transfer_val").click().run()
    assert_no_exception(at)
    assert [s.name for s in at.session_state["augment.pipeline"].steps()] == ["Resize", "CenterCrop"]
    assert at.selectbox(key="augment.norm").value == "imagenet"
    assert len(set(_grid(at))) == 1  # nothing random: every draw is the same picture
    assert "v2.Resize(size=256" in _code(at) and "v2.CenterCrop(size=224" in _code(at)
    assert any("0.4850, 0.4560, 0.4060" in c.value for c in at.code)  # the normalise code: ImageNet's mean
    link = dict(at.query_params)
    assert link["norm"] == "imagenet" and "pipe" in link
    visitor = run_page("augment.py", query=link)
    assert visitor.session_state["augment.pipeline"].steps() == at.session_state["augment.pipeline"].steps()
    assert _grid(visitor) == _grid(at)
    at.button(key="augment.recipe.transfer_train").click().run()
    assert [s.name for s in at.session_state["augment.pipeline"].steps()] == ["RandomResizedCrop",
                                                                              "RandomHorizontalFlip"]
    assert len(set(_grid(at))) == CFG.n_draws
    at.button(key="augment.recipe.cifar").click().run()
    assert_no_exception(at)
    assert at.session_state["augment.pipeline"].steps() == [] and at.selectbox(key="augment.norm").value == "half"


def test_the_tutorial_pipelines_in_chinese_have_no_english_left():
    at = run_page("augment.py", {"lang": "zh"})
    at.button(key="augment.recipe.transfer_train").click().run()
    assert_no_exception(at)
    assert english_left(at) == []
