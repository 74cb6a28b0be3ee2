"""AppTest for pages/transfer.py: defaults render, the main action shows transfer beating scratch, your own
classes (uploads, webcam, zip), checkpoints, the link, Chinese, and bad input giving messages."""
import io
import zipfile

import numpy as np
import pytest
from PIL import Image

from tests.helpers import assert_no_exception, bound_params, english_left, run_page, texts

# 5 pictures per class, 200 test pictures, few epochs: a full comparison in a few seconds
TINY = {"tl.n": 5, "tl.test": 200, "tl.ep_scratch": 3, "tl.ep_head": 20, "tl.ep_ft": 2}
TINY_LINK = {"n": "5", "test": "200", "ep_scratch": "3", "ep_head": "20", "ep_ft": "2"}


def jpeg(seed: int, colour: tuple[int, int, int], size=(64, 48)) -> bytes:
    rng = np.random.default_rng(seed)
    pixels = np.clip(np.array(colour) + rng.normal(0, 20, (size[1], size[0], 3)), 0, 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, "JPEG")
    return buf.getvalue()


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def accuracies(at) -> list[str]:
    return [m.value for m in at.metric if m.label in ("test accuracy", "测试准确率", "validation accuracy")]


@pytest.fixture(scope="module")
def trained():
    at = run_page("transfer.py", TINY)
    at.button(key="tl.train").click().run()
    assert_no_exception(at)
    return at


def test_defaults_render_without_training():
    at = run_page("transfer.py")
    assert_no_exception(at)
    assert at.title[0].value == "♻️ Transfer learning"
    assert not at.error
    assert dict(at.query_params) == {}
    text = texts(at)
    assert "200 pictures to learn from, 50 to pick the best checkpoint (validation), 1000 to test on" in text
    assert "embedded Caffe VGG19" in text  # the page says which weights are in use
    assert "load_prefix_and_block" in text  # the code panel
    m = metrics(at)
    assert m["trainable parameters"] == f"{2048 * 10 + 10 + 512 * 512 * 9 + 512:,}"  # stage 2: head + conv5_1
    assert at.button(key="tl.train").disabled is False


def test_training_all_three_shows_the_gap_curves_projection_and_a_prediction(trained):
    at = trained
    lab = at.session_state["tl.lab"]
    assert all(run.finished and run.test_acc is not None for run in lab.runs.values())
    assert len(accuracies(at)) == 3
    assert any("points" in s.value for s in at.success)  # "Transfer wins by ..."
    assert lab.runs["two_stage"].history[-1].stage == 2 and len(lab.runs["two_stage"].history) == 22
    text = texts(at)
    assert "Nearest neighbour" in text  # the PCA section
    assert any("Prediction:" in str(c.proto.spec) for c in at.get("plotly_chart"))  # the sample picture
    assert at.get("download_button")


def test_a_test_picture_is_classified_with_its_true_class(trained):
    at = trained
    at.radio(key="tl.pic").set_value("test").run()
    at.number_input(key="tl.img").set_value(3).run()
    assert_no_exception(at)
    assert "true class:" in texts(at)
    assert at.query_params["pic"] == "test" and at.query_params["img"] == "3"
    at.radio(key="tl.use").set_value("scratch").run()
    at.slider(key="tl.k").set_value(5).run()
    assert_no_exception(at)
    chart = next(c for c in at.get("plotly_chart") if "Prediction:" in str(c.proto.spec))
    assert str(chart.proto.spec).count('"orientation":"h"') == 1


def test_the_weights_table_follows_the_strategy_and_stage():
    at = run_page("transfer.py")
    stage2 = metrics(at)["trainable parameters"]
    at.radio(key="tl.view").set_value("head").run()
    assert metrics(at)["trainable parameters"] == f"{2048 * 10 + 10:,}" != stage2
    groups = at.dataframe[-1].value
    assert list(groups["learning rate"]) == ["1"]  # L-BFGS's first trial step
    assert any("torch.optim.LBFGS" in m.value for m in at.markdown)
    at.radio(key="tl.view").set_value("stage2").run()
    groups = at.dataframe[-1].value
    assert list(groups["learning rate"]) == ["3e-05", "0.0003"]  # two parameter groups, the head 10x faster
    assert any("torch.optim.Adam" in m.value for m in at.markdown)
    at.radio(key="tl.view").set_value("scratch").run()
    assert metrics(at)["frozen parameters"] == "0"


def test_the_sweep_draws_accuracy_against_pictures_per_class(monkeypatch):
    from lib.transfer import config
    monkeypatch.setattr(config, "SWEEP", (5, 8))  # two small sizes keep the test quick
    at = run_page("transfer.py", TINY)
    at.button(key="tl.sweep_btn").click().run()
    assert_no_exception(at)
    points = at.session_state["tl.sweep"].points
    assert [(p.per_class, p.strategy) for p in points] == [(n, s) for n in (5, 8) for s in config.STRATEGIES]
    assert any("Sample efficiency" in str(c.proto.spec) for c in at.get("plotly_chart"))


# ----------------------------------------------------------------------------- your own classes

def test_own_classes_from_uploads_and_the_webcam_train_and_name_bad_files():
    at = run_page("transfer.py", {"tl.source": "own", "tl.classes": 2} | TINY)
    assert any("at least 2 pictures" in i.value for i in at.info)
    at.text_input(key="tl.name1").set_value("red").run()
    at.text_input(key="tl.name2").set_value("blue").run()
    reds = [(f"r{i}.jpg", jpeg(i, (200, 40, 40)), "image/jpeg") for i in range(5)]
    at.file_uploader(key="tl.up1").set_value(reds + [("broken.jpg", b"no picture", "image/jpeg")]).run()
    at.file_uploader(key="tl.up2").set_value([(f"b{i}.jpg", jpeg(10 + i, (40, 40, 200)), "image/jpeg")
                                              for i in range(2)]).run()
    at.selectbox(key="tl.cam_class").set_value(1).run()
    at.camera_input(key="tl.camera").set_value(("photo.jpg", jpeg(99, (30, 30, 220)), "image/jpeg")).run()
    assert_no_exception(at)
    assert at.session_state["tl.shots"].count(1) == 1  # the webcam photo joined "blue"
    assert any("broken.jpg" in w.value and "red" in w.value for w in at.warning)
    assert "red: 5, blue: 3" in texts(at)
    at.button(key="tl.train").click().run()
    assert_no_exception(at)
    lab = at.session_state["tl.lab"]
    assert lab.fs.classes == ("red", "blue") and all(r.finished for r in lab.runs.values())
    assert {k: at.query_params[k] for k in ("data", "c1", "c2")} == {"data": "own", "c1": "red", "c2": "blue"}


def _zip(entries) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in entries:
            z.writestr(name, data)
    return buf.getvalue()


def test_a_zip_of_class_folders_is_read_and_hostile_ones_are_named():
    at = run_page("transfer.py", {"tl.source": "own", "tl.own": "zip"})
    good = _zip([(f"{c}/{i}.jpg", jpeg(i, col)) for c, col in (("cat", (200, 90, 20)), ("dog", (20, 90, 200)))
                 for i in range(3)] + [("cat/readme.txt", b"hi")])
    at.file_uploader(key="tl.zip").set_value(("pets.zip", good, "application/zip")).run()
    assert_no_exception(at)
    assert "cat: 3, dog: 3" in texts(at) and "were skipped: 1 (e.g. cat/readme.txt)" in texts(at)
    evil = _zip([("cat/0.jpg", jpeg(0, (1, 2, 3))), ("../../evil.jpg", jpeg(1, (1, 2, 3)))])
    at.file_uploader(key="tl.zip").set_value(("evil.zip", evil, "application/zip")).run()
    assert_no_exception(at)
    assert any("evil.zip" in e.value and "climbs out" in e.value for e in at.error)
    at.file_uploader(key="tl.zip").set_value(("notzip.zip", b"PK\x03\x04 broken", "application/zip")).run()
    assert any("notzip.zip" in e.value for e in at.error)


def test_duplicate_class_names_are_explained():
    at = run_page("transfer.py", {"tl.source": "own", "tl.classes": 2, "tl.name1": "cat", "tl.name2": "Cat"})
    files = [("a.jpg", jpeg(0, (9, 9, 9)), "image/jpeg"), ("b.jpg", jpeg(1, (9, 9, 9)), "image/jpeg")]
    at.file_uploader(key="tl.up1").set_value(files).run()
    at.file_uploader(key="tl.up2").set_value(files).run()
    assert any("Two classes are called" in e.value for e in at.error)


# ----------------------------------------------------------------------------- checkpoints

def test_the_best_checkpoint_downloads_and_loads_back(trained):
    from lib.common.vgg import load_vgg19_features
    from lib.transfer import backbone as bb
    from lib.transfer import checkpoints
    at = trained
    lab = at.session_state["tl.lab"]
    vgg = bb.from_vgg(load_vgg19_features("conv5_1", "cpu"))  # the same weights as the page's shared copy
    raw = checkpoints.checkpoint_bytes(lab.runs["head"], lab.fs.kind, lab.fs.shape, vgg, 32)
    at.file_uploader(key="tl.load").set_value(("mine.pt", raw, "application/octet-stream")).run()
    assert_no_exception(at)
    assert any("mine.pt" in s.value for s in at.success)
    at.file_uploader(key="tl.load").set_value(("junk.pt", b"not torch", "application/octet-stream")).run()
    assert any("junk.pt" in e.value and "cannot be read" in e.value for e in at.error)
    at.file_uploader(key="tl.load").set_value(None).run()
    assert_no_exception(at)


# ----------------------------------------------------------------------------- the link

LINKED = {"data", "seed", "n", "test", "backbone", "ep_scratch", "lr_scratch", "ep_head", "lr_head", "ep_ft", "lr_ft",
          "log", "view", "use", "pic", "k"}


def test_a_default_page_binds_its_settings_and_writes_only_non_defaults():
    at = run_page("transfer.py")
    assert dict(at.query_params) == {} and bound_params(at) == LINKED
    at.select_slider(key="tl.n").set_value(50).run()
    at.select_slider(key="tl.lr_head").set_value(0.3).run()
    at.radio(key="tl.view").set_value("head").run()
    assert {k: at.query_params[k] for k in at.query_params} == {"n": "50", "lr_head": "0.3", "view": "head"}
    at.select_slider(key="tl.n").set_value(20).run()
    assert "n" not in at.query_params


def test_a_link_restores_the_settings_and_the_same_results():
    sender = run_page("transfer.py", query=TINY_LINK | {"seed": "3"})
    sender.button(key="tl.train").click().run()
    link = {k: sender.query_params[k] for k in sender.query_params}
    assert link == TINY_LINK | {"seed": "3"}
    receiver = run_page("transfer.py", query=link)
    assert receiver.session_state["tl.seed"] == 3 and receiver.session_state["tl.ep_head"] == 20
    receiver.button(key="tl.train").click().run()
    assert accuracies(receiver) == accuracies(sender)  # same draw, same seeds: the same three test accuracies


@pytest.mark.parametrize("param, value", [
    ("n", "7"),             # not one of the choices
    ("backbone", "vit"),    # not a backbone
    ("seed", "-1"),         # out of range
    ("lr_ft", "0.5"),       # not one of the rates
    ("classes", "11"),      # too many classes (own pictures)
])
def test_bad_link_values_are_named_and_fall_back(param, value):
    query = {param: value} | ({"data": "own"} if param == "classes" else {})
    at = run_page("transfer.py", query=query)
    assert_no_exception(at)
    assert any(f"**{param}**" in w.value for w in at.warning)
    assert param not in at.query_params


# ----------------------------------------------------------------------------- 中文

def test_the_page_in_chinese_has_no_english_left():
    at = run_page("transfer.py", {"lang": "zh"})
    assert_no_exception(at)
    assert at.title[0].value == "♻️ 迁移学习"
    assert english_left(at) == []


def test_training_in_chinese_with_a_tensorboard_log():
    # a test picture to classify: ui.image_input's sample names are translated by a format_func that AppTest
    # calls again outside the script run (in English), which breaks its reruns in Chinese
    at = run_page("transfer.py", {"lang": "zh", "tl.log": True, "tl.pic": "test"} | TINY)
    at.button(key="tl.train").click().run()
    assert_no_exception(at)
    assert english_left(at) == []
    assert len(accuracies(at)) == 3
    from lib.common.runlog import read_scalars
    from ui.runlog import FOLDER
    logs = at.session_state[FOLDER]
    (name,) = logs.runs()
    tags = {c.tag for c in read_scalars(logs.path, name)}
    assert {"scratch/accuracy_validation", "two_stage/stage2/loss_train"} <= tags
    assert at.query_params["log"] == "1"
