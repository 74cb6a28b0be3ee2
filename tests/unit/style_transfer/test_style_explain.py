"""lib/style_transfer/explain.py: each sentence the page shows is checked against the computation it describes."""
import pytest
import torch

from lib.common.vgg import CAFFE, IMAGENET
from lib.style_transfer import explain as E
from lib.style_transfer.losses import style_gram, style_layer_loss


@pytest.mark.parametrize("mode", ["chw", "classic"])
def test_gram_sentence_says_what_the_loss_divides_by(mode):
    f = torch.rand(1, 3, 4, 5, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    raw = torch.einsum("bchw,bdhw->bcd", f, f)
    gram_divided = torch.allclose(style_gram(f, mode), raw / (3 * 4 * 5))
    loss_divided = torch.allclose(style_layer_loss(f, torch.zeros_like(raw), mode), (raw**2).mean() / (3 * 4 * 5))
    text = E.gram_sentence(mode)
    assert ("divided by C×H×W" in text) == gram_divided and ("divided once by C×H×W" in text) == loss_divided
    assert "averaged over" not in text and (gram_divided or loss_divided)


@pytest.mark.parametrize("norm, scale, says", [
    (CAFFE, 255.0, "0..255"),     # the embedded Caffe weights
    (IMAGENET, 1.0, "0..1"),      # torchvision's weights
])
def test_pixel_sentence_matches_the_weights_in_use(norm, scale, says):
    text = E.pixel_sentence(norm)
    assert norm.scale == scale and says in text
    assert ("divided by its standard deviation" in text) == (norm.std != (1.0, 1.0, 1.0))
    assert ("Caffe" in text) == (norm == CAFFE)
    white = norm.apply(torch.ones(1, 3, 1, 1))  # a white pixel as the network sees it
    assert white.max().item() > 100 if norm == CAFFE else white.max().item() < 3


def test_step_sentence_units():
    one_std_grey = sum(IMAGENET.std) / 3 * 255
    assert f"about {one_std_grey:.0f} grey levels" in E.step_sentence("normalised", CAFFE)
    assert "grey levels" in E.step_sentence("pixels", CAFFE) and "0..255 input" in E.step_sentence("pixels", CAFFE)


def test_weights_name_follows_the_loaded_weights(features):
    name = E.weights_name(features.normalization)
    assert ("Caffe" in name) == ("Caffe" in features.source) and ("torchvision" in name) == ("torchvision" in features.source)
