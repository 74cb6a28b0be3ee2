"""A finished picture as a download: a PNG whose name and metadata say how it was made."""
from __future__ import annotations

import io
from dataclasses import asdict

import torch
from PIL import PngImagePlugin

from lib.style_transfer.config import StyleConfig
from lib.style_transfer.images import tensor_to_pil


def settings_text(config: StyleConfig) -> dict[str, str]:
    """The settings worth keeping with a result, as strings (PNG metadata)."""
    return {k: str(v) for k, v in asdict(config).items() if k not in ("size_gpu", "preview_every")}


def _slug(text: str) -> str:
    words = "".join(c if c.isalnum() else " " for c in text.lower()).split()
    return "-".join(words)[:24] or "image"


def file_name(config: StyleConfig, content: str, style: str) -> str:
    """A download name that says how the picture was made."""
    colors = "_keepcolors" if config.keep_colors else ""
    return (f"style_{_slug(content)}_x_{_slug(style)}_{config.size}px_ratio{config.style_ratio:g}"
            f"_tv{config.tv_weight:g}_{config.optimizer}_{config.total_steps}steps{colors}.png")


def png_bytes(image: torch.Tensor, config: StyleConfig) -> bytes:
    """The result as PNG with every setting in its text metadata."""
    info = PngImagePlugin.PngInfo()
    for key, value in settings_text(config).items():
        info.add_text(f"style_transfer.{key}", value)
    buffer = io.BytesIO()
    tensor_to_pil(image).save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()
