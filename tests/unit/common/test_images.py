"""lib.common.images.open_image on generated files of every kind a user may upload."""
import io

import numpy as np
import pytest
from PIL import Image

from lib.common.images import ImageError, open_image


def encode(img: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()


def gradient(mode: str = "RGB", size=(40, 30)) -> Image.Image:
    arr = np.linspace(0, 255, size[0] * size[1] * 3).reshape(size[1], size[0], 3).astype(np.uint8)
    return Image.fromarray(arr, "RGB").convert(mode)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "BMP", "GIF", "TIFF"])
def test_each_format_decodes_to_rgb(fmt):
    out = open_image(encode(gradient(), fmt))
    assert out.image.mode == "RGB" and out.image.size == (40, 30)


@pytest.mark.parametrize(
    "mode",
    [
        "L",     # greyscale
        "1",     # bilevel
        "P",     # palette
        "CMYK",  # print JPEGs
        "LA",    # greyscale + alpha
    ],
)
def test_modes_convert_to_rgb(mode):
    fmt = "JPEG" if mode == "CMYK" else "PNG"
    assert open_image(encode(gradient(mode), fmt)).image.mode == "RGB"


def test_rgba_composites_on_white():
    img = Image.new("RGBA", (4, 4), (255, 0, 0, 0))  # fully transparent red
    out = open_image(encode(img, "PNG")).image
    assert out.getpixel((0, 0)) == (255, 255, 255)


def test_16_bit_png_keeps_its_range():
    arr = np.array([[0, 65535], [32768, 65535]], dtype=np.uint16)
    out = open_image(encode(Image.fromarray(arr), "PNG")).image
    assert out.getpixel((0, 0)) == (0, 0, 0)
    assert out.getpixel((1, 0)) == (255, 255, 255)
    assert out.getpixel((0, 1))[0] == 128


def test_animated_gif_uses_first_frame_and_says_so():
    frames = [Image.new("RGB", (8, 8), c) for c in ((255, 0, 0), (0, 0, 255))]
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:])
    out = open_image(buf.getvalue())
    assert out.image.getpixel((0, 0))[0] > 200  # red, the first frame
    assert any("frames" in n for n in out.notes)


def test_exif_orientation_is_applied():
    img = Image.new("RGB", (40, 20), "white")
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees on display
    out = open_image(encode(img, "JPEG", exif=exif.tobytes())).image
    assert out.size == (20, 40)


def test_large_image_is_downsized_with_a_note():
    out = open_image(encode(gradient(size=(800, 400)), "PNG"), max_side=200)
    assert out.image.size == (200, 100)
    assert "Resized" in out.notes[0]


@pytest.mark.parametrize(
    "data, fragment",
    [
        (b"", "empty"),                                   # empty upload
        (b"hello, I am a text file", "not an image"),     # text renamed .png
        (encode(gradient(), "PNG")[:60], "truncated"),    # cut-off download
        (b"%PDF-1.4 not really", "not an image"),         # wrong type
    ],
)
def test_bad_files_raise_clear_messages(data, fragment):
    with pytest.raises(ImageError, match=fragment):
        open_image(data)


def test_decompression_bomb_refused_before_decoding():
    bomb = encode(Image.new("1", (12000, 12000)), "PNG")  # tiny file, 144 megapixels
    assert len(bomb) < 100_000
    with pytest.raises(ImageError, match="megapixels.*decompression bomb"):
        open_image(bomb)


def test_extreme_aspect_ratio_refused():
    with pytest.raises(ImageError, match="thin"):
        open_image(encode(Image.new("RGB", (10000, 10)), "PNG"))


def test_one_pixel_image_works():
    assert open_image(encode(Image.new("RGB", (1, 1), "red"), "PNG")).image.size == (1, 1)


def test_giant_bomb_refused_by_pil_guard_too():
    bomb = encode(Image.new("1", (20000, 20000)), "PNG")  # 400 megapixels: PIL refuses on open
    with pytest.raises(ImageError, match="megapixels.*decompression bomb"):
        open_image(bomb)
