"""lib/image_classifier/models.py: shapes, parameter counts against formulas, parsing, preset settings."""
import pytest
import torch
from torch import nn

from lib.common.settings import check, spec
from lib.image_classifier import models as M

FASHION = (1, 28, 28)


@pytest.mark.parametrize("name, in_shape, params", [
    ("mlp_sigmoid", FASHION, 784 * 128 + 128 + 128 * 10 + 10),
    ("mlp", FASHION, 784 * 256 + 256 + 256 * 128 + 128 + 1290),
    # conv1 1->16 5x5, conv2 16->32 5x5, linear 32*7*7 -> 10
    ("mnist_cnn", FASHION, 16 * 25 + 16 + 32 * 16 * 25 + 32 + 32 * 7 * 7 * 10 + 10),
    # LeNet-5 on 28x28 padded: 6@5x5, 16@5x5 -> 16*5*5 -> 120 -> 84 -> 10
    ("lenet", FASHION, 156 + 2416 + 400 * 120 + 120 + 120 * 84 + 84 + 850),
    # CIFAR CNN: three 3x3 convs 3->16->32->64, 64*4*4 = 1024 -> 512 -> 10
    ("cifar_cnn", (3, 32, 32), 448 + 4640 + 18496 + 1024 * 512 + 512 + 5130),
])
def test_preset_parameter_counts(name, in_shape, params):
    model = M.build(M.PRESETS[name], in_shape, 10)
    assert M.count_params(model) == params
    assert model(torch.zeros(2, *in_shape)).shape == (2, 10)


def test_make_layers_matches_vgg_convention():
    layers = M.make_layers((8, "M", 16), batch_norm=True, in_channels=3, act=nn.ReLU)
    assert [type(m) for m in layers] == [nn.Conv2d, nn.BatchNorm2d, nn.ReLU, nn.MaxPool2d, nn.Conv2d, nn.BatchNorm2d, nn.ReLU]
    assert layers[0].padding == (1, 1) and layers[0].kernel_size == (3, 3)


def test_summary_shapes_and_params():
    model = M.build(M.PRESETS["mnist_cnn"], FASHION, 10)
    rows = M.summary(model, FASHION)
    assert [r.output_shape for r in rows][:3] == [(1, 16, 14, 14), (1, 16, 14, 14), (1, 16, 7, 7)]
    assert rows[-1].output_shape == (1, 10) and sum(r.params for r in rows) == M.count_params(model)


def test_build_is_deterministic_per_seed():
    spec_ = M.PRESETS[M.DEFAULT_PRESET]
    a, b, c = (M.build(spec_, FASHION, 10, seed=s) for s in (1, 1, 2))
    assert torch.equal(a[1].weight, b[1].weight) and not torch.equal(a[1].weight, c[1].weight)


def test_too_small_images_and_bad_text_give_messages():
    with pytest.raises(ValueError, match="shrinks a 8x8 image"):
        M.build(M.PRESETS["lenet"], (1, 8, 8), 10)
    with pytest.raises(ValueError, match="whole numbers"):
        M.parse_widths("256, abc")
    with pytest.raises(ValueError, match="not a channel count"):
        M.parse_cfg("64, X")
    with pytest.raises(ValueError, match="Dropout"):
        M.with_changes(M.ModelSpec(), dropout=1.5)
    assert M.parse_cfg("64, m, 128") == (64, "M", 128) and M.parse_widths("") == ()


@pytest.mark.parametrize("items", [(256, 128), (), (32, "M", 64, "M")])
def test_as_text_reads_back(items):
    text = M.as_text(items)
    assert (M.parse_cfg(text) if "M" in items else M.parse_widths(text)) == items


def test_spec_round_trips_through_plain_dict():
    spec_ = M.PRESETS["vgg"]
    d = spec_.to_dict()
    assert all(isinstance(v, (list, str, int, float, bool)) for v in d.values())
    assert M.ModelSpec.from_dict(d) == spec_
    with pytest.raises(ValueError):
        M.ModelSpec.from_dict({**d, "evil": 1})


def test_model_settings_default_to_the_default_preset():
    cfg = M.ModelConfig()
    check(cfg)
    assert cfg.preset == M.DEFAULT_PRESET and spec(cfg, "preset").options == tuple(M.PRESETS)
    assert M.preset_settings(M.PRESETS[M.DEFAULT_PRESET]) == cfg  # the defaults are the default preset's
    assert (spec(cfg, "dropout").lo, spec(cfg, "dropout").hi, spec(cfg, "dropout").step) == (0.05, 0.8, 0.05)


@pytest.mark.parametrize("name, activation, use_dropout, dropout, loss, batch_norm", [
    ("mlp_sigmoid", "sigmoid", False, 0.25, "ce", False),  # no dropout: slider at 0.25
    ("vgg", "relu", True, 0.25, "ce", True),
    ("mlp", "relu", True, 0.25, "nll", False),
])
def test_preset_settings_follow_the_preset(name, activation, use_dropout, dropout, loss, batch_norm):
    s = M.preset_settings(M.PRESETS[name])
    assert (s.activation, s.use_dropout, s.dropout, s.loss, s.batch_norm) == (activation, use_dropout, dropout, loss,
                                                                              batch_norm)
    check(s)


def test_preset_settings_keep_a_presets_own_dropout():
    assert M.preset_settings(M.ModelSpec(dropout=0.5)).dropout == 0.5


@pytest.mark.parametrize("name, differ", [
    ("mlp_sigmoid", False),          # no dropout, no batch norm
    ("mlp", True),  # dropout
    ("vgg", True),                   # batch norm (and dropout)
])
def test_modes_differ(name, differ):
    model = M.build(M.PRESETS[name], FASHION, 10)
    assert M.modes_differ(M.PRESETS[name], model) is differ
    assert M.modes_differ(M.with_changes(M.PRESETS[name], dropout=0.0), model) is (name == "vgg")


def test_device_of():
    assert M.device_of(M.build(M.ModelSpec(), (1, 8, 8), 10)) == torch.device("cpu")


def test_fast_cnn_parameter_count():
    # three 3x3 convs 1->16->32->64 with batch norm (2 parameters a channel), 64*7*7 -> 10
    model = M.build(M.PRESETS["fast_cnn"], FASHION, 10)
    assert M.count_params(model) == (160 + 32) + (4640 + 64) + (18496 + 128) + 64 * 7 * 7 * 10 + 10


@pytest.mark.parametrize("preset, changes, expect", [
    ("mlp", {"hidden": "64", "activation": "tanh"}, {"hidden": (64,), "activation": "tanh"}),
    ("mlp", {"use_dropout": False}, {"dropout": 0.0}),
    ("mlp", {"loss": "ce"}, {"log_softmax": False}),
    ("vgg", {"cfg": "8, M", "batch_norm": False, "fc": ""}, {"cfg": (8, "M"), "batch_norm": False, "fc": ()}),
    ("mnist_cnn", {"channels": "4, 8", "hidden": "garbage"}, {"channels": (4, 8)}),  # an MLP field: not read
])
def test_spec_from_settings_reads_the_fields_of_the_kind(preset, changes, expect):
    from dataclasses import replace
    spec_ = M.spec_from_settings(M.PRESETS[preset], replace(M.preset_settings(M.PRESETS[preset]), **changes))
    assert {k: getattr(spec_, k) for k in expect} == expect


@pytest.mark.parametrize("preset, field, text, message", [
    ("mlp", "hidden", "256, lots", "hidden layer widths must be whole numbers"),
    ("mnist_cnn", "channels", "8", "needs 2 channel counts"),
    ("vgg", "cfg", "<b>`x`</b>", "is not a channel count"),
    ("vgg", "fc", "1" * 40, "hidden linear widths"),
])
def test_spec_from_settings_explains_bad_text(preset, field, text, message):
    from dataclasses import replace
    with pytest.raises(ValueError, match=message) as info:
        M.spec_from_settings(M.PRESETS[preset], replace(M.preset_settings(M.PRESETS[preset]), **{field: text}))
    assert str(info.value).count("`") in (0, 2)  # a learner's text sits inert in one code span, if at all
