"""lib.conv.kernels: presets that do what their names say, typed kernels parsed (never evaluated)."""
import pytest
import torch
import torch.nn.functional as F

from lib.conv import kernels
from lib.conv.config import ConvConfig

# ----------------------------------------------------------------------------- kernels

def test_presets_behave_as_named():
    flat = torch.full((1, 1, 9, 9), 0.5)
    for name in ("identity", "box", "gauss", "sharpen"):
        # these preserve brightness: their weights sum to 1
        assert kernels.preset_kernel(name).sum().item() == pytest.approx(1.0), name
        assert torch.allclose(F.conv2d(flat, kernels.preset_kernel(name)[None, None]), torch.tensor(0.5))
    for name in ("sobel_x", "sobel_y", "laplace", "edge"):
        assert kernels.preset_kernel(name).sum().item() == 0, name  # flat regions give 0
    ramp = torch.arange(9.0).repeat(9, 1)[None, None]  # grows left to right
    assert (F.conv2d(ramp, kernels.preset_kernel("sobel_x")[None, None]) == 8).all()
    assert (F.conv2d(ramp, kernels.preset_kernel("sobel_y")[None, None]) == 0).all()
    x = torch.rand(1, 1, 6, 6)
    assert torch.equal(F.conv2d(x, kernels.preset_kernel("identity")[None, None]), x[..., 1:-1, 1:-1])


@pytest.mark.parametrize("text,expected", [
    ("1 0 -1\n2 0 -2\n1 0 -1", [[1, 0, -1], [2, 0, -2], [1, 0, -1]]),  # spaces and lines
    ("1, 2; 3, 4", [[1, 2], [3, 4]]),                                  # commas and semicolons
    ("[[1, 2, 3], [4, 5, 6]]", [[1, 2, 3], [4, 5, 6]]),                 # Python style, non-square
    ("1/4 1/4\n1/4 .25", [[0.25, 0.25], [0.25, 0.25]]),                # fractions and .25
    ("  -1.5e0  \n\n", [[-1.5]]),                                      # blank lines ignored
])
def test_parse_kernel_accepts(text, expected):
    assert kernels.parse_kernel(text).tolist() == expected


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
        kernels.parse_kernel(text)


def test_kernel_text_round_trip():
    k = kernels.preset_kernel("gauss")
    torch.testing.assert_close(kernels.parse_kernel(kernels.kernel_text(k)), k, atol=1e-4, rtol=0)


def test_kernel_caption_is_one_line():
    assert kernels.kernel_caption(kernels.preset_kernel("sobel_x")) == "-1 0 1 | -2 0 2 | -1 0 1"
    assert kernels.kernel_caption(kernels.preset_kernel("box")).startswith("0.111 0.111 0.111 |")


def test_every_choice_has_a_label_and_the_window_default_is_the_photo_default():
    assert set(kernels.KERNEL_LABELS) == {*kernels.KERNEL_PRESETS, kernels.CUSTOM}
    cfg = ConvConfig()  # the sliding window starts with the same kernel as the photo section
    assert kernels.parse_kernel(cfg.window_kernel).tolist() == kernels.preset_kernel(cfg.preset).tolist()


def test_custom_choice_is_not_a_preset():
    assert kernels.CUSTOM not in kernels.KERNEL_PRESETS
    with pytest.raises(ValueError, match="no kernel preset"):
        kernels.preset_kernel(kernels.CUSTOM)
