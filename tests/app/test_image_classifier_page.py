"""AppTest for pages/image_classifier.py: defaults render, each main control changes the output,
bad input gives a message, a tiny training run produces test results and a checkpoint."""
import io

import pytest
from PIL import Image

from lib.image_classifier import checkpoints
from tests.helpers import assert_no_exception, bound_params, english_left, run_page, texts

TINY = {"clf.dataset": "digits8", "clf.subset": "300", "clf.epochs": 1}


def _params(at) -> str:
    return next(c.value for c in at.caption if "parameters." in c.value)


def test_defaults_render_fashion_mlp():
    at = run_page("image_classifier.py")
    assert_no_exception(at)
    text = texts(at)
    assert "60,000 training and 10,000 test images of 1×28×28" in text
    assert "235,146 parameters" in text  # 784-256-128-10
    assert "Train a model above" in text
    assert ("tensorboard" in text.lower()) and "Classic: DataLoader" in "\n".join(e.label for e in at.expander)


def test_each_main_control_changes_the_output():
    at = run_page("image_classifier.py", {"clf.dataset": "digits8"})
    assert_no_exception(at)
    base = _params(at)
    assert "1×8×8" in texts(at)
    at.selectbox(key="clf.preset").set_value("mnist_cnn").run()
    assert_no_exception(at)
    cnn = _params(at)
    assert cnn != base and "Conv2d" in " ".join(at.dataframe[0].value["layer"])
    at.text_input(key="clf.channels").set_value("8, 8").run()
    assert _params(at) != cnn
    at.radio(key="clf.loss").set_value("nll").run()
    assert "LogSoftmax" in " ".join(at.dataframe[0].value["layer"])
    code = at.expander  # the code panel follows the style radio
    at.radio(key="clf.style").set_value("functional").run()
    assert "F.relu(x)" in texts(at) and code is not None
    at.slider(key="clf.per_class").set_value(4).run()
    assert_no_exception(at)


@pytest.mark.parametrize("state, message", [
    ({"clf.dataset": "digits8", "clf.hidden": "256, lots"}, "whole numbers"),
    ({"clf.dataset": "digits8", "clf.preset": "lenet"}, "shrinks a 8x8 image"),
    ({"clf.dataset": "tv_cifar10"}, "not downloaded yet"),
])
def test_bad_input_gives_a_message(state, message):
    at = run_page("image_classifier.py", state)
    assert_no_exception(at)
    assert any(message in e.value for e in at.error)


def test_tiny_training_run_gives_results_and_checkpoint():
    at = run_page("image_classifier.py", TINY)
    at.button(key="clf.start").click().run()
    assert_no_exception(at)
    run = at.session_state["clf.run"]
    assert run.history and run.history[-1].step == 5  # 300 images, batch 64 -> 5 batches in 1 epoch
    assert at.metric[0].label == "Test accuracy"
    assert "Most confidently wrong" in texts(at)
    loaded = checkpoints.load_checkpoint(checkpoints.checkpoint_bytes(run.model, run.spec, run.shape, run.classes),
                                         run.model[1].weight.device)
    assert loaded.spec == run.spec
    try_it_and_save_load(at, run)
    at.button(key="clf.start").click().run()  # "Train more" continues the same model
    assert len(at.session_state["clf.run"].history) > len(run.history) - 1
    assert at.session_state["clf.run"].epochs == pytest.approx(2.0)


def _png(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def try_it_and_save_load(at, run) -> None:
    """Uploads: a drawn digit gives probabilities; junk and blank pictures and foreign checkpoints give messages."""
    digit = Image.new("RGB", (64, 64), "white")
    digit.paste((0, 0, 0), (28, 8, 36, 56))  # a "1"
    at.file_uploader(key="clf.try").set_value(("one.png", _png(digit), "image/png")).run()
    assert_no_exception(at)
    assert any("Prediction:" in str(p.proto.spec) for p in at.get("plotly_chart"))
    at.file_uploader(key="clf.try").set_value(("blank.png", _png(Image.new("RGB", (9, 9), "white")), "image/png")).run()
    assert any("blank" in e.value for e in at.error)
    at.file_uploader(key="clf.try").set_value(("x.png", b"not an image", "image/png")).run()
    assert any("x.png" in e.value for e in at.error)
    at.file_uploader(key="clf.load").set_value(("junk.pt", b"PK broken", "application/octet-stream")).run()
    assert any("cannot be read" in e.value for e in at.error)
    good = checkpoints.checkpoint_bytes(run.model, run.spec, run.shape, run.classes, {"epochs": 1.0})
    at.file_uploader(key="clf.load").set_value(("mine.pt", good, "application/octet-stream")).run()
    assert any("mine.pt" in s.value for s in at.success)
    at.file_uploader(key="clf.try").set_value(None)
    at.file_uploader(key="clf.load").set_value(None).run()


def test_switching_data_set_after_training_keeps_the_page_working():
    at = run_page("image_classifier.py", TINY)
    at.button(key="clf.start").click().run()
    at.selectbox(key="clf.dataset").set_value("mnist5k").run()
    assert_no_exception(at)
    assert any("settings changed" in w.value for w in at.warning)
    assert "belongs to another data set" in texts(at)


# ----------------------------------------------------------------------------- presets are whole recipes

def test_choosing_a_preset_sets_its_whole_recipe_and_the_link_names_only_the_preset():
    at = run_page("image_classifier.py", {"clf.dataset": "digits8"})
    at.selectbox(key="clf.preset").set_value("mlp_sigmoid").run()
    assert_no_exception(at)
    state = {k: at.session_state[k] for k in ("clf.opt", "clf.lr.sgd", "clf.momentum", "clf.nesterov", "clf.wd",
                                              "clf.batch", "clf.epochs", "clf.act", "clf.hidden", "clf.loss")}
    assert state == {"clf.opt": "sgd", "clf.lr.sgd": 0.01, "clf.momentum": 0.9, "clf.nesterov": True, "clf.wd": 1e-6,
                     "clf.batch": 256, "clf.epochs": 10, "clf.act": "sigmoid", "clf.hidden": "128", "clf.loss": "ce"}
    assert {k: at.query_params[k] for k in at.query_params} == {"data": "digits8", "preset": "mlp_sigmoid"}
    assert "How this differs from the default" in "\n".join(e.label for e in at.expander)
    at.selectbox(key="clf.preset").set_value("mlp").run()  # back to the default: its recipe, a clean link again
    assert at.session_state["clf.opt"] == "adam" and at.session_state["clf.batch"] == 64
    assert set(at.query_params) == {"data"}


def test_the_fast_cnn_preset_teaches_batch_norm_and_one_cycle():
    at = run_page("image_classifier.py", {"clf.dataset": "digits8", "clf.subset": "300"})
    at.selectbox(key="clf.preset").set_value("fast_cnn").run()
    assert at.session_state["clf.sched"] == "onecycle" and at.session_state["clf.bn"] is True
    assert "BatchNorm2d" in " ".join(at.dataframe[0].value["layer"])
    assert "OneCycleLR" in texts(at)  # the training script schedules the rate
    at.slider(key="clf.epochs").set_value(2).run()
    at.button(key="clf.start").click().run()
    assert_no_exception(at)
    lrs = [s.lr for s in at.session_state["clf.run"].history]
    assert max(lrs) == pytest.approx(3e-3, rel=0.05) and lrs[-1] < 3e-3 / 100  # the cycle, on the curves
    assert any("learning rate" in str(c.proto.spec) for c in at.get("plotly_chart"))
    rounds = at.session_state["clf.rounds"]
    assert [r.preset for r in rounds] == ["fast_cnn"] and "test accuracy" in list(at.dataframe[1].value.columns)


# ----------------------------------------------------------------------------- the page's link

LINKED = {"data", "per", "preset", "hidden", "act", "drop", "drop_p", "loss", "style", "opt", "lr", "wd", "batch",
          "epochs", "sched", "subset", "log"}


def test_a_default_page_has_a_clean_link_and_binds_every_setting():
    at = run_page("image_classifier.py")
    assert dict(at.query_params) == {}
    assert bound_params(at) == LINKED


def test_changing_settings_writes_only_non_defaults_to_the_link():
    at = run_page("image_classifier.py", {"clf.dataset": "digits8"})
    at.radio(key="clf.opt").set_value("sgd").run()
    at.select_slider(key="clf.lr.sgd").set_value(0.1).run()
    at.checkbox(key="clf.nesterov").check().run()
    at.text_input(key="clf.hidden").set_value("64, 32").run()
    at.radio(key="clf.sched").set_value("onecycle").run()
    at.select_slider(key="clf.wd").set_value(1e-6).run()
    assert {k: at.query_params[k] for k in at.query_params} == {
        "data": "digits8", "opt": "sgd", "lr": "0.1", "nesterov": "1", "hidden": "64, 32", "sched": "onecycle",
        "wd": "1e-06"}
    at.radio(key="clf.sched").set_value("constant").run()  # back to the default: gone from the link
    assert "sched" not in at.query_params


def test_a_link_restores_the_settings_and_the_same_training():
    sender = run_page("image_classifier.py", query={"data": "digits8", "subset": "300"})
    sender.selectbox(key="clf.preset").set_value("vgg").run()  # a preset sets its whole recipe, epochs included
    sender.slider(key="clf.epochs").set_value(1).run()
    sender.text_input(key="clf.cfg").set_value("8, M, 16").run()
    sender.select_slider(key="clf.lr.adam").set_value(3e-3).run()
    sender.radio(key="clf.sched").set_value("onecycle").run()
    link = {k: sender.query_params[k] for k in sender.query_params}
    assert link == {"data": "digits8", "subset": "300", "epochs": "1", "preset": "vgg", "cfg": "8, M, 16",
                    "lr": "0.003", "sched": "onecycle"}
    sender.button(key="clf.start").click().run()
    receiver = run_page("image_classifier.py", query=link)
    assert_no_exception(receiver)
    assert (receiver.session_state["clf.cfg"], receiver.session_state["clf.lr.adam"],
            receiver.session_state["clf.sched"], receiver.session_state["clf.epochs"]) == ("8, M, 16", 3e-3, "onecycle", 1)
    assert "Train a model above" in texts(receiver)  # the trained weights do not travel: press Train
    receiver.button(key="clf.start").click().run()
    assert receiver.metric[0].value == sender.metric[0].value  # same seed, same data: the same test accuracy
    assert [s.val_loss for s in receiver.session_state["clf.run"].history] == \
        [s.val_loss for s in sender.session_state["clf.run"].history]


@pytest.mark.parametrize("param, value", [
    ("lr", "0.5"),          # not one of the slider's rates
    ("epochs", "99"),       # out of range
    ("preset", "resnet"),   # not a preset
    ("subset", "20,000"),   # the label, not the id
    ("log", "maybe"),       # not a flag
])
def test_bad_link_values_are_named_and_fall_back(param, value):
    at = run_page("image_classifier.py", query={param: value})
    assert_no_exception(at)
    assert any(f"**{param}**" in w.value for w in at.warning)
    assert param not in at.query_params  # the default is used and the bad value leaves the link


def test_a_link_with_unparsable_layer_widths_explains_them():
    at = run_page("image_classifier.py", query={"hidden": "<b>many</b>"})
    assert_no_exception(at)
    assert any("whole numbers" in e.value for e in at.error)


# ----------------------------------------------------------------------------- 中文 and TensorBoard

def test_the_page_in_chinese_has_no_english_left():
    at = run_page("image_classifier.py", {"lang": "zh"})
    assert_no_exception(at)
    assert at.title[0].value == "🧪 图像分类实验室"
    assert english_left(at) == []


def test_training_in_chinese_with_a_tensorboard_log():
    at = run_page("image_classifier.py", {"lang": "zh"} | TINY | {"clf.log": True})
    at.button(key="clf.start").click().run()
    assert_no_exception(at)
    assert at.metric[0].label == "测试准确率"
    assert english_left(at) == []
    labels = [e.label for e in at.expander]
    assert any("TensorBoard" in label and "1" in label for label in labels)  # the session's runs, read back
    from ui.runlog import FOLDER
    from lib.common.runlog import read_scalars
    logs = at.session_state[FOLDER]
    (name,) = logs.runs()
    assert name.startswith("mlp-digits8")
    assert {"loss/train", "accuracy/validation", "learning_rate"} <= {c.tag for c in read_scalars(logs.path, name)}
    assert at.query_params["log"] == "1"


def test_a_new_preset_clears_the_settings_of_widgets_it_hides_from_the_link():
    at = run_page("image_classifier.py", {"clf.dataset": "digits8"})
    at.text_input(key="clf.hidden").set_value("32").run()
    at.radio(key="clf.opt").set_value("sgd").run()
    at.slider(key="clf.momentum").set_value(0.5).run()
    assert {"hidden", "opt", "mom"} <= set(at.query_params)
    at.selectbox(key="clf.preset").set_value("vgg").run()  # no hidden widths, Adam: those widgets are gone
    assert set(at.query_params) == {"data", "preset"}
