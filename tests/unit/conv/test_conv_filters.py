"""lib.conv.filters: mosaics of maps, VGG19's conv1_1 kernels (embedded weights) and feature maps."""
import numpy as np
import pytest
import torch
from PIL import Image

from lib.common import vgg
from lib.conv import filters, image_ops


@pytest.fixture(scope="module")
def features() -> vgg.VGGFeatures:
    return vgg.load_vgg19_features("conv2_1")  # embedded weights unless torchvision's are cached


def test_tile_grid_layout():
    maps = torch.rand(10, 3, 3, 3)
    grid = filters.tile_grid(maps, cols=4, gap=1, scale=2)
    assert grid.shape == (3 * 6 + 2, 4 * 6 + 3, 3) and grid.dtype == np.uint8
    assert filters.tile_grid(torch.rand(5, 1, 4, 4), cols=5).shape == (4, 24)


# ----------------------------------------------------------------------------- learned filters (embedded VGG19)

def _edge_like(weight: torch.Tensor) -> int:
    """Filters whose brightness response is almost purely zero-mean (edges/textures, not flat blobs)."""
    lum = weight.sum(1)  # (64, 3, 3, 3) -> (64, 3, 3): response to a grey image
    dc = lum.mean((1, 2))
    ac = (lum - dc[:, None, None]).pow(2).sum((1, 2))
    return int((ac / (ac + 9 * dc**2) > 0.99).sum())


def test_vgg_conv1_1_filters_are_edge_like_and_maps_have_the_layer_shape(features):
    weight = features.layers[0].weight
    assert weight.shape == (64, 3, 3, 3)
    with torch.random.fork_rng():
        torch.manual_seed(0)
        random_init = torch.nn.Conv2d(3, 64, 3).weight.detach()
    assert _edge_like(weight) >= 32 > _edge_like(random_init)
    step = torch.zeros(1, 3, 16, 16)
    step[..., 8:] = 1.0  # a vertical edge
    # one layer per call: vgg's ReLUs are in-place and would overwrite an earlier conv output
    conv1_1 = features.extract(step, ["conv1_1"])["conv1_1"]
    assert conv1_1.shape == (1, 64, 16, 16)
    assert features.extract(step, ["conv2_1"])["conv2_1"].shape == (1, 128, 8, 8)
    y = conv1_1[0].abs()
    at_edge, flat = y[:, :, 7:9].mean((1, 2)), y[:, :, 2:5].mean((1, 2))
    assert (at_edge > flat).sum() >= 32  # most filters respond more at the edge than on flat colour


def test_vgg_pixels_shrink_only_large_pictures(make_image):
    small = filters.vgg_pixels(make_image(40, 60), 32)
    assert small.shape == (21, 32, 3) and small.dtype == np.uint8  # longest side 32, aspect kept
    assert filters.vgg_pixels(make_image(20, 24), 32).shape == (20, 24, 3)
    grey = Image.new("L", (10, 10), 128)
    assert filters.resize_for_vgg(grey, 32).mode == "RGB"


def test_layers_offered_stop_at_conv5_1():
    assert filters.VGG_LAYERS[0] == "conv1_1" and filters.VGG_LAYERS[-1] == "conv5_1"
    assert len(filters.VGG_LAYERS) == 13  # 2 + 2 + 4 + 4 convs, then conv5_1


def test_kernel_mosaic_shows_the_64_conv1_1_kernels(features):
    mosaic = filters.kernel_mosaic(features)
    side = 8 * (3 * 8 + 2) - 2  # 8 kernels a row, each 3x3 blown up 8 times, 2-pixel gaps
    assert mosaic.shape == (side, side, 3) and mosaic.dtype == np.uint8
    expected = filters.tile_grid(features.layers[0].weight, cols=8, gap=2, scale=8)
    np.testing.assert_array_equal(mosaic, expected)


def test_feature_maps_match_the_layer(features, make_image):
    pixels = filters.vgg_pixels(make_image(40, 60), 32)  # (21, 32, 3)
    maps = filters.feature_maps(features, pixels, "conv2_1", 8)
    assert maps.in_shape == (1, 3, 21, 32) and maps.out_shape == (1, 128, 10, 16)
    x = image_ops.image_to_tensor(Image.fromarray(pixels), grey=False)
    expected = features.extract(x, ["conv2_1"])["conv2_1"]
    np.testing.assert_array_equal(maps.mosaic, filters.tile_grid(expected[0, :8, None], cols=4, gap=2))
    assert maps.mosaic.shape == (2 * 10 + 2, 4 * 16 + 3 * 2)  # 8 maps in 2 rows of 4, grey tiles
