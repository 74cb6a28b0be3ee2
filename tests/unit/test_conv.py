"""lib.conv and lib.conv_code: shapes against real layers, kernels, sliding windows, pooling, generated code."""
import itertools
import runpy

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from lib import conv, conv_code


# ----------------------------------------------------------------------------- shape formula

@pytest.mark.parametrize("n,k,s,p,d", [
    combo for combo in itertools.product((5, 7, 12), (1, 2, 3, 5), (1, 2, 3), (0, 1, 2), (1, 2))
    if combo[0] + 2 * combo[3] >= combo[4] * (combo[1] - 1) + 1
])
def test_output_size_matches_conv2d(n, k, s, p, d):
    y = F.conv2d(torch.zeros(1, 1, n, n + 1), torch.zeros(1, 1, k, k), stride=s, padding=p, dilation=d)
    assert y.shape[-2:] == (conv.output_size(n, k, s, p, d), conv.output_size(n + 1, k, s, p, d))


@pytest.mark.parametrize("n,k,s,p", [
    combo for combo in itertools.product((5, 6, 7, 10), (2, 3), (1, 2, 3), (0, 1)) if combo[3] <= combo[1] // 2
])
@pytest.mark.parametrize("ceil_mode", [False, True])
def test_output_size_matches_max_pool_with_ceil_mode(n, k, s, p, ceil_mode):
    y = F.max_pool2d(torch.zeros(1, 1, n, n), k, s, p, ceil_mode=ceil_mode)
    assert y.shape[-1] == conv.output_size(n, k, s, p, 1, ceil_mode)


def test_ceil_mode_keeps_a_partial_window():
    assert conv.output_size(5, 2, 2) == 2
    assert conv.output_size(5, 2, 2, ceil_mode=True) == 3


@pytest.mark.parametrize("args,message", [
    ((3, 5, 1, 0, 1), "padded input has only 3"),   # kernel larger than the input
    ((5, 3, 1, 0, 3), "covers 7 cells"),            # dilation makes it too wide
    ((5, 3, 0, 0, 1), "Stride must be at least 1"),  # stride 0
    ((5, 3, 1, -1, 1), "Padding cannot be negative"),
])
def test_output_size_refuses_impossible_settings(args, message):
    with pytest.raises(ValueError, match=message):
        conv.output_size(*args)


def test_formula_text_fills_in_the_numbers():
    text = conv.formula_text(7, 3, 2, 1, 1)
    assert r"\frac{7 + 2\cdot1 - 1\cdot(3-1) - 1}{2}" in text and text.endswith("= 4")


# ----------------------------------------------------------------------------- kernels

def test_presets_behave_as_named():
    flat = torch.full((1, 1, 9, 9), 0.5)
    for name in ("Identity", "Box blur", "Gaussian blur", "Sharpen"):
        # these preserve brightness: their weights sum to 1
        assert conv.preset_kernel(name).sum().item() == pytest.approx(1.0), name
        assert torch.allclose(F.conv2d(flat, conv.preset_kernel(name)[None, None]), torch.tensor(0.5))
    for name in ("Sobel x", "Sobel y", "Laplacian", "Edge (all directions)"):
        assert conv.preset_kernel(name).sum().item() == 0, name  # flat regions give 0
    ramp = torch.arange(9.0).repeat(9, 1)[None, None]  # grows left to right
    assert (F.conv2d(ramp, conv.preset_kernel("Sobel x")[None, None]) == 8).all()
    assert (F.conv2d(ramp, conv.preset_kernel("Sobel y")[None, None]) == 0).all()
    x = torch.rand(1, 1, 6, 6)
    assert torch.equal(F.conv2d(x, conv.preset_kernel("Identity")[None, None]), x[..., 1:-1, 1:-1])


@pytest.mark.parametrize("text,expected", [
    ("1 0 -1\n2 0 -2\n1 0 -1", [[1, 0, -1], [2, 0, -2], [1, 0, -1]]),  # spaces and lines
    ("1, 2; 3, 4", [[1, 2], [3, 4]]),                                  # commas and semicolons
    ("[[1, 2, 3], [4, 5, 6]]", [[1, 2, 3], [4, 5, 6]]),                 # Python style, non-square
    ("1/4 1/4\n1/4 .25", [[0.25, 0.25], [0.25, 0.25]]),                # fractions and .25
    ("  -1.5e0  \n\n", [[-1.5]]),                                      # blank lines ignored
])
def test_parse_kernel_accepts(text, expected):
    assert conv.parse_kernel(text).tolist() == expected


@pytest.mark.parametrize("text,message", [
    ("", "empty"),
    ("1 2\n3", "same number of values"),
    ("1 x", "'x' is not a number"),
    ("__import__('os')", "is not a number"),     # never evaluated
    ("1/0", "divides by zero"),
    ("\n".join(["1 " * 8] * 8), "at most 7x7"),
])
def test_parse_kernel_refuses(text, message):
    with pytest.raises(ValueError, match=message):
        conv.parse_kernel(text)


def test_kernel_text_round_trip():
    k = conv.preset_kernel("Gaussian blur")
    torch.testing.assert_close(conv.parse_kernel(conv.kernel_text(k)), k, atol=1e-4, rtol=0)


# ----------------------------------------------------------------------------- sliding window and naive conv

def test_random_grid_is_seeded_integers():
    a, b, c = conv.random_grid(5, 0), conv.random_grid(5, 0), conv.random_grid(5, 1)
    assert a.shape == (1, 5, 5) and torch.equal(a, b) and not torch.equal(a, c)
    assert a.min() >= 0 and a.max() <= 9 and torch.equal(a, a.round())


@pytest.mark.parametrize("op,khw,s,p,d", [
    ("conv", (3, 3), 1, 0, 1),
    ("conv", (2, 3), 2, 1, 1),   # non-square kernel, stride and padding
    ("conv", (3, 3), 1, 1, 2),   # dilation
    ("max", (2, 2), 2, 1, 1),
    ("max", (3, 3), 1, 1, 2),
    ("avg", (2, 2), 1, 1, 1),    # avg counts the padded zeros (count_include_pad=True)
])
def test_sliding_steps_match_torch(op, khw, s, p, d):
    grid = conv.random_grid(7, 3)[0]
    kernel = torch.randn(*khw, generator=torch.Generator().manual_seed(0)) if op == "conv" else None
    steps = conv.sliding_steps(grid, khw, op, s, p, d, kernel)
    torch.testing.assert_close(conv.steps_to_grid(steps), conv.reference_window_op(grid, khw, op, s, p, d, kernel))
    first = steps[0]
    assert (first.row, first.col, first.top, first.left) == (0, 0, 0, 0)
    assert first.formula.endswith(f"= {first.result:.4g}")


@pytest.mark.parametrize("stride,padding,dilation,groups", [
    (1, 0, 1, 1), (2, 1, 1, 1), (1, 2, 2, 1), (1, 1, 1, 2), (2, 0, 1, 4)])
def test_conv2d_naive_matches_torch(stride, padding, dilation, groups):
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(2, 4, 8, 7, generator=gen, dtype=torch.float64)
    w = torch.randn(4, 4 // groups, 3, 2, generator=gen, dtype=torch.float64)
    b = torch.randn(4, generator=gen, dtype=torch.float64)
    expected = F.conv2d(x, w, b, stride, padding, dilation, groups)
    torch.testing.assert_close(conv.conv2d_naive(x, w, b, stride, padding, dilation, groups), expected)


# ----------------------------------------------------------------------------- image conv

def _image(h=20, w=24) -> Image.Image:
    rng = np.random.default_rng(0)
    return Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8))


def test_image_to_tensor_shapes_and_range():
    x = conv.image_to_tensor(_image(), grey=False)
    g = conv.image_to_tensor(_image(), grey=True)
    assert x.shape == (1, 3, 20, 24) and g.shape == (1, 1, 20, 24)
    assert 0 <= x.min() and x.max() <= 1


@pytest.mark.parametrize("settings", [
    conv.ConvSettings(),
    conv.ConvSettings(stride=2, padding=3, padding_mode="reflect", dilation=2),
    conv.ConvSettings(padding="same", padding_mode="circular", groups=3, bias=0.5),
    conv.ConvSettings(padding="valid", padding_mode="replicate", stride=3),
])
def test_apply_conv_matches_nn_conv2d(settings):
    x = conv.image_to_tensor(_image(), grey=False)
    kernel = conv.preset_kernel("Sobel x")[:, :2]  # (3, 2): an even, non-square kernel for 'same'
    conv_layer = torch.nn.Conv2d(3, 3, (3, 2), settings.stride, settings.padding, settings.dilation,
                                 settings.groups, True, settings.padding_mode)
    with torch.no_grad():
        conv_layer.weight.copy_(conv.conv_weight(kernel, 3, settings.groups))
        conv_layer.bias.fill_(settings.bias)
        expected = conv_layer(x)
    out = conv.apply_conv(x, kernel, settings)
    torch.testing.assert_close(out, expected)
    assert out.shape[-2:] == conv.check_conv((20, 24), (3, 2), settings)


def test_groups_one_mixes_colours_groups_three_keeps_them():
    x = conv.image_to_tensor(_image(), grey=False)
    identity = conv.preset_kernel("Identity")
    mixed = conv.apply_conv(x, identity, conv.ConvSettings(padding=1))
    separate = conv.apply_conv(x, identity, conv.ConvSettings(padding=1, groups=3))
    torch.testing.assert_close(separate, x)
    torch.testing.assert_close(mixed, x.mean(1, keepdim=True).expand_as(x))


@pytest.mark.parametrize("settings,channels,message", [
    (conv.ConvSettings(groups=2), 3, "groups=2 is impossible"),
    (conv.ConvSettings(stride=0), 3, "Stride must be at least 1"),
    (conv.ConvSettings(padding="same", stride=2), 3, "only works with stride 1"),
    (conv.ConvSettings(padding=30, padding_mode="reflect"), 1, "must be smaller than the input"),
])
def test_apply_conv_bad_settings(settings, channels, message):
    x = torch.rand(1, channels, 10, 10)
    with pytest.raises(ValueError, match=message):
        conv.apply_conv(x, conv.preset_kernel("Sobel x"), settings)


def test_kernel_larger_than_padded_input():
    with pytest.raises(ValueError, match="padded input has only 4"):
        conv.apply_conv(torch.rand(1, 1, 4, 4), torch.ones(5, 5), conv.ConvSettings())


def test_to_display_modes():
    y = torch.tensor([[[[-1.0, 0.0], [0.5, 2.0]]]])
    assert conv.to_display(y, "Clip to 0..1").tolist() == [[0, 0], [128, 255]]
    assert conv.to_display(y, "Absolute value").tolist() == [[255, 0], [128, 255]]
    assert conv.to_display(y, "Stretch min..max").tolist() == [[0, 85], [128, 255]]
    assert conv.to_display(torch.rand(1, 3, 4, 5)).shape == (4, 5, 3)


# ----------------------------------------------------------------------------- pooling

def test_pooling_and_unpooling():
    x = torch.arange(16.0).view(1, 1, 4, 4)
    assert conv.apply_pool(x, conv.PoolSettings("max", 2, 2)).flatten().tolist() == [5, 7, 13, 15]
    assert conv.apply_pool(x, conv.PoolSettings("avg", 2, 2)).flatten().tolist() == [2.5, 4.5, 10.5, 12.5]
    assert conv.global_avg_pool(x).flatten().tolist() == [7.5]
    pooled, indices, unpooled = conv.max_unpool(x, 2, 2)
    assert indices.flatten().tolist() == [5, 7, 13, 15]
    assert unpooled.shape == x.shape and (unpooled != 0).sum() == 4
    assert torch.equal(unpooled.flatten()[indices.flatten()], pooled.flatten())


@pytest.mark.parametrize("settings,message", [
    (conv.PoolSettings("max", 2, 2, padding=2), "at most half"),
    (conv.PoolSettings("max", 2, 0), "Stride must be at least 1"),
    (conv.PoolSettings("avg", 40, 1), "padded input has only"),
])
def test_pool_bad_settings(settings, message):
    with pytest.raises(ValueError, match=message):
        conv.apply_pool(torch.rand(1, 1, 8, 8), settings)


def test_tile_grid_layout():
    maps = torch.rand(10, 3, 3, 3)
    grid = conv.tile_grid(maps, cols=4, gap=1, scale=2)
    assert grid.shape == (3 * 6 + 2, 4 * 6 + 3, 3) and grid.dtype == np.uint8
    assert conv.tile_grid(torch.rand(5, 1, 4, 4), cols=5).shape == (4, 24)


# ----------------------------------------------------------------------------- generated code runs

def _run(code: str, tmp_path, monkeypatch) -> dict:
    path = tmp_path / "snippet.py"
    path.write_text(code)
    monkeypatch.chdir(tmp_path)
    return runpy.run_path(str(path))


@pytest.mark.parametrize("op", ["conv", "max", "avg"])
def test_window_code_reproduces_the_page(op, tmp_path, monkeypatch, capsys):
    kernel = conv.preset_kernel("Sharpen") if op == "conv" else None
    khw = (3, 3) if op == "conv" else (2, 2)
    ns = _run(conv_code.window_code(6, 4, op, khw, 2, 1, 1, kernel), tmp_path, monkeypatch)
    grid = conv.random_grid(6, 4)[0]
    expected = conv.steps_to_grid(conv.sliding_steps(grid, khw, op, 2, 1, 1, kernel))
    torch.testing.assert_close(ns["x"][0, 0], grid)
    torch.testing.assert_close(ns["out"][0, 0], expected)


def test_image_conv_and_pool_code_reproduce_the_page(tmp_path, monkeypatch):
    big = _image(40, 60)
    big.save(tmp_path / "photo.png")
    image = Image.open(tmp_path / "photo.png").convert("RGB")
    image.thumbnail((32, 32), Image.Resampling.LANCZOS)
    x = conv.image_to_tensor(image, grey=False)
    settings = conv.ConvSettings(stride=2, padding="valid", padding_mode="replicate", dilation=2, groups=3, bias=0.1)
    kernel = conv.preset_kernel("Emboss")
    ns = _run(conv_code.image_conv_code(kernel, settings, False, "photo.png", 32), tmp_path, monkeypatch)
    torch.testing.assert_close(ns["out"], conv.apply_conv(x, kernel, settings))
    pool = conv.PoolSettings("avg", 3, 2, 1, True)
    ns = _run(conv_code.pool_code(pool, False, "photo.png", 32), tmp_path, monkeypatch)
    torch.testing.assert_close(ns["out"], conv.apply_pool(x, pool))
    torch.testing.assert_close(ns["unpooled"], conv.max_unpool(x, 3, 2)[2])


# ----------------------------------------------------------------------------- learned filters (embedded VGG19)

def _edge_like(weight: torch.Tensor) -> int:
    """Filters whose brightness response is almost purely zero-mean (edges/textures, not flat blobs)."""
    lum = weight.sum(1)  # (64, 3, 3, 3) -> (64, 3, 3): response to a grey image
    dc = lum.mean((1, 2))
    ac = (lum - dc[:, None, None]).pow(2).sum((1, 2))
    return int((ac / (ac + 9 * dc**2) > 0.99).sum())


def test_vgg_conv1_1_filters_are_edge_like_and_maps_have_the_layer_shape():
    from lib.common import vgg

    features = vgg.load_vgg19_features("conv2_1")
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


def test_kept_fraction_counts_each_pixel_once():
    x = torch.arange(36.0).view(1, 1, 6, 6)
    _, indices, _ = conv.max_unpool(x, 2, 2)
    assert conv.kept_fraction(indices, 36) == pytest.approx(0.25)
    _, indices, _ = conv.max_unpool(x, 3, 1)  # overlapping windows on a ramp all pick the lower-right pixels
    assert conv.kept_fraction(indices, 36) == pytest.approx(16 / 36)


def test_vgg_code_reproduces_the_page(tmp_path, monkeypatch):
    from lib.common import vgg

    _image(40, 60).save(tmp_path / "photo.png")
    ns = _run(conv_code.vgg_code("conv2_1", "photo.png", 32), tmp_path, monkeypatch)
    image = conv.resize_for_vgg(Image.open(tmp_path / "photo.png"), 32)
    x = conv.image_to_tensor(image, grey=False)
    expected = vgg.load_vgg19_features("conv2_1").extract(x, ["conv2_1"])["conv2_1"]
    assert ns["maps"].shape == (1, 128, 10, 16)
    torch.testing.assert_close(ns["maps"], expected)
    assert ns["kernels"].shape == (64, 3, 3, 3)
