"""lib.conv.pooling: max/avg pooling, unpooling, global average pooling, and the page's pooling summary."""
import numpy as np
import pytest
import torch
from PIL import Image

from lib.conv import image_ops, pooling, shapes

# ----------------------------------------------------------------------------- pooling

def test_pooling_and_unpooling():
    x = torch.arange(16.0).view(1, 1, 4, 4)
    assert pooling.apply_pool(x, pooling.PoolSettings("max", 2, 2)).flatten().tolist() == [5, 7, 13, 15]
    assert pooling.apply_pool(x, pooling.PoolSettings("avg", 2, 2)).flatten().tolist() == [2.5, 4.5, 10.5, 12.5]
    assert pooling.global_avg_pool(x).flatten().tolist() == [7.5]
    pooled, indices, unpooled = pooling.max_unpool(x, 2, 2)
    assert indices.flatten().tolist() == [5, 7, 13, 15]
    assert unpooled.shape == x.shape and (unpooled != 0).sum() == 4
    assert torch.equal(unpooled.flatten()[indices.flatten()], pooled.flatten())


@pytest.mark.parametrize("settings,message", [
    (pooling.PoolSettings("max", 2, 2, padding=2), "at most half"),
    (pooling.PoolSettings("max", 2, 0), "Stride must be at least 1"),
    (pooling.PoolSettings("avg", 40, 1), "padded input has only"),
])
def test_pool_bad_settings(settings, message):
    with pytest.raises(ValueError, match=message):
        pooling.apply_pool(torch.rand(1, 1, 8, 8), settings)


def test_kept_fraction_counts_each_pixel_once():
    x = torch.arange(36.0).view(1, 1, 6, 6)
    _, indices, _ = pooling.max_unpool(x, 2, 2)
    assert pooling.kept_fraction(indices, 36) == pytest.approx(0.25)
    _, indices, _ = pooling.max_unpool(x, 3, 1)  # overlapping windows on a ramp all pick the lower-right pixels
    assert pooling.kept_fraction(indices, 36) == pytest.approx(16 / 36)


def test_colour_swatch_repeats_a_grey_mean():
    rgb = pooling.colour_swatch([1.0, 0.5, 0.0], side=4)
    assert rgb.shape == (4, 4, 3) and rgb.dtype == np.uint8 and rgb[0, 0].tolist() == [255, 127, 0]
    assert pooling.colour_swatch([0.2]).shape == (pooling.SWATCH_SIDE, pooling.SWATCH_SIDE, 3)
    assert pooling.colour_swatch([0.2])[5, 5].tolist() == [51, 51, 51]


# ----------------------------------------------------------------------------- the page's pooling section

def test_pool_image_gives_the_numbers_the_page_writes(make_image):
    image = make_image(20, 24)
    settings = pooling.PoolSettings("avg", 3, 2, 1, True)
    result = pooling.pool_image(image, False, settings)
    x = image_ops.image_to_tensor(image, grey=False)
    torch.testing.assert_close(result.pooled, pooling.apply_pool(x, settings))
    torch.testing.assert_close(result.unpooled, pooling.max_unpool(x, 3, 2)[2])  # unpooling is always max
    assert result.in_shape == (1, 3, 20, 24) and result.pooled_shape == (1, 3, 11, 13)  # ceil((20+2-3)/2)+1
    assert result.unpooled.shape == (1, 3, 20, 24) and result.gap_shape == (1, 3, 1, 1)  # unpooling restores H, W
    assert result.means == pytest.approx(x.mean((0, 2, 3)).tolist())
    assert 0 < result.kept <= 1
    assert result.formula == shapes.formula_text(20, 3, 2, 1, 1, True) and result.formula.endswith("= 11")
    pooled, unpooled, swatch = result.pictures()
    assert pooled.shape == (11, 13, 3) and unpooled.shape == (20, 24, 3) and swatch.shape[2] == 3


def test_pool_image_greyscale_and_a_2x2_max():
    ramp = image_ops.to_display(torch.arange(16.0).view(1, 1, 4, 4) / 15, "clip")  # (4, 4) uint8
    result = pooling.pool_image(Image.fromarray(ramp).convert("RGB"), True, pooling.PoolSettings())
    assert result.pooled_shape == (1, 1, 2, 2) and result.kept == pytest.approx(0.25)
    assert len(result.means) == 1 and result.pictures()[2][0, 0].tolist() == [127, 127, 127]


def test_pool_image_refuses_too_much_padding(make_image):
    with pytest.raises(ValueError, match="at most half"):
        pooling.pool_image(make_image(), False, pooling.PoolSettings("max", 2, 2, padding=3))
