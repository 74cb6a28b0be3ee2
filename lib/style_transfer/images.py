"""Pictures in and out: PIL <-> tensors, sizes and crops, and the colour maths of "keep the photo's colours"."""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from lib.common.messages import Message
from lib.style_transfer.config import StyleConfig


def pil_to_tensor(image: Image.Image) -> torch.Tensor:
    """8-bit RGB PIL -> (1, 3, H, W) float in [0, 1]."""
    array = np.asarray(image.convert("RGB"), dtype=np.float32) / 255.0
    return torch.from_numpy(array).permute(2, 0, 1).unsqueeze(0).contiguous()  # (H, W, 3) -> (1, 3, H, W)


def tensor_to_pil(image: torch.Tensor) -> Image.Image:
    """(3, H, W) or (1, 3, H, W) in [0, 1] -> 8-bit RGB PIL."""
    array = image.detach().reshape(-1, *image.shape[-2:]).clamp(0, 1).mul(255).round().byte()
    return Image.fromarray(array.permute(1, 2, 0).cpu().numpy())  # (3, H, W) -> (H, W, 3)


def fix_aspect(image: Image.Image, max_aspect: float) -> tuple[Image.Image, Message | None]:
    """Centre-crop an image longer than `max_aspect`:1, with a note saying so."""
    w, h = image.size
    if max(w, h) <= max_aspect * min(w, h):
        return image, None
    new_w, new_h = (int(h * max_aspect), h) if w > h else (w, int(w * max_aspect))
    left, top = (w - new_w) // 2, (h - new_h) // 2
    cropped = image.crop((left, top, left + new_w, top + new_h))
    note = Message("Content: the image is {w}x{h} ({ratio:.1f}:1); its centre was cropped to {new_w}x{new_h} "
                   "({most:g}:1) - very long images give thin feature maps deep in VGG.",
                   w=w, h=h, ratio=max(w, h) / min(w, h), new_w=new_w, new_h=new_h, most=max_aspect)
    return cropped, note


def output_shape(image: Image.Image, size: int) -> tuple[int, int]:
    """(H, W) with the longest side `size`, both sides at least 16 px."""
    w, h = image.size
    scale = size / max(w, h)
    return max(16, round(h * scale)), max(16, round(w * scale))


def shape_for(size: int, aspect: float) -> tuple[int, int]:
    """(H, W) for a longest side and a W/H aspect."""
    if aspect >= 1:
        return max(16, round(size / aspect)), size
    return size, max(16, round(size * aspect))


def resize_cover(image: torch.Tensor, shape: tuple[int, int]) -> torch.Tensor:
    """Resize (1, 3, h, w) to cover `shape` keeping its aspect, then centre-crop to it."""
    h, w = image.shape[-2:]
    scale = max(shape[0] / h, shape[1] / w)
    size = (max(shape[0], round(h * scale)), max(shape[1], round(w * scale)))
    resized = F.interpolate(image, size=size, mode="bilinear", antialias=True, align_corners=False)
    top, left = (size[0] - shape[0]) // 2, (size[1] - shape[1]) // 2
    return resized[..., top : top + shape[0], left : left + shape[1]].clamp(0, 1)


def prepare_images(
    content: Image.Image, style: Image.Image, size: int, max_aspect: float = StyleConfig.max_aspect
) -> tuple[torch.Tensor, torch.Tensor, list[Message]]:
    """Content at `size` (longest side) and style resized/cropped to the same (H, W), plus notes."""
    content, note = fix_aspect(content, max_aspect)
    shape = output_shape(content, size)
    content_t = resize_cover(pil_to_tensor(content), shape)
    style_t = resize_cover(pil_to_tensor(style), shape)
    return content_t, style_t, [note] if note else []


# ---------------------------------------------------------------- colour

_YIQ = torch.tensor([[0.299, 0.587, 0.114], [0.596, -0.274, -0.322], [0.211, -0.523, 0.312]])


def rgb_to_yiq(image: torch.Tensor) -> torch.Tensor:
    """(B, 3, H, W) RGB -> YIQ: Y is luminance, I and Q carry the colour."""
    return torch.einsum("ij,bjhw->bihw", _YIQ.to(image), image)


def yiq_to_rgb(image: torch.Tensor) -> torch.Tensor:
    """Inverse of `rgb_to_yiq`."""
    return torch.einsum("ij,bjhw->bihw", torch.linalg.inv(_YIQ).to(image), image)


def luminance_image(image: torch.Tensor, like: torch.Tensor | None = None) -> torch.Tensor:
    """Grey (B, 3, H, W) from the luminance; with `like`, its mean and std matched to like's."""
    y = rgb_to_yiq(image)[:, :1]
    if like is not None:
        ref = rgb_to_yiq(like)[:, :1]
        y = (y - y.mean()) / (y.std() + 1e-6) * ref.std() + ref.mean()
    return y.clamp(0, 1).expand(-1, 3, -1, -1).contiguous()


def keep_colors(result: torch.Tensor, content: torch.Tensor) -> torch.Tensor:
    """The result's luminance with the content's chroma (I, Q)."""
    yiq = torch.cat([rgb_to_yiq(result)[:, :1], rgb_to_yiq(content)[:, 1:]], dim=1)
    return yiq_to_rgb(yiq).clamp(0, 1)


def yiq_matrix() -> list[list[float]]:
    """The RGB -> YIQ matrix as plain numbers (the code panel writes it into its script)."""
    return _YIQ.tolist()
