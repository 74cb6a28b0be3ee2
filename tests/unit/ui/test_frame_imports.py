"""The frame (app.py's imports) must not import torch: the home page paints before torch loads.

bench/startup measures the effect (launch to painted, against a bare app); this test keeps the cause away.
"""
import subprocess
import sys

from tests.helpers import ROOT

FRAME = "import streamlit, ui.catalog, ui.device, ui.i18n, ui.language, ui"


def test_the_frame_does_not_import_torch() -> None:
    code = f"import sys; {FRAME}; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", "a module imported by app.py imports torch at module level"


def test_the_heap_is_frozen_once_per_new_import(monkeypatch) -> None:
    """ui.frame.freeze_imported_heap freezes when modules were added since the last time, else does nothing."""
    import gc
    import sys

    from ui import frame

    collects: list[int] = []
    monkeypatch.setattr(frame, "_FROZEN_AT", [0])
    monkeypatch.setattr(frame.gc, "collect", lambda *a: collects.append(1) or 0)
    try:
        frame.freeze_imported_heap()
        assert gc.get_freeze_count() > 0 and len(collects) == 1
        frame.freeze_imported_heap()  # nothing new imported: no second collection
        assert len(collects) == 1
        monkeypatch.setitem(sys.modules, "a_module_imported_later", sys)
        frame.freeze_imported_heap()
        assert len(collects) == 2
    finally:
        gc.unfreeze()  # leave the test process's collector as it was
