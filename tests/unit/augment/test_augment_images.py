"""lib/augment/images.py: photos in, pictures out, and a box and mask that move with the pixels."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image
from torchvision import tv_tensors

from lib.augment import config, images, pipeline, sampling

CPU = torch.device("cpu")


def test_box_and_mask_follow_a_flip(make_image, make_steps):
    image = make_image(100, 200)
    s = images.boxed_sample(image, (0.1, 0.2, 0.4, 0.6))
    assert s["boxes"].tolist() == [[20, 20, 80, 60]]
    out = sampling.sample(s, pipeline.build_pipeline(make_steps(("RandomHorizontalFlip", {"p": 1.0}))), 1, 0)
    out = out.outputs[0]
    assert out["boxes"].tolist() == [[120, 20, 180, 60]]  # x -> W - x
    assert torch.equal(out["mask"], s["mask"].flip(-1))
    assert torch.equal(out["image"], image.flip(-1))
    assert images.draw_annotations(out).shape == (3, 100, 200)


def test_box_unsupported_by_autoaugment_is_reported(make_image, make_steps):
    s = images.boxed_sample(make_image(), config.AugmentConfig().box)
    draws = sampling.sample(s, pipeline.build_pipeline(make_steps(("AutoAugment", {}))), 1, 0)
    assert "not supported by AutoAugment" in draws.errors[0]


def test_bad_box_is_refused(make_image):
    with pytest.raises(ValueError, match="x0 < x1"):
        images.boxed_sample(make_image(), (0.5, 0.1, 0.2, 0.9))


def test_mask_is_the_ellipse_inside_the_box(make_image):
    mask = images.boxed_sample(make_image(101, 101), (0.0, 0.0, 1.0, 1.0))["mask"]
    assert mask[50, 50] == 1 and mask[0, 0] == 0 and mask[50, 0] == 1  # centre, corner, middle of an edge


def test_uint8_image_and_back_to_pil():
    pixels = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3)  # (H, W, 3)
    x = images.to_uint8_image(Image.fromarray(pixels), CPU)
    assert isinstance(x, tv_tensors.Image) and x.dtype == torch.uint8 and x.shape == (3, 2, 3)
    assert images.image_size(x) == (2, 3)
    np.testing.assert_array_equal(np.asarray(images.to_pil(x)), pixels)


def test_grey_is_shown_as_grey():
    grey = torch.tensor([[[0, 128], [255, 7]]], dtype=torch.uint8)  # (1, 2, 2)
    shown = images.to_display(grey)
    assert shown.shape == (3, 2, 2) and all(torch.equal(c, grey[0]) for c in shown)
    assert images.to_pil(grey).mode == "RGB"
