"""lib.style_transfer: Grams, losses, the optimisation generator, colours, sizes, code panel."""
import io
import runpy
from dataclasses import replace

import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from lib import style_transfer as stl
from lib.common.samples import load_sample, sample_path
from lib.common.vgg import load_embedded_state, embedded_weights_path, load_vgg19_features

TINY = stl.StyleConfig(size=32, steps=2, coarse_steps=2, preview_every=1)


@pytest.fixture(scope="module")
def features():
    return load_vgg19_features("conv5_1", "cpu")


@pytest.fixture(scope="module")
def pair():
    content, style, _ = stl.prepare_images(load_sample("Astronaut"), load_sample("The Scream (Munch)"), 32)
    return content, style


def test_gram_matrix_hand_example():
    f = torch.tensor([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 2, 1, 2)  # C=2 channels, 2 positions
    expected = torch.tensor([[5.0, 11.0], [11.0, 25.0]]) / (2 * 2)  # F F^T / (C*H*W)
    torch.testing.assert_close(stl.gram_matrix(f)[0], expected)


def test_tv_loss_hand_example():
    img = torch.tensor([[0.0, 3.0], [4.0, 3.0]]).reshape(1, 1, 2, 2)
    # horizontal diffs 3, -1 -> mean 5; vertical diffs 4, 0 -> mean 8
    assert stl.tv_loss(img).item() == pytest.approx(13.0)


def test_features_are_conv_outputs_not_relu(features):
    x = torch.rand(1, 3, 16, 16, generator=torch.Generator().manual_seed(0))
    net = features.normalization.apply(x)
    out = stl.forward_features(features.layers, net, ["conv1_1", "conv2_1"])
    conv = features.layers[0]
    torch.testing.assert_close(out["conv1_1"], F.conv2d(net, conv.weight, conv.bias, padding=1))
    assert out["conv1_1"].min() < 0  # pre-ReLU: torchvision's in-place ReLU would have zeroed these
    assert out["conv2_1"].shape == (1, 128, 8, 8)


def test_weights_are_the_embedded_tensors(features):
    state = load_embedded_state(embedded_weights_path())
    torch.testing.assert_close(features.layers[21].weight, state["21.weight"])  # conv4_2
    assert features.layers[21].weight.shape == (512, 512, 3, 3)


@pytest.mark.parametrize("optimizer", ["adam", "lbfgs"])
def test_loss_goes_down(features, pair, optimizer):
    cfg = replace(TINY, optimizer=optimizer, steps=3, coarse_to_fine=False)
    history = list(stl.stylize(features, *pair, cfg))
    assert [r.step for r in history] == [1, 2, 3]
    assert history[-1].losses["total"] < history[0].losses["total"]
    assert history[-1].image.shape == (3, *pair[0].shape[-2:])
    assert 0 <= history[-1].image.min() and history[-1].image.max() <= 1


def test_coarse_to_fine_runs_half_size_first(features, pair):
    history = list(stl.stylize(features, *pair, TINY))
    assert [r.size for r in history] == [(16, 16)] * 2 + [tuple(pair[0].shape[-2:])] * 2


def test_noise_init_is_deterministic_per_seed(features, pair):
    cfg = replace(TINY, init="noise", coarse_to_fine=False)
    a, _ = stl.run_to_end(features, *pair, cfg)
    b, _ = stl.run_to_end(features, *pair, cfg)
    c, _ = stl.run_to_end(features, *pair, replace(cfg, seed=1))
    torch.testing.assert_close(a, b)
    assert not torch.allclose(a, c)


@pytest.mark.parametrize("init", ["content", "style"])
def test_init_starts_from_the_picture(features, pair, init):
    cfg = replace(TINY, init=init, coarse_to_fine=False, steps=1, lr=1e-6)
    image, _ = stl.run_to_end(features, *pair, cfg)
    start = pair[0] if init == "content" else pair[1]
    torch.testing.assert_close(image, start[0], atol=1e-4, rtol=0)


def test_keep_colors_keeps_content_chroma(features, pair):
    image, _ = stl.run_to_end(features, *pair, replace(TINY, keep_colors=True, style_ratio=1e4))
    chroma = stl.rgb_to_yiq(image[None])[:, 1:]
    content_chroma = stl.rgb_to_yiq(pair[0])[:, 1:]
    assert (chroma - content_chroma).abs().mean() < 0.01  # only clipping to [0, 1] may shift it
    plain, _ = stl.run_to_end(features, *pair, replace(TINY, style_ratio=1e4))
    assert (stl.rgb_to_yiq(plain[None])[:, 1:] - content_chroma).abs().mean() > 0.01


def test_yiq_round_trip():
    x = torch.rand(1, 3, 4, 4)
    torch.testing.assert_close(stl.yiq_to_rgb(stl.rgb_to_yiq(x)), x, atol=1e-5, rtol=0)


def test_non_finite_loss_stops_with_message(features, pair):
    with pytest.raises(ValueError, match="lower learning rate"):
        list(stl.stylize(features, *pair, replace(TINY, style_ratio=float("inf"))))


@pytest.mark.parametrize("bad", [
    dict(content_layer="conv_4"),      # the tutorial's naming, refused
    dict(style_layers=()),             # nothing to copy
    dict(layer_weights=(1.0,)),        # weights do not match layers
    dict(size=8),                      # too small for VGG's pooling
])
def test_bad_settings_are_explained(bad):
    with pytest.raises(ValueError):
        replace(stl.StyleConfig(), **bad).validate()


def test_extreme_aspect_is_cropped_with_note():
    wide = Image.new("RGB", (400, 50))
    content, style, notes = stl.prepare_images(wide, Image.new("RGB", (60, 60)), 64, max_aspect=2.5)
    assert content.shape == (1, 3, 26, 64)  # 125x50 crop scaled to longest side 64
    assert style.shape == content.shape
    assert notes and "cropped" in notes[0]


def test_size_beyond_budget_is_refused_with_largest_that_fits():
    budget = stl.estimate_bytes((512, 512), "conv5_1")
    stl.check_size(512, 1.0, "conv5_1", budget)
    assert stl.largest_size(1.0, "conv5_1", budget) == 512
    with pytest.raises(ValueError, match="largest size that fits is 512 px"):
        stl.check_size(1024, 1.0, "conv5_1", budget)


def test_step_flops_match_the_issue():
    # 256 px, up to conv5_1: about 48 GFLOP forward, twice that with the backward pass
    assert stl.step_flops((256, 256), "conv5_1") / 1e9 == pytest.approx(97, rel=0.05)


def test_time_estimate_scales_with_pixels():
    cfg = replace(stl.StyleConfig(size=256), coarse_to_fine=False, steps=10)
    assert stl.estimate_seconds(0.1, 128, cfg) == pytest.approx(10 * 0.1 * 4)


def test_png_keeps_settings(pair):
    cfg = replace(TINY, style_ratio=300.0)
    data = stl.png_bytes(pair[0][0], cfg)
    assert Image.open(io.BytesIO(data)).text["style_transfer.style_ratio"] == "300.0"
    name = stl.file_name(cfg, "Astronaut", "The Scream (Munch)")
    assert name.startswith("style_astronaut_x_the-scream-munch_32px_ratio300") and name.endswith(".png")


@pytest.mark.parametrize("changes", [
    dict(),                                   # defaults: Adam, coarse-to-fine
    dict(optimizer="lbfgs", coarse_to_fine=False, keep_colors=True),
])
def test_generated_script_reproduces_the_lib(features, tmp_path, monkeypatch, changes):
    cfg = replace(TINY, **changes)
    code = stl.generate_code(cfg, str(sample_path("Astronaut")), str(sample_path("The Scream (Munch)")))
    (tmp_path / "style_transfer.py").write_text(code)
    monkeypatch.chdir(tmp_path)
    runpy.run_path(str(tmp_path / "style_transfer.py"), run_name="__main__")
    content, style, _ = stl.prepare_images(load_sample("Astronaut"), load_sample("The Scream (Munch)"), 32)
    expected, _ = stl.run_to_end(features, content, style, cfg)
    got = stl.pil_to_tensor(Image.open(tmp_path / "stylized.png"))[0]
    torch.testing.assert_close(got, stl.pil_to_tensor(stl.tensor_to_pil(expected))[0], atol=2 / 255, rtol=0)
