"""lib/style_transfer/output.py: the PNG keeps its settings; the name says how it was made."""
import io
from dataclasses import replace

from PIL import Image

from lib.style_transfer import output
from tests.unit.style_transfer.conftest import TINY


def test_png_keeps_settings(pair):
    cfg = replace(TINY, style_ratio=300.0)
    data = output.png_bytes(pair[0][0], cfg)
    text = Image.open(io.BytesIO(data)).text
    assert text["style_transfer.style_ratio"] == "300.0" and text["style_transfer.gram"] == "chw"
    name = output.file_name(cfg, "Astronaut", "The Scream (Munch)")
    assert name.startswith("style_astronaut_x_the-scream-munch_32px_ratio300") and name.endswith(".png")
