"""Generated hostile and awkward files for the bad-input matrix (no files on disk needed)."""
from __future__ import annotations

import io
import pickle
from pathlib import Path

import numpy as np
from PIL import Image


def _encode(img: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()


def _photo(size=(64, 48), mode="RGB") -> Image.Image:
    y, x = np.mgrid[0: size[1], 0: size[0]]
    arr = np.stack([x * 255 // size[0], y * 255 // size[1], (x + y) % 256], -1).astype(np.uint8)
    return Image.fromarray(arr, "RGB").convert(mode)


def _animated_gif() -> bytes:
    frames = [_photo(), _photo().rotate(90)]
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:])
    return buf.getvalue()


def _exif_rotated() -> bytes:
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 on display"
    return _encode(_photo(), "JPEG", exif=exif.tobytes())


class SideEffect:
    """Unpickling this touches a file: the proof that something was unpickled."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def malicious_pickle(marker: Path) -> bytes:
    return pickle.dumps({"state_dict": SideEffect(marker)})


def image_cases() -> dict[str, tuple[str, bytes, bool]]:
    """name -> (file name, bytes, should_decode). Decoding ones must give a result, others a message."""
    return {
        "empty": ("empty.png", b"", False),
        "truncated": ("cut.png", _encode(_photo(), "PNG")[:80], False),
        "text named .png": ("notes.png", b"this is plain text, not a picture\n" * 20, False),
        "pdf named .jpg": ("doc.jpg", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", False),
        "cmyk jpeg": ("print.jpg", _encode(_photo(mode="CMYK"), "JPEG"), True),
        "16-bit png": ("deep.png", _encode(Image.fromarray((np.arange(64 * 48).reshape(48, 64) * 20).astype(np.uint16)), "PNG"), True),
        "palette png": ("pal.png", _encode(_photo(mode="P"), "PNG"), True),
        "rgba png": ("alpha.png", _encode(_photo(mode="RGBA"), "PNG"), True),
        "animated gif": ("anim.gif", _animated_gif(), True),
        "exif-rotated jpeg": ("phone.jpg", _exif_rotated(), True),
        "1x1": ("dot.png", _encode(Image.new("RGB", (1, 1), "red"), "PNG"), True),
        "10000x10": ("strip.png", _encode(Image.new("RGB", (10000, 10), "blue"), "PNG"), False),
        "decompression bomb": ("bomb.png", _encode(Image.new("1", (15000, 15000)), "PNG"), False),
    }
