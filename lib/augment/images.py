"""Images in and out of the previewer, and the box and mask that `tv_tensors` move with the pixels.

A photo becomes a (3, H, W) uint8 `tv_tensors.Image` (v2 works on uint8); any output goes back to a
PIL image for display; `boxed_sample` adds a box and an elliptic mask that every geometric step moves too.
"""
from __future__ import annotations

from typing import Any

import torch
from PIL import Image
from torchvision import tv_tensors
from torchvision.transforms import v2
from torchvision.utils import draw_bounding_boxes, draw_segmentation_masks

from lib.common.messages import LearnerError

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 as fractions of the width and height


def to_uint8_image(pil_image: Any, device: torch.device) -> tv_tensors.Image:
    """PIL RGB -> (3, H, W) uint8 `tv_tensors.Image` on `device`.

    `to_image` returns a (3, H, W) view of the (H, W, 3) pixels. That channels-last layout makes
    resizing ~4x faster; the colour kernels of `lib.augment.kernels` work on planes (one copy).
    """
    return v2.functional.to_image(pil_image).to(device)


def to_display(x: torch.Tensor) -> torch.Tensor:
    """Any image output -> (3, H, W) uint8 on the CPU, ready for PIL/st.image."""
    x = x.detach().as_subclass(torch.Tensor).cpu()
    if x.shape[0] == 1:
        x = x.expand(3, -1, -1)  # (1, H, W) -> (3, H, W): grey shown as grey
    return x


def to_pil(x: torch.Tensor) -> Image.Image:
    """Any image output as an RGB PIL image (grey shown as grey)."""
    return Image.fromarray(to_display(x).permute(1, 2, 0).numpy())  # (3, H, W) -> (H, W, 3)


def image_size(x: torch.Tensor) -> tuple[int, int]:
    """(height, width) of an image tensor."""
    h, w = x.shape[-2:]
    return int(h), int(w)


def boxed_sample(image: torch.Tensor, box: Box) -> dict[str, Any]:
    """The image with a box (fractions x0, y0, x1, y1) and an elliptic mask inside it, as tv_tensors."""
    h, w = image.shape[-2:]
    x0, y0, x1, y1 = box
    if not (0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1):
        raise LearnerError("The box needs x0 < x1 and y0 < y1, all between 0 and 1.")
    xyxy = torch.tensor([[x0 * w, y0 * h, x1 * w, y1 * h]])
    boxes = tv_tensors.BoundingBoxes(xyxy, format="XYXY", canvas_size=(h, w), device=image.device)
    ys = torch.linspace(0, 1, h, device=image.device)[:, None]  # (H, 1)
    xs = torch.linspace(0, 1, w, device=image.device)[None, :]  # (1, W)
    cx, cy, rx, ry = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2
    inside = ((xs - cx) / rx) ** 2 + ((ys - cy) / ry) ** 2 <= 1  # (H, W) ellipse
    return {"image": tv_tensors.Image(image), "boxes": boxes, "mask": tv_tensors.Mask(inside.to(torch.uint8))}


def draw_annotations(s: dict[str, Any]) -> torch.Tensor:
    """Image of a boxed sample with its mask (cyan) and box (yellow) drawn on it: (3, H, W) uint8."""
    image = to_display(s["image"])
    mask = s["mask"].as_subclass(torch.Tensor).cpu().bool()
    image = draw_segmentation_masks(image, mask, alpha=0.4, colors="cyan")
    boxes = s["boxes"].as_subclass(torch.Tensor).cpu().float()
    return draw_bounding_boxes(image, boxes, colors="yellow", width=max(2, image.shape[-1] // 100))
