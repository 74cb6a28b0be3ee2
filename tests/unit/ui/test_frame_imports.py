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
