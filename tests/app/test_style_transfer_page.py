"""AppTest for pages/style_transfer.py: defaults render, a tiny run works, controls matter, presets, links,
bad input, and the page in Chinese."""
import io
from dataclasses import replace

import pytest
from PIL import Image

from lib.style_transfer.presets import TUTORIAL
from tests.helpers import (
    assert_no_exception,
    bound_params,
    english_left,
    run_page,
    texts,
)

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
    assert "steps on CPU (" in text  # the device as people write it, not torch's "cpu"
    assert "Press **Start**" in text
    assert "CONTENT_LAYER" in at.code[0].value and "'conv4_2'" in at.code[0].value


def test_the_pixel_sentence_names_the_weights_in_use():
    at = run_page("style_transfer.py")
    caption = next(c.value for c in at.caption if "Estimated time" in c.value)
    if "Caffe" in caption.split("Weights:")[1].split(".")[0]:  # the embedded weights (offline)
        assert "0..255 minus the ImageNet mean" in caption and "divided by its standard deviation" not in caption
    else:  # torchvision's cached weights
        assert "0..1, minus the ImageNet mean and divided by its standard deviation" in caption


def test_run_shows_result_charts_and_numbers(done):
    assert_no_exception(done)
    run = done.session_state["style.run"]
    assert run.done and len(run.history) == 3
    assert run.image.shape[-1] == 32
    text = texts(done)
    assert f"{run.history[-1].losses['content']:.3g}" in text  # the explanation quotes this run's numbers
    assert "divided by C×H×W (C times smaller than a per-position average)" in text and "averaged over" not in text
    assert "Gram of the painting" in str([c.proto for c in done.get("plotly_chart")])


def test_continue_goes_on_from_the_kept_image(done):
    before = done.session_state["style.run"].image.clone()
    done.button(key="style.continue").click().run()
    assert_no_exception(done)
    run = done.session_state["style.run"]
    assert run.done and len(run.history) == 2  # full-size steps only: no second coarse pass
    assert (run.image - before).abs().max() > 1e-3


def test_changing_ratio_changes_the_result(done):
    before = done.session_state["style.run"].image.clone()
    done.select_slider(key="style.ratio").set_value(1e5).run()
    done.button(key="style.start").click().run()
    assert_no_exception(done)
    assert not (done.session_state["style.run"].image - before).abs().max() < 1e-3


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
    cfg = at.session_state["style.run"].config
    assert cfg.keep_colors and cfg.optimizer == "lbfgs"


def test_size_beyond_memory_budget_is_refused():
    at = run_page("style_transfer.py", {**TINY, "style.size": 2048})
    assert_no_exception(at)
    assert any("largest size that fits" in e.value for e in at.error)
    assert all(b.key != "style.start" for b in at.button)  # nothing to start


def test_no_style_layer_is_explained():
    at = run_page("style_transfer.py", TINY)
    at.multiselect(key="style.layers").set_value([]).run()
    assert_no_exception(at)
    assert any("at least one style layer" in e.value for e in at.error)


# ----------------------------------------------------------------------------- presets

def test_the_tutorial_preset_sets_the_recipe_and_runs_it():
    at = run_page("style_transfer.py", TINY)
    at.selectbox(key="style.preset").set_value("tutorial").run()
    assert_no_exception(at)
    assert (at.session_state["style.space"], at.session_state["style.lr"], at.session_state["style.gram"],
            at.session_state["style.ratio"], at.session_state["style.tv"], at.session_state["style.coarse"]) == \
        ("normalised", 0.003, "classic", 1e6, 0.0, False)
    assert "How this differs from the default, and why" in [e.label for e in at.expander]
    assert dict(at.query_params) == {"preset": "tutorial", "size": "32"}  # the recipe is its own default
    at.number_input(key="style.steps").set_value(2).run()
    at.button(key="style.start").click().run()
    assert_no_exception(at)
    run = at.session_state["style.run"]
    assert run.config == replace(TUTORIAL, size=32, steps=2)
    assert "left unnormalised (the classic recipe)" in texts(at)


# ----------------------------------------------------------------------------- the page's link

LINKED = {"photo", "painting", "size", "preset", "content", "layers", "gram", "ratio", "tv", "init", "seed", "colors",
          "space", "opt", "lr", "steps", "preview", "coarse", "coarse_steps"}


def test_a_default_page_has_a_clean_link_and_binds_every_setting():
    at = run_page("style_transfer.py")
    assert_no_exception(at)
    assert dict(at.query_params) == {}
    assert bound_params(at) == LINKED


def test_changing_settings_writes_only_non_defaults_to_the_link():
    at = run_page("style_transfer.py")
    at.select_slider(key="style.size").set_value(128).run()
    at.number_input(key="style.steps").set_value(40).run()
    at.checkbox(key="style.coarse").uncheck().run()
    at.multiselect(key="style.layers").set_value(["conv1_1", "conv3_1"]).run()
    at.selectbox(key="style.style.sample").set_value("The Scream (Munch)").run()
    assert {k: at.query_params[k] for k in at.query_params} == {
        "size": "128", "steps": "40", "coarse": "0", "layers": "conv1_1,conv3_1", "painting": "The Scream (Munch)"}
    at.number_input(key="style.steps").set_value(30).run()  # back to the default: gone from the link
    assert "steps" not in at.query_params


def test_a_link_restores_the_settings_and_the_same_picture():
    link = {"size": "32", "steps": "2", "coarse": "0", "init": "noise", "seed": "7", "ratio": "1000.0",
            "photo": "Coffee", "preview": "1"}
    sender, receiver = run_page("style_transfer.py", query=link), run_page("style_transfer.py", query=link)
    for at in (sender, receiver):
        assert_no_exception(at)
        assert (at.session_state["style.seed"], at.session_state["style.ratio"], at.session_state["style.content.sample"]) \
            == (7, 1000.0, "Coffee")
        at.button(key="style.start").click().run()
    a, b = sender.session_state["style.run"], receiver.session_state["style.run"]
    assert a.config == b.config and (a.image - b.image).abs().max() == 0  # same seed: the same picture


@pytest.mark.parametrize("param, value", [
    ("ratio", "5"),           # not one of the slider's ratios
    ("steps", "99999"),       # out of range
    ("preset", "fastest"),    # not a preset
    ("photo", "Mona Lisa"),   # not a sample
    ("colors", "maybe"),      # not a flag
])
def test_bad_link_values_are_named_and_fall_back(param, value):
    at = run_page("style_transfer.py", query={param: value})
    assert_no_exception(at)
    assert any(f"**{param}**" in w.value for w in at.warning)
    assert param not in at.query_params


def test_the_share_panel_names_what_cannot_travel():
    at = run_page("style_transfer.py", {**TINY, "style.style.sample": "The Scream (Munch)"})
    assert "Not in the link: the painted picture" in texts(at) and "uploaded" not in texts(at)
    png = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(png, format="PNG")
    at.radio(key="style.content.source").set_value("Upload").run()
    at.file_uploader(key="style.content.upload").set_value(("my cat.png", png.getvalue(), "image/png")).run()
    assert_no_exception(at)
    assert "Not in the link: your uploaded picture “my cat.png”" in texts(at)
    assert "photo" not in at.query_params and at.query_params["painting"] == "The Scream (Munch)"


# ----------------------------------------------------------------------------- 中文

@pytest.fixture
def chinese(monkeypatch):
    """Chinese for the whole test. AppTest calls a selectbox's format_func again outside the script run
    (ui.image_input's sample picker translates its names with `_`), where no session says the language:
    pinning it keeps those names Chinese there too, as they are in the run."""
    import ui.i18n
    monkeypatch.setattr(ui.i18n, "current_language", lambda: "zh")


def test_the_page_in_chinese_has_no_english_left_before_and_after_a_run(chinese):
    at = run_page("style_transfer.py", {**TINY, "lang": "zh"})
    assert_no_exception(at)
    assert at.title[0].value == "🎨 神经风格迁移"
    assert english_left(at) == []
    at.button(key="style.start").click().run()
    assert_no_exception(at)
    assert at.session_state["style.run"].done
    assert english_left(at) == []
    text = texts(at)
    assert "不做归一化" not in text and "再除以 C×H×W（比按位置取平均小 C 倍）" in text  # the run's own Gram sentence


# ----------------------------------------------------------------------------- the heavy-job gate

def test_stylisation_queues_at_the_gate_with_its_memory_estimate(monkeypatch):
    from lib.common.gate import Gate
    from lib.style_transfer import cost

    joined = []
    real_join = Gate.join

    def spy(self, label, need=0, pool="cpu", expected_s=30.0):
        joined.append((label, need, pool, expected_s))
        return real_join(self, label, need, pool, expected_s)

    monkeypatch.setattr(Gate, "join", spy)
    at = run_page("style_transfer.py", TINY)
    assert not joined  # drawing the page and its estimate is light work: no queue
    at.button(key="style.start").click().run()
    assert_no_exception(at)
    run = at.session_state["style.run"]
    aspect = run.content01.shape[-1] / run.content01.shape[-2]
    assert [(label, need, pool) for label, need, pool, _ in joined] == \
        [("style_transfer", cost.run_bytes(run.config, aspect), "cpu")]
    assert 0 < joined[0][3] < 60  # the page's own time estimate for 3 tiny steps
