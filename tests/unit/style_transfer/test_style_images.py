"""lib/style_transfer/images.py: sizes, crops with a note, colour round trips."""
import numpy as np
import torch
from PIL import Image

from lib.style_transfer import images as I


def test_extreme_aspect_is_cropped_with_note():
    wide = Image.new("RGB", (400, 50))
    content, style, notes = I.prepare_images(wide, Image.new("RGB", (60, 60)), 64, max_aspect=2.5)
    assert content.shape == (1, 3, 26, 64)  # 125x50 crop scaled to longest side 64
    assert style.shape == content.shape
    assert notes and "cropped" in notes[0] and notes[0].params["new_w"] == 125


def test_shape_for_keeps_the_longest_side():
    assert I.shape_for(256, 2.0) == (128, 256) and I.shape_for(256, 0.5) == (256, 128) and I.shape_for(64, 20) == (16, 64)


def test_yiq_round_trip():
    x = torch.rand(1, 3, 4, 4)
    torch.testing.assert_close(I.yiq_to_rgb(I.rgb_to_yiq(x)), x, atol=1e-5, rtol=0)


def test_pil_round_trip_is_exact_for_8_bit():
    image = Image.fromarray(torch.randint(0, 256, (5, 7, 3), dtype=torch.uint8).numpy())
    assert np.array_equal(np.asarray(I.tensor_to_pil(I.pil_to_tensor(image))), np.asarray(image))
