"""lib.conv.shapes: the output-size formula against real conv and pooling layers."""
import itertools

import pytest
import torch
import torch.nn.functional as F

from lib.conv import shapes

# ----------------------------------------------------------------------------- shape formula

@pytest.mark.parametrize("n,k,s,p,d", [
    combo for combo in itertools.product((5, 7, 12), (1, 2, 3, 5), (1, 2, 3), (0, 1, 2), (1, 2))
    if combo[0] + 2 * combo[3] >= combo[4] * (combo[1] - 1) + 1
])
def test_output_size_matches_conv2d(n, k, s, p, d):
    y = F.conv2d(torch.zeros(1, 1, n, n + 1), torch.zeros(1, 1, k, k), stride=s, padding=p, dilation=d)
    assert y.shape[-2:] == (shapes.output_size(n, k, s, p, d), shapes.output_size(n + 1, k, s, p, d))


@pytest.mark.parametrize("n,k,s,p", [
    combo for combo in itertools.product((5, 6, 7, 10), (2, 3), (1, 2, 3), (0, 1)) if combo[3] <= combo[1] // 2
])
@pytest.mark.parametrize("ceil_mode", [False, True])
def test_output_size_matches_max_pool_with_ceil_mode(n, k, s, p, ceil_mode):
    y = F.max_pool2d(torch.zeros(1, 1, n, n), k, s, p, ceil_mode=ceil_mode)
    assert y.shape[-1] == shapes.output_size(n, k, s, p, 1, ceil_mode)


def test_ceil_mode_keeps_a_partial_window():
    assert shapes.output_size(5, 2, 2) == 2
    assert shapes.output_size(5, 2, 2, ceil_mode=True) == 3


@pytest.mark.parametrize("args,message", [
    ((3, 5, 1, 0, 1), "padded input has only 3"),   # kernel larger than the input
    ((5, 3, 1, 0, 3), "covers 7 cells"),            # dilation makes it too wide
    ((5, 3, 0, 0, 1), "Stride must be at least 1"),  # stride 0
    ((5, 3, 1, -1, 1), "Padding cannot be negative"),
])
def test_output_size_refuses_impossible_settings(args, message):
    with pytest.raises(ValueError, match=message):
        shapes.output_size(*args)


def test_formula_text_fills_in_the_numbers():
    text = shapes.formula_text(7, 3, 2, 1, 1)
    assert r"\frac{7 + 2\cdot1 - 1\cdot(3-1) - 1}{2}" in text and text.endswith("= 4")


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel")
@pytest.mark.parametrize("k,d", [(3, 1), (2, 1), (4, 2), (5, 3)])  # (2, 1): the asymmetric case
def test_same_padding_keeps_the_size_like_torch(k, d):
    before, after = shapes.same_padding(k, d)
    assert after - before in (0, 1)  # the odd cell goes after, as in PyTorch
    x = torch.rand(1, 1, 9, 9)
    same = F.conv2d(x, torch.rand(1, 1, k, k), padding="same", dilation=d)
    assert shapes.output_size(9 + before + after, k, 1, 0, d) == same.shape[-1] == 9
