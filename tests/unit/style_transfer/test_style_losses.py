"""lib/style_transfer/losses.py: Gram matrices in both normalisations, TV, conv (not ReLU) features, the objective."""
import pytest
import torch
import torch.nn.functional as F

from lib.common.vgg import embedded_weights_path, load_embedded_state
from lib.style_transfer import losses as L
from lib.style_transfer.config import StyleConfig


def test_gram_matrix_hand_example():
    f = torch.tensor([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 2, 1, 2)  # C=2 channels, 2 positions
    expected = torch.tensor([[5.0, 11.0], [11.0, 25.0]]) / (2 * 2)  # F F^T / (C*H*W)
    torch.testing.assert_close(L.gram_matrix(f)[0], expected)
    torch.testing.assert_close(L.raw_gram(f)[0], expected * 4)  # the classic recipe's: unnormalised


def test_gram_is_c_times_smaller_than_a_per_position_average():
    f = torch.rand(1, 8, 5, 3, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    per_position = torch.einsum("bchw,bdhw->bcd", f, f) / (5 * 3)  # mean over the H*W positions
    torch.testing.assert_close(L.gram_matrix(f) * 8, per_position)


@pytest.mark.parametrize("mode, divisor", [
    ("chw", lambda c, h, w: (c * h * w) ** 2),  # both Grams divided by C*H*W before the squared gap
    ("classic", lambda c, h, w: c * h * w),      # raw Grams, the squared gap divided once
])
def test_style_layer_loss_normalisations(mode, divisor):
    gen = torch.Generator().manual_seed(1)
    a, b = torch.rand(1, 4, 3, 2, generator=gen), torch.rand(1, 4, 3, 2, generator=gen)
    raw = F.mse_loss(L.raw_gram(a), L.raw_gram(b))
    loss = L.style_layer_loss(a, L.style_gram(b, mode), mode)
    assert loss.item() == pytest.approx(raw.item() / divisor(4, 3, 2), rel=1e-5)


def test_tv_loss_hand_example():
    img = torch.tensor([[0.0, 3.0], [4.0, 3.0]]).reshape(1, 1, 2, 2)
    # horizontal diffs 3, -1 -> mean 5; vertical diffs 4, 0 -> mean 8
    assert L.tv_loss(img).item() == pytest.approx(13.0)


def test_features_are_conv_outputs_not_relu(features):
    x = torch.rand(1, 3, 16, 16, generator=torch.Generator().manual_seed(0))
    net = features.normalization.apply(x)
    out = L.forward_features(features.layers, net, ["conv1_1", "conv2_1"])
    conv = features.layers[0]
    torch.testing.assert_close(out["conv1_1"], F.conv2d(net, conv.weight, conv.bias, padding=1))
    assert out["conv1_1"].min() < 0  # pre-ReLU: torchvision's in-place ReLU would have zeroed these
    assert out["conv2_1"].shape == (1, 128, 8, 8)


def test_weights_are_the_embedded_tensors(features):
    state = load_embedded_state(embedded_weights_path())
    torch.testing.assert_close(features.layers[21].weight, state["21.weight"])  # conv4_2
    assert features.layers[21].weight.shape == (512, 512, 3, 3)


def test_objective_total_is_content_plus_ratio_style_plus_tv(features, pair):
    cfg = StyleConfig(style_ratio=300.0, tv_weight=0.01)
    objective = L.Objective(features, cfg)
    parts = objective.losses(pair[0], objective.targets(*pair))
    assert parts["content"].item() == pytest.approx(0.0, abs=1e-6)  # the photo matches itself
    expected = parts["content"] + 300.0 * parts["style"] + 0.01 * parts["tv"]
    assert parts["total"].item() == pytest.approx(expected.item(), rel=1e-6)
    assert parts["style"].item() == pytest.approx(sum(parts[f"style:{n}"].item() for n in cfg.style_layers), rel=1e-5)


def test_compare_grams_gap_is_the_unweighted_layer_loss(features, pair):
    cfg = StyleConfig()
    gp = L.compare_grams(features, cfg, pair[1], pair[0], "conv2_1")
    objective = L.Objective(features, cfg)
    parts = objective.losses(pair[0], objective.targets(*pair))
    assert gp.gap == pytest.approx(parts["style:conv2_1"].item() / 0.8, rel=1e-4)  # conv2_1's weight is 0.8
    assert gp.painting.shape == (128, 128) and gp.corner(64)[0].shape == (64, 64)
