"""Bad-input matrix, part 2: the uploaders that take checkpoints, CSV and JSON, and the image
classifier's own picture upload.

Every file gives a clear message (or, where it is valid, a result) - never an exception - a
hostile pickle is never unpickled (its side effect, creating a file, must not happen), and the
page keeps working afterwards.
"""
import io
import json
import zipfile
from pathlib import Path

import pytest
import torch

from tests.badfiles import SideEffect, image_cases, malicious_pickle
from tests.helpers import assert_no_exception, run_page

OCTET = "application/octet-stream"


def _torch_bytes(obj) -> bytes:
    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


def checkpoint_cases(marker: Path) -> dict[str, tuple[str, bytes]]:
    """name -> (file name, bytes): none of them is a checkpoint these pages can use."""
    state = _torch_bytes({"weight": torch.zeros(64, 64)})
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr("readme.txt", "a zip, but not a torch file")
    return {
        "empty": ("empty.pt", b""),
        "text named .pt": ("notes.pt", b"just some text\n" * 10),
        "png named .pt": ("picture.pt", image_cases()["1x1"][1]),
        "zip that is not a torch file": ("archive.pt", zipped.getvalue()),
        "truncated torch file": ("cut.pt", state[: len(state) // 2]),
        "torch file of something else": ("tensors.pt", state),
        "pickle that runs code": ("evil.pt", malicious_pickle(marker)),
        "torch.save of code-running object": ("evil2.pth", _torch_bytes({"state_dict": SideEffect(marker)})),
    }


CHECKPOINT_UPLOADERS = [
    ("image_classifier.py", "clf.load", {}),
    ("lstm.py", "lstm.load", {"lstm.max_rows": 200}),
]


@pytest.mark.parametrize("page, key, state", CHECKPOINT_UPLOADERS)
def test_bad_checkpoints_give_messages_and_never_unpickle(tmp_path, page, key, state):
    marker = tmp_path / "unpickled"
    at = run_page(page, state)
    for case, (name, data) in checkpoint_cases(marker).items():
        at.file_uploader(key=key).set_value((name, data, OCTET)).run()
        assert_no_exception(at)
        assert any(name in e.value for e in at.error), f"{case}: no message naming {name} on {page}"
        assert not marker.exists(), f"{case}: the upload was unpickled on {page}"
    at.file_uploader(key=key).set_value(None).run()
    assert_no_exception(at)
    assert not at.error


def csv_cases() -> dict[str, tuple[str, bytes, str]]:
    """name -> (file name, bytes, words the message must contain)."""
    return {
        "empty": ("empty.csv", b"", "empty"),
        "blank lines": ("blank.csv", b"\n\n  \n", "empty"),
        "not UTF-8": ("latin1.csv", "text,label\ncafé crème,pos\n".encode("latin-1"), "UTF-8"),
        "binary named .csv": ("image.csv", image_cases()["rgba png"][1], "UTF-8"),
        "one column": ("single.csv", b"text\nhello\nworld\n", "two columns"),
        "header only": ("header.csv", b"text,label\n", "0 rows"),
        "one class": ("oneclass.csv", b"text,label\n" + b"good film,pos\n" * 30, "two"),
        "ragged rows": ("ragged.csv", b"text,label\na,b,c,d\n\"unclosed,pos\n", "readable"),
        "pickle named .csv": ("evil.csv", malicious_pickle(Path("/nonexistent/never")), "UTF-8"),
    }


def test_bad_csv_files_give_messages():
    at = run_page("lstm.py", {"lstm.max_rows": 200})
    at.radio(key="lstm.source").set_value("csv").run()  # option ids; the label reads "Your CSV"
    for case, (name, data, words) in csv_cases().items():
        at.file_uploader(key="lstm.csv").set_value((name, data, "text/csv")).run()
        assert_no_exception(at)
        messages = " ".join(e.value for e in at.error)
        assert words.lower() in messages.lower(), f"{case}: expected a message about {words!r}, got {messages!r}"
    good = b"text,label\n" + b"".join(b"a fine film %d,pos\na dull film %d,neg\n" % (i, i) for i in range(60))
    at.file_uploader(key="lstm.csv").set_value(("good.csv", good, "text/csv")).run()
    assert_no_exception(at)
    assert not at.error
    assert any("classes: neg, pos" in c.value for c in at.caption)


def json_cases(marker: Path) -> dict[str, tuple[str, bytes]]:
    return {
        "empty": ("empty.json", b""),
        "not UTF-8": ("latin1.json", '{"pipeline": [{"name": "café"}]}'.encode("latin-1")),
        "not JSON": ("notes.json", b"pipeline: flip, crop\n"),
        "a number": ("number.json", b"42"),
        "unknown transform": ("unknown.json", json.dumps({"pipeline": [{"name": "MakeItPretty"}]}).encode()),
        "bad parameter": ("bad.json", json.dumps({"pipeline": [{"name": "RandomRotation",
                                                                 "params": {"degrees": "lots"}}]}).encode()),
        "deeply nested": ("deep.json", b"[" * 50_000 + b"]" * 50_000),
        "too large": ("huge.json", b'{"pipeline": []}' + b" " * 300_000),
        "pickle named .json": ("evil.json", malicious_pickle(marker)),
    }


def _pipeline(at) -> list[str]:
    return [step.name for step in at.session_state["augment.pipeline"].steps()]


def test_bad_pipeline_json_files_give_messages(tmp_path):
    marker = tmp_path / "unpickled"
    at = run_page("augment.py")
    before = _pipeline(at)
    for case, (name, data) in json_cases(marker).items():
        at.file_uploader(key="augment.json_file").set_value((name, data, "application/json")).run()
        assert_no_exception(at)
        assert at.error, f"{case}: no message"
        assert not marker.exists()
        assert _pipeline(at) == before, f"{case} changed the pipeline"
    good = json.dumps({"pipeline": [{"name": "RandomHorizontalFlip", "params": {"p": 1.0}}]}).encode()
    at.file_uploader(key="augment.json_file").set_value(("good.json", good, "application/json")).run()
    assert_no_exception(at)
    assert _pipeline(at) == ["RandomHorizontalFlip"]


def test_bad_pictures_for_the_trained_classifier():
    at = run_page("image_classifier.py", {"clf.dataset": "digits8", "clf.subset": "300", "clf.epochs": 1})
    at.button(key="clf.start").click().run()
    for case, (name, data, decodes) in image_cases().items():
        at.file_uploader(key="clf.try").set_value((name, data, "image/png")).run()
        assert_no_exception(at)
        if decodes:  # a picture: probabilities, unless it is a blank one (a message says so)
            assert at.error or any("Prediction:" in str(p.proto.spec) for p in at.get("plotly_chart")), case
        else:
            assert any(name in e.value for e in at.error), f"{case}: no message naming {name}"
    at.file_uploader(key="clf.try").set_value(None).run()
    assert_no_exception(at)
