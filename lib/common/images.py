"""Turn untrusted image bytes into a safe 8-bit RGB PIL image, or explain why not."""
from __future__ import annotations

import io
import warnings
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from lib.common.messages import LearnerError, Message

ALLOWED_FORMATS = ("PNG", "JPEG", "WEBP", "BMP", "GIF", "TIFF", "MPO")  # MPO: phone JPEGs
UPLOAD_TYPES = ["png", "jpg", "jpeg", "webp", "bmp", "gif", "tif", "tiff"]
# 50 megapixels is a 7000x7000 photo: bigger is almost surely a decompression bomb
# (a tiny file declaring a gigantic canvas) and would exhaust server memory.
MAX_PIXELS = 50_000_000
MAX_ASPECT = 50  # wider than 50:1 cannot be shown or convolved meaningfully


class ImageError(LearnerError):
    """An upload that cannot be used, with a message meant for the user (translatable)."""


@dataclass
class LoadedImage:
    image: Image.Image                       # always mode "RGB", 8-bit
    notes: list[Message] = field(default_factory=list)  # what was changed, for the user


def open_image(data: bytes, max_side: int | None = None, max_pixels: int = MAX_PIXELS) -> LoadedImage:
    """Decode, validate and normalise an uploaded image.

    Applies EXIF orientation, takes the first frame of animations, converts every
    mode to RGB and shrinks to `max_side` (longest side) if given.
    """
    if not data:
        raise ImageError("The file is empty.")
    img = _decode(data, max_pixels)
    notes: list[Message] = []
    if getattr(img, "n_frames", 1) > 1:
        notes.append(Message("The file has {frames} frames; using the first one.", frames=img.n_frames))
        img.seek(0)
    img = _load_pixels(img)
    img = ImageOps.exif_transpose(img)
    rgb = to_rgb(img)
    w, h = rgb.size
    if max(w, h) > MAX_ASPECT * min(w, h):
        raise ImageError("The image is {w}x{h} pixels: too long and thin (more than {aspect}:1) to use.",
                         w=w, h=h, aspect=MAX_ASPECT)
    if max_side and max(w, h) > max_side:
        rgb.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        notes.append(Message("Resized from {w}x{h} to {new_w}x{new_h} (largest side {side} px on this page).",
                             w=w, h=h, new_w=rgb.width, new_h=rgb.height, side=max_side))
    return LoadedImage(rgb, notes)


def _decode(data: bytes, max_pixels: int) -> Image.Image:
    """Read the header only and check format and declared size before decoding pixels."""
    try:
        with warnings.catch_warnings():
            # our own budget check below gives the clearer message, with the size
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, Image.DecompressionBombError) as e:
        raise _header_problem(e) from None
    except Exception:  # PIL raises many types for garbage; the user needs one sentence
        raise ImageError("This file could not be read as an image.") from None
    if img.format not in ALLOWED_FORMATS:
        raise ImageError("{format} images are not supported; use PNG, JPEG, WebP, BMP, GIF or TIFF.",
                         format=img.format)
    w, h = img.size
    if w < 1 or h < 1:
        raise ImageError("The image has no pixels.")
    if w * h > max_pixels:
        raise ImageError("The image declares {w}x{h} = {mp:.0f} megapixels, more than the {limit:.0f} allowed "
                         "(files like this are used as decompression bombs).",
                         w=w, h=h, mp=w * h / 1e6, limit=max_pixels / 1e6)
    return img


def _header_problem(e: Exception) -> ImageError:
    if isinstance(e, UnidentifiedImageError):
        return ImageError("This file is not an image PIL can read (wrong type or corrupt header).")
    return ImageError("The image declares hundreds of megapixels, far more than allowed (a decompression bomb?).")


def _load_pixels(img: Image.Image) -> Image.Image:
    try:
        img.load()
    except Exception:  # truncated data raises OSError, bad codecs other types
        raise ImageError("The image data is truncated or corrupt; try re-saving the file.") from None
    return img


def to_rgb(img: Image.Image) -> Image.Image:
    """Any PIL mode -> 8-bit RGB; transparency is composited on white."""
    if img.mode.startswith("I;16"):
        img = Image.fromarray(_scale(np.asarray(img), 65535.0), mode="L")
    elif img.mode in ("I", "F"):
        img = Image.fromarray(_wide_to_uint8(np.asarray(img)), mode="L")
    if img.mode == "P":
        img = img.convert("RGBA" if "transparency" in img.info else "RGB")
    if img.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return img.convert("RGB")


def _wide_to_uint8(arr: np.ndarray) -> np.ndarray:
    """32-bit int or float pixels -> 0..255: as 8-bit or 16-bit data if they fit, else stretched."""
    lo, hi = float(arr.min()), float(arr.max())
    if lo >= 0 and hi <= 255:
        return _scale(arr, 255.0)
    if lo >= 0 and hi <= 65535:
        return _scale(arr, 65535.0)
    return _scale(arr - lo, max(hi - lo, 1e-12))


def _scale(arr: np.ndarray, top: float) -> np.ndarray:
    return np.clip(np.round(arr.astype(np.float64) * (255.0 / top)), 0, 255).astype(np.uint8)
