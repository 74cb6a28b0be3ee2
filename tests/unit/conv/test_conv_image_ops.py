"""lib.conv.image_ops: convolution on images against nn.Conv2d, the naive twin, pixels for display."""
import pytest
import torch
import torch.nn.functional as F

from lib.conv import image_ops, kernels


@pytest.mark.parametrize("stride,padding,dilation,groups", [
    (1, 0, 1, 1), (2, 1, 1, 1), (1, 2, 2, 1), (1, 1, 1, 2), (2, 0, 1, 4)])
def test_conv2d_naive_matches_torch(stride, padding, dilation, groups):
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(2, 4, 8, 7, generator=gen, dtype=torch.float64)
    w = torch.randn(4, 4 // groups, 3, 2, generator=gen, dtype=torch.float64)
    b = torch.randn(4, generator=gen, dtype=torch.float64)
    expected = F.conv2d(x, w, b, stride, padding, dilation, groups)
    torch.testing.assert_close(image_ops.conv2d_naive(x, w, b, stride, padding, dilation, groups), expected)


# ----------------------------------------------------------------------------- image conv


def test_image_to_tensor_shapes_and_range(make_image):
    x = image_ops.image_to_tensor(make_image(), grey=False)
    g = image_ops.image_to_tensor(make_image(), grey=True)
    assert x.shape == (1, 3, 20, 24) and g.shape == (1, 1, 20, 24)
    assert 0 <= x.min() and x.max() <= 1


@pytest.mark.parametrize("settings", [
    image_ops.ConvSettings(),
    image_ops.ConvSettings(stride=2, padding=3, padding_mode="reflect", dilation=2),
    image_ops.ConvSettings(padding="same", padding_mode="circular", groups=3, bias=0.5),
    image_ops.ConvSettings(padding="valid", padding_mode="replicate", stride=3),
])
def test_apply_conv_matches_nn_conv2d(settings, make_image):
    x = image_ops.image_to_tensor(make_image(), grey=False)
    kernel = kernels.preset_kernel("sobel_x")[:, :2]  # (3, 2): an even, non-square kernel for 'same'
    conv_layer = torch.nn.Conv2d(3, 3, (3, 2), settings.stride, settings.padding, settings.dilation,
                                 settings.groups, True, settings.padding_mode)
    with torch.no_grad():
        conv_layer.weight.copy_(image_ops.conv_weight(kernel, 3, settings.groups))
        conv_layer.bias.fill_(settings.bias)
        expected = conv_layer(x)
    out = image_ops.apply_conv(x, kernel, settings)
    torch.testing.assert_close(out, expected)
    assert out.shape[-2:] == image_ops.check_conv((20, 24), (3, 2), settings)


def test_groups_one_mixes_colours_groups_three_keeps_them(make_image):
    x = image_ops.image_to_tensor(make_image(), grey=False)
    identity = kernels.preset_kernel("identity")
    mixed = image_ops.apply_conv(x, identity, image_ops.ConvSettings(padding=1))
    separate = image_ops.apply_conv(x, identity, image_ops.ConvSettings(padding=1, groups=3))
    torch.testing.assert_close(separate, x)
    torch.testing.assert_close(mixed, x.mean(1, keepdim=True).expand_as(x))


@pytest.mark.parametrize("settings,channels,message", [
    (image_ops.ConvSettings(groups=2), 3, "groups=2 is impossible"),
    (image_ops.ConvSettings(stride=0), 3, "Stride must be at least 1"),
    (image_ops.ConvSettings(padding="same", stride=2), 3, "only works with stride 1"),
    (image_ops.ConvSettings(padding=30, padding_mode="reflect"), 1, "must be smaller than the input"),
])
def test_apply_conv_bad_settings(settings, channels, message):
    x = torch.rand(1, channels, 10, 10)
    with pytest.raises(ValueError, match=message):
        image_ops.apply_conv(x, kernels.preset_kernel("sobel_x"), settings)


def test_kernel_larger_than_padded_input():
    with pytest.raises(ValueError, match="padded input has only 4"):
        image_ops.apply_conv(torch.rand(1, 1, 4, 4), torch.ones(5, 5), image_ops.ConvSettings())


def test_to_display_modes():
    y = torch.tensor([[[[-1.0, 0.0], [0.5, 2.0]]]])
    assert image_ops.to_display(y, "clip").tolist() == [[0, 0], [128, 255]]
    assert image_ops.to_display(y, "abs").tolist() == [[255, 0], [128, 255]]
    assert image_ops.to_display(y, "stretch").tolist() == [[0, 85], [128, 255]]
    assert image_ops.to_display(torch.rand(1, 3, 4, 5)).shape == (4, 5, 3)


# ----------------------------------------------------------------------------- the page's image section

def test_convolve_image_gives_the_numbers_the_page_writes(make_image):
    image = make_image(20, 24)
    kernel = kernels.preset_kernel("sobel_x")
    settings = image_ops.ConvSettings(stride=2, groups=3, bias=0.25)
    result = image_ops.convolve_image(image, False, kernel, settings)
    x = image_ops.image_to_tensor(image, grey=False)
    expected = image_ops.apply_conv(x, kernel, settings)
    torch.testing.assert_close(result.x, x)
    torch.testing.assert_close(result.out, expected)
    assert result.in_shape == (1, 3, 20, 24) and result.out_shape == (1, 3, 9, 11)  # floor((20-3)/2)+1, (24-3)/2+1
    assert result.weight_shape == (3, 1, 3, 3)  # groups=3: each colour alone
    assert result.value_range == (float(expected.min()), float(expected.max()))
    picture_in, picture_out = image_ops.to_display(result.x, "clip"), result.output_picture("abs")
    assert picture_in.shape == (20, 24, 3) and picture_out.shape == (9, 11, 3)
    assert (picture_out == image_ops.to_display(expected, "abs")).all()


def test_convolve_image_greyscale_mixes_to_one_channel(make_image):
    result = image_ops.convolve_image(make_image(), True, kernels.preset_kernel("identity"),
                                      image_ops.ConvSettings(padding=1))
    assert result.in_shape == result.out_shape == (1, 1, 20, 24)
    assert result.weight_shape == (1, 1, 3, 3)
    torch.testing.assert_close(result.out, result.x)  # identity with padding 1 changes nothing
    assert result.output_picture("clip").shape == (20, 24)


def test_convolve_image_refuses_impossible_groups(make_image):
    with pytest.raises(ValueError, match="groups=2 is impossible"):
        image_ops.convolve_image(make_image(), False, kernels.preset_kernel("sobel_x"),
                                 image_ops.ConvSettings(groups=2))


@pytest.mark.parametrize("mode", ["clip", "abs", "stretch"])
def test_to_display_agrees_with_the_same_mapping_in_torch(mode):
    # the NumPy mapping must give the very pixels torch's own ops give (rounding half to even included)
    y = torch.randn(1, 3, 17, 13, generator=torch.Generator().manual_seed(0)) * 2
    ref = {"clip": y.clamp(0, 1), "abs": y.abs().clamp(0, 1), "stretch": (y - y.min()) / (y.max() - y.min())}[mode]
    expected = (ref[0] * 255).round().to(torch.uint8).permute(1, 2, 0).numpy()
    assert (image_ops.to_display(y, mode) == expected).all()
    assert image_ops.to_display(y[:, :1], mode).shape == (17, 13)  # one channel: a 2-D grey picture


def test_to_display_of_a_flat_output_is_black_when_stretched():
    assert (image_ops.to_display(torch.full((1, 1, 3, 3), 0.7), "stretch") == 0).all()


@pytest.mark.parametrize("grey", [False, True])
def test_input_picture_jpeg_is_the_input_the_section_shows(grey):
    from io import BytesIO

    import numpy as np
    from PIL import Image

    rows, cols = np.mgrid[0:32, 0:40]  # smooth colour ramps, like a photo (JPEG blurs random noise's colours)
    image = Image.fromarray(np.stack([rows * 8, cols * 6, (rows + cols) * 3], axis=-1).astype(np.uint8))
    decoded = np.asarray(Image.open(BytesIO(image_ops.input_picture_jpeg(image, grey))), dtype=float)
    shown = image_ops.to_display(image_ops.convolve_image(image, grey, kernels.preset_kernel("identity"),
                                                          image_ops.ConvSettings(padding="same")).x, "clip")
    assert decoded.shape == shown.shape
    assert np.abs(decoded - shown).mean() < 3  # JPEG at quality 100: within a few levels of the exact pixels
