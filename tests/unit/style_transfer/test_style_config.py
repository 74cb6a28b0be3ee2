"""lib/style_transfer/config.py: defaults within their ranges, bad settings explained, layer weights."""
from dataclasses import replace

import pytest

from lib.common.settings import check, spec
from lib.style_transfer import config as C


@pytest.mark.parametrize("bad", [
    dict(content_layer="conv_4"),      # the tutorial's naming, refused
    dict(style_layers=()),             # nothing to copy
    dict(layer_weights=(1.0,)),        # weights do not match layers
    dict(size=8),                      # too small for VGG's pooling
    dict(space="lab"),                 # not a pixel space
])
def test_bad_settings_are_explained(bad):
    with pytest.raises(ValueError):
        replace(C.StyleConfig(), **bad).validate()


def test_defaults_are_valid_and_linked():
    cfg = C.StyleConfig()
    check(cfg)
    cfg.validate()
    assert spec(cfg, "steps").param == "steps" and spec(cfg, "size").param == "size"
    assert 1e6 in C.RATIOS and 0.003 in C.LEARNING_RATES  # the recipe can be set


def test_weights_follow_the_layers():
    assert C.weights_for(C.STYLE_LAYERS) == C.STYLE_LAYER_WEIGHTS
    assert C.weights_for(("conv2_1", "conv3_3")) == (0.8, C.OTHER_LAYER_WEIGHT)
    assert C.ordered_layers(["conv3_1", "conv1_1", "conv3_1"]) == ("conv1_1", "conv3_1")
