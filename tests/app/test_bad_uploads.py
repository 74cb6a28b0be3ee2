"""Bad-input matrix: every image uploader on every page, fed awkward and hostile files.

Each file gives either a correct result or a clear message - never an exception - and the
page keeps working afterwards. Uploaders are found in the page sources (`image_input("key"`),
so a new page is covered as soon as it uses the shared picker.
"""
import re

import pytest

from tests.badfiles import image_cases
from tests.helpers import ROOT, assert_no_exception, run_page

PICKER = re.compile(r"image_input\(\s*[\"']([\w.]+)[\"']")
MIME = {"png": "image/png", "jpg": "image/jpeg", "gif": "image/gif"}
# session state that brings a page's uploader on screen (pages that only run their open tab)
REVEAL = {
    "tensors.py": {"tensors.tab": "2 · Ranks"},
}


def uploaders() -> list[tuple[str, str]]:
    found = []
    for path in sorted((ROOT / "pages").glob("*.py")):
        found += [(path.name, key) for key in PICKER.findall(path.read_text())]
    return found


def test_uploaders_are_found():
    assert uploaders(), "no page uses ui.image_input - the matrix below would test nothing"


@pytest.mark.parametrize("page, key", uploaders())
def test_every_bad_file_on_every_uploader(page, key):
    at = run_page(page, REVEAL.get(page))
    at.radio(key=f"{key}.source").set_value("Upload").run()
    assert_no_exception(at)
    for case, (name, data, decodes) in image_cases().items():
        mime = MIME.get(name.rsplit(".", 1)[-1], "application/octet-stream")
        at.file_uploader(key=f"{key}.upload").set_value((name, data, mime)).run()
        assert_no_exception(at)
        messages = [e.value for e in at.error]
        if not decodes:
            assert any(name in m for m in messages), f"{case}: no message naming {name} on {page}"
    at.radio(key=f"{key}.source").set_value("Sample").run()  # and the page still works
    assert_no_exception(at)
