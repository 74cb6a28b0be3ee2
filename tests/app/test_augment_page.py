"""pages/augment.py in AppTest: defaults render, each main control changes the output, bad input is explained."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from lib.augment.config import AugmentConfig
from tests.helpers import assert_no_exception, run_page, texts

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
    at.selectbox(key="augment.norm").set_value(list(at.selectbox(key="augment.norm").options)[2]).run()
    after = at.dataframe[0].value["mean after"].tolist()
    assert after != before and max(abs(v) for v in after) < 1e-4  # own statistics -> mean 0
    at.toggle(key="augment.boxes").set_value(True).run()
    assert_no_exception(at)
    box_draws = [c for c, _ in _images(at) if c.startswith("draw ") and "seed" not in c]
    assert len(box_draws) == CFG.n_draws
    assert any("tv_tensors.BoundingBoxes" in c.value for c in at.code)
