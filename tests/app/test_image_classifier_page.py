"""AppTest for pages/image_classifier.py: defaults render, each main control changes the output,
bad input gives a message, a tiny training run produces test results and a checkpoint."""
import io

import pytest
from PIL import Image

from lib.image_classifier import checkpoints
from tests.helpers import assert_no_exception, run_page, texts

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
    at.selectbox(key="clf.preset").set_value("MNIST CNN (16@5x5 s2 + pool, 32@5x5)").run()
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
    ({"clf.dataset": "digits8", "clf.preset": "LeNet-5"}, "shrinks a 8x8 image"),
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
